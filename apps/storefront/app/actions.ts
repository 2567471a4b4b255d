'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { api, ApiError } from '../lib/api';
import { isSlug, isUuid, MAX_LINES, MAX_QUANTITY, readCart, writeCart } from '../lib/cart';

function quantityOf(value: FormDataEntryValue | null): number {
  const n = Number.parseInt(String(value ?? '1'), 10);
  return Number.isInteger(n) ? Math.min(Math.max(n, 0), MAX_QUANTITY) : 1;
}

export async function addToCart(form: FormData): Promise<void> {
  const variantId = form.get('variantId');
  const productSlug = form.get('productSlug');
  if (!isUuid(variantId) || !isSlug(productSlug)) redirect('/gio-hang');
  const quantity = Math.max(1, quantityOf(form.get('quantity')));
  const cart = await readCart();
  const line = cart.find((l) => l.variantId === variantId);
  if (line) line.quantity = Math.min(MAX_QUANTITY, line.quantity + quantity);
  else if (cart.length < MAX_LINES) cart.push({ variantId, productSlug, quantity });
  await writeCart(cart);
  redirect('/gio-hang');
}

export async function updateCart(form: FormData): Promise<void> {
  const cart = await readCart();
  const remove = form.get('remove');
  const next = cart
    .map((l) => ({ ...l, quantity: form.has(`q_${l.variantId}`) ? quantityOf(form.get(`q_${l.variantId}`)) : l.quantity }))
    .filter((l) => l.quantity > 0 && l.variantId !== remove);
  await writeCart(next);
  redirect('/gio-hang');
}

export interface CheckoutState {
  error?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
}

interface CheckoutAnswer {
  checkoutId: string;
  orders: { code: string }[];
  payment?: { step: string; url?: string };
}

const FIELD_OF: Array<[RegExp, string]> = [
  [/customer\.name/, 'name'],
  [/customer\.phone|phone/i, 'phone'],
  [/customer\.email|email/i, 'email'],
  [/provinceCode|province/i, 'province'],
  [/communeCode|commune/i, 'commune'],
  [/shippingAddress\.line|line/, 'line'],
  [/^shippingAddress$/, 'commune'],
];

/** Places the order through the API; the idempotency key is minted when the form is shown, so a double tap orders once. */
export async function placeOrder(_prev: CheckoutState, form: FormData): Promise<CheckoutState> {
  const cart = await readCart();
  const values = Object.fromEntries(['name', 'phone', 'email', 'province', 'commune', 'line', 'note', 'paymentMethod'].map((k) => [k, String(form.get(k) ?? '').trim()]));
  if (cart.length === 0) return { error: 'Giỏ hàng đang trống / Your cart is empty', values };
  const idempotencyKey = String(form.get('idempotencyKey') ?? '');
  if (!/^[A-Za-z0-9-]{16,80}$/.test(idempotencyKey)) return { error: 'Phiên đặt hàng không hợp lệ, hãy tải lại trang / Reload the page and try again', values };
  const body = {
    items: cart.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
    customer: { name: values.name, phone: values.phone, ...(values.email ? { email: values.email } : {}) },
    shippingAddress: { provinceCode: values.province, communeCode: values.commune, line: values.line },
    paymentMethod: values.paymentMethod || 'cod',
    ...(values.note ? { note: values.note } : {}),
  };
  let answer: CheckoutAnswer;
  try {
    answer = await api<CheckoutAnswer>('/api/orders', { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': idempotencyKey } });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const fields: Record<string, string> = {};
    const details = Array.isArray(e.details) ? (e.details as { field?: string; problems?: string[] }[]) : [];
    for (const d of details) {
      const hit = FIELD_OF.find(([re]) => re.test(d.field ?? ''));
      if (hit && d.problems?.length) fields[hit[1]] = d.problems.join('; ');
    }
    // Problems the API found beyond the DTO (phone prefix, unknown commune…) arrive as "field: problem" in the message.
    for (const part of e.message.split('; ')) {
      const m = part.match(/^([\w.[\]]+): (.+)$/);
      const hit = m && FIELD_OF.find(([re]) => re.test(m[1]));
      if (m && hit && !fields[hit[1]]) fields[hit[1]] = m[2];
    }
    return { error: e.message, fields, values };
  }
  await writeCart([]);
  const store = await cookies();
  // Remember which phone placed these orders, so the confirmation page can show them without the phone in the URL.
  for (const o of answer.orders) store.set(`track_${o.code}`, values.phone, { path: '/', maxAge: 60 * 60 * 24 * 7, httpOnly: true, sameSite: 'lax' });
  if (answer.payment?.step === 'redirect' && answer.payment.url) redirect(answer.payment.url);
  redirect(`/don-hang/${encodeURIComponent(answer.orders[0].code)}?placed=${answer.orders.map((o) => o.code).join(',')}`);
}

export async function trackOrder(form: FormData): Promise<void> {
  const code = String(form.get('code') ?? '').trim().toUpperCase();
  const phone = String(form.get('phone') ?? '').trim();
  if (!/^[A-Z0-9-]{4,40}$/.test(code)) redirect('/don-hang?error=code');
  const store = await cookies();
  store.set(`track_${code}`, phone.slice(0, 20), { path: '/', maxAge: 60 * 60 * 24 * 7, httpOnly: true, sameSite: 'lax' });
  redirect(`/don-hang/${encodeURIComponent(code)}`);
}
