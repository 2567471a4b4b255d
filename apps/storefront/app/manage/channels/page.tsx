import type { Metadata } from 'next';
import Link from 'next/link';
import { ChannelProductForm, ConnectionForm, DismissForm } from '../../../components/console-forms';
import { ApiError } from '../../../lib/api';
import { formatDateTime, formatVnd } from '../../../lib/format';
import { STATUS_LABELS, t, type Key, type Lang } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';
import { manageApi, type ChannelCategory, type ChannelConnection, type ChannelFailedJob, type ChannelOrder, type ChannelProductSync, type SyncStatus } from '../../../lib/manage-api';
import { retryChannelJob, syncChannel } from '../console-actions';

export const metadata: Metadata = { title: 'Kênh bán / Channels', robots: { index: false } };

const SYNC_KEYS: Record<SyncStatus, Key> = { in_sync: 'mInSync', pending: 'mPending', failed: 'mFailed', not_listed: 'mNotListed' };
const SYNC_CLASS: Record<SyncStatus, string> = { in_sync: '', pending: 'st-placed', failed: 'st-cancelled', not_listed: 'st-p-archived' };
/** The newest failures are shown; older ones of the same kind usually have the same reason. */
const MAX_JOBS = 10;
const QUEUE_LABELS: Record<string, [string, string]> = { listings: ['Đăng sản phẩm', 'Listings'], stock: ['Tồn kho', 'Stock'], orders: ['Đơn hàng', 'Orders'] };

function queueLabel(queue: string, lang: Lang): string {
  const key = Object.keys(QUEUE_LABELS).find((k) => queue.includes(k));
  return key ? QUEUE_LABELS[key][lang === 'en' ? 1 : 0] : queue;
}

/** The SKU × quantity lines of a marketplace order, whichever shape its stored payload has. */
function orderLines(items: unknown[]): string {
  return items
    .map((i) => {
      const line = (i ?? {}) as { sku?: unknown; merchant_sku?: unknown; quantity?: unknown };
      const sku = typeof line.sku === 'string' ? line.sku : typeof line.merchant_sku === 'string' ? line.merchant_sku : '?';
      return `${sku} ×${typeof line.quantity === 'number' ? line.quantity : '?'}`;
    })
    .join(', ');
}

function SyncBadge({ status, lang }: { status: SyncStatus; lang: Lang }) {
  return (
    <span className={`status ${SYNC_CLASS[status]}`} data-testid="sync-status">
      {t(lang, SYNC_KEYS[status])}
    </span>
  );
}

