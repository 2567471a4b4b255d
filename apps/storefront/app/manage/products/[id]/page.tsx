import type { Metadata } from 'next';
import Link from 'next/link';
import { CertificateForm, ProductForm, VariantForm } from '../../../../components/console-forms';
import { formatDate } from '../../../../lib/format';
import { t } from '../../../../lib/i18n';
import { getLang } from '../../../../lib/lang';
import { manageApi, manageApiOr404, UUID_RE, type ManageCategory, type ManageProduct } from '../../../../lib/manage-api';
import { removeCertificate } from '../../console-actions';

export const metadata: Metadata = { title: 'Sản phẩm / Product', robots: { index: false } };

const KIND_LABELS: Record<string, [string, string]> = { vietgap: ['VietGAP', 'VietGAP'], organic: ['Hữu cơ', 'Organic'], ocop: ['OCOP', 'OCOP'], other: ['Khác', 'Other'] };

export default async function ManageProductPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ saved?: string; created?: string; variant?: string; certificate?: string; error?: string }>;
}) {
  const lang = await getLang();
  const { id } = await params;
  const sp = await searchParams;
  const [product, categories] = await Promise.all([
    manageApiOr404<ManageProduct>(UUID_RE.test(id) ? `/api/manage/products/${id}` : '/api/manage/products/not-an-id'),
    manageApi<ManageCategory[]>('/api/manage/categories'),
  ]);
  const notice = sp.created ? t(lang, 'mCreated') : sp.saved || sp.variant || sp.certificate ? t(lang, 'mSaved') : '';
  return (
    <>
      <p>
        <Link href="/manage/products">← {t(lang, 'mProducts')}</Link>
      </p>
      <h1 data-testid="product-name">{lang === 'en' && product.nameEn ? product.nameEn : product.nameVi}</h1>
      {notice && (
        <p className="ok" role="status" data-testid="saved">
          {notice}
        </p>
      )}
      {sp.error && (
        <p className="alert" role="alert">
          {sp.error}
        </p>
      )}
      {product.status === 'active' && (
        <p className="links">
          <a href={`/san-pham/${product.slug}`}>{t(lang, 'mViewInShop')} ↗</a>
        </p>
      )}

      <h2 id="variants">{t(lang, 'mVariants')}</h2>
      <div className="stack">
        {product.variants.map((v) => (
          <details key={v.id} className="panel" open={product.variants.length <= 2}>
            <summary>
              <strong>{lang === 'en' && v.nameEn ? v.nameEn : v.nameVi}</strong> · {v.sku} · <span className="price">{new Intl.NumberFormat('vi-VN').format(v.priceVnd)} ₫</span>
              {!v.active && <span className="status st-cancelled">{t(lang, 'mStatusArchived')}</span>}
            </summary>
            <VariantForm lang={lang} productId={product.id} variant={v} />
          </details>
        ))}
        <details className="panel">
          <summary>
            <strong>{t(lang, 'mAddVariant')}</strong>
          </summary>
          <VariantForm lang={lang} productId={product.id} />
        </details>
      </div>

      <h2 id="certificates">{t(lang, 'mCertificates')}</h2>
      {product.certificates.length === 0 ? (
        <p className="muted">{t(lang, 'mNone')}</p>
      ) : (
        <ul className="order-list">
          {product.certificates.map((c) => (
            <li key={c.id} data-testid="certificate">
              <strong>
                {KIND_LABELS[c.kind]?.[lang === 'en' ? 1 : 0] ?? c.kind}
                {c.stars ? ` ${'★'.repeat(c.stars)}` : ''}
              </strong>
              <span>{c.name}</span>
              <span className={`status ${c.valid ? '' : 'st-cancelled'}`}>{c.valid ? t(lang, 'mValid') : t(lang, 'mInvalid')}</span>
              <span className="muted">
                {c.issuer}
                {c.number ? ` · ${c.number}` : ''} · {formatDate(c.validFrom)} – {formatDate(c.validTo)}
              </span>
              <form action={removeCertificate}>
                <input type="hidden" name="productId" value={product.id} />
                <input type="hidden" name="certificateId" value={c.id} />
                <button type="submit" className="secondary small">
                  {t(lang, 'mRemove')}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <details className="panel">
        <summary>
          <strong>{t(lang, 'mAddCertificate')}</strong>
        </summary>
        <CertificateForm lang={lang} productId={product.id} />
      </details>

      <h2>{t(lang, 'mEditProduct')}</h2>
      <ProductForm lang={lang} product={product} categories={categories} />
    </>
  );
}
