import type { Metadata } from 'next';
import Link from 'next/link';
import { ReceiveForm } from '../../../components/manage-forms';
import type { Page } from '../../../lib/api';
import { formatDate } from '../../../lib/format';
import { pick } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';
import { manageApi, type ManageLot } from '../../../lib/manage-api';

export const metadata: Metadata = { title: 'Lô hàng / Lots', robots: { index: false } };

const PAGE_SIZE = 50;

export default async function ManageLots({ searchParams }: { searchParams: Promise<{ page?: string; lotCode?: string }> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const page = Math.max(1, Number.parseInt(sp.page ?? '1', 10) || 1);
  const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
  const lotCode = (sp.lotCode ?? '').trim().slice(0, 20);
  if (lotCode) params.set('lotCode', lotCode);
  const data = await manageApi<Page<ManageLot>>(`/api/manage/lots?${params}`);
  const variants = new Map<string, string>();
  for (const l of data.items) variants.set(l.variantId, `${l.productNameVi} — ${l.variantNameVi} (${l.sku})`);
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  return (
    <>
      <h1>{pick(lang, 'Lô hàng', 'Lots')}</h1>
      <form className="filters" method="get" action="/manage/lots">
        <input name="lotCode" defaultValue={lotCode} placeholder={pick(lang, 'Mã lô', 'Lot code')} aria-label={pick(lang, 'Mã lô', 'Lot code')} />
        <button type="submit">{pick(lang, 'Tìm', 'Find')}</button>
      </form>
      <ul className="order-list">
        {data.items.map((l) => (
          <li key={l.id} data-testid="lot-row">
            <Link href={`/manage/lots/${l.id}`}>
              <strong>{l.lotCode}</strong>
            </Link>
            {l.recalledAt ? <span className="status st-cancelled">{pick(lang, 'Đã thu hồi', 'Recalled')}</span> : l.expired ? <span className="status st-cancelled">{pick(lang, 'Hết hạn', 'Expired')}</span> : null}
            <span>
              {pick(lang, 'Tồn', 'On hand')}: <strong>{l.onHand}</strong>/{l.quantityReceived}
            </span>
            <span className="muted">
              {l.productNameVi} — {l.variantNameVi} · {pick(lang, 'HSD', 'Expiry')} {formatDate(l.expiryDate)}
            </span>
            <span className="links">
              <a href={`/01/${l.gtin}/10/${encodeURIComponent(l.lotCode)}`}>{pick(lang, 'Trang truy xuất', 'Trace page')}</a>
              <a href={`/manage/lots/${l.id}/labels?count=24`} data-testid="labels">
                {pick(lang, 'Tải nhãn (PDF)', 'Labels (PDF)')}
              </a>
            </span>
          </li>
        ))}
      </ul>
      {pages > 1 && (
        <nav className="pager" aria-label="pages">
          {page > 1 ? <Link href={`/manage/lots?page=${page - 1}`}>{pick(lang, '← Trước', '← Previous')}</Link> : <span />}
          {page < pages ? <Link href={`/manage/lots?page=${page + 1}`}>{pick(lang, 'Sau →', 'Next →')}</Link> : <span />}
        </nav>
      )}
      <h2>{pick(lang, 'Nhập kho lô mới', 'Receive a lot')}</h2>
      <ReceiveForm lang={lang} variants={[...variants].map(([id, label]) => ({ id, label })).sort((a, b) => a.label.localeCompare(b.label, 'vi'))} />
    </>
  );
}
