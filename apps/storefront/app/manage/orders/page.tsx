import type { Metadata } from 'next';
import Link from 'next/link';
import type { Page } from '../../../lib/api';
import { formatDateTime, formatVnd } from '../../../lib/format';
import { pick, STATUS_LABELS } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';
import { channelLabel, manageApi, type ManageOrderListItem } from '../../../lib/manage-api';

export const metadata: Metadata = { title: 'Đơn hàng / Orders', robots: { index: false } };

const PAGE_SIZE = 20;

export default async function ManageOrders({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const status = sp.status && STATUS_LABELS[sp.status] ? sp.status : '';
  const q = (sp.q ?? '').trim().slice(0, 40);
  const page = Math.max(1, Number.parseInt(sp.page ?? '1', 10) || 1);
  const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
  if (status) params.set('status', status);
  if (q) params.set('q', q);
  const data = await manageApi<Page<ManageOrderListItem>>(`/api/manage/orders?${params}`);
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const link = (p: number) => {
    const u = new URLSearchParams(params);
    u.set('page', String(p));
    u.delete('pageSize');
    return `/manage/orders?${u}`;
  };
  return (
    <>
      <h1>{pick(lang, 'Đơn hàng', 'Orders')}</h1>
      <form className="filters" method="get" action="/manage/orders">
        <select name="status" defaultValue={status} aria-label={pick(lang, 'Trạng thái', 'Status')}>
          <option value="">{pick(lang, 'Mọi trạng thái', 'All statuses')}</option>
          {Object.entries(STATUS_LABELS).map(([k, v]) => (
            <option key={k} value={k}>
              {v[lang]}
            </option>
          ))}
        </select>
        <input name="q" defaultValue={q} placeholder={pick(lang, 'Mã đơn hoặc SĐT', 'Code or phone')} aria-label={pick(lang, 'Tìm', 'Search')} />
        <button type="submit">{pick(lang, 'Lọc', 'Filter')}</button>
      </form>
      <p className="muted">
        {data.total} {pick(lang, 'đơn', 'orders')} · {pick(lang, 'trang', 'page')} {page}/{pages}
      </p>
      {data.items.length === 0 ? (
        <p>{pick(lang, 'Không có đơn nào.', 'No orders.')}</p>
      ) : (
        <ul className="order-list">
          {data.items.map((o) => (
            <li key={o.id} data-testid="order-row">
              <Link href={`/manage/orders/${o.id}`}>
                <strong>{o.code}</strong>
              </Link>
              <span className={`status st-${o.status}`}>{STATUS_LABELS[o.status]?.[lang] ?? o.status}</span>
              <span className="price">{formatVnd(o.total)}</span>
              <span className="muted">
                {o.customerName} · {o.customerPhone} · {o.communeName}, {o.provinceName}
              </span>
              <span className="muted">
                {formatDateTime(o.placedAt)} · {channelLabel(o.channel, lang)} · {o.paymentMethod.toUpperCase()} · {o.itemCount} {pick(lang, 'sp', 'items')}
              </span>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="pages">
        {page > 1 ? <Link href={link(page - 1)}>{pick(lang, '← Trước', '← Previous')}</Link> : <span />}
        {page < pages ? <Link href={link(page + 1)}>{pick(lang, 'Sau →', 'Next →')}</Link> : <span />}
      </nav>
    </>
  );
}
