import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { api, ApiError } from '../../../lib/api';
import { formatVnd } from '../../../lib/format';
import { STATUS_LABELS, t, type Key } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';

export const metadata: Metadata = { title: 'Kết quả thanh toán VNPay / VNPay payment result', robots: { index: false } };

/** What the API answers for VNPay's return (GET /api/payments/vnpay/return with Accept: application/json). */
interface VnpayReturn {
  verified: boolean;
  success: boolean;
  message: string;
  status: string | null;
  orderCodes: string[];
  amountVnd: number | null;
}

type Outcome = 'paid' | 'pending' | 'failed' | 'unverified';

const TEXT: Record<Outcome, [Key, Key]> = {
  paid: ['vnpayTitlePaid', 'vnpayPaidText'],
  pending: ['vnpayTitlePending', 'vnpayPendingText'],
  failed: ['vnpayTitleFailed', 'vnpayFailedText'],
  unverified: ['vnpayTitleUnverified', 'vnpayUnverifiedText'],
};

/**
 * Where VNPay sends the shopper back (VNPAY_RETURN_URL). The page never decides anything itself: it hands VNPay's
 * signed parameters to the API, which checks the signature and the amount and says what the payment's state is.
 * The order is marked paid only by VNPay's server call (IPN), so "paid" here means the IPN has already arrived.
 */
export default async function VnpayReturnPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) if (/^vnp_\w{1,40}$/.test(k) && typeof v === 'string') query.set(k, v.slice(0, 1000));
  let result: VnpayReturn;
  if (!query.has('vnp_SecureHash')) {
    result = { verified: false, success: false, message: '', status: null, orderCodes: [], amountVnd: null };
  } else {
    try {
      result = await api<VnpayReturn>(`/api/payments/vnpay/return?${query}`);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status >= 500) throw e;
      result = { verified: false, success: false, message: e.message, status: null, orderCodes: [], amountVnd: null };
    }
  }
  const outcome: Outcome = !result.verified ? 'unverified' : result.success && result.status === 'succeeded' ? 'paid' : result.success ? 'pending' : 'failed';
  // The orders' own status, for the orders this browser placed (the checkout left the phone in a cookie).
  const store = await cookies();
  const orders = await Promise.all(
    result.orderCodes.map(async (code) => {
      const phone = store.get(`track_${code}`)?.value;
      if (!phone) return { code, status: null };
      try {
        const o = await api<{ status: string }>(`/api/orders/${encodeURIComponent(code)}?phone=${encodeURIComponent(phone)}`);
        return { code, status: o.status };
      } catch {
        return { code, status: null };
      }
    }),
  );
  const [title, text] = TEXT[outcome];
  // While VNPay's server call is still on its way, look again a few times (plain HTML refresh, no script needed).
  const refreshes = Number.parseInt(typeof sp.r === 'string' ? sp.r : '0', 10) || 0;
  const again = new URLSearchParams(query);
  again.set('r', String(refreshes + 1));
  return (
    <section className={`pay-result pay-${outcome}`} data-testid="vnpay-result" data-outcome={outcome}>
      {outcome === 'pending' && refreshes < 12 && <meta httpEquiv="refresh" content={`5;url=/thanh-toan/vnpay?${again}`} />}
      <p className="pay-icon" aria-hidden="true">
        {outcome === 'paid' ? '✓' : outcome === 'pending' ? '…' : '!'}
      </p>
      <h1>{t(lang, title)}</h1>
      <p>{t(lang, text)}</p>
      {result.amountVnd !== null && (
        <p>
          {t(lang, 'vnpayAmount')}: <strong data-testid="vnpay-amount">{formatVnd(result.amountVnd)}</strong>
        </p>
      )}
      {result.verified && !result.success && result.message && (
        <p className="muted">
          {t(lang, 'vnpayBankSays')}: {result.message}
        </p>
      )}
      {orders.length > 0 && (
        <>
          <h2>{t(lang, 'vnpayOrders')}</h2>
          <ul className="order-list">
            {orders.map((o) => (
              <li key={o.code}>
                <strong data-testid="vnpay-order-code">{o.code}</strong>
                {o.status && (
                  <span className={`status st-${o.status}`} data-testid="vnpay-order-status">
                    {STATUS_LABELS[o.status]?.[lang] ?? o.status}
                  </span>
                )}
                <span className="links">
                  <Link href={`/don-hang/${encodeURIComponent(o.code)}`}>{t(lang, 'vnpayTrack')} →</Link>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <Link href="/san-pham">{t(lang, 'continueShopping')}</Link>
      </p>
    </section>
  );
}
