import Link from 'next/link';
import { api, CATALOG_TAG, type CooperativeSummary, type Page, type ProductListItem } from '../lib/api';
import { getLang } from '../lib/lang';
import { t } from '../lib/i18n';
import { ProductCard } from '../components/product-card';

export default async function HomePage() {
  const lang = await getLang();
  const [coops, products] = await Promise.all([
    api<Page<CooperativeSummary>>('/api/cooperatives?pageSize=20', { revalidate: 60 }),
    api<Page<ProductListItem>>('/api/products?pageSize=8&sort=newest', { revalidate: 60, tags: [CATALOG_TAG] }),
  ]);
  return (
    <>
      <h1>{t(lang, 'tagline')}</h1>
      <form className="search" action="/san-pham" role="search">
        <label htmlFor="q" className="sr">
          {t(lang, 'search')}
        </label>
        <input id="q" name="q" type="search" placeholder={t(lang, 'searchPlaceholder')} />
        <button type="submit">{t(lang, 'searchButton')}</button>
      </form>
      <h2>{t(lang, 'cooperatives')}</h2>
      {coops.items.map((c) => (
        <section key={c.id} className="card" style={{ padding: '.75rem', marginBottom: '.75rem' }}>
          <strong>
            <Link href={`/san-pham?cooperative=${c.slug}`}>{lang === 'en' && c.nameEn ? c.nameEn : c.name}</Link>
          </strong>
          <span className="muted">
            {c.commune.name}, {c.province.name}
          </span>
          <p style={{ margin: '.4rem 0 0' }}>{lang === 'en' ? c.descriptionEn || c.descriptionVi : c.descriptionVi}</p>
        </section>
      ))}
      <h2>{t(lang, 'products')}</h2>
      <div className="grid">
        {products.items.map((p) => (
          <ProductCard key={p.id} p={p} lang={lang} />
        ))}
      </div>
      <p>
        <Link href="/san-pham">{t(lang, 'products')} →</Link>
      </p>
    </>
  );
}
