'use client';

import { useActionState, useEffect, useState } from 'react';
import type { Lang } from '../../lib/i18n';
import { t } from '../../lib/i18n';
import { placeOrder, type CheckoutState } from '../actions';

interface Unit {
  code: string;
  name: string;
}

export function CheckoutForm(props: { lang: Lang; idempotencyKey: string; provinces: Unit[]; initialProvince: string; initialCommunes: Unit[] }) {
  const { lang } = props;
  const [state, action, pending] = useActionState<CheckoutState, FormData>(placeOrder, {});
  const [province, setProvince] = useState(state.values?.province ?? props.initialProvince);
  const [communes, setCommunes] = useState<Unit[]>(props.initialCommunes);
  const [loading, setLoading] = useState(false);
  const [commune, setCommune] = useState(state.values?.commune ?? '');
  const v = state.values ?? {};
  const err = state.fields ?? {};
  const fieldErrors = Object.keys(err).length;

  // React resets the form after each submission: bring the chosen province and its communes back after an error.
  useEffect(() => {
    if (state.values?.province) void chooseProvince(state.values.province).then(() => setCommune(state.values?.commune ?? ''));
  }, [state]);

  async function chooseProvince(code: string) {
    setProvince(code);
    setCommunes([]);
    setCommune('');
    if (!code) return;
    setLoading(true);
    try {
      const res = await fetch(`/api/admin-units/provinces/${code}/communes`);
      if (res.ok) setCommunes(await res.json());
    } finally {
      setLoading(false);
    }
  }

  const field = (name: string, label: string, input: React.ReactNode) => (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      {input}
      {err[name] && (
        <span className="error" id={`${name}-error`} role="alert">
          {err[name]}
        </span>
      )}
    </div>
  );

  return (
    <form action={action} noValidate>
      <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} />
      {state.error && (
        <p className="alert" role="alert" data-testid="checkout-error">
          {fieldErrors > 0 ? 'Vui lòng sửa các ô được đánh dấu bên dưới / Please fix the fields marked below' : state.error}
        </p>
      )}
      <h2>{t(lang, 'customer')}</h2>
      {field('name', t(lang, 'fullName'), <input id="name" name="name" required autoComplete="name" defaultValue={v.name} maxLength={120} />)}
      {field('phone', t(lang, 'phone'), <input id="phone" name="phone" type="tel" required autoComplete="tel" inputMode="tel" defaultValue={v.phone} placeholder="09xx xxx xxx" />)}
      {field('email', t(lang, 'email'), <input id="email" name="email" type="email" autoComplete="email" defaultValue={v.email} />)}
      <h2>{t(lang, 'address')}</h2>
      {field(
        'province',
        t(lang, 'province'),
        <select id="province" name="province" required value={province} onChange={(e) => void chooseProvince(e.target.value)}>
          <option value="">{t(lang, 'choose')}</option>
          {props.provinces.map((p) => (
            <option key={p.code} value={p.code}>
              {p.name}
            </option>
          ))}
        </select>,
      )}
      <noscript>
        <button type="submit" formAction="/thanh-toan" formMethod="get" className="secondary">
          {t(lang, 'showCommunes')}
        </button>
      </noscript>
      {field(
        'commune',
        t(lang, 'commune'),
        <select id="commune" name="commune" required value={commune} onChange={(e) => setCommune(e.target.value)} disabled={loading}>
          <option value="">{province ? t(lang, 'choose') : t(lang, 'chooseProvinceFirst')}</option>
          {communes.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>,
      )}
      {field('line', t(lang, 'street'), <input id="line" name="line" required autoComplete="street-address" defaultValue={v.line} maxLength={200} />)}
      {field('note', t(lang, 'note'), <textarea id="note" name="note" rows={2} maxLength={500} defaultValue={v.note} />)}
      <h2>{t(lang, 'payment')}</h2>
      <fieldset style={{ border: 0, padding: 0 }}>
        <legend className="sr">{t(lang, 'payment')}</legend>
        <label style={{ display: 'block', margin: '.3rem 0' }}>
          <input type="radio" name="paymentMethod" value="cod" defaultChecked={!v.paymentMethod || v.paymentMethod === 'cod'} /> {t(lang, 'cod')}
        </label>
        <label style={{ display: 'block', margin: '.3rem 0' }}>
          <input type="radio" name="paymentMethod" value="vnpay" defaultChecked={v.paymentMethod === 'vnpay'} /> {t(lang, 'vnpay')}
        </label>
        <label style={{ display: 'block', margin: '.3rem 0' }}>
          <input type="radio" name="paymentMethod" value="vietqr" defaultChecked={v.paymentMethod === 'vietqr'} /> {t(lang, 'vietqr')}
        </label>
      </fieldset>
      <p>
        <button type="submit" disabled={pending} data-testid="place-order">
          {pending ? '…' : t(lang, 'placeOrder')}
        </button>
      </p>
    </form>
  );
}
