import type { ReactNode } from 'react';
import Link from 'next/link';
import { t } from '../../lib/i18n';
import { getLang } from '../../lib/lang';
import { manageToken } from '../../lib/manage-api';
import { logout } from './actions';

export const dynamic = 'force-dynamic';

export default async function ManageLayout({ children }: { children: ReactNode }) {
  const signedIn = Boolean(await manageToken());
  const lang = await getLang();
  return (
    <div className="manage">
      {signedIn && (
        <nav className="manage-nav" aria-label="manage">
          <Link href="/manage">{t(lang, 'mDashboard')}</Link>
          <Link href="/manage/orders">{t(lang, 'mOrders')}</Link>
          <Link href="/manage/products">{t(lang, 'mProducts')}</Link>
          <Link href="/manage/stock">{t(lang, 'mStock')}</Link>
          <Link href="/manage/lots">{t(lang, 'mLots')}</Link>
          <Link href="/manage/payments">{t(lang, 'mPayments')}</Link>
          <Link href="/manage/channels">{t(lang, 'mChannels')}</Link>
          <form action={logout}>
            <button type="submit" className="secondary small">
              {t(lang, 'mSignOut')}
            </button>
          </form>
        </nav>
      )}
      {children}
    </div>
  );
}
