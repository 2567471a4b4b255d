import type { Metadata } from 'next';
import { formatDateTime, formatVnd } from '../../../../../lib/format';
import { manageApiOr404, type ManageOrder } from '../../../../../lib/manage-api';

export const metadata: Metadata = { title: 'Phiếu đóng gói / Packing slip', robots: { index: false } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A packing slip that prints on one A5/A4 page: the site's header and the console's menu are hidden by print CSS. */
export default async function PackingSlip({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const order = await manageApiOr404<ManageOrder>(UUID.test(id) ? `/api/manage/orders/${id}` : '/api/manage/orders/not-an-id');
  return (
    <article className="slip">
      <p className="no-print">
        <a href={`/manage/orders/${order.id}`}>← Quay lại / Back</a> · Dùng lệnh In của trình duyệt / Use the browser’s Print
      </p>
      <header>
        <strong>{order.cooperative.name}</strong>
        <div className="slip-code" data-testid="slip-code">
          {order.code}
        </div>
        <div>{formatDateTime(order.placedAt)}</div>
      </header>
      <section>
        <h2>Người nhận / Ship to</h2>
        <p>
          <strong>{order.customer.name}</strong> · {order.customer.phone}
          <br />
          {order.shippingAddress.line}
          <br />
          {order.shippingAddress.communeName}, {order.shippingAddress.provinceName}
        </p>
      </section>
      <table>
        <thead>
          <tr>
            <th>☐</th>
            <th>Sản phẩm / Item</th>
            <th>Lô / Lot</th>
            <th>SL / Qty</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.id}>
              <td>☐</td>
              <td>
                {l.productNameVi} — {l.variantNameVi}
                <div className="muted">{l.sku}</div>
              </td>
              <td>{l.lots.map((lot) => `${lot.lotCode} ×${lot.quantity}`).join(', ') || '—'}</td>
              <td>{l.quantity}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {order.paymentMethod === 'cod' ? (
          <strong>Thu hộ (COD) / Collect on delivery: {formatVnd(order.total)}</strong>
        ) : (
          <>Đã thanh toán / Prepaid ({order.paymentMethod.toUpperCase()}) · {formatVnd(order.total)}</>
        )}
      </p>
      {order.note && <p>Ghi chú / Note: {order.note}</p>}
    </article>
  );
}
