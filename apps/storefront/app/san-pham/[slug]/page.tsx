import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { apiOrNull, CATALOG_TAG, type ProductDetail } from '../../../lib/api';
import { formatDate, formatVnd } from '../../../lib/format';
import { getLang } from '../../../lib/lang';
import { t } from '../../../lib/i18n';
import { Badge } from '../../../components/product-card';
import { ProductImage } from '../../../components/product-image';
import { addToCart } from '../../actions';

type Params = Promise<{ slug: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug } = await params;
  const p = /^[a-z0-9-]{1,80}$/.test(slug) ? await apiOrNull<ProductDetail>(`/api/products/${slug}`, { revalidate: 30, tags: [CATALOG_TAG] }) : null;
  return { title: p?.nameVi ?? 'Sản phẩm', description: p?.descriptionVi.slice(0, 160) };
}

export default async function ProductPage({ params }: { params: Params }) {
  const { slug } = await params;
  if (!/^[a-z0-9-]{1,80}$/.test(slug)) notFound();
  const lang = await getLang();
  const p = await apiOrNull<ProductDetail>(`/api/products/${slug}`);
  if (!p) notFound();
  const name = lang === 'en' && p.nameEn ? p.nameEn : p.nameVi;
  return (
    <article className="product">
      <ProductImage src={p.imageUrls[0] ?? null} alt={name} eager />
      <div>
        <h1>{name}</h1>
        <p className="muted">
          {t(lang, 'producedBy')}: <Link href={`/san-pham?cooperative=${p.cooperative.slug}`}>{p.cooperative.name}</Link> — {p.cooperative.communeName},{' '}
          {p.cooperative.provinceName}
        </p>
        <p>{lang === 'en' ? p.descriptionEn || p.descriptionVi : p.descriptionVi}</p>
        {p.shelfLifeDays ? (
          <p className="muted">
            {t(lang, 'shelfLife')}: {p.shelfLifeDays} {t(lang, 'days')}
          </p>
        ) : null}
        <h2>{t(lang, 'packSize')}</h2>
        {p.variants.map((v) => (
          <form key={v.id} action={addToCart} className="card" style={{ padding: '.6rem', marginBottom: '.5rem', gap: '.4rem' }}>
            <input type="hidden" name="variantId" value={v.id} />
            <input type="hidden" name="productSlug" value={p.slug} />
            <div style={{ display: 'flex', justifyContent: 'space-between', gap: '.5rem' }}>
              <strong>{lang === 'en' && v.nameEn ? v.nameEn : v.nameVi}</strong>
              <span className="price">{formatVnd(v.priceVnd)}</span>
            </div>
            <div style={{ display: 'flex', gap: '.5rem', alignItems: 'center' }}>
              <label className="sr" htmlFor={`q-${v.id}`}>
                {t(lang, 'quantity')}
              </label>
              <input id={`q-${v.id}`} name="quantity" type="number" min={1} max={Math.max(1, Math.min(99, v.available))} defaultValue={1} style={{ width: '5rem' }} disabled={!v.inStock} />
              {v.inStock ? (
                <button type="submit">{t(lang, 'addToCart')}</button>
              ) : (
                <span className="error">{t(lang, 'outOfStock')}</span>
              )}
            </div>
          </form>
        ))}
        {p.certificates.length > 0 && (
          <>
            <h2>{t(lang, 'certificates')}</h2>
            <ul>
              {p.certificates.map((c) => (
                <li key={`${c.kind}-${c.number ?? c.name}`}>
                  <Badge kind={c.kind} stars={c.kind === 'ocop' && c.valid && (c.stars ?? 0) >= 3 ? c.stars : null} valid={c.valid} /> {c.name} — {c.issuer}
                  {c.validTo ? (
                    <span className="muted">
                      {' '}
                      ({c.valid ? t(lang, 'validUntil') : t(lang, 'expired')} {formatDate(c.validTo)})
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </article>
  );
}
