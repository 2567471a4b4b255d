import type { Metadata } from 'next';
import { randomUUID } from 'node:crypto';
import Link from 'next/link';
import { api } from '../../lib/api';
import { readCart } from '../../lib/cart';
import { getLang } from '../../lib/lang';
import { t } from '../../lib/i18n';
import { CheckoutForm } from './checkout-form';

export const metadata: Metadata = { title: 'Đặt hàng' };

interface Unit {
  code: string;
  name: string;
}

export default async function CheckoutPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const lang = await getLang();
  const cart = await readCart();
  if (cart.length === 0) {
    return (
      <>
        <h1>{t(lang, 'checkout')}</h1>
        <p>{t(lang, 'emptyCart')}</p>
        <Link href="/san-pham">{t(lang, 'continueShopping')}</Link>
      </>
    );
  }
  const sp = await searchParams;
  const province = sp.province && /^\d{2}$/.test(sp.province) ? sp.province : '';
  const [provinces, communes] = await Promise.all([
    api<Unit[]>('/api/admin-units/provinces', { revalidate: 86400 }),
    province ? api<Unit[]>(`/api/admin-units/provinces/${province}/communes`, { revalidate: 86400 }) : Promise.resolve([] as Unit[]),
  ]);
  return (
    <>
      <h1>{t(lang, 'checkout')}</h1>
      <CheckoutForm lang={lang} idempotencyKey={randomUUID()} provinces={provinces} initialProvince={province} initialCommunes={communes} />
    </>
  );
}
