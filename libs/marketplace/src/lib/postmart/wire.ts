import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelOrder, ListingInput } from '../channel';

/**
 * THE Postmart wire format (docs/postmart-api.md): paths, headers, the request signature, the JSON shapes in
 * Postmart's snake_case naming, limits and error codes. Both the adapter (PostmartChannel) and the simulator
 * (apps/postmart-sim) use this module and nothing else for the protocol, so a real Postmart integration
 * changes only this file.
 */

export const POSTMART_API_PREFIX = '/apis/v1/merchant';

export const POSTMART_PATHS = {
  categories: `${POSTMART_API_PREFIX}/categories/all`,
  areas: `${POSTMART_API_PREFIX}/areas/all`,
  me: `${POSTMART_API_PREFIX}/user/me`,
  products: `${POSTMART_API_PREFIX}/products`,
  productsBatch: `${POSTMART_API_PREFIX}/products/batch`,
  stockBatch: `${POSTMART_API_PREFIX}/products/stock/batch`,
  orders: `${POSTMART_API_PREFIX}/orders`,
  orderConfirm: (orderId: string) => `${POSTMART_API_PREFIX}/orders/${encodeURIComponent(orderId)}/confirm`,
  orderFulfillment: (orderId: string) => `${POSTMART_API_PREFIX}/orders/${encodeURIComponent(orderId)}/fulfillment`,
} as const;

export const POSTMART_HEADERS = {
  merchant: 'x-pm-merchant-id',
  timestamp: 'x-pm-timestamp',
  signature: 'x-pm-signature',
  idempotencyKey: 'idempotency-key',
  eventId: 'x-pm-event-id',
} as const;

/** A signed request or webhook older or newer than this (seconds) is refused. */
export const POSTMART_TIMESTAMP_WINDOW_SECONDS = 300;
/** Items per batch call (products, stock). */
export const POSTMART_MAX_BATCH = 50;
/** Orders per page of GET orders. */
export const POSTMART_MAX_PAGE = 50;
/** The documented rate limit: requests per second per merchant (a token bucket of this size, refilled at this rate). */
export const POSTMART_RATE_LIMIT_PER_SECOND = 10;
/** How long Postmart remembers an Idempotency-Key (hours). */
export const POSTMART_IDEMPOTENCY_TTL_HOURS = 24;

export const POSTMART_ERROR_CODES = [
  'INVALID_SIGNATURE',
  'TIMESTAMP_OUT_OF_WINDOW',
  'UNKNOWN_MERCHANT',
  'RATE_LIMITED',
  'VALIDATION_FAILED',
  'BATCH_TOO_LARGE',
  'NOT_FOUND',
  'IDEMPOTENCY_CONFLICT',
  'INVALID_STATE',
  'INTERNAL_ERROR',
] as const;
export type PostmartErrorCode = (typeof POSTMART_ERROR_CODES)[number];

export interface PmErrorBody {
  error: { code: PostmartErrorCode; message: string; details?: unknown };
}

// ---------------------------------------------------------------- shapes

export interface PmCategory {
  gc_id: number;
  gc_name: string;
  gc_parent_id: number;
  /** Commission in percent of the item price, e.g. 5.5. */
  commis_rate: number;
}

export interface PmArea {
  area_id: string;
  area_name: string;
  /** '0' for a province. */
  parent_id: string;
  level: 'province' | 'commune';
}

export interface PmMerchant {
  merchant_id: string;
  shop_name: string;
}

export type PmProductStatus = 'active' | 'inactive';

/** A product as the merchant upserts it: one Postmart product per merchant SKU. */
export interface PmProductInput {
  merchant_sku: string;
  name: string;
  description: string;
  gc_id: number;
  /** Integer VND. */
  price: number;
  stock: number;
  weight_gram: number;
  images: string[];
  barcode?: string | null;
  status: PmProductStatus;
}

export interface PmProduct extends PmProductInput {
  product_id: string;
  created_at: string;
  updated_at: string;
}

export interface PmProductBatchRequest {
  items: PmProductInput[];
}

export interface PmStockInput {
  merchant_sku: string;
  stock: number;
}

export interface PmStockBatchRequest {
  items: PmStockInput[];
}

/** Per item of a batch: applied or refused with a reason; a batch is never half-refused for one bad item. */
export interface PmBatchResultItem {
  merchant_sku: string;
  ok: boolean;
  product_id?: string;
  error?: { code: PostmartErrorCode; message: string };
}

export interface PmBatchResponse {
  data: PmBatchResultItem[];
}

export type PmOrderStatus = 'new' | 'confirmed' | 'shipped' | 'delivered' | 'cancelled';
export const PM_FULFILLMENT_STATUSES = ['shipped', 'delivered', 'cancelled'] as const;
export type PmFulfillmentStatus = (typeof PM_FULFILLMENT_STATUSES)[number];

export interface PmOrderItem {
  merchant_sku: string;
  product_id: string;
  quantity: number;
  /** Unit price the buyer paid, integer VND. */
  price: number;
}

export interface PmOrder {
  order_id: string;
  order_code: string;
  status: PmOrderStatus;
  buyer: { name: string; phone: string; email?: string | null };
  shipping_address: { province_code: string; commune_code: string; address_line: string };
  items: PmOrderItem[];
  /** Integer VND the buyer paid for the items. */
  items_total: number;
  payment_method: 'cod' | 'prepaid';
  note?: string | null;
  created_at: string;
  updated_at: string;
  /** Monotonic change number of the order (a later change of the same order has a higher one). */
  version: number;
}