async function ConnectionSection({ conn, lang }: { conn: ChannelConnection; lang: Lang }) {
  const [view, products, jobs, flagged] = await Promise.all([
    manageApi<ChannelConnection>(`/api/manage/channels/${conn.id}`),
    manageApi<{ summary: Record<SyncStatus, number>; items: ChannelProductSync[] }>(`/api/manage/channels/${conn.id}/products`),
    manageApi<{ items: ChannelFailedJob[] }>(`/api/manage/channels/${conn.id}/failed-jobs`),
    manageApi<{ items: ChannelOrder[] }>(`/api/manage/channels/${conn.id}/orders?state=flagged`),
  ]);
  // Postmart's categories come from Postmart itself: when it cannot answer, the page still shows everything else.
  let categories: ChannelCategory[] = [];
  let categoriesError = '';
  try {
    categories = (await manageApi<{ items: ChannelCategory[] }>(`/api/manage/channels/${conn.id}/categories`)).items;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    categoriesError = e.message;
  }
  const listed = products.items.filter((p) => p.listed || p.status !== 'not_listed');
  const unlisted = products.items.filter((p) => !listed.includes(p));
  const name = conn.channel === 'postmart' ? 'Postmart' : conn.channel;
  return (
    <section className="panel" data-testid={`connection-${conn.channel}`}>
      <h2>
        {name} <span className={`status ${conn.enabled ? '' : 'st-cancelled'}`}>{conn.enabled ? t(lang, 'mEnabled') : t(lang, 'mDisabled')}</span>
      </h2>
      <p className="muted">
        {t(lang, 'mMerchant')}: <strong>{conn.merchantId}</strong> · {conn.baseUrl} · {t(lang, 'mPriceRule')}: {conn.priceRulePercent >= 0 ? '+' : ''}
        {conn.priceRulePercent}% · {t(lang, 'mOrdersPolled')}: {conn.ordersPolledAt ? formatDateTime(conn.ordersPolledAt) : t(lang, 'mNever')}
        {view.orders && (
          <>
            {' '}
            · {view.orders.imported} {t(lang, 'mImportedOrders')}
          </>
        )}
      </p>
      <details data-testid="connection-settings">
        <summary>{t(lang, 'mConnectionSettings')}</summary>
        <ConnectionForm lang={lang} conn={view} />
      </details>
      <form action={syncChannel}>
        <input type="hidden" name="connectionId" value={conn.id} />
        <button type="submit" className="secondary small" disabled={!conn.enabled} data-testid="sync-now">
          {t(lang, 'mSyncNow')}
        </button>
      </form>

      <h3>{t(lang, 'mSyncStatus')}</h3>
      <p className="stock-figures" data-testid="sync-summary">
        {(['in_sync', 'pending', 'failed'] as const).map((s) => (
          <span key={s}>
            {t(lang, SYNC_KEYS[s])}: <strong>{products.summary[s] ?? 0}</strong>
          </span>
        ))}
      </p>
      <ul className="lot-list">
        {listed.map((p) => (
          <li key={p.productId} id={`cp-${p.productId}`} data-testid="channel-product">
            <div>
              <Link href={`/manage/products/${p.productId}`}>
                <strong>{p.name}</strong>
              </Link>{' '}
              <SyncBadge status={p.status} lang={lang} />
            </div>
            <div className="muted">
              {p.category ? `${p.category.name ?? p.category.id}${p.category.commissionRate !== null ? ` (${p.category.commissionRate}%)` : ''} · ` : ''}
              {t(lang, 'mLastSynced')}: {p.lastSyncedAt ? formatDateTime(p.lastSyncedAt) : t(lang, 'mNever')}
            </div>
            {p.lastError && (
              <div className="error" data-testid="sync-error">
                {p.lastError}
              </div>
            )}
            <ul className="variant-sync">
              {p.variants.map((v) => (
                <li key={v.variantId}>
                  {v.sku} · {v.name}: {v.channelPrice !== null ? formatVnd(v.channelPrice) : '—'}{' '}
                  <span className="muted">
                    ({t(lang, 'mShopPrice')} {formatVnd(v.shopPrice)}; {t(lang, 'mStockPushed')} {v.pushedStock ?? '—'}/{v.available})
                  </span>{' '}
                  {v.status !== p.status && <SyncBadge status={v.status} lang={lang} />}
                  {v.lastError && v.lastError !== p.lastError && <div className="error">{v.lastError}</div>}
                </li>
              ))}
            </ul>
            <ChannelProductForm lang={lang} connectionId={conn.id} product={p} categories={categories} />
          </li>
        ))}
      </ul>
      {categoriesError && (
        <p className="error" role="alert">
          {t(lang, 'mNoCategories')}: {categoriesError}
        </p>
      )}
      {unlisted.length > 0 && (
        <>
          <h3 id="unlisted">{t(lang, 'mNotListed')}</h3>
          <ul className="lot-list">
            {unlisted.map((p) => (
              <li key={p.productId} id={`cp-${p.productId}`} data-testid="unlisted-product">
                <Link href={`/manage/products/${p.productId}`}>
                  <strong>{p.name}</strong>
                </Link>{' '}
                <span className="muted">{p.variants.map((v) => v.sku).join(', ')}</span>
                <ChannelProductForm lang={lang} connectionId={conn.id} product={p} categories={categories} />
              </li>
            ))}
          </ul>
        </>
      )}

      <h3 id="jobs">{t(lang, 'mFailedJobs')}</h3>
      {jobs.items.length === 0 ? (
        <p className="muted">{t(lang, 'mNoFailedJobs')}</p>
      ) : (
        <ul className="order-list">
          {jobs.items.slice(0, MAX_JOBS).map((j) => (
            <li key={j.id} data-testid="failed-job">
              <strong>{queueLabel(j.queue, lang)}</strong>
              <span className="status st-cancelled">{t(lang, 'mFailed')}</span>
              <span className="muted">
                {j.name} · {j.attemptsMade} {t(lang, 'mAttempts')} · {formatDateTime(j.failedAt ?? j.createdAt)}
              </span>
              <span className="error">{j.failedReason}</span>
              <form action={retryChannelJob}>
                <input type="hidden" name="connectionId" value={conn.id} />
                <input type="hidden" name="jobId" value={j.id} />
                <button type="submit" className="small" data-testid="retry-job">
                  {t(lang, 'mRetry')}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      {jobs.items.length > MAX_JOBS && (
        <p className="muted">
          … {t(lang, 'mMoreJobs')}: {jobs.items.length - MAX_JOBS}
        </p>
      )}

      <h3 id="flagged">{t(lang, 'mFlaggedOrders')}</h3>
      {flagged.items.length === 0 ? (
        <p className="muted">{t(lang, 'mNoFlagged')}</p>
      ) : (
        <ul className="order-list">
          {flagged.items.map((o) => (
            <li key={o.id} data-testid="flagged-order">
              <strong>{o.externalCode ?? o.externalId}</strong>
              {o.order && <span className={`status st-${o.order.status}`}>{STATUS_LABELS[o.order.status]?.[lang] ?? o.order.status}</span>}
              <span className="muted">
                {formatDateTime(o.createdAt)} · {orderLines(o.items)}
              </span>
              {o.flagReason && <span className="error">{o.flagReason}</span>}
              {o.order && (
                <span className="links">
                  <Link href={`/manage/orders/${o.order.id}`}>{o.order.code}</Link>
                </span>
              )}
              <DismissForm lang={lang} connectionId={conn.id} orderId={o.id} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default async function ManageChannels({ searchParams }: { searchParams: Promise<{ synced?: string; retried?: string; dismissed?: string; connected?: string; saved?: string; listing?: string; error?: string }> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const { items } = await manageApi<{ items: ChannelConnection[] }>('/api/manage/channels');
  const notice = sp.synced
    ? t(lang, 'mSynced')
    : sp.retried
      ? t(lang, 'mRetried')
      : sp.dismissed
        ? t(lang, 'mDismissed')
        : sp.connected
          ? t(lang, 'mConnected')
          : sp.saved
            ? t(lang, 'mConnectionSaved')
            : sp.listing
              ? t(lang, 'mListingSaved')
              : '';
  const hasPostmart = items.some((c) => c.channel === 'postmart');
  return (
    <>
      <h1>{t(lang, 'mChannelsTitle')}</h1>
      {notice && !sp.error && (
        <p className="ok" role="status" data-testid="channel-notice">
          {notice}
        </p>
      )}
      {sp.error && (
        <p className="alert" role="alert">
          {sp.error}
        </p>
      )}
      {!hasPostmart && (
        <section className="panel" data-testid="connect-postmart">
          {items.length === 0 && <p>{t(lang, 'mNoChannels')}</p>}
          <h2>{t(lang, 'mConnectPostmart')}</h2>
          <p className="muted">{t(lang, 'mConnectHint')}</p>
          <ConnectionForm lang={lang} />
        </section>
      )}
      {items.length > 0 && (
        <div className="stack">
          {items.map((c) => (
            <ConnectionSection key={c.id} conn={c} lang={lang} />
          ))}
        </div>
      )}
    </>
  );
}
