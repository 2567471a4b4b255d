import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listCommunes, listProvinces } from '@htx/shared';
import {
  decodeCursor,
  encodeCursor,
  PM_FULFILLMENT_STATUSES,
  POSTMART_API_PREFIX,
  POSTMART_HEADERS,
  POSTMART_IDEMPOTENCY_TTL_HOURS,
  POSTMART_MAX_BATCH,
  POSTMART_MAX_PAGE,
  POSTMART_PATHS,
  POSTMART_RATE_LIMIT_PER_SECOND,
  sha256Hex,
  signedHeaders,
  verifyPostmartSignature,
  type PmArea,
  type PmBatchResultItem,
  type PmCategory,
  type PmErrorBody,
  type PmFulfillmentRequest,
  type PmOrder,
  type PmProduct,
  type PmProductInput,
  type PostmartErrorCode,
  type PmWebhookEvent,
} from '@htx/marketplace';

/**
 * A local stand-in for Postmart's merchant Open API, as docs/postmart-api.md describes it: signed requests
 * (HMAC-SHA256, timestamp window), the per-merchant rate limit (429 + Retry-After), idempotency keys, batch
 * endpoints, cursor-paginated orders and signed order webhooks. State is in memory. Knobs under /__sim/
 * (and on the returned object) inject failures and place orders as a Postmart buyer would.
 */

export interface SimMerchant {
  merchantId: string;
  secret: string;
  shopName: string;
  /** Where order webhooks go (the merchant sets it in Postmart's seller centre). */
  callbackUrl: string | null;
}

export interface PostmartSimOptions {
  port?: number;
  host?: string;
  merchants?: Array<Omit<SimMerchant, 'callbackUrl'> & { callbackUrl?: string | null }>;
  /** Requests a second per merchant (default: the documented POSTMART_RATE_LIMIT_PER_SECOND). */
  ratePerSecond?: number;
}

export type WebhookMode = 'send' | 'drop' | 'duplicate';

export interface InjectedFailure {
  status: 429 | 500 | 503;
  /** For 500/503: `before` refuses without applying; `after` applies the write and then answers 500 (a lost answer). */
  mode?: 'before' | 'after';
  /** Only requests whose path contains this (default: every API request). */
  pathContains?: string;
  retryAfterSeconds?: number;
}

export interface SimCounters {
  requests: number;
  rateLimited: number;
  injectedFailures: number;
  badSignatures: number;
  /** Idempotent replays answered from the stored response (not applied again). */
  replays: number;
  /** Product creations (a new merchant SKU). */
  productsCreated: number;
  /** Product updates applied (an existing SKU's listing changed). */
  productsUpdated: number;
  /** Stock items applied by stock/batch calls. */
  stockItemsApplied: number;
  confirms: number;
  fulfillments: number;
  webhooksSent: number;
  webhooksDropped: number;
}

interface StoredResponse {
  requestHash: string;
  status: number;
  body: string;
  at: number;
}

interface MerchantState {
  merchant: SimMerchant;
  tokens: number;
  refilledAt: number;
  products: Map<string, PmProduct>;
  /** Applied stock values per SKU, in order (to prove that no write was applied twice). */
  stockHistory: Map<string, number[]>;
  idempotency: Map<string, StoredResponse>;
  webhookDeliveries: Array<{ eventId: string; status: number | null; error?: string }>;
}

export interface PostmartSimulator {
  url: string;
  port: number;
  counters: SimCounters;
  orders: Map<string, PmOrder & { merchant_id: string }>;
  product(merchantId: string, sku: string): PmProduct | undefined;
  products(merchantId: string): PmProduct[];
  stockHistory(merchantId: string, sku: string): number[];
  addMerchant(m: Omit<SimMerchant, 'callbackUrl'> & { callbackUrl?: string | null }): void;
  setCallbackUrl(merchantId: string, url: string | null): void;
  /** Failures to inject, consumed in order by the next matching API requests. */
  injectFailures(failures: InjectedFailure[]): void;
  clearFailures(): void;
  setLatency(ms: number): void;
  setWebhookMode(mode: WebhookMode): void;
  /** A buyer places an order on Postmart; `force` skips Postmart's own stock check (a stale listing). */
  placeOrder(input: BuyerOrderInput): Promise<PmOrder>;
  /** Postmart-side status change (e.g. the buyer cancels before the merchant confirms). */
  cancelOrder(orderId: string, reason: string): Promise<PmOrder>;
  /** Postmart's webhook for an order, signed, as it would be delivered (for tests that replay or tamper). */
  webhookRequest(orderId: string): { body: string; headers: Record<string, string> };
  reset(): void;
  close(): Promise<void>;
}