export interface PmPage<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface PmFulfillmentRequest {
  status: PmFulfillmentStatus;
  tracking_code?: string | null;
  reason?: string | null;
}

export type PmWebhookEventType = 'order.created' | 'order.updated';

export interface PmWebhookEvent {
  event_id: string;
  event_type: PmWebhookEventType;
  merchant_id: string;
  created_at: string;
  data: { order: PmOrder };
}

// ---------------------------------------------------------------- signing

export function sha256Hex(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The string that is signed: timestamp, method, path with query string, SHA-256 of the body (of '' when empty). */
export function stringToSign(timestamp: string, method: string, pathWithQuery: string, body: string | Buffer): string {
  return `${timestamp}\n${method.toUpperCase()}\n${pathWithQuery}\n${sha256Hex(body)}`;
}

export function signPostmart(secret: string, timestamp: string, method: string, pathWithQuery: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(stringToSign(timestamp, method, pathWithQuery, body)).digest('hex');
}

/** Headers of a signed request (the merchant's call to Postmart, or Postmart's webhook to the merchant). */
export function signedHeaders(
  merchantId: string,
  secret: string,
  method: string,
  pathWithQuery: string,
  body: string,
  nowMs: number = Date.now(),
): Record<string, string> {
  const ts = String(Math.floor(nowMs / 1000));
  return {
    [POSTMART_HEADERS.merchant]: merchantId,
    [POSTMART_HEADERS.timestamp]: ts,
    [POSTMART_HEADERS.signature]: signPostmart(secret, ts, method, pathWithQuery, body),
  };
}

export type SignatureCheck = { ok: true } | { ok: false; code: 'INVALID_SIGNATURE' | 'TIMESTAMP_OUT_OF_WINDOW'; message: string };

/** Checks a signature and its timestamp window; constant-time comparison. */
export function verifyPostmartSignature(
  secret: string,
  headers: { timestamp?: string | null; signature?: string | null },
  method: string,
  pathWithQuery: string,
  body: string | Buffer,
  nowMs: number = Date.now(),
): SignatureCheck {
  const ts = headers.timestamp ?? '';
  const sig = (headers.signature ?? '').toLowerCase();
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, code: 'TIMESTAMP_OUT_OF_WINDOW', message: `missing or malformed ${POSTMART_HEADERS.timestamp}` };
  if (Math.abs(nowMs / 1000 - Number(ts)) > POSTMART_TIMESTAMP_WINDOW_SECONDS) {
    return { ok: false, code: 'TIMESTAMP_OUT_OF_WINDOW', message: `timestamp outside the ±${POSTMART_TIMESTAMP_WINDOW_SECONDS}s window` };
  }
  if (!/^[0-9a-f]{64}$/.test(sig)) return { ok: false, code: 'INVALID_SIGNATURE', message: `missing or malformed ${POSTMART_HEADERS.signature}` };
  const expected = Buffer.from(signPostmart(secret, ts, method, pathWithQuery, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { ok: false, code: 'INVALID_SIGNATURE', message: 'signature does not match' };
  return { ok: true };
}

/** Retry-After is whole seconds (RFC 9110 also allows an HTTP date). Returns milliseconds, or null. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** Postmart's cursors are opaque to the merchant; inside, the change number after which to continue. */
export function encodeCursor(version: number): string {
  return Buffer.from(`v1:${version}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number | null {
  if (!cursor) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^v1:(\d{1,15})$/.exec(text);
  return m ? Number(m[1]) : null;
}

export function isPmOrder(value: unknown): value is PmOrder {
  const o = value as PmOrder | null;
  return (
    !!o &&
    typeof o.order_id === 'string' &&
    typeof o.status === 'string' &&
    Array.isArray(o.items) &&
    o.items.every((i) => typeof i?.merchant_sku === 'string' && Number.isInteger(i.quantity)) &&
    typeof o.buyer?.phone === 'string' &&
    typeof o.shipping_address?.province_code === 'string' &&
    Number.isInteger(o.version)
  );
}

// ---------------------------------------------------------------- mapping to and from the channel-neutral types

export function fromPmOrder(o: PmOrder): ChannelOrder {
  return {
    externalId: o.order_id,
    code: o.order_code,
    status: o.status,
    version: o.version,
    buyer: { name: o.buyer.name, phone: o.buyer.phone, email: o.buyer.email ?? null },
    address: { provinceCode: o.shipping_address.province_code, communeCode: o.shipping_address.commune_code, line: o.shipping_address.address_line },
    items: o.items.map((i) => ({ sku: i.merchant_sku, quantity: i.quantity, unitPriceVnd: i.price })),
    itemsTotalVnd: o.items_total,
    paymentMethod: o.payment_method,
    note: o.note ?? null,
    raw: o,
  };
}

export function toPmProduct(l: ListingInput): PmProductInput {
  return {
    merchant_sku: l.sku,
    name: l.name,
    description: l.description,
    gc_id: l.categoryId,
    price: l.priceVnd,
    stock: l.stock,
    weight_gram: l.weightGrams,
    images: l.images,
    barcode: l.barcode,
    status: l.active ? 'active' : 'inactive',
  };
}

