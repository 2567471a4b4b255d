import type { Metadata } from 'next';
import Link from 'next/link';
import { AdjustForm } from '../../../components/console-forms';
import { ReceiveForm } from '../../../components/manage-forms';
import type { Page } from '../../../lib/api';
import { formatDate } from '../../../lib/format';
import { t } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';
import { manageApi, type StockRow } from '../../../lib/manage-api';

export const metadata: Metadata = { title: 'Tồn kho / Stock', robots: { index: false } };

const PAGE_SIZE = 50;

export default async function ManageStock({ searchParams }: { searchParams: Promise<{ page?: string; adjusted?: string }> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const page = Math.max(1, Number.parseInt(sp.page ?? '1', 10) || 1);
  const data = await manageApi<Page<StockRow>>(`/api/manage/stock?page=${page}&pageSize=${PAGE_SIZE}`);
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  return (
    <>
      <h1>{t(lang, 'mStockTitle')}</h1>
      {sp.adjusted && (
        <p className="ok" role="status" data-testid="adjusted">
          {t(lang, 'mAdjusted')}
        </p>
      )}
      <div className="stack">
        {data.items.map((s) => (
          <section key={s.variantId} className="panel" data-testid={`stock-${s.sku}`}>
            <h3>
              {s.productNameVi} — {s.variantNameVi}
            </h3>
            <p className="muted">
              {s.sku} · GTIN {s.gtin}
            </p>
            <p className="stock-figures">
              <span>
                {t(lang, 'mAvailable')}: <strong data-testid="available">{s.available}</strong>
              </span>
              <span>
                {t(lang, 'mOnHand')}: <strong>{s.onHand}</strong>
              </span>
              <span>
                {t(lang, 'mReserved')}: <strong>{s.reserved}</strong>
              </span>
              {s.expired > 0 && (
                <span className="error">
                  {t(lang, 'mExpired')}: {s.expired}
                </span>
              )}
            </p>
            {s.lots.length === 0 ? (
              <p className="muted">{t(lang, 'mNoLots')}</p>
            ) : (
              <ul className="lot-list">
                {s.lots.map((l) => (
                  <li key={l.id} id={`lot-${l.id}`} data-testid={`lot-${l.lotCode}`}>
                    <div>
                      <Link href={`/manage/lots/${l.id}`}>
                        <strong>{l.lotCode}</strong>
                      </Link>{' '}
                      {t(lang, 'mOnHand')} <strong data-testid="lot-on-hand">{l.onHand}</strong>/{l.quantityReceived} · {t(lang, 'mExpiry')} {formatDate(l.expiryDate)}
                      {l.recalledAt && <span className="status st-cancelled">{t(lang, 'mRecalled')}</span>}
                      {!l.recalledAt && l.expired && <span className="status st-cancelled">{t(lang, 'mExpired')}</span>}
                    </div>
                    {!l.recalledAt && (
                      <details open={sp.adjusted === l.id}>
                        <summary>{t(lang, 'mAdjust')}</summary>
                        <AdjustForm lang={lang} lotId={l.id} lotCode={l.lotCode} back="/manage/stock" />
                      </details>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        ))}
      </div>
      {pages > 1 && (
        <nav className="pager" aria-label="pages">
          {page > 1 ? <Link href={`/manage/stock?page=${page - 1}`}>{t(lang, 'mPrev')}</Link> : <span />}
          {page < pages ? <Link href={`/manage/stock?page=${page + 1}`}>{t(lang, 'mNext')}</Link> : <span />}
        </nav>
      )}
      <h2>{t(lang, 'mReceive')}</h2>
      <ReceiveForm lang={lang} variants={data.items.filter((s) => s.active).map((s) => ({ id: s.variantId, label: `${s.productNameVi} — ${s.variantNameVi} (${s.sku})` }))} />
    </>
  );
}
