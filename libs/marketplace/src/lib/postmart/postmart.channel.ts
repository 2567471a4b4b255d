import {
  ChannelError,
  type ChannelAdapter,
  type ChannelCategory,
  type ChannelWebhook,
  type FulfilmentStatus,
  type ItemResult,
  type ListingInput,
  type OrderPage,
} from '../channel';
import {
  fromPmOrder,
  isPmOrder,
  parseRetryAfter,
  toPmProduct,
  POSTMART_HEADERS,
  POSTMART_MAX_BATCH,
  POSTMART_PATHS,
  signedHeaders,
  verifyPostmartSignature,
  type PmBatchResponse,
  type PmCategory,
  type PmErrorBody,
  type PmFulfillmentRequest,
  type PmOrder,
  type PmPage,
  type PmWebhookEvent,
} from './wire';

export interface PostmartCredentials {
  baseUrl: string;
  merchantId: string;
  secret: string;
}

export interface PostmartChannelOptions {
  /** Waits for a token of the shared rate limit before each request (throws ChannelError rate_limited to give up). */
  throttle?: () => Promise<void>;
  timeoutMs?: number;
}

/**
 * Verifies a Postmart webhook (signature over the raw body, timestamp window) and reads the order in it.
 * Throws ChannelError('permanent', status 401) when the signature or timestamp is wrong.
 */
export function verifyPostmartWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  method: string,
  pathWithQuery: string,
  rawBody: Buffer | string,
): ChannelWebhook {
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const check = verifyPostmartSignature(secret, { timestamp: h(POSTMART_HEADERS.timestamp), signature: h(POSTMART_HEADERS.signature) }, method, pathWithQuery, rawBody);
  if (!check.ok) throw new ChannelError('permanent', check.message, 401, null, check.code);
  let event: PmWebhookEvent;
  try {
    event = JSON.parse(rawBody.toString()) as PmWebhookEvent;
  } catch {
    throw new ChannelError('permanent', 'webhook body is not JSON', 400, null, 'VALIDATION_FAILED');
  }
  if (!event || typeof event.event_id !== 'string' || !isPmOrder(event.data?.order)) {
    throw new ChannelError('permanent', 'webhook body is not a Postmart order event', 400, null, 'VALIDATION_FAILED');
  }
  return { eventId: event.event_id, merchantId: event.merchant_id, order: fromPmOrder(event.data.order) };
}

/** The Postmart adapter: every call signed as docs/postmart-api.md says; errors classified for the queue. */
export class PostmartChannel implements ChannelAdapter {
  readonly channel = 'postmart' as const;
  readonly maxBatch = POSTMART_MAX_BATCH;

  constructor(
    private readonly creds: PostmartCredentials,
    private readonly options: PostmartChannelOptions = {},
  ) {}

  private async call<T>(method: 'GET' | 'POST', pathWithQuery: string, body: unknown, idempotencyKey?: string): Promise<T> {
    await this.options.throttle?.();
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...signedHeaders(this.creds.merchantId, this.creds.secret, method, pathWithQuery, text),
    };
    if (text) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers[POSTMART_HEADERS.idempotencyKey] = idempotencyKey;
    let res: Response;
    try {
      res = await fetch(new URL(pathWithQuery, this.creds.baseUrl), {
        method,
        headers,
        body: text || undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (e) {
      throw new ChannelError('transient', `Postmart unreachable: ${(e as Error).message}`);
    }
    const raw = await res.text();
    let parsed: unknown = null;
    try {
      parsed = raw ? JSON.parse(raw) : null;
    } catch {
      parsed = null;
    }
    if (res.ok) return parsed as T;
    const err = (parsed as PmErrorBody | null)?.error;
    const message = `Postmart ${res.status}${err ? ` ${err.code}: ${err.message}` : ''}`;
    if (res.status === 429) throw new ChannelError('rate_limited', message, 429, parseRetryAfter(res.headers.get('retry-after')) ?? 1000, err?.code ?? 'RATE_LIMITED');
    if (res.status >= 500 || res.status === 408) throw new ChannelError('transient', message, res.status, null, err?.code ?? null);
    throw new ChannelError('permanent', message, res.status, null, err?.code ?? null);
  }

  async categories(): Promise<ChannelCategory[]> {
    const res = await this.call<{ data: PmCategory[] }>('GET', POSTMART_PATHS.categories, undefined);
    return res.data.map((c) => ({ id: c.gc_id, name: c.gc_name, parentId: c.gc_parent_id, commissionRate: Number(c.commis_rate) }));
  }

  async upsertListings(items: ListingInput[], idempotencyKey: string): Promise<ItemResult[]> {
    if (items.length > this.maxBatch) throw new Error(`at most ${this.maxBatch} listings per batch`);
    const res = await this.call<PmBatchResponse>('POST', POSTMART_PATHS.productsBatch, { items: items.map(toPmProduct) }, idempotencyKey);
    return res.data.map((r) => ({ sku: r.merchant_sku, ok: r.ok, externalId: r.product_id, error: r.error ? `${r.error.code}: ${r.error.message}` : undefined }));
  }

  async setStock(items: Array<{ sku: string; stock: number }>, idempotencyKey: string): Promise<ItemResult[]> {
    if (items.length > this.maxBatch) throw new Error(`at most ${this.maxBatch} stock items per batch`);
    const res = await this.call<PmBatchResponse>('POST', POSTMART_PATHS.stockBatch, { items: items.map((i) => ({ merchant_sku: i.sku, stock: i.stock })) }, idempotencyKey);
    return res.data.map((r) => ({ sku: r.merchant_sku, ok: r.ok, externalId: r.product_id, error: r.error ? `${r.error.code}: ${r.error.message}` : undefined }));
  }

  async pullOrders(cursor: string | null): Promise<OrderPage> {
    const q = new URLSearchParams({ limit: '50' });
    if (cursor) q.set('cursor', cursor);
    const res = await this.call<PmPage<PmOrder>>('GET', `${POSTMART_PATHS.orders}?${q.toString()}`, undefined);
    const orders = res.data.filter(isPmOrder).map(fromPmOrder);
    return { orders, nextCursor: res.next_cursor, hasMore: res.has_more };
  }

  async acknowledgeOrder(externalId: string, idempotencyKey: string): Promise<void> {
    await this.call('POST', POSTMART_PATHS.orderConfirm(externalId), {}, idempotencyKey);
  }

  receiveWebhook(headers: Record<string, string | string[] | undefined>, method: string, pathWithQuery: string, rawBody: Buffer | string): ChannelWebhook {
    return verifyPostmartWebhook(this.creds.secret, headers, method, pathWithQuery, rawBody);
  }

  async pushFulfilment(externalId: string, status: FulfilmentStatus, idempotencyKey: string, reason?: string | null): Promise<void> {
    const body: PmFulfillmentRequest = { status, reason: reason ?? null };
    await this.call('POST', POSTMART_PATHS.orderFulfillment(externalId), body, idempotencyKey);
  }
}
