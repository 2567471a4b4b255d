import type { Metadata } from 'next';
import { ManageLoginForm } from '../../../components/manage-login-form';

export const metadata: Metadata = { title: 'Đăng nhập quản lý / Manager sign-in', robots: { index: false } };

export default async function ManageLogin({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <section className="narrow">
      <h1>Đăng nhập quản lý</h1>
      <p className="muted">Manager sign-in · dành cho cán bộ hợp tác xã / for cooperative staff</p>
      <ManageLoginForm next={typeof next === 'string' && next.startsWith('/manage') ? next : '/manage'} />
    </section>
  );
}
