import type { Metadata } from 'next';
import Link from 'next/link';
import { ResolveForm, StatementForm } from '../../../components/console-forms';
import type { Page } from '../../../lib/api';
import { formatDateTime, formatVnd } from '../../../lib/format';
import { t } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';
import { manageApi, type Mismatch } from '../../../lib/manage-api';

export const metadata: Metadata = { title: 'Đối soát / Reconciliation', robots: { index: false } };

const PAGE_SIZE = 50;

const MATCH_LABELS: Record<string, [string, string]> = {
  underpaid: ['Chuyển thiếu', 'Underpaid'],
  overpaid: ['Chuyển thừa', 'Overpaid'],
  unmatched: ['Không rõ đơn hàng', 'No matching order'],
  duplicate_payment: ['Đơn đã được trả trước đó', 'Order already paid'],
  late_payment: ['Trả sau khi đơn hết hạn / bị hủy', 'Paid after the order expired or was cancelled'],
};

export default async function ManagePayments({ searchParams }: { searchParams: Promise<{ page?: string; resolved?: string }> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const page = Math.max(1, Number.parseInt(sp.page ?? '1', 10) || 1);
  const data = await manageApi<Page<Mismatch>>(`/api/manage/payments/mismatches?page=${page}&pageSize=${PAGE_SIZE}`);
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const L = (pair: [string, string] | undefined, fallback: string) => (pair ? (lang === 'en' ? pair[1] : pair[0]) : fallback);
  return (
    <>
      <h1>{t(lang, 'mPaymentsTitle')}</h1>
      {sp.resolved && (
        <p className="ok" role="status">
          {t(lang, 'mResolved')}
        </p>
      )}
      <h2>{t(lang, 'mStatementUpload')}</h2>
      <StatementForm lang={lang} />
      <h2>
        {t(lang, 'mMismatches')} ({data.total})
      </h2>
      {data.items.length === 0 ? (
        <p className="muted">{t(lang, 'mNoMismatches')}</p>
      ) : (
        <ul className="order-list">
          {data.items.map((m) => (
            <li key={m.id} data-testid="mismatch">
              <strong>{m.bankRef}</strong>
              <span className="status st-cancelled">{L(MATCH_LABELS[m.matchStatus], m.matchStatus)}</span>
              <span className="price">{formatVnd(m.amountVnd)}</span>
              {m.expectedAmountVnd !== null && (
                <span className="muted">
                  {t(lang, 'mExpected')} {formatVnd(m.expectedAmountVnd)} · {t(lang, 'mDifference')} {m.differenceVnd !== null && m.differenceVnd > 0 ? '+' : ''}
                  {formatVnd(m.differenceVnd ?? 0)}
                </span>
              )}
              <span className="muted">
                “{m.description}” · {formatDateTime(m.occurredAt ?? m.createdAt)} · {m.source === 'webhook' ? 'webhook' : lang === 'en' ? 'statement' : 'sao kê'}
              </span>
              {m.orderCodes.length > 0 && (
                <span className="links">
                  {m.orderCodes.map((c) => (
                    <Link key={c} href={`/manage/orders?q=${encodeURIComponent(c)}`}>
                      {c}
                    </Link>
                  ))}
                </span>
              )}
              <ResolveForm lang={lang} id={m.id} />
            </li>
          ))}
        </ul>
      )}
      {pages > 1 && (
        <nav className="pager" aria-label="pages">
          {page > 1 ? <Link href={`/manage/payments?page=${page - 1}`}>{t(lang, 'mPrev')}</Link> : <span />}
          {page < pages ? <Link href={`/manage/payments?page=${page + 1}`}>{t(lang, 'mNext')}</Link> : <span />}
        </nav>
      )}
    </>
  );
}
