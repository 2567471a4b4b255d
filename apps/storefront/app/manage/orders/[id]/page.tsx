import type { Metadata } from 'next';
import Link from 'next/link';
import { formatDate, formatDateTime, formatVnd } from '../../../../lib/format';
import { pick, STATUS_LABELS } from '../../../../lib/i18n';
import { getLang } from '../../../../lib/lang';
import { channelLabel, manageApiOr404, type ManageOrder } from '../../../../lib/manage-api';
import { transitionOrder } from '../../actions';

export const metadata: Metadata = { title: 'Đơn hàng / Order', robots: { index: false } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What each move's button says: the action, not the status name. */
const ACTION_LABELS: Record<string, [string, string]> = {
  confirmed: ['Xác nhận', 'Confirm'],
  packed: ['Đã đóng gói', 'Mark packed'],
  shipped: ['Đã giao cho vận chuyển', 'Mark shipped'],
  delivered: ['Đã giao tới khách', 'Mark delivered'],
  cancelled: ['Hủy đơn', 'Cancel'],
  returned: ['Khách trả hàng', 'Mark returned'],
  paid: ['Đã thanh toán', 'Mark paid'],
};

export default async function ManageOrderPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ error?: string; moved?: string }> }) {
  const lang = await getLang();
  const { id } = await params;
  const sp = await searchParams;
  const order = await manageApiOr404<ManageOrder>(UUID.test(id) ? `/api/manage/orders/${id}` : '/api/manage/orders/not-an-id');
  const label = (s: string) => STATUS_LABELS[s]?.[lang] ?? s;
  return (
    <>
      <p>
        <Link href="/manage/orders">← {pick(lang, 'Đơn hàng', 'Orders')}</Link>
      </p>
      <h1>
        {pick(lang, 'Đơn', 'Order')} <span data-testid="order-code">{order.code}</span>
      </h1>
      {sp.error && (
        <p className="alert" role="alert">
          {sp.error}
        </p>
      )}
      {sp.moved && !sp.error && <p className="ok">{pick(lang, 'Đã chuyển sang', 'Moved to')} “{label(sp.moved)}”</p>}
      <p>
        {pick(lang, 'Trạng thái', 'Status')}:{' '}
        <strong className={`status st-${order.status}`} data-testid="order-status">
          {label(order.status)}
        </strong>
      </p>
      {order.allowedTransitions.length > 0 && (
        <form action={transitionOrder} className="transitions">
          <input type="hidden" name="id" value={order.id} />
          <input name="note" maxLength={1000} placeholder={pick(lang, 'Ghi chú (tùy chọn)', 'Note (optional)')} aria-label={pick(lang, 'Ghi chú', 'Note')} />
          <div className="buttons">
            {order.allowedTransitions.map((to) => (
              <button key={to} type="submit" name="to" value={to} className={to === 'cancelled' || to === 'returned' ? 'secondary' : undefined} data-testid={`to-${to}`}>
                {ACTION_LABELS[to] ? pick(lang, ...ACTION_LABELS[to]) : label(to)}
              </button>
            ))}
          </div>
        </form>
      )}
      <p>
        <Link href={`/manage/orders/${order.id}/slip`} className="btn secondary">
          {pick(lang, 'In phiếu đóng gói', 'Packing slip')}
        </Link>
      </p>
      <h2>{pick(lang, 'Khách hàng', 'Customer')}</h2>
      <p>
        {order.customer.name} · <a href={`tel:${order.customer.phone}`}>{order.customer.phone}</a>
        {order.customer.email ? ` · ${order.customer.email}` : ''}
        <br />
        {order.shippingAddress.line}, {order.shippingAddress.communeName}, {order.shippingAddress.provinceName}
      </p>
      <p className="muted">
        {formatDateTime(order.placedAt)} · {channelLabel(order.channel, lang)}
        {order.externalRef ? ` (${order.externalRef})` : ''} · {order.paymentMethod.toUpperCase()}
      </p>
      {order.note && <p>{pick(lang, 'Ghi chú', 'Note')}: {order.note}</p>}
      <h2>{pick(lang, 'Sản phẩm', 'Lines')}</h2>
      <table>
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.id}>
              <td>
                {l.productNameVi} — {l.variantNameVi}
                <div className="muted">
                  {l.sku}
                  {l.lots.map((lot) => ` · ${pick(lang, 'lô', 'lot')} ${lot.lotCode} ×${lot.quantity}`).join('')}
                </div>
              </td>
              <td>×{l.quantity}</td>
              <td className="num">{formatVnd(l.lineTotal)}</td>
            </tr>
          ))}
          <tr>
            <td colSpan={2}>{pick(lang, 'Phí vận chuyển', 'Shipping')}</td>
            <td className="num">{formatVnd(order.shippingFee)}</td>
          </tr>
          <tr>
            <th colSpan={2}>{pick(lang, 'Tổng cộng', 'Total')}</th>
            <th className="num">{formatVnd(order.total)}</th>
          </tr>
        </tbody>
      </table>
      <h2>{pick(lang, 'Lịch sử', 'History')}</h2>
      <ol className="timeline">
        {order.history.map((h, i) => (
          <li key={i}>
            <strong>{label(h.to)}</strong> <span className="muted">{formatDateTime(h.at)} · {h.actor}</span>
            {h.note && <div className="muted">{h.note}</div>}
          </li>
        ))}
      </ol>
      {order.lines.some((l) => l.lots.some((lot) => lot.expiryDate)) && (
        <p className="muted">{pick(lang, 'HSD sớm nhất', 'Earliest expiry')}: {formatDate(order.lines.flatMap((l) => l.lots.map((x) => x.expiryDate ?? '9999-12-31')).sort()[0])}</p>
      )}
    </>
  );
}
