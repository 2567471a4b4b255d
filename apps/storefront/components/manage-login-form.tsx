'use client';

import { useActionState } from 'react';
import { login, type FormState } from '../app/manage/actions';
import type { Lang } from '../lib/i18n';

export function ManageLoginForm({ next, lang = 'vi' }: { next: string; lang?: Lang }) {
  const [state, action, pending] = useActionState<FormState, FormData>(login, {});
  const err = state.fields ?? {};
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form" noValidate>
      {state.error && (
        <p className="alert" role="alert" data-testid="login-error">
          {state.error}
        </p>
      )}
      <input type="hidden" name="next" value={next} />
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.values?.email ?? ''} aria-describedby={err.email ? 'email-error' : undefined} />
        {err.email && (
          <span id="email-error" className="error">
            {err.email}
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor="password">{lang === 'en' ? 'Password' : 'Mật khẩu'}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required aria-describedby={err.password ? 'password-error' : undefined} />
        {err.password && (
          <span id="password-error" className="error">
            {err.password}
          </span>
        )}
      </div>
      <button type="submit" disabled={pending} data-testid="login">
        {pending ? (lang === 'en' ? 'Signing in…' : 'Đang đăng nhập…') : lang === 'en' ? 'Sign in' : 'Đăng nhập'}
      </button>
    </form>
  );
}
