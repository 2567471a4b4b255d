import type { Metadata } from 'next';
import Link from 'next/link';
import type { Page } from '../../../lib/api';
import { formatDateTime, formatVnd } from '../../../lib/format';
import { STATUS_LABELS } from '../../../lib/i18n';
import { CHANNEL_LABELS, manageApi, type ManageOrderListItem } from '../../../lib/manage-api';

export const metadata: Metadata = { title: 'Đơn hàng / Orders', robots: { index: false } };

const PAGE_SIZE = 20;

export default async function ManageOrders({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
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
      <h1>Đơn hàng / Orders</h1>
      <form className="filters" method="get" action="/manage/orders">
        <select name="status" defaultValue={status} aria-label="Trạng thái / Status">
          <option value="">Mọi trạng thái / All</option>
          {Object.entries(STATUS_LABELS).map(([k, v]) => (
            <option key={k} value={k}>
              {v.vi} / {v.en}
            </option>
          ))}
        </select>
        <input name="q" defaultValue={q} placeholder="Mã đơn hoặc SĐT / Code or phone" aria-label="Tìm / Search" />
        <button type="submit">Lọc / Filter</button>
      </form>
      <p className="muted">
        {data.total} đơn / orders · trang {page}/{pages}
      </p>
      {data.items.length === 0 ? (
        <p>Không có đơn nào / No orders.</p>
      ) : (
        <ul className="order-list">
          {data.items.map((o) => (
            <li key={o.id} data-testid="order-row">
              <Link href={`/manage/orders/${o.id}`}>
                <strong>{o.code}</strong>
              </Link>
              <span className={`status st-${o.status}`}>{STATUS_LABELS[o.status]?.vi ?? o.status}</span>
              <span className="price">{formatVnd(o.total)}</span>
              <span className="muted">
                {o.customerName} · {o.customerPhone} · {o.communeName}, {o.provinceName}
              </span>
              <span className="muted">
                {formatDateTime(o.placedAt)} · {CHANNEL_LABELS[o.channel] ?? o.channel} · {o.paymentMethod.toUpperCase()} · {o.itemCount} sp
              </span>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="pages">
        {page > 1 ? <Link href={link(page - 1)}>← Trước / Previous</Link> : <span />}
        {page < pages ? <Link href={link(page + 1)}>Sau / Next →</Link> : <span />}
      </nav>
    </>
  );
}
