import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { api, ApiError } from '../../../lib/api';
import { formatDateTime, formatVnd } from '../../../lib/format';
import { getLang } from '../../../lib/lang';
import { STATUS_LABELS, t } from '../../../lib/i18n';

export const metadata: Metadata = { title: 'Đơn hàng', robots: { index: false } };

interface Tracking {
  code: string;
  status: string;
  cooperative: { slug: string; name: string };
  placedAt: string;
  paymentMethod: string;
  customer: { name: string; phone: string };
  shippingAddress: { provinceName: string; communeName: string; line: string };
  lines: { sku: string; productNameVi: string; variantNameVi: string; unitPrice: number; quantity: number; lineTotal: number }[];
  subtotal: number;
  shippingFee: number;
  total: number;
  history: { from: string | null; to: string; at: string }[];
  payment:
    | { step: 'redirect'; url: string; expiresAt: string | null }
    | { step: 'show_qr'; svg: string; bank: { bin: string; accountNumber: string; accountName: string }; amount: number; purpose: string; expiresAt: string | null }
    | { step: string; expiresAt?: string | null }
    | null;
}

export default async function OrderPage({ params, searchParams }: { params: Promise<{ code: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const lang = await getLang();
  const { code: raw } = await params;
  const code = decodeURIComponent(raw).toUpperCase();
  const placed = ((await searchParams).placed ?? '').split(',').filter((c) => /^[A-Z0-9-]{4,40}$/.test(c));
  const phone = (await cookies()).get(`track_${code}`)?.value;
  const status = (s: string) => STATUS_LABELS[s]?.[lang] ?? s;
  let order: Tracking | null = null;
  let problem: string | null = null;
  if (!phone) problem = t(lang, 'trackHint');
  else {
    try {
      order = await api<Tracking>(`/api/orders/${encodeURIComponent(code)}?phone=${encodeURIComponent(phone)}`);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status >= 500) throw e;
      problem = e.message;
    }
  }
  if (!order) {
    return (
      <>
        <h1>{t(lang, 'track')}</h1>
        <p className="alert">{problem}</p>
        <Link href="/don-hang">{t(lang, 'track')}</Link>
      </>
    );
  }
  return (
    <>
      {placed.length > 0 && (
        <p className="ok" data-testid="placed">
          <strong>{t(lang, 'orderPlaced')}.</strong> {t(lang, 'orderCode')}: {placed.join(', ')}
        </p>
      )}
      <h1>
        {t(lang, 'orderCode')} <span data-testid="order-code">{order.code}</span>
      </h1>
      <p>
        {t(lang, 'status')}: <strong data-testid="order-status">{status(order.status)}</strong> · {order.cooperative.name}
      </p>
      {order.payment?.step === 'show_qr' && 'svg' in order.payment && (
        <section className="card" style={{ padding: '.75rem', marginBottom: '.75rem' }} data-testid="vietqr">
          <strong>Quét mã VietQR để chuyển khoản / Scan to pay by bank transfer</strong>
          <div style={{ maxWidth: 260, margin: '.5rem auto' }} dangerouslySetInnerHTML={{ __html: order.payment.svg }} />
          <div>
            Số tiền / Amount: <strong>{formatVnd(order.payment.amount)}</strong>
          </div>
          <div>
            Tài khoản / Account: {order.payment.bank.accountNumber} · {order.payment.bank.accountName} (BIN {order.payment.bank.bin})
          </div>
          <div>
            Nội dung / Purpose: <strong>{order.payment.purpose}</strong>
          </div>
          {order.payment.expiresAt && <div className="muted">Hạn thanh toán / Pay before: {formatDateTime(order.payment.expiresAt)}</div>}
        </section>
      )}
      {order.payment?.step === 'redirect' && 'url' in order.payment && (
        <p>
          <a className="btn" href={order.payment.url}>
            Thanh toán qua VNPay / Pay with VNPay
          </a>
        </p>
      )}
      <table>
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.sku}>
              <td>
                {l.productNameVi} <span className="muted">({l.variantNameVi})</span>
              </td>
              <td>× {l.quantity}</td>
              <td style={{ textAlign: 'right' }}>{formatVnd(l.lineTotal)}</td>
            </tr>
          ))}
          <tr>
            <td colSpan={2}>{t(lang, 'shippingFee')}</td>
            <td style={{ textAlign: 'right' }}>{formatVnd(order.shippingFee)}</td>
          </tr>
          <tr>
            <th colSpan={2}>{t(lang, 'total')}</th>
            <th style={{ textAlign: 'right' }} data-testid="order-total">
              {formatVnd(order.total)}
            </th>
          </tr>
        </tbody>
      </table>
      <p className="muted">
        {order.customer.name} · {order.customer.phone} · {order.shippingAddress.line}, {order.shippingAddress.communeName}, {order.shippingAddress.provinceName}
      </p>
      <h2>{t(lang, 'history')}</h2>
      <ul className="timeline">
        {order.history.map((h) => (
          <li key={`${h.to}-${h.at}`}>
            <strong>{status(h.to)}</strong>
            <div className="muted">{formatDateTime(h.at)}</div>
          </li>
        ))}
      </ul>
    </>
  );
}