export interface BuyerOrderInput {
  merchant_id: string;
  items: Array<{ merchant_sku: string; quantity: number }>;
  buyer?: { name: string; phone: string; email?: string | null };
  shipping_address?: { province_code: string; commune_code: string; address_line: string };
  payment_method?: 'cod' | 'prepaid';
  force?: boolean;
}

/** Postmart's category tree as the public categories call answers it (a subset; ids and names as Postmart shows them). */
export const SIM_CATEGORIES: PmCategory[] = [
  { gc_id: 780, gc_name: 'Thực Phẩm', gc_parent_id: 0, commis_rate: 5 },
  { gc_id: 782, gc_name: 'Thực Phẩm - Đặc sản', gc_parent_id: 780, commis_rate: 6.5 },
  { gc_id: 783, gc_name: 'Trà - Cà phê', gc_parent_id: 780, commis_rate: 6 },
  { gc_id: 784, gc_name: 'Nông sản khô', gc_parent_id: 780, commis_rate: 5.5 },
  { gc_id: 790, gc_name: 'Sức khỏe - Làm đẹp', gc_parent_id: 0, commis_rate: 8 },
  { gc_id: 791, gc_name: 'Dược liệu - Thảo mộc', gc_parent_id: 790, commis_rate: 7 },
];

const DEFAULT_BUYER = { name: 'Trần Văn Bình', phone: '0987654321', email: null };
const DEFAULT_ADDRESS = { province_code: '19', commune_code: '01969', address_line: 'Thôn Bản Cuôn, số 3' };

