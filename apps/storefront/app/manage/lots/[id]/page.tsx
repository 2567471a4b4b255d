import type { Metadata } from 'next';
import Link from 'next/link';
import { RecallForm } from '../../../../components/manage-forms';
import { formatDate, formatDateTime } from '../../../../lib/format';
import { STATUS_LABELS } from '../../../../lib/i18n';
import { manageApi, manageApiOr404, type ManageLot } from '../../../../lib/manage-api';

export const metadata: Metadata = { title: 'Lô hàng / Lot', robots: { index: false } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const MOVEMENT_LABELS: Record<string, string> = {
  receipt: 'Nhập kho / Receipt',
  allocation: 'Xuất cho đơn / Allocated to order',
  adjustment: 'Điều chỉnh / Adjustment',
  return: 'Khách trả / Return',
  recall: 'Thu hồi / Recall',
};

interface RecallOrders {
  lotCode: string;
  items: { orderId: string; code: string; status: string; placedAt: string; customerName: string; customerPhone: string; shippingAddress: string; quantityFromLot: number }[];
}

export default async function ManageLotPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ recalled?: string; received?: string }> }) {
  const { id } = await params;
  const sp = await searchParams;
  const lot = await manageApiOr404<ManageLot & { movements: { id: string; kind: string; quantity: number; reason: string | null; createdAt: string }[] }>(
    UUID.test(id) ? `/api/manage/lots/${id}` : '/api/manage/lots/not-an-id',
  );
  const affected = lot.recalledAt ? await manageApi<RecallOrders>(`/api/manage/lots/${lot.id}/recall/orders`) : null;
  return (
    <>
      <p>
        <Link href="/manage/lots">← Lô hàng / Lots</Link>
      </p>
      <h1>Lô {lot.lotCode}</h1>
      {sp.received && <p className="ok">Đã nhập kho / Received.</p>}
      <p>
        {lot.productNameVi} — {lot.variantNameVi} · {lot.sku} · GTIN {lot.gtin}
        <br />
        Tồn / On hand: <strong>{lot.onHand}</strong>/{lot.quantityReceived} · Thu hoạch / Harvest {formatDate(lot.harvestDate)} · HSD / Expiry {formatDate(lot.expiryDate)}
      </p>
      <p className="links">
        <a href={`/01/${lot.gtin}/10/${encodeURIComponent(lot.lotCode)}`}>Trang truy xuất / Trace page</a>
      </p>
      <form method="get" action={`/manage/lots/${lot.id}/labels`} className="filters">
        <label htmlFor="count">Số nhãn / Labels</label>
        <input id="count" name="count" type="number" min={1} max={480} defaultValue={24} inputMode="numeric" />
        <button type="submit">Tải nhãn PDF / Download labels</button>
      </form>
      {lot.recalledAt ? (
        <>
          <p className="alert" role="alert" data-testid="recalled">
            Đã thu hồi ngày {formatDateTime(lot.recalledAt)} / Recalled — {lot.recallReason}
          </p>
          <h2>Đơn bị ảnh hưởng / Affected orders ({affected?.items.length ?? 0})</h2>
          {affected && affected.items.length > 0 ? (
            <table>
              <tbody>
                {affected.items.map((o) => (
                  <tr key={o.orderId}>
                    <td>
                      <Link href={`/manage/orders/${o.orderId}`}>{o.code}</Link>
                      <div className="muted">{STATUS_LABELS[o.status]?.vi ?? o.status}</div>
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
            <p>Chưa có đơn nào dùng lô này / No order used this lot.</p>
          )}
        </>
      ) : (
        <>
          <h2>Thu hồi / Recall</h2>
          <RecallForm lotId={lot.id} />
        </>
      )}
      <h2>Biến động kho / Movements</h2>
      <ul className="timeline">
        {lot.movements.map((m) => (
          <li key={m.id}>
            <strong>
              {MOVEMENT_LABELS[m.kind] ?? m.kind} {m.quantity > 0 ? `+${m.quantity}` : m.quantity}
            </strong>{' '}
            <span className="muted">{formatDateTime(m.createdAt)}</span>
            {m.reason && <div className="muted">{m.reason}</div>}
          </li>
        ))}
      </ul>
    </>
  );
}
