import type { Metadata } from 'next';
import Link from 'next/link';
import { api, type Category, type Page, type ProductListItem } from '../../lib/api';
import { getLang } from '../../lib/lang';
import { t } from '../../lib/i18n';
import { ProductCard } from '../../components/product-card';

export const metadata: Metadata = { title: 'Sản phẩm' };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

export default async function ProductsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const lang = await getLang();
  const sp = await searchParams;
  const q = one(sp.q).slice(0, 100);
  const category = one(sp.category);
  const cooperative = one(sp.cooperative);
  const sort = ['newest', 'price_asc', 'price_desc', 'relevance'].includes(one(sp.sort)) ? one(sp.sort) : q ? 'relevance' : 'newest';
  const page = Math.max(1, Math.min(1000, Number.parseInt(one(sp.page), 10) || 1));
  const params = new URLSearchParams({ page: String(page), pageSize: '24', sort });
  if (q) params.set('q', q);
  if (/^[a-z0-9-]{1,80}$/.test(category)) params.set('category', category);
  if (/^[a-z0-9-]{1,80}$/.test(cooperative)) params.set('cooperative', cooperative);
  const [result, categories] = await Promise.all([
    api<Page<ProductListItem>>(`/api/products?${params}`),
    api<Category[]>('/api/categories', { revalidate: 300 }),
  ]);
  const link = (p: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(p));
    next.delete('pageSize');
    return `/san-pham?${next}`;
  };
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  return (
    <>
      <h1>{t(lang, 'products')}</h1>
      <form className="search" action="/san-pham" role="search">
        <label htmlFor="q" className="sr">
          {t(lang, 'search')}
        </label>
        <input id="q" name="q" type="search" defaultValue={q} placeholder={t(lang, 'searchPlaceholder')} />
        {cooperative && <input type="hidden" name="cooperative" value={cooperative} />}
        <button type="submit">{t(lang, 'searchButton')}</button>
      </form>
      <form className="filters" action="/san-pham">
        {q && <input type="hidden" name="q" value={q} />}
        {cooperative && <input type="hidden" name="cooperative" value={cooperative} />}
        <select name="category" defaultValue={category} aria-label={t(lang, 'allCategories')}>
          <option value="">{t(lang, 'allCategories')}</option>
          {categories.map((c) => (
            <option key={c.slug} value={c.slug}>
              {lang === 'en' ? c.nameEn : c.nameVi} ({c.productCount})
            </option>
          ))}
        </select>
        <select name="sort" defaultValue={sort} aria-label="sort">
          {q && <option value="relevance">{t(lang, 'sortRelevance')}</option>}
          <option value="newest">{t(lang, 'sortNewest')}</option>
          <option value="price_asc">{t(lang, 'sortPriceAsc')}</option>
          <option value="price_desc">{t(lang, 'sortPriceDesc')}</option>
        </select>
        <button type="submit" className="secondary">
          OK
        </button>
      </form>
      <p className="muted" data-testid="result-count">
        {result.total} {t(lang, 'products').toLowerCase()}
      </p>
      {result.items.length === 0 ? (
        <p>{t(lang, 'noProducts')}</p>
      ) : (
        <div className="grid">
          {result.items.map((p) => (
            <ProductCard key={p.id} p={p} lang={lang} />
          ))}
        </div>
      )}
      <nav className="pager" aria-label="pages">
        {page > 1 ? <Link href={link(page - 1)}>{t(lang, 'prev')}</Link> : <span />}
        <span className="muted">
          {page}/{pages}
        </span>
        {page < pages ? <Link href={link(page + 1)}>{t(lang, 'next')}</Link> : <span />}
      </nav>
    </>
  );
}
