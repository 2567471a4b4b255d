import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getLang } from '../lib/lang';
import { t } from '../lib/i18n';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'HTX Số — Nông sản hợp tác xã', template: '%s · HTX Số' },
  description: 'Mua nông sản, thảo dược từ hợp tác xã vùng cao, truy xuất nguồn gốc từng lô bằng mã QR.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#2f6b3a' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const lang = await getLang();
  return (
    <html lang={lang}>
      <body>
        <header className="top">
          <Link href="/" className="brand">
            {t(lang, 'shopName')}
          </Link>
          <nav aria-label="main">
            <Link href="/san-pham">{t(lang, 'products')}</Link>
            <Link href="/gio-hang">{t(lang, 'cart')}</Link>
            <Link href="/don-hang">{t(lang, 'track')}</Link>
            <Link href="/manage" prefetch={false}>
              {t(lang, 'manage')}
            </Link>
            <a href={`/lang/${lang === 'vi' ? 'en' : 'vi'}`} lang={lang === 'vi' ? 'en' : 'vi'}>
              {t(lang, 'language')}
            </a>
          </nav>
        </header>
        <main>{children}</main>
        <footer>HTX Số · {t(lang, 'tagline')}</footer>
      </body>
    </html>
  );
}
