import type { ReactNode } from 'react';
import Link from 'next/link';
import { manageToken } from '../../lib/manage-api';
import { logout } from './actions';

export const dynamic = 'force-dynamic';

export default async function ManageLayout({ children }: { children: ReactNode }) {
  const signedIn = Boolean(await manageToken());
  return (
    <div className="manage">
      {signedIn && (
        <nav className="manage-nav" aria-label="manage">
          <Link href="/manage">Tổng quan</Link>
          <Link href="/manage/orders">Đơn hàng</Link>
          <Link href="/manage/lots">Lô hàng</Link>
          <form action={logout}>
            <button type="submit" className="secondary small">
              Đăng xuất / Sign out
            </button>
          </form>
        </nav>
      )}
      {children}
    </div>
  );
}
