import { cookies } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { API_URL, ApiError } from './api';

/** The manager's bearer token lives in this httpOnly cookie, scoped to /manage. */
export const TOKEN_COOKIE = 'htx_manage';

export async function manageToken(): Promise<string | null> {
  const store = await cookies();
  const value = store.get(TOKEN_COOKIE)?.value ?? '';
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value) ? value : null;
}

/** The token, or off to the login page. */
export async function requireToken(): Promise<string> {
  const token = await manageToken();
  if (!token) redirect('/manage/login');
  return token;
}

/**
 * Calls a /api/manage endpoint with the manager's token. A 401 sends the manager to /manage/logout, which clears the
 * cookie (pages cannot change cookies) and lands on the login page.
 */
export async function manageApi<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = await requireToken();
  const res = await fetch(`${API_URL}${path}`, {
    ...init,
    cache: 'no-store',
    headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  if (res.status === 401) redirect('/manage/logout');
  const text = await res.text();
  let body: { message?: unknown; details?: unknown } | null = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, typeof body?.message === 'string' ? body.message : res.statusText, body?.details);
  return body as T;
}

/** Like manageApi, but an unknown (or another cooperative's) record is the 404 page. */
export async function manageApiOr404<T>(path: string): Promise<T> {
  try {
    return await manageApi<T>(path);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) notFound();
    throw e;
  }
}

/** The API's validation details ({field, problems}) as field → message, for the fields a form shows. */
export function fieldErrors(e: ApiError, known: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const details = Array.isArray(e.details) ? (e.details as { field?: string; problems?: string[] }[]) : [];
  for (const d of details) {
    const key = known.find((k) => d.field === k || d.field?.startsWith(`${k}.`));
    if (key && d.problems?.length) out[key] = d.problems.join('; ');
  }
  for (const part of e.message.split('; ')) {
    const m = part.match(/^([\w.[\]]+)[: ](.+)$/);
    const key = m && known.find((k) => m[1] === k);
    if (m && key && !out[key]) out[key] = part;
  }
  return out;
}

export interface ManageOrderListItem {
  id: string;
  code: string;
  status: string;
  channel: string;
  paymentMethod: string;
  customerName: string;
  customerPhone: string;
  provinceName: string;
  communeName: string;
  total: number;
  itemCount: number;
  placedAt: string;
}

export interface ManageOrder {
  id: string;
  code: string;
  status: string;
  allowedTransitions: string[];
  channel: string;
  externalRef: string | null;
  paymentMethod: string;
  cooperative: { id: string; slug: string; name: string };
  customer: { name: string; phone: string; email: string | null };
  shippingAddress: { provinceName: string; communeName: string; line: string };
  note: string | null;
  subtotal: number;
  shippingFee: number;
  total: number;
  placedAt: string;
  lines: {
    id: string;
    sku: string;
    productNameVi: string;
    variantNameVi: string;
    unitPrice: number;
    quantity: number;
    lineTotal: number;
    lots: { lotId: string; lotCode: string; quantity: number; expiryDate: string | null }[];
  }[];
  history: { from: string | null; to: string; at: string; actor: string; note: string | null }[];
}

export interface SalesReport {
  from: string;
  to: string;
  orders: number;
  revenue: number;
  averageOrderValue: number;
  cancelledOrders: number;
  returnedOrders: number;
  days: { day: string; orders: number; revenue: number }[];
  byChannel: { channel: string; orders: number; revenue: number; orderShare: number; revenueShare: number }[];
  topProducts: { variantId: string; sku: string; productNameVi: string; variantNameVi: string; quantity: number; orders: number; revenue: number }[];
}

export interface ManageLot {
  id: string;
  variantId: string;
  lotCode: string;
  harvestDate: string | null;
  expiryDate: string | null;
  quantityReceived: number;
  onHand: number;
  recalledAt: string | null;
  recallReason: string | null;
  sku: string;
  gtin: string;
  variantNameVi: string;
  productNameVi: string;
  expired: boolean;
}

export const CHANNEL_LABELS: Record<string, string> = { shop: 'Cửa hàng / Shop', postmart: 'Postmart' };
