import type { Metadata } from 'next';
import Link from 'next/link';
import { AdjustForm, TraceEventForm } from '../../../../components/console-forms';
import { RecallForm } from '../../../../components/manage-forms';
import type { Page } from '../../../../lib/api';
import { formatDate, formatDateTime } from '../../../../lib/format';
import { STATUS_LABELS, t, type Lang } from '../../../../lib/i18n';
import { getLang } from '../../../../lib/lang';
import { manageApi, manageApiOr404, UUID_RE, type EpcisEvent, type ManageLot, type Plot } from '../../../../lib/manage-api';

export const metadata: Metadata = { title: 'Lô hàng / Lot', robots: { index: false } };

const MOVEMENT_LABELS: Record<string, [string, string]> = {
  receipt: ['Nhập kho', 'Receipt'],
  allocation: ['Xuất cho đơn', 'Allocated to order'],
  adjustment: ['Điều chỉnh', 'Adjustment'],
  return: ['Khách trả', 'Return'],
  recall: ['Thu hồi', 'Recall'],
};

const STEP_LABELS: Record<string, [string, string]> = {
  harvest: ['Thu hoạch', 'Harvest'],
  transformation: ['Sấy / sơ chế / chế biến', 'Drying / processing'],
  commissioning: ['Sản xuất', 'Commissioning'],
  packing: ['Đóng gói', 'Packing'],
  shipping: ['Xuất hàng', 'Shipping'],
  receiving: ['Nhận hàng', 'Receiving'],
  inspecting: ['Kiểm tra chất lượng', 'Quality inspection'],
  storing: ['Lưu kho', 'Storage'],
};

const UOM: Record<string, [string, string]> = { KGM: ['kg', 'kg'], GRM: ['g', 'g'], H87: ['gói', 'packs'], LTR: ['lít', 'l'] };

function stepOf(e: EpcisEvent): string {
  const step = (e.bizStep ?? '').replace(/^https:\/\/ref\.gs1\.org\/cbv\/BizStep-/, '');
  if (e.type === 'TransformationEvent') return 'transformation';
  if (e.type === 'ObjectEvent' && e.action === 'ADD' && step === 'commissioning') return 'harvest';
  return step || 'other';
}

function quantities(e: EpcisEvent, lang: Lang): string {
  const fmt = (list: EpcisEvent['quantityList'], arrow: string) =>
    (list ?? []).map((q) => `${arrow}${q.epcClass.split('/10/')[1] ?? q.epcClass} ${q.quantity ?? ''} ${UOM[q.uom ?? '']?.[lang === 'en' ? 1 : 0] ?? q.uom ?? ''}`.trim());
  return [...fmt(e.quantityList, ''), ...fmt(e.inputQuantityList, '↘ '), ...fmt(e.outputQuantityList, '↗ ')].join(' · ');
}

interface RecallOrders {
  lotCode: string;
  items: { orderId: string; code: string; status: string; placedAt: string; customerName: string; customerPhone: string; shippingAddress: string; quantityFromLot: number }[];
}

type LotDetail = ManageLot & { movements: { id: string; kind: string; quantity: number; reason: string | null; createdAt: string }[] };