function areas(): PmArea[] {
  return listProvinces().map((p) => ({ area_id: p.code, area_name: p.name, parent_id: '0', level: 'province' as const }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

const pmError = (code: PostmartErrorCode, message: string, details?: unknown): PmErrorBody => ({ error: { code, message, ...(details === undefined ? {} : { details }) } });

function validateProduct(p: PmProductInput, categories: Set<number>): string | null {
  if (!p || typeof p.merchant_sku !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(p.merchant_sku)) return 'merchant_sku must be 1-64 letters, digits, . _ -';
  if (typeof p.name !== 'string' || p.name.length < 2 || p.name.length > 255) return 'name must be 2-255 characters';
  if (!Number.isInteger(p.gc_id) || !categories.has(p.gc_id)) return `gc_id ${p.gc_id} is not a Postmart category`;
  if (!Number.isSafeInteger(p.price) || p.price < 1000) return 'price must be an integer VND of at least 1000';
  if (!Number.isInteger(p.stock) || p.stock < 0) return 'stock must be a whole number ≥ 0';
  if (!Number.isInteger(p.weight_gram) || p.weight_gram <= 0) return 'weight_gram must be a positive integer';
  if (!Array.isArray(p.images) || p.images.some((i) => typeof i !== 'string')) return 'images must be a list of URLs';
  if (p.status !== 'active' && p.status !== 'inactive') return 'status must be active or inactive';
  return null;
}

export async function startPostmartSimulator(options: PostmartSimOptions = {}): Promise<PostmartSimulator> {
  const rate = options.ratePerSecond ?? POSTMART_RATE_LIMIT_PER_SECOND;
  const merchants = new Map<string, MerchantState>();
  const orders = new Map<string, PmOrder & { merchant_id: string }>();
  const failures: InjectedFailure[] = [];
  const categoryIds = new Set(SIM_CATEGORIES.map((c) => c.gc_id));
  let latencyMs = 0;
  let webhookMode: WebhookMode = 'send';
  let version = 0;
  let orderSeq = 0;
  const counters: SimCounters = {
    requests: 0, rateLimited: 0, injectedFailures: 0, badSignatures: 0, replays: 0, productsCreated: 0, productsUpdated: 0,
    stockItemsApplied: 0, confirms: 0, fulfillments: 0, webhooksSent: 0, webhooksDropped: 0,
  };

  const addMerchant = (m: Omit<SimMerchant, 'callbackUrl'> & { callbackUrl?: string | null }) => {
    const existing = merchants.get(m.merchantId);
    if (existing) {
      existing.merchant = { ...existing.merchant, ...m, callbackUrl: m.callbackUrl ?? existing.merchant.callbackUrl };
      return;
    }
    merchants.set(m.merchantId, {
      merchant: { callbackUrl: null, ...m },
      tokens: rate,
      refilledAt: Date.now(),
      products: new Map(),
      stockHistory: new Map(),
      idempotency: new Map(),
      webhookDeliveries: [],
    });
  };
  for (const m of options.merchants ?? []) addMerchant(m);

  /** Token bucket: `rate` tokens, refilled continuously at `rate` a second. Returns 0 or the seconds to wait. */
  const takeToken = (st: MerchantState): number => {
    const now = Date.now();
    st.tokens = Math.min(rate, st.tokens + ((now - st.refilledAt) / 1000) * rate);
    st.refilledAt = now;
    if (st.tokens >= 1) {
      st.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - st.tokens) / rate));
  };

  const webhookFor = (order: PmOrder & { merchant_id: string }, type: PmWebhookEvent['event_type']) => {
    const st = merchants.get(order.merchant_id);
    if (!st) throw new Error(`unknown merchant ${order.merchant_id}`);
    const { merchant_id: merchantId, ...wire } = order;
    const event: PmWebhookEvent = { event_id: randomUUID(), event_type: type, merchant_id: merchantId, created_at: new Date().toISOString(), data: { order: wire } };
    const body = JSON.stringify(event);
    const url = st.merchant.callbackUrl ? new URL(st.merchant.callbackUrl) : null;
    const headers = {
      'content-type': 'application/json',
      [POSTMART_HEADERS.eventId]: event.event_id,
      ...signedHeaders(merchantId, st.merchant.secret, 'POST', url ? url.pathname + url.search : '/', body),
    };
    return { st, event, body, headers, url };
  };

  const deliverWebhook = async (order: PmOrder & { merchant_id: string }, type: PmWebhookEvent['event_type']) => {
    const { st, event, body, headers, url } = webhookFor(order, type);
    if (!url) return;
    if (webhookMode === 'drop') {
      counters.webhooksDropped++;
      st.webhookDeliveries.push({ eventId: event.event_id, status: null, error: 'dropped by the simulator' });
      return;
    }
    const copies = webhookMode === 'duplicate' ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      try {
        const r = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
        await r.text();
        counters.webhooksSent++;
        st.webhookDeliveries.push({ eventId: event.event_id, status: r.status });
      } catch (e) {
        st.webhookDeliveries.push({ eventId: event.event_id, status: null, error: (e as Error).message });
      }
    }
  };

  const placeOrder = async (input: BuyerOrderInput): Promise<PmOrder> => {
    const st = merchants.get(input.merchant_id);
    if (!st) throw Object.assign(new Error(`unknown merchant ${input.merchant_id}`), { status: 404 });
    if (!Array.isArray(input.items) || input.items.length === 0) throw Object.assign(new Error('items is empty'), { status: 400 });
    const lines = input.items.map((i) => {
      const p = st.products.get(i.merchant_sku);
      if (!p) throw Object.assign(new Error(`no product ${i.merchant_sku}`), { status: 404 });
      if (!Number.isInteger(i.quantity) || i.quantity < 1) throw Object.assign(new Error('quantity must be ≥ 1'), { status: 400 });
      if (!input.force && (p.status !== 'active' || p.stock < i.quantity)) throw Object.assign(new Error(`out of stock: ${i.merchant_sku}`), { status: 409 });
      return { p, quantity: i.quantity };
    });
    for (const { p, quantity } of lines) p.stock = Math.max(0, p.stock - quantity);
    const now = new Date().toISOString();
    orderSeq++;
    const order: PmOrder & { merchant_id: string } = {
      merchant_id: input.merchant_id,
      order_id: `PM${String(100000 + orderSeq)}${randomUUID().slice(0, 4).toUpperCase()}`,
      order_code: `PMO-${String(orderSeq).padStart(6, '0')}`,
      status: 'new',
      buyer: input.buyer ?? DEFAULT_BUYER,
      shipping_address: input.shipping_address ?? DEFAULT_ADDRESS,
      items: lines.map(({ p, quantity }) => ({ merchant_sku: p.merchant_sku, product_id: p.product_id, quantity, price: p.price })),
      items_total: lines.reduce((s, l) => s + l.p.price * l.quantity, 0),
      payment_method: input.payment_method ?? 'cod',
      note: null,
      created_at: now,
      updated_at: now,
      version: ++version,
    };
    orders.set(order.order_id, order);
    await deliverWebhook(order, 'order.created');
    const { merchant_id: _m, ...wire } = order;
    return wire;
  };

  const changeOrder = (order: PmOrder & { merchant_id: string }, status: PmOrder['status']) => {
    order.status = status;
    order.updated_at = new Date().toISOString();
    order.version = ++version;
  };

  /** The merchant API proper (signature already checked, rate limit taken). */
  const api = async (st: MerchantState, method: string, url: URL, raw: string): Promise<{ status: number; body: unknown; write: boolean }> => {
    const path = url.pathname;
    let body: unknown = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return { status: 400, body: pmError('VALIDATION_FAILED', 'body is not JSON'), write: false };
      }
    }
    if (method === 'GET' && path === POSTMART_PATHS.categories) return { status: 200, body: { data: SIM_CATEGORIES }, write: false };
    if (method === 'GET' && path === POSTMART_PATHS.areas) {
      const parent = url.searchParams.get('parent_id');
      if (!parent || parent === '0') return { status: 200, body: { data: areas() }, write: false };
      const communes = listCommunes(parent);
      if (!communes) return { status: 404, body: pmError('NOT_FOUND', `no area ${parent}`), write: false };
      return { status: 200, body: { data: communes.map((c) => ({ area_id: c.code, area_name: c.name, parent_id: parent, level: 'commune' })) }, write: false };
    }
    if (method === 'GET' && path === POSTMART_PATHS.me) return { status: 200, body: { data: { merchant_id: st.merchant.merchantId, shop_name: st.merchant.shopName } }, write: false };
    if (method === 'GET' && path === POSTMART_PATHS.products) {
      const after = decodeCursor(url.searchParams.get('cursor'));
      const limit = Math.min(POSTMART_MAX_PAGE, Number(url.searchParams.get('limit') ?? POSTMART_MAX_PAGE) || POSTMART_MAX_PAGE);
      if (after === null) return { status: 400, body: pmError('VALIDATION_FAILED', 'cursor is not valid'), write: false };
      const all = [...st.products.values()];
      const page = all.slice(after, after + limit);
      const more = after + limit < all.length;
      return { status: 200, body: { data: page, next_cursor: more ? encodeCursor(after + limit) : null, has_more: more }, write: false };
    }
    if (method === 'POST' && path === POSTMART_PATHS.productsBatch) {
      const items = (body as { items?: PmProductInput[] } | null)?.items;
      if (!Array.isArray(items) || items.length === 0) return { status: 400, body: pmError('VALIDATION_FAILED', 'items must be a non-empty list'), write: false };
      if (items.length > POSTMART_MAX_BATCH) return { status: 400, body: pmError('BATCH_TOO_LARGE', `at most ${POSTMART_MAX_BATCH} items per batch`), write: false };
      const now = new Date().toISOString();
      const data: PmBatchResultItem[] = items.map((item) => {
        const problem = validateProduct(item, categoryIds);
        if (problem) return { merchant_sku: String(item?.merchant_sku ?? ''), ok: false, error: { code: 'VALIDATION_FAILED', message: problem } };
        const existing = st.products.get(item.merchant_sku);
        const product: PmProduct = { ...item, images: [...item.images], product_id: existing?.product_id ?? `P${randomUUID().replace(/-/g, '').slice(0, 12)}`, created_at: existing?.created_at ?? now, updated_at: now };
        st.products.set(item.merchant_sku, product);
        if (existing) counters.productsUpdated++;
        else counters.productsCreated++;
        const h = st.stockHistory.get(item.merchant_sku) ?? [];
        h.push(item.stock);
        st.stockHistory.set(item.merchant_sku, h);
        return { merchant_sku: item.merchant_sku, ok: true, product_id: product.product_id };
      });
      return { status: 200, body: { data }, write: true };
    }
    if (method === 'POST' && path === POSTMART_PATHS.stockBatch) {
      const items = (body as { items?: Array<{ merchant_sku: string; stock: number }> } | null)?.items;
      if (!Array.isArray(items) || items.length === 0) return { status: 400, body: pmError('VALIDATION_FAILED', 'items must be a non-empty list'), write: false };
      if (items.length > POSTMART_MAX_BATCH) return { status: 400, body: pmError('BATCH_TOO_LARGE', `at most ${POSTMART_MAX_BATCH} items per batch`), write: false };
      const data: PmBatchResultItem[] = items.map((item) => {
        const p = st.products.get(item?.merchant_sku);
        if (!p) return { merchant_sku: String(item?.merchant_sku ?? ''), ok: false, error: { code: 'NOT_FOUND', message: `no product with merchant_sku ${item?.merchant_sku}` } };
        if (!Number.isInteger(item.stock) || item.stock < 0) return { merchant_sku: item.merchant_sku, ok: false, error: { code: 'VALIDATION_FAILED', message: 'stock must be a whole number ≥ 0' } };
        p.stock = item.stock;
        p.updated_at = new Date().toISOString();
        counters.stockItemsApplied++;
        const h = st.stockHistory.get(item.merchant_sku) ?? [];
        h.push(item.stock);
        st.stockHistory.set(item.merchant_sku, h);
        return { merchant_sku: item.merchant_sku, ok: true, product_id: p.product_id };
      });
      return { status: 200, body: { data }, write: true };
    }
    if (method === 'GET' && path === POSTMART_PATHS.orders) {
      const after = decodeCursor(url.searchParams.get('cursor'));
      if (after === null) return { status: 400, body: pmError('VALIDATION_FAILED', 'cursor is not valid'), write: false };
      const limit = Math.min(POSTMART_MAX_PAGE, Math.max(1, Number(url.searchParams.get('limit') ?? POSTMART_MAX_PAGE) || POSTMART_MAX_PAGE));
      const mine = [...orders.values()].filter((o) => o.merchant_id === st.merchant.merchantId && o.version > after).sort((a, b) => a.version - b.version);
      const page = mine.slice(0, limit).map(({ merchant_id: _m, ...o }) => o);
      const last = page.at(-1);
      return { status: 200, body: { data: page, next_cursor: last ? encodeCursor(last.version) : url.searchParams.get('cursor') || encodeCursor(after), has_more: mine.length > limit }, write: false };
    }
    const orderAction = new RegExp(`^${POSTMART_API_PREFIX}/orders/([^/]+)/(confirm|fulfillment)$`).exec(path);
    if (method === 'POST' && orderAction) {
      const order = orders.get(decodeURIComponent(orderAction[1]));
      if (!order || order.merchant_id !== st.merchant.merchantId) return { status: 404, body: pmError('NOT_FOUND', 'no such order'), write: false };
      if (orderAction[2] === 'confirm') {
        if (order.status === 'new') {
          changeOrder(order, 'confirmed');
          counters.confirms++;
        }
        const { merchant_id: _m, ...wire } = order;
        return { status: 200, body: { data: wire }, write: true };
      }
      const req = body as PmFulfillmentRequest | null;
      if (!req || !(PM_FULFILLMENT_STATUSES as readonly string[]).includes(req.status)) {
        return { status: 400, body: pmError('VALIDATION_FAILED', `status must be one of ${PM_FULFILLMENT_STATUSES.join(', ')}`), write: false };
      }
      const allowed: Record<string, string[]> = { new: ['cancelled', 'shipped'], confirmed: ['shipped', 'cancelled'], shipped: ['delivered'], delivered: [], cancelled: [] };
      if (order.status !== req.status) {
        if (!allowed[order.status].includes(req.status)) return { status: 409, body: pmError('INVALID_STATE', `order is ${order.status}, cannot become ${req.status}`), write: false };
        changeOrder(order, req.status);
        counters.fulfillments++;
      }
      const { merchant_id: _m, ...wire } = order;
      return { status: 200, body: { data: wire }, write: true };
    }
    return { status: 404, body: pmError('NOT_FOUND', `no route ${method} ${path}`), write: false };
  };

  const control = async (req: IncomingMessage, res: ServerResponse, url: URL, raw: string) => {
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const path = url.pathname;
    if (req.method === 'GET' && path === '/__sim/state') {
      return sendJson(res, 200, {
        counters,
        merchants: [...merchants.values()].map((s) => ({ merchant_id: s.merchant.merchantId, callback_url: s.merchant.callbackUrl, products: s.products.size, webhooks: s.webhookDeliveries.slice(-20) })),
        orders: [...orders.values()],
      });
    }
    if (req.method === 'GET' && path === '/__sim/products') {
      const st = merchants.get(url.searchParams.get('merchant_id') ?? '');
      return sendJson(res, st ? 200 : 404, st ? { data: [...st.products.values()] } : pmError('UNKNOWN_MERCHANT', 'unknown merchant'));
    }
    if (req.method === 'POST' && path === '/__sim/merchants') {
      addMerchant({ merchantId: String(body['merchant_id']), secret: String(body['secret']), shopName: String(body['shop_name'] ?? body['merchant_id']), callbackUrl: (body['callback_url'] as string | undefined) ?? null });
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/__sim/failures') {
      const list = (body['failures'] as Array<Record<string, unknown>> | undefined) ?? [];
      sim.injectFailures(
        list.map((f) => ({
          status: Number(f['status']) as InjectedFailure['status'],
          mode: (f['mode'] as InjectedFailure['mode']) ?? 'before',
          pathContains: (f['path_contains'] as string | undefined) ?? undefined,
          retryAfterSeconds: f['retry_after_seconds'] === undefined ? undefined : Number(f['retry_after_seconds']),
        })),
      );
      return sendJson(res, 200, { pending: failures.length });
    }
    if (req.method === 'POST' && path === '/__sim/latency') {
      latencyMs = Number(body['ms'] ?? 0);
      return sendJson(res, 200, { latencyMs });
    }
    if (req.method === 'POST' && path === '/__sim/webhook-mode') {
      webhookMode = (body['mode'] as WebhookMode) ?? 'send';
      return sendJson(res, 200, { webhookMode });
    }
    if (req.method === 'POST' && path === '/__sim/orders') {
      try {
        return sendJson(res, 201, { data: await placeOrder(body as unknown as BuyerOrderInput) });
      } catch (e) {
        return sendJson(res, (e as { status?: number }).status ?? 400, pmError('VALIDATION_FAILED', (e as Error).message));
      }
    }
    const cancel = /^\/__sim\/orders\/([^/]+)\/cancel$/.exec(path);
    if (req.method === 'POST' && cancel) {
      try {
        return sendJson(res, 200, { data: await sim.cancelOrder(decodeURIComponent(cancel[1]), String(body['reason'] ?? 'buyer cancelled')) });
      } catch (e) {
        return sendJson(res, 404, pmError('NOT_FOUND', (e as Error).message));
      }
    }
    if (req.method === 'POST' && path === '/__sim/reset') {
      sim.reset();
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, pmError('NOT_FOUND', `no control route ${req.method} ${path}`));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim.local');
      const raw = await readBody(req);
      if (url.pathname.startsWith('/__sim/')) return control(req, res, url, raw);
      if (url.pathname === '/health') return sendJson(res, 200, { ok: true });
      if (!url.pathname.startsWith(POSTMART_API_PREFIX)) return sendJson(res, 404, pmError('NOT_FOUND', 'not a Postmart API path'));
      counters.requests++;
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      const merchantId = String(req.headers[POSTMART_HEADERS.merchant] ?? '');
      // The one publicly readable call of Postmart's Open API: categories need no credentials.
      if (req.method === 'GET' && url.pathname === POSTMART_PATHS.categories && !merchantId) return sendJson(res, 200, { data: SIM_CATEGORIES });
      const st = merchants.get(merchantId);
      if (!st) return sendJson(res, 401, pmError('UNKNOWN_MERCHANT', `unknown ${POSTMART_HEADERS.merchant} "${merchantId}"`));
      const method = req.method ?? 'GET';
      const check = verifyPostmartSignature(
        st.merchant.secret,
        { timestamp: req.headers[POSTMART_HEADERS.timestamp] as string | undefined, signature: req.headers[POSTMART_HEADERS.signature] as string | undefined },
        method,
        url.pathname + url.search,
        raw,
      );
      if (!check.ok) {
        counters.badSignatures++;
        return sendJson(res, 401, pmError(check.code, check.message));
      }
      const wait = takeToken(st);
      if (wait > 0) {
        counters.rateLimited++;
        return sendJson(res, 429, pmError('RATE_LIMITED', `at most ${rate} requests a second`), { 'retry-after': String(wait), 'x-ratelimit-limit': String(rate), 'x-ratelimit-remaining': '0' });
      }
      const failureIdx = failures.findIndex((f) => !f.pathContains || url.pathname.includes(f.pathContains));
      const failure = failureIdx >= 0 ? failures.splice(failureIdx, 1)[0] : null;
      if (failure?.status === 429) {
        counters.injectedFailures++;
        counters.rateLimited++;
        return sendJson(res, 429, pmError('RATE_LIMITED', 'rate limited (injected)'), { 'retry-after': String(failure.retryAfterSeconds ?? 1) });
      }
      if (failure && failure.mode !== 'after') {
        counters.injectedFailures++;
        return sendJson(res, failure.status, pmError('INTERNAL_ERROR', 'internal error (injected)'));
      }
      const key = req.headers[POSTMART_HEADERS.idempotencyKey] as string | undefined;
      const requestHash = sha256Hex(`${method} ${url.pathname}\n${raw}`);
      if (method === 'POST' && !key) return sendJson(res, 400, pmError('VALIDATION_FAILED', `${POSTMART_HEADERS.idempotencyKey} header is required on POST`));
      if (key) {
        const stored = st.idempotency.get(key);
        if (stored && Date.now() - stored.at < POSTMART_IDEMPOTENCY_TTL_HOURS * 3600_000) {
          if (stored.requestHash !== requestHash) return sendJson(res, 422, pmError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was used with another request'));
          counters.replays++;
          if (failure) {
            counters.injectedFailures++;
            return sendJson(res, failure.status, pmError('INTERNAL_ERROR', 'internal error after applying (injected)'));
          }
          return sendJson(res, stored.status, stored.body, { 'idempotent-replayed': 'true' });
        }
      }
      const result = await api(st, method, url, raw);
      const text = JSON.stringify(result.body);
      if (key && result.write && result.status < 500) st.idempotency.set(key, { requestHash, status: result.status, body: text, at: Date.now() });
      if (failure) {
        counters.injectedFailures++;
        return sendJson(res, failure.status, pmError('INTERNAL_ERROR', 'internal error after applying (injected)'));
      }
      return sendJson(res, result.status, text, { 'x-ratelimit-limit': String(rate) });
    })().catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, pmError('INTERNAL_ERROR', (e as Error).message));
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const sim: PostmartSimulator = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    counters,
    orders,
    product: (merchantId, sku) => merchants.get(merchantId)?.products.get(sku),
    products: (merchantId) => [...(merchants.get(merchantId)?.products.values() ?? [])],
    stockHistory: (merchantId, sku) => [...(merchants.get(merchantId)?.stockHistory.get(sku) ?? [])],
    addMerchant,
    setCallbackUrl: (merchantId, url) => {
      const st = merchants.get(merchantId);
      if (st) st.merchant.callbackUrl = url;
    },
    injectFailures: (list) => failures.push(...list),
    clearFailures: () => (failures.length = 0),
    setLatency: (ms) => (latencyMs = ms),
    setWebhookMode: (mode) => (webhookMode = mode),
    placeOrder,
    cancelOrder: async (orderId) => {
      const order = orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId}`);
      if (order.status === 'new' || order.status === 'confirmed') changeOrder(order, 'cancelled');
      await deliverWebhook(order, 'order.updated');
      const { merchant_id: _m, ...wire } = order;
      return wire;
    },
    webhookRequest: (orderId) => {
      const order = orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId}`);
      const { body, headers } = webhookFor(order, 'order.created');
      return { body, headers };
    },
    reset: () => {
      for (const st of merchants.values()) {
        st.products.clear();
        st.stockHistory.clear();
        st.idempotency.clear();
        st.webhookDeliveries.length = 0;
      }
      orders.clear();
      failures.length = 0;
      latencyMs = 0;
      webhookMode = 'send';
      for (const k of Object.keys(counters) as Array<keyof SimCounters>) counters[k] = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return sim;
}
