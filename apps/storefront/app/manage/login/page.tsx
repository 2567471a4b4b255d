import type { Metadata } from 'next';
import { ManageLoginForm } from '../../../components/manage-login-form';
import { pick } from '../../../lib/i18n';
import { getLang } from '../../../lib/lang';

export const metadata: Metadata = { title: 'Đăng nhập quản lý / Manager sign-in', robots: { index: false } };

export default async function ManageLogin({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const lang = await getLang();
  return (
    <section className="narrow">
      <h1>{pick(lang, 'Đăng nhập quản lý', 'Manager sign-in')}</h1>
      <p className="muted">{pick(lang, 'Dành cho cán bộ hợp tác xã', 'For cooperative staff')}</p>
      <ManageLoginForm lang={lang} next={typeof next === 'string' && next.startsWith('/manage') ? next : '/manage'} />
    </section>
  );
}
