import type { Metadata } from 'next';
import Link from 'next/link';
import { apiOrNull, type ProductDetail } from '../../lib/api';
import { readCart } from '../../lib/cart';
import { formatVnd } from '../../lib/format';
import { getLang } from '../../lib/lang';
import { t } from '../../lib/i18n';
import { updateCart } from '../actions';

export const metadata: Metadata = { title: 'Giỏ hàng' };

export default async function CartPage() {
  const lang = await getLang();
  const cart = await readCart();
  const slugs = [...new Set(cart.map((l) => l.productSlug))];
  const products = new Map((await Promise.all(slugs.map((s) => apiOrNull<ProductDetail>(`/api/products/${s}`)))).filter((p): p is ProductDetail => !!p).map((p) => [p.slug, p]));
  const lines = cart
    .map((l) => {
      const p = products.get(l.productSlug);
      const v = p?.variants.find((x) => x.id === l.variantId);
      return p && v ? { ...l, p, v, total: v.priceVnd * l.quantity } : null;
    })
    .filter((l): l is NonNullable<typeof l> => !!l);
  const subtotal = lines.reduce((s, l) => s + l.total, 0);
  if (lines.length === 0) {
    return (
      <>
        <h1>{t(lang, 'cart')}</h1>
        <p>{t(lang, 'emptyCart')}</p>
        <Link href="/san-pham" className="btn">
          {t(lang, 'continueShopping')}
        </Link>
      </>
    );
  }
  return (
    <>
      <h1>{t(lang, 'cart')}</h1>
      <form action={updateCart}>
        <table>
          <tbody>
            {lines.map((l) => (
              <tr key={l.variantId} data-testid="cart-line">
                <td>
                  <Link href={`/san-pham/${l.p.slug}`}>{lang === 'en' && l.p.nameEn ? l.p.nameEn : l.p.nameVi}</Link>
                  <div className="muted">
                    {lang === 'en' && l.v.nameEn ? l.v.nameEn : l.v.nameVi} · {formatVnd(l.v.priceVnd)} · {l.p.cooperative.name}
                  </div>
                  {l.quantity > l.v.available && <div className="error">Chỉ còn {l.v.available} / Only {l.v.available} left</div>}
                </td>
                <td style={{ whiteSpace: 'nowrap' }}>
                  <label className="sr" htmlFor={`q_${l.variantId}`}>
                    {t(lang, 'quantity')}
                  </label>
                  <input id={`q_${l.variantId}`} name={`q_${l.variantId}`} type="number" min={0} max={99} defaultValue={l.quantity} style={{ width: '4.2rem' }} />
                  <button type="submit" name="remove" value={l.variantId} className="secondary" style={{ marginLeft: '.3rem' }}>
                    {t(lang, 'remove')}
                  </button>
                </td>
                <td className="price" style={{ textAlign: 'right' }}>
                  {formatVnd(l.total)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <button type="submit" className="secondary">
            {t(lang, 'update')}
          </button>
          <span>
            {t(lang, 'subtotal')}: <strong className="price" data-testid="subtotal">{formatVnd(subtotal)}</strong>
          </span>
        </p>
      </form>
      <p className="muted">{t(lang, 'shippingNote')}</p>
      <Link href="/thanh-toan" className="btn">
        {t(lang, 'checkout')}
      </Link>
    </>
  );
}
