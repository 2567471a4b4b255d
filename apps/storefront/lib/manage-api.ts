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
  // A 409 names its field in details ({field: 'sku'}).
  const single = !Array.isArray(e.details) && e.details && typeof e.details === 'object' ? (e.details as { field?: unknown }).field : undefined;
  if (typeof single === 'string' && known.includes(single) && !out[single]) out[single] = e.message;
  // Checks beyond the DTO arrive as "field: problem" (or "certificate.stars: …") in the message.
  for (const part of e.message.split('; ')) {
    const m = part.match(/^([\w.[\]]+)[: ](.+)$/);
    const key = m && known.find((k) => m[1] === k || m[1].endsWith(`.${k}`));
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

export const CHANNEL_LABELS: Record<string, { vi: string; en: string }> = { shop: { vi: 'Cửa hàng', en: 'Shop' }, postmart: { vi: 'Postmart', en: 'Postmart' } };

/** The sales channel's name in the manager's language. */
export function channelLabel(channel: string, lang: 'vi' | 'en'): string {
  return CHANNEL_LABELS[channel]?.[lang] ?? channel;
}

export interface ManageProductListItem {
  id: string;
  slug: string;
  nameVi: string;
  nameEn: string | null;
  status: 'active' | 'draft' | 'archived';
  categoryId: string | null;
  imageUrls: string[];
  variantCount: number;
  updatedAt: string;
}

export interface ManageVariant {
  id: string;
  productId: string;
  sku: string;
  nameVi: string;
  nameEn: string | null;
  weightGrams: number;
  priceVnd: number;
  gtin: string;
  active: boolean;
  sortOrder: number;
}

export interface ManageCertificate {
  id: string;
  kind: 'vietgap' | 'organic' | 'ocop' | 'other';
  name: string;
  issuer: string;
  number: string | null;
  stars: number | null;
  validFrom: string | null;
  validTo: string | null;
  valid: boolean;
  documentUrl: string | null;
}

export interface ManageProduct {
  id: string;
  cooperativeId: string;
  categoryId: string | null;
  slug: string;
  nameVi: string;
  nameEn: string | null;
  descriptionVi: string;
  descriptionEn: string;
  brand: string;
  imageUrls: string[];
  shelfLifeDays: number | null;
  status: 'active' | 'draft' | 'archived';
  variants: ManageVariant[];
  certificates: ManageCertificate[];
}

export interface ManageCategory {
  id: string;
  slug: string;
  nameVi: string;
  nameEn: string;
}

export interface StockLot {
  id: string;
  lotCode: string;
  harvestDate: string | null;
  expiryDate: string | null;
  quantityReceived: number;
  onHand: number;
  recalledAt: string | null;
  expired: boolean;
}

export interface StockRow {
  variantId: string;
  sku: string;
  gtin: string;
  variantNameVi: string;
  productId: string;
  productNameVi: string;
  productStatus: string;
  active: boolean;
  onHand: number;
  reserved: number;
  blocked: number;
  expired: number;
  available: number;
  lots: StockLot[];
}

export interface Mismatch {
  id: string;
  source: 'statement' | 'webhook';
  bankRef: string;
  amountVnd: number;
  expectedAmountVnd: number | null;
  differenceVnd: number | null;
  description: string;
  matchStatus: string;
  orderCodes: string[];
  occurredAt: string | null;
  createdAt: string;
}

export interface StatementResult {
  rows: number;
  matched: number;
  underpaid: number;
  overpaid: number;
  unmatched: number;
  duplicatePayments: number;
  latePayments: number;
  alreadyImported: number;
  skipped: { line: number; reason: string }[];
  outcomes: { bankRef: string; amountVnd: number; status: string; orderCodes: string[]; expectedAmountVnd: number | null; line?: number }[];
}

export interface Plot {
  id: string;
  name: string;
  crop: string;
  areaM2: number;
}

/** One EPCIS event as the API stores it (the fields the console shows). */
export interface EpcisEvent {
  eventID: string;
  type: string;
  action?: string;
  bizStep?: string;
  disposition?: string;
  eventTime: string;
  quantityList?: { epcClass: string; quantity?: number; uom?: string }[];
  inputQuantityList?: { epcClass: string; quantity?: number; uom?: string }[];
  outputQuantityList?: { epcClass: string; quantity?: number; uom?: string }[];
  'htx:note'?: string;
  'htx:corrects'?: string;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SyncStatus = 'not_listed' | 'in_sync' | 'pending' | 'failed';

export interface ChannelConnection {
  id: string;
  channel: string;
  baseUrl: string;
  merchantId: string;
  secret: string;
  enabled: boolean;
  priceRulePercent: number;
  ordersPolledAt: string | null;
  orders?: { imported: number; flagged: number };
  listedProducts?: number;
}

export interface ChannelProductSync {
  productId: string;
  name: string;
  listed: boolean;
  category: { id: number; name: string | null; commissionRate: number | null } | null;
  status: SyncStatus;
  lastError: string | null;
  lastSyncedAt: string | null;
  variants: {
    variantId: string;
    sku: string;
    name: string;
    status: SyncStatus;
    shopPrice: number;
    channelPrice: number | null;
    available: number;
    pushedStock: number | null;
    pushedPrice: number | null;
    externalId: string | null;
    lastError: string | null;
    lastSyncedAt: string | null;
  }[];
}

/** A Postmart category (gc_id) with the commission the marketplace takes, percent of the price. */
export interface ChannelCategory {
  id: number;
  name: string;
  parentId: number;
  commissionRate: number;
}

export interface ChannelFailedJob {
  id: string;
  queue: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  failedAt: string | null;
  createdAt: string;
}

export interface ChannelOrder {
  id: string;
  externalId: string;
  externalCode: string | null;
  state: 'imported' | 'flagged' | 'dismissed';
  flagReason: string | null;
  pushError: string | null;
  order: { id: string; code: string; status: string } | null;
  items: unknown[];
  createdAt: string;
}
