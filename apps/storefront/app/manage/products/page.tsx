import type { Metadata } from 'next';
import Link from 'next/link';
import type { Page } from '../../../lib/api';
import { t } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';
import { manageApi, type ManageProductListItem } from '../../../lib/manage-api';

export const metadata: Metadata = { title: 'Sản phẩm / Products', robots: { index: false } };

const PAGE_SIZE = 30;
const STATUS_KEYS = { active: 'mStatusActive', draft: 'mStatusDraft', archived: 'mStatusArchived' } as const;

export default async function ManageProducts({ searchParams }: { searchParams: Promise<{ page?: string; q?: string; status?: string }> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const page = Math.max(1, Number.parseInt(sp.page ?? '1', 10) || 1);
  const q = (sp.q ?? '').trim().slice(0, 100);
  const status = sp.status && sp.status in STATUS_KEYS ? (sp.status as keyof typeof STATUS_KEYS) : '';
  const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
  if (q) params.set('q', q);
  if (status) params.set('status', status);
  const data = await manageApi<Page<ManageProductListItem>>(`/api/manage/products?${params}`);
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const link = (p: number) => {
    const u = new URLSearchParams(params);
    u.set('page', String(p));
    u.delete('pageSize');
    return `/manage/products?${u}`;
  };
  return (
    <>
      <h1>{t(lang, 'mProducts')}</h1>
      <p>
        <Link href="/manage/products/new" className="btn" data-testid="new-product">
          {t(lang, 'mNewProduct')}
        </Link>
      </p>
      <form className="filters" method="get" action="/manage/products">
        <input name="q" defaultValue={q} placeholder={t(lang, 'mSearchProducts')} aria-label={t(lang, 'mSearchProducts')} />
        <select name="status" defaultValue={status} aria-label={t(lang, 'mStatus')}>
          <option value="">{t(lang, 'mAll')}</option>
          {Object.entries(STATUS_KEYS).map(([k, key]) => (
            <option key={k} value={k}>
              {t(lang, key)}
            </option>
          ))}
        </select>
        <button type="submit">{t(lang, 'mFilter')}</button>
      </form>
      {data.items.length === 0 ? (
        <p>{t(lang, 'noProducts')}</p>
      ) : (
        <ul className="order-list">
          {data.items.map((p) => (
            <li key={p.id} data-testid="product-row">
              <Link href={`/manage/products/${p.id}`}>
                <strong>{lang === 'en' && p.nameEn ? p.nameEn : p.nameVi}</strong>
              </Link>
              <span className={`status st-p-${p.status}`}>{t(lang, STATUS_KEYS[p.status])}</span>
              <span className="muted">
                {p.slug} · {p.variantCount} {t(lang, 'mVariantCount')}
              </span>
            </li>
          ))}
        </ul>
      )}
      {pages > 1 && (
        <nav className="pager" aria-label="pages">
          {page > 1 ? <Link href={link(page - 1)}>{t(lang, 'mPrev')}</Link> : <span />}
          {page < pages ? <Link href={link(page + 1)}>{t(lang, 'mNext')}</Link> : <span />}
        </nav>
      )}
    </>
  );
}
