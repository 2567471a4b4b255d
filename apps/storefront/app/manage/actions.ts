'use server';

import { cookies } from 'next/headers';
import { updateTag } from 'next/cache';
import { redirect } from 'next/navigation';
import { api, ApiError, CATALOG_TAG } from '../../lib/api';
import { fieldErrors, manageApi, TOKEN_COOKIE } from '../../lib/manage-api';

export interface FormState {
  error?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
  /** Changes with every answer, so a form keyed on it is rebuilt with the values sent back (React resets forms after an action). */
  nonce?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function safeNext(value: FormDataEntryValue | null): string {
  const next = String(value ?? '');
  return /^\/manage(\/[\w\-/?=&%.]*)?$/.test(next) && !next.startsWith('/manage/login') ? next : '/manage';
}

export async function login(_prev: FormState, form: FormData): Promise<FormState> {
  const email = String(form.get('email') ?? '').trim();
  const password = String(form.get('password') ?? '');
  let answer: { accessToken: string; expiresIn: number };
  try {
    answer = await api('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { error: e.message, fields: fieldErrors(e, ['email', 'password']), values: { email }, nonce: Date.now() };
  }
  const store = await cookies();
  store.set(TOKEN_COOKIE, answer.accessToken, {
    path: '/manage',
    httpOnly: true,
    sameSite: 'lax',
    secure: process.env.MANAGE_COOKIE_SECURE === 'true',
    maxAge: Math.max(60, Math.floor(answer.expiresIn)),
  });
  redirect(safeNext(form.get('next')));
}

export async function logout(): Promise<void> {
  const store = await cookies();
  store.delete({ name: TOKEN_COOKIE, path: '/manage' });
  redirect('/manage/login');
}

/** One of the order's allowed transitions; the outcome (or the API's refusal) comes back in the URL. */
export async function transitionOrder(form: FormData): Promise<void> {
  const id = String(form.get('id') ?? '');
  const to = String(form.get('to') ?? '');
  const note = String(form.get('note') ?? '').trim().slice(0, 1000);
  if (!UUID.test(id) || !/^[a-z_]{3,30}$/.test(to)) redirect('/manage/orders');
  let error = '';
  try {
    await manageApi(`/api/manage/orders/${id}/transitions`, { method: 'POST', body: JSON.stringify({ to, ...(note ? { note } : {}) }) });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error = e.message;
  }
  redirect(`/manage/orders/${id}?${error ? `error=${encodeURIComponent(error.slice(0, 300))}` : `moved=${to}`}`);
}

export async function recallLot(_prev: FormState, form: FormData): Promise<FormState> {
  const id = String(form.get('id') ?? '');
  const reason = String(form.get('reason') ?? '').trim();
  if (!UUID.test(id)) redirect('/manage/lots');
  try {
    await manageApi(`/api/manage/lots/${id}/recall`, { method: 'POST', body: JSON.stringify({ reason }) });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { error: e.message, fields: fieldErrors(e, ['reason']), values: { reason }, nonce: Date.now() };
  }
  updateTag(CATALOG_TAG);
  redirect(`/manage/lots/${id}?recalled=1`);
}

const RECEIVE_FIELDS = ['variantId', 'lotCode', 'harvestDate', 'expiryDate', 'quantity', 'note'];

export async function receiveLot(_prev: FormState, form: FormData): Promise<FormState> {
  const values = Object.fromEntries(RECEIVE_FIELDS.map((k) => [k, String(form.get(k) ?? '').trim()]));
  const body = {
    variantId: values.variantId,
    lotCode: values.lotCode,
    quantity: values.quantity === '' ? undefined : Number(values.quantity),
    ...(values.harvestDate ? { harvestDate: values.harvestDate } : {}),
    ...(values.expiryDate ? { expiryDate: values.expiryDate } : {}),
    ...(values.note ? { note: values.note } : {}),
  };
  let lot: { id: string };
  try {
    lot = await manageApi<{ id: string }>('/api/manage/lots', { method: 'POST', body: JSON.stringify(body) });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { error: e.message, fields: fieldErrors(e, RECEIVE_FIELDS), values, nonce: Date.now() };
  }
  updateTag(CATALOG_TAG);
  redirect(`/manage/lots/${lot.id}?received=1`);
}