export default async function ManageLotPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ recalled?: string; received?: string; recorded?: string; adjusted?: string }>;
}) {
  const lang = await getLang();
  const L = (pair: [string, string]) => (lang === 'en' ? pair[1] : pair[0]);
  const { id } = await params;
  const sp = await searchParams;
  const lot = await manageApiOr404<LotDetail>(UUID_RE.test(id) ? `/api/manage/lots/${id}` : '/api/manage/lots/not-an-id');
  const [affected, events, plots, lots] = await Promise.all([
    lot.recalledAt ? manageApi<RecallOrders>(`/api/manage/lots/${lot.id}/recall/orders`) : Promise.resolve(null),
    manageApi<{ epcisBody: { queryResults: { resultsBody: { eventList: EpcisEvent[] } } } }>(`/api/epcis/events?lotId=${lot.id}&pageSize=100`),
    manageApi<Page<Plot>>('/api/manage/trace/plots?pageSize=100'),
    manageApi<Page<ManageLot>>('/api/manage/lots?pageSize=100'),
  ]);
  const eventList = events.epcisBody.queryResults.resultsBody.eventList;
  const inputLots = [{ id: lot.id, lotCode: lot.lotCode }, ...lots.items.filter((l) => l.id !== lot.id).map((l) => ({ id: l.id, lotCode: `${l.lotCode} — ${l.productNameVi}` }))];
  const tracePath = `/01/${lot.gtin}/10/${encodeURIComponent(lot.lotCode)}`;
  return (
    <>
      <p>
        <Link href="/manage/lots">← {t(lang, 'mLots')}</Link>
      </p>
      <h1>
        {lang === 'en' ? 'Lot' : 'Lô'} {lot.lotCode}
      </h1>
      {sp.received && <p className="ok">{lang === 'en' ? 'Received.' : 'Đã nhập kho.'}</p>}
      {sp.recorded && (
        <p className="ok" role="status" data-testid="recorded">
          {t(lang, 'mRecorded')}
        </p>
      )}
      {sp.adjusted && (
        <p className="ok" role="status" data-testid="adjusted">
          {t(lang, 'mAdjusted')}
        </p>
      )}
      <p>
        {lot.productNameVi} — {lot.variantNameVi} · {lot.sku} · GTIN {lot.gtin}
        <br />
        {t(lang, 'mOnHand')}: <strong data-testid="lot-on-hand">{lot.onHand}</strong>/{lot.quantityReceived} · {t(lang, 'mHarvest')} {formatDate(lot.harvestDate)} · {t(lang, 'mExpiry')}{' '}
        {formatDate(lot.expiryDate)}
      </p>
      <p className="links">
        <a href={tracePath}>{t(lang, 'mTracePage')} ↗</a>
      </p>
      <form method="get" action={`/manage/lots/${lot.id}/labels`} className="filters">
        <label htmlFor="count">{lang === 'en' ? 'Labels' : 'Số nhãn'}</label>
        <input id="count" name="count" type="number" min={1} max={480} defaultValue={24} inputMode="numeric" />
        <button type="submit">{lang === 'en' ? 'Download labels (PDF)' : 'Tải nhãn PDF'}</button>
      </form>

      <h2 id="events">{t(lang, 'mTraceEvents')}</h2>
      {eventList.length === 0 ? (
        <p className="muted">{t(lang, 'mNoEvents')}</p>
      ) : (
        <ol className="timeline" data-testid="events">
          {eventList.map((e) => (
            <li key={e.eventID}>
              <strong>{L(STEP_LABELS[stepOf(e)] ?? [stepOf(e), stepOf(e)])}</strong> <span className="muted">{formatDateTime(e.eventTime)}</span>
              <div className="muted">{quantities(e, lang)}</div>
              {e['htx:note'] && <div>{e['htx:note']}</div>}
              {e['htx:corrects'] && <div className="muted">{lang === 'en' ? 'corrects an earlier event' : 'sửa một sự kiện trước'}</div>}
            </li>
          ))}
        </ol>
      )}
      {!lot.recalledAt && (
        <details className="panel" open={Boolean(sp.recorded) || eventList.length === 0}>
          <summary>
            <strong>{t(lang, 'mRecordEvent')}</strong>
          </summary>
          <TraceEventForm lang={lang} lotId={lot.id} lots={inputLots} plots={plots.items} />
        </details>
      )}

      {lot.recalledAt ? (
        <>
          <p className="alert" role="alert" data-testid="recalled">
            {lang === 'en' ? 'Recalled on' : 'Đã thu hồi ngày'} {formatDateTime(lot.recalledAt)} — {lot.recallReason}
          </p>
          <h2>
            {lang === 'en' ? 'Affected orders' : 'Đơn bị ảnh hưởng'} ({affected?.items.length ?? 0})
          </h2>
          {affected && affected.items.length > 0 ? (
            <table>
              <tbody>
                {affected.items.map((o) => (
                  <tr key={o.orderId}>
                    <td>
                      <Link href={`/manage/orders/${o.orderId}`}>{o.code}</Link>
                      <div className="muted">{STATUS_LABELS[o.status]?.[lang] ?? o.status}</div>
                    </td>
                    <td>
                      {o.customerName} · <a href={`tel:${o.customerPhone}`}>{o.customerPhone}</a>
                      <div className="muted">{o.shippingAddress}</div>
                    </td>
                    <td className="num">×{o.quantityFromLot}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{lang === 'en' ? 'No order used this lot.' : 'Chưa có đơn nào dùng lô này.'}</p>
          )}
        </>
      ) : (
        <>
          <h2>{t(lang, 'mAdjustTitle')}</h2>
          <AdjustForm lang={lang} lotId={lot.id} lotCode={lot.lotCode} back={`/manage/lots/${lot.id}`} />
          <h2>{lang === 'en' ? 'Recall' : 'Thu hồi'}</h2>
          <RecallForm lotId={lot.id} lang={lang} />
        </>
      )}
      <h2>{lang === 'en' ? 'Stock movements' : 'Biến động kho'}</h2>
      <ul className="timeline">
        {lot.movements.map((m) => (
          <li key={m.id}>
            <strong>
              {L(MOVEMENT_LABELS[m.kind] ?? [m.kind, m.kind])} {m.quantity > 0 ? `+${m.quantity}` : m.quantity}
            </strong>{' '}
            <span className="muted">{formatDateTime(m.createdAt)}</span>
            {m.reason && <div className="muted">{m.reason}</div>}
          </li>
        ))}
      </ul>
    </>
  );
}
