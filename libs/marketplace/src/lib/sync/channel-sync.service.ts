import { InjectQueue } from '@nestjs/bullmq';
import { HttpException, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type Redis from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { availableByVariant } from '@htx/inventory';
import { CheckoutDto, OrdersService, canTransition, type OrderStatus } from '@htx/orders';
import { AppConfig, badRequest } from '@htx/shared';
import { ChannelError, channelPrice, type ChannelAdapter, type ChannelOrder, type FulfilmentStatus, type ListingInput } from '../channel';
import { PostmartChannel } from '../postmart/postmart.channel';
import { POSTMART_RATE_LIMIT_PER_SECOND } from '../postmart/wire';
import {
  CHANNEL_LISTINGS_QUEUE,
  CHANNEL_ORDERS_QUEUE,
  CHANNEL_STOCK_QUEUE,
  CredentialCipher,
  marketplaceSettings,
  type ConnectionJob,
  type ImportOrderJob,
  type MarketplaceSettings,
} from '../settings';
import { SharedRateLimiter } from './rate-limiter';

export interface ConnectionRow {
  id: string;
  cooperative_id: string;
  channel: 'postmart';
  base_url: string;
  merchant_id: string;
  secret_enc: string;
  secret_hint: string;
  enabled: boolean;
  price_rule_percent: number;
  order_cursor: string | null;
  orders_polled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** One variant as it is and as it should be on the channel. */
export interface ListingState {
  variantId: string;
  productId: string;
  sku: string;
  productName: string;
  variantName: string;
  listed: boolean;
  categoryId: number | null;
  categoryName: string | null;
  commissionRate: number | null;
  shopPriceVnd: number;
  available: number;
  desired: ListingInput | null;
  desiredHash: string | null;
  externalId: string | null;
  pushedHash: string | null;
  pushedPrice: number | null;
  pushedStock: number | null;
  pushedStatus: 'active' | 'inactive' | null;
  status: 'pending' | 'in_sync' | 'failed' | null;
  lastError: string | null;
  lastSyncedAt: Date | null;
  /** Successful pushes so far: part of each write's idempotency key, so a retried write replays and a new one does not. */
  pushSeq: number;
  needsListingPush: boolean;
  needsStockPush: boolean;
}

/** Another worker is syncing this connection: come back shortly. */
export class ConnectionBusyError extends Error {
  constructor(connectionId: string) {
    super(`connection ${connectionId} is being synced by another worker`);
  }
}

export type ImportOutcome = 'imported' | 'flagged' | 'duplicate' | 'updated' | 'dismissed';

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function listingHash(l: ListingInput): string {
  const { stock: _stock, ...rest } = l;
  return sha(JSON.stringify(rest));
}

/** Errors that mean "this marketplace order cannot become a shop order as it is" (flag it), not "try again". */
function flagReason(e: unknown): string | null {
  if (e instanceof HttpException && e.getStatus() < 500) {
    const r = e.getResponse();
    return typeof r === 'string' ? r : String((r as { message?: unknown }).message ?? e.message);
  }
  const code = (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
  if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))) return `Dữ liệu đơn không hợp lệ / Invalid order data: ${(e as Error).message}`;
  return null;
}

/**
 * The sync engine: pushes listings and stock of a connection (set-based diff against what was last pushed,
 * read at send time, in batches of the channel's size), imports marketplace orders into the shop's order flow,
 * and pushes fulfilment back. Every method is idempotent and safe to re-run after a crash at any point.
 */
@Injectable()
export class ChannelSyncService {
  private readonly logger = new Logger(ChannelSyncService.name);
  readonly settings: MarketplaceSettings;
  readonly cipher: CredentialCipher;
  private limiterInstance: SharedRateLimiter | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly orders: OrdersService,
    @InjectQueue(CHANNEL_LISTINGS_QUEUE) readonly listingsQueue: Queue<ConnectionJob>,
    @InjectQueue(CHANNEL_STOCK_QUEUE) readonly stockQueue: Queue<ConnectionJob>,
    @InjectQueue(CHANNEL_ORDERS_QUEUE) readonly ordersQueue: Queue<ConnectionJob | ImportOrderJob>,
  ) {
    this.settings = marketplaceSettings(config);
    this.cipher = CredentialCipher.fromConfig(config);
  }

  // ---------------------------------------------------------------- plumbing

  async redis(): Promise<Redis> {
    return (await this.stockQueue.client) as unknown as Redis;
  }

  async limiter(): Promise<SharedRateLimiter> {
    this.limiterInstance ??= new SharedRateLimiter(await this.redis(), this.config.REDIS_PREFIX);
    return this.limiterInstance;
  }

  rateBucket(conn: Pick<ConnectionRow, 'channel' | 'merchant_id'>): string {
    return `${conn.channel}:${conn.merchant_id}`;
  }

  get jobDefaults() {
    return {
      attempts: this.settings.attempts,
      backoff: { type: 'exponential' as const, delay: this.settings.backoffMs, jitter: 0.5 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    };
  }

  async connection(id: string, m: EntityManager = this.ds.manager): Promise<ConnectionRow | null> {
    const [row] = await m.query(`SELECT * FROM channel_connections WHERE id = $1`, [id]);
    return (row as ConnectionRow | undefined) ?? null;
  }

  async adapterFor(conn: ConnectionRow): Promise<ChannelAdapter> {
    const limiter = await this.limiter();
    return new PostmartChannel(
      { baseUrl: conn.base_url, merchantId: conn.merchant_id, secret: this.cipher.decrypt(conn.secret_enc) },
      { throttle: limiter.throttle(this.rateBucket(conn), POSTMART_RATE_LIMIT_PER_SECOND, this.settings.maxThrottleWaitMs), timeoutMs: this.settings.httpTimeoutMs },
    );
  }

  /** One sync of a connection at a time (listings and stock share it, so what we record as pushed is what Postmart has). */
  async withConnectionLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    const redis = await this.redis();
    const key = `${this.config.REDIS_PREFIX}:channel-lock:${connectionId}`;
    const token = randomUUID();
    const ok = await redis.set(key, token, 'PX', 120_000, 'NX');
    if (ok !== 'OK') throw new ConnectionBusyError(connectionId);
    // A long sync (thousands of listings at the marketplace's rate) keeps its lock alive while it works.
    const keepAlive = setInterval(() => void redis.eval(EXTEND_LOCK, 1, key, token, '120000').catch(() => undefined), 30_000);
    keepAlive.unref();
    try {
      return await fn();
    } finally {
      clearInterval(keepAlive);
      await redis.eval(RELEASE_LOCK, 1, key, token);
    }
  }

  /**
   * Runs one channel call; a 429 with a short Retry-After is honoured in place (the merchant's shared bucket is
   * blocked for everyone meanwhile) and the same call — same idempotency key — is made again. A long one is thrown,
   * and the processor parks the job delayed.
   */
  async withRetryAfter<T>(conn: ConnectionRow, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        const wait = e instanceof ChannelError && e.kind === 'rate_limited' ? (e.retryAfterMs ?? 1000) : null;
        if (wait === null || wait > this.settings.maxThrottleWaitMs || attempt >= 5) throw e;
        if (e instanceof ChannelError && e.status === 429) await (await this.limiter()).block(this.rateBucket(conn), wait);
        await new Promise((r) => setTimeout(r, wait + Math.floor(Math.random() * 100)));
      }
    }
  }

  // ---------------------------------------------------------------- enqueueing

  private dedupe(kind: string, connectionId: string, delay: boolean) {
    return {
      ...this.jobDefaults,
      deduplication: { id: `${kind}-${connectionId}`, ttl: this.settings.debounceMs },
      ...(delay ? { delay: this.settings.debounceMs } : {}),
    };
  }

  /** `now`: the manager asked (no debounce wait). */
  async enqueueStock(conn: Pick<ConnectionRow, 'id' | 'cooperative_id'>, now = false): Promise<void> {
    await this.stockQueue.add('sync-stock', { connectionId: conn.id, cooperativeId: conn.cooperative_id }, this.dedupe('stock', conn.id, !now));
  }

  async enqueueListings(conn: Pick<ConnectionRow, 'id' | 'cooperative_id'>, now = false): Promise<void> {
    await this.listingsQueue.add('sync-listings', { connectionId: conn.id, cooperativeId: conn.cooperative_id }, this.dedupe('listings', conn.id, !now));
  }

  async enqueueOrderPoll(conn: Pick<ConnectionRow, 'id' | 'cooperative_id'>): Promise<void> {
    await this.ordersQueue.add('poll-orders', { connectionId: conn.id, cooperativeId: conn.cooperative_id }, this.dedupe('poll', conn.id, false));
  }

  async enqueueStatusPush(conn: Pick<ConnectionRow, 'id' | 'cooperative_id'>): Promise<void> {
    await this.ordersQueue.add('push-status', { connectionId: conn.id, cooperativeId: conn.cooperative_id }, this.dedupe('status', conn.id, true));
  }

  async enqueueImport(conn: Pick<ConnectionRow, 'id' | 'cooperative_id'>, order: ChannelOrder): Promise<void> {
    const jobId = `import-${conn.id}-${sha(order.externalId).slice(0, 24)}-v${order.version}`;
    await this.ordersQueue.add('import-order', { connectionId: conn.id, cooperativeId: conn.cooperative_id, order: order.raw }, { ...this.jobDefaults, jobId });
  }

  async enabledConnections(cooperativeId?: string): Promise<ConnectionRow[]> {
    return this.ds.query(`SELECT * FROM channel_connections WHERE enabled AND ($1::uuid IS NULL OR cooperative_id = $1)`, [cooperativeId ?? null]);
  }

  // ---------------------------------------------------------------- listings and stock

  /** Every variant of the cooperative's products with the manager's choice, what it should be on the channel and what was pushed. */
  async listingStates(conn: ConnectionRow, options: { all?: boolean; productId?: string } = {}, m: EntityManager = this.ds.manager): Promise<ListingState[]> {
    const rows = (await m.query(
      `SELECT v.id AS variant_id, v.product_id, v.sku, v.name_vi AS variant_name, v.weight_grams, v.price_vnd, v.gtin, v.active AS variant_active,
              p.name_vi AS product_name, p.description_vi, p.image_urls, p.status AS product_status,
              coalesce(cp.listed, false) AS listed, cp.category_id, cp.category_name, cp.commission_rate,
              l.external_id, l.pushed_hash, l.pushed_price, l.pushed_stock, l.pushed_status, l.status, l.last_error, l.last_synced_at, coalesce(l.push_seq, 0) AS push_seq
         FROM products p
         JOIN product_variants v ON v.product_id = p.id
         LEFT JOIN channel_products cp ON cp.connection_id = $1 AND cp.product_id = p.id
         LEFT JOIN channel_listings l ON l.connection_id = $1 AND l.variant_id = v.id
        WHERE p.cooperative_id = $2 AND ($3::boolean OR cp.listed OR l.external_id IS NOT NULL) AND ($4::uuid IS NULL OR p.id = $4)
        ORDER BY p.name_vi, v.sort_order, v.sku`,
      [conn.id, conn.cooperative_id, !!options.all, options.productId ?? null],
    )) as Array<Record<string, unknown>>;
    const available = await availableByVariant(m, rows.map((r) => r['variant_id'] as string));
    const base = this.config.PUBLIC_BASE_URL ?? 'http://localhost:4200';
    return rows.map((r) => {
      const listed = r['listed'] as boolean;
      const categoryId = r['category_id'] === null ? null : Number(r['category_id']);
      const active = listed && r['product_status'] === 'active' && (r['variant_active'] as boolean);
      const stock = available.get(r['variant_id'] as string) ?? 0;
      const price = Number(r['price_vnd']);
      const desired: ListingInput | null =
        categoryId === null
          ? null
          : {
              sku: r['sku'] as string,
              name: `${r['product_name'] as string} - ${r['variant_name'] as string}`.slice(0, 255),
              description: (r['description_vi'] as string) ?? '',
              categoryId,
              priceVnd: channelPrice(price, conn.price_rule_percent),
              stock: active ? stock : 0,
              weightGrams: Number(r['weight_grams']),
              images: ((r['image_urls'] as string[]) ?? []).map((u) => (u.startsWith('/') ? `${base}${u}` : u)),
              barcode: (r['gtin'] as string) ?? null,
              active,
            };
      const desiredHash = desired ? listingHash(desired) : null;
      const externalId = (r['external_id'] as string | null) ?? null;
      const pushedStatus = (r['pushed_status'] as 'active' | 'inactive' | null) ?? null;
      const needsListingPush = !!desired && (active ? externalId === null || r['pushed_hash'] !== desiredHash : externalId !== null && (pushedStatus === 'active' || r['pushed_hash'] !== desiredHash));
      const pushedStock = r['pushed_stock'] === null ? null : Number(r['pushed_stock']);
      return {
        variantId: r['variant_id'] as string,
        productId: r['product_id'] as string,
        sku: r['sku'] as string,
        productName: r['product_name'] as string,
        variantName: r['variant_name'] as string,
        listed,
        categoryId,
        categoryName: (r['category_name'] as string | null) ?? null,
        commissionRate: r['commission_rate'] === null ? null : Number(r['commission_rate']),
        shopPriceVnd: price,
        available: stock,
        desired,
        desiredHash,
        externalId,
        pushedHash: (r['pushed_hash'] as string | null) ?? null,
        pushedPrice: r['pushed_price'] === null ? null : Number(r['pushed_price']),
        pushedStock,
        pushedStatus,
        status: (r['status'] as ListingState['status']) ?? null,
        lastError: (r['last_error'] as string | null) ?? null,
        lastSyncedAt: (r['last_synced_at'] as Date | null) ?? null,
        pushSeq: Number(r['push_seq']),
        needsListingPush,
        needsStockPush: !needsListingPush && active && externalId !== null && pushedStatus === 'active' && pushedStock !== stock,
      };
    });
  }

  private async markFailed(connectionId: string, variantIds: string[], error: string): Promise<void> {
    if (!variantIds.length) return;
    await this.ds.query(
      `UPDATE channel_listings SET status = 'failed', last_error = $3, updated_at = now() WHERE connection_id = $1 AND variant_id = ANY($2::uuid[])`,
      [connectionId, variantIds, error.slice(0, 1000)],
    );
  }

  /** Pushes every listing whose content differs from what was pushed (new, changed, unlisted). Returns the number pushed. */
  async syncListings(connectionId: string): Promise<number> {
    const conn = await this.connection(connectionId);
    if (!conn?.enabled) return 0;
    return this.withConnectionLock(conn.id, async () => {
      const adapter = await this.adapterFor(conn);
      const states = await this.listingStates(conn);
      await this.ds.query(
        `INSERT INTO channel_listings (connection_id, variant_id, product_id)
         SELECT $1, x.variant_id, x.product_id FROM jsonb_to_recordset($2::jsonb) AS x(variant_id uuid, product_id uuid)
         ON CONFLICT DO NOTHING`,
        [conn.id, JSON.stringify(states.filter((s) => s.listed && s.desired).map((s) => ({ variant_id: s.variantId, product_id: s.productId })))],
      );
      const todo = states.filter((s) => s.needsListingPush);
      let pushed = 0;
      for (let i = 0; i < todo.length; i += adapter.maxBatch) {
        const batch = todo.slice(i, i + adapter.maxBatch);
        const items = batch.map((s) => s.desired as ListingInput);
        // The key names the logical write (these items, from this push of each listing): a retry of it, by this job or
        // another, replays at Postmart instead of applying twice; the next change of the same listing gets a new key.
        const key = sha(`${conn.id}:listings:${JSON.stringify(items)}:${batch.map((s) => s.pushSeq).join(',')}`);
        let results;
        try {
          results = await this.withRetryAfter(conn, () => adapter.upsertListings(items, key));
        } catch (e) {
          if (!(e instanceof ChannelError && e.kind === 'rate_limited')) await this.markFailed(conn.id, batch.map((s) => s.variantId), (e as Error).message);
          throw e;
        }
        const bySku = new Map(results.map((r) => [r.sku, r]));
        const rows = batch.map((s) => {
          const r = bySku.get(s.sku);
          const d = s.desired as ListingInput;
          return r?.ok
            ? { variant_id: s.variantId, product_id: s.productId, ok: true, external_id: r.externalId ?? s.externalId, hash: s.desiredHash, price: d.priceVnd, stock: d.stock, pstatus: d.active ? 'active' : 'inactive', error: null }
            : { variant_id: s.variantId, product_id: s.productId, ok: false, external_id: null, hash: null, price: null, stock: null, pstatus: null, error: r?.error ?? 'Postmart did not answer for this item' };
        });
        await this.ds.query(
          `INSERT INTO channel_listings AS l (connection_id, variant_id, product_id, external_id, pushed_hash, pushed_price, pushed_stock, pushed_status, status, last_error, last_synced_at, updated_at)
           SELECT $1, x.variant_id, x.product_id, x.external_id, x.hash, x.price, x.stock, x.pstatus, CASE WHEN x.ok THEN 'in_sync' ELSE 'failed' END, x.error, CASE WHEN x.ok THEN now() END, now()
             FROM jsonb_to_recordset($2::jsonb) AS x(variant_id uuid, product_id uuid, ok boolean, external_id text, hash text, price bigint, stock int, pstatus text, error text)
           ON CONFLICT (connection_id, variant_id) DO UPDATE SET
             external_id = CASE WHEN EXCLUDED.status = 'in_sync' THEN EXCLUDED.external_id ELSE l.external_id END,
             pushed_hash = CASE WHEN EXCLUDED.status = 'in_sync' THEN EXCLUDED.pushed_hash ELSE l.pushed_hash END,
             pushed_price = CASE WHEN EXCLUDED.status = 'in_sync' THEN EXCLUDED.pushed_price ELSE l.pushed_price END,
             pushed_stock = CASE WHEN EXCLUDED.status = 'in_sync' THEN EXCLUDED.pushed_stock ELSE l.pushed_stock END,
             pushed_status = CASE WHEN EXCLUDED.status = 'in_sync' THEN EXCLUDED.pushed_status ELSE l.pushed_status END,
             last_synced_at = coalesce(EXCLUDED.last_synced_at, l.last_synced_at),
             push_seq = l.push_seq + CASE WHEN EXCLUDED.status = 'in_sync' THEN 1 ELSE 0 END,
             status = EXCLUDED.status, last_error = EXCLUDED.last_error, updated_at = now()`,
          [conn.id, JSON.stringify(rows)],
        );
        pushed += rows.filter((r) => r.ok).length;
      }
      return pushed;
    });
  }

  /**
   * Sends the stock of every listed variant whose availability differs from what Postmart was last told. The
   * availability is read now (one set-based query), so a stale or retried job never sends an old figure;
   * it loops until nothing differs (changes made while it ran), a few rounds at most.
   */
  async syncStock(connectionId: string): Promise<number> {
    const conn = await this.connection(connectionId);
    if (!conn?.enabled) return 0;
    return this.withConnectionLock(conn.id, async () => {
      const adapter = await this.adapterFor(conn);
      let sent = 0;
      for (let round = 0; round < 3; round++) {
        const todo = (await this.listingStates(conn)).filter((s) => s.needsStockPush);
        if (!todo.length) break;
        for (let i = 0; i < todo.length; i += adapter.maxBatch) {
          const batch = todo.slice(i, i + adapter.maxBatch);
          const items = batch.map((s) => ({ sku: s.sku, stock: s.available }));
          const key = sha(`${conn.id}:stock:${JSON.stringify(items)}:${batch.map((s) => s.pushSeq).join(',')}`);
          let results;
          try {
            results = await this.withRetryAfter(conn, () => adapter.setStock(items, key));
          } catch (e) {
            if (!(e instanceof ChannelError && e.kind === 'rate_limited')) await this.markFailed(conn.id, batch.map((s) => s.variantId), (e as Error).message);
            throw e;
          }
          const bySku = new Map(results.map((r) => [r.sku, r]));
          const rows = batch.map((s) => {
            const r = bySku.get(s.sku);
            return { variant_id: s.variantId, ok: !!r?.ok, stock: s.available, error: r?.ok ? null : (r?.error ?? 'Postmart did not answer for this item') };
          });
          await this.ds.query(
            `UPDATE channel_listings l SET
               pushed_stock = CASE WHEN x.ok THEN x.stock ELSE l.pushed_stock END,
               push_seq = l.push_seq + CASE WHEN x.ok THEN 1 ELSE 0 END,
               status = CASE WHEN x.ok THEN 'in_sync' ELSE 'failed' END,
               last_error = x.error, last_synced_at = CASE WHEN x.ok THEN now() ELSE l.last_synced_at END, updated_at = now()
             FROM jsonb_to_recordset($2::jsonb) AS x(variant_id uuid, ok boolean, stock int, error text)
             WHERE l.connection_id = $1 AND l.variant_id = x.variant_id`,
            [conn.id, JSON.stringify(rows)],
          );
          sent += rows.filter((r) => r.ok).length;
        }
      }
      return sent;
    });
  }

  // ---------------------------------------------------------------- orders

  private async checkoutDtoFor(tx: EntityManager, conn: ConnectionRow, order: ChannelOrder): Promise<CheckoutDto> {
    const skus = [...new Set(order.items.map((i) => i.sku))];
    const variants = (await tx.query(`SELECT id, sku FROM product_variants WHERE cooperative_id = $1 AND sku = ANY($2::text[])`, [conn.cooperative_id, skus])) as Array<{ id: string; sku: string }>;
    const bySku = new Map(variants.map((v) => [v.sku, v.id]));
    const unknown = skus.filter((s) => !bySku.has(s));
    if (unknown.length) throw badRequest(`Sản phẩm không có trong cửa hàng / Unknown SKU: ${unknown.join(', ')}`);
    const dto = plainToInstance(CheckoutDto, {
      items: order.items.map((i) => ({ variantId: bySku.get(i.sku), quantity: i.quantity })),
      customer: { name: order.buyer.name, phone: order.buyer.phone, ...(order.buyer.email ? { email: order.buyer.email } : {}) },
      shippingAddress: { provinceCode: order.address.provinceCode, communeCode: order.address.communeCode, line: order.address.line },
      paymentMethod: 'cod',
      note: `Đơn Postmart ${order.code} (${order.paymentMethod === 'prepaid' ? 'đã thanh toán qua Postmart' : 'Postmart thu hộ'}; khách trả ${order.itemsTotalVnd} đ) / Postmart order ${order.code}${order.note ? ` — ${order.note}` : ''}`.slice(0, 1000),
    });
    const errors = await validate(dto);
    if (errors.length) {
      const flat = (es: typeof errors): string[] => es.flatMap((e) => [...Object.values(e.constraints ?? {}), ...flat(e.children ?? [])]);
      throw badRequest(`Đơn Postmart không hợp lệ / Invalid Postmart order: ${flat(errors).join('; ')}`);
    }
    return dto;
  }

  /**
   * Imports one marketplace order into the shop's order flow, in one transaction: the channel order row first
   * (unique per connection and Postmart order id, so a duplicate webhook or poll waits and is then recognised),
   * then the shop order (channel `postmart`), which reserves and allocates stock like a shop order. An order
   * that cannot be placed (stock short, unknown SKU, bad address) is kept as flagged with the reason.
   */
  async importOrder(conn: ConnectionRow, order: ChannelOrder, adapter?: ChannelAdapter): Promise<ImportOutcome> {
    const outcome = await this.ds.transaction(async (tx): Promise<ImportOutcome> => {
      const [inserted] = await tx.query(
        `INSERT INTO channel_orders (connection_id, cooperative_id, external_id, external_code, external_version, state, flag_reason, payload)
         VALUES ($1, $2, $3, $4, $5, 'flagged', 'importing', $6) ON CONFLICT (connection_id, external_id) DO NOTHING RETURNING id`,
        [conn.id, conn.cooperative_id, order.externalId, order.code, order.version, JSON.stringify(order.raw)],
      );
      if (!inserted) {
        const [existing] = await tx.query(`SELECT id, order_id, external_version FROM channel_orders WHERE connection_id = $1 AND external_id = $2 FOR UPDATE`, [conn.id, order.externalId]);
        if (order.version <= existing.external_version) {
          await tx.query(`UPDATE channel_orders SET duplicates = duplicates + 1, updated_at = now() WHERE id = $1`, [existing.id]);
          return 'duplicate';
        }
        await tx.query(`UPDATE channel_orders SET external_version = $2, payload = $3, updated_at = now() WHERE id = $1`, [existing.id, order.version, JSON.stringify(order.raw)]);
        if (order.status === 'cancelled' && existing.order_id) {
          const [o] = await tx.query(`SELECT status FROM orders WHERE id = $1`, [existing.order_id]);
          if (o && canTransition(o.status as OrderStatus, 'cancelled')) {
            await this.orders.transitionInTx(tx, existing.order_id, conn.cooperative_id, 'cancelled', { label: 'postmart', userId: null }, 'Người mua hủy trên Postmart / cancelled by the buyer on Postmart');
          }
        }
        return 'updated';
      }
      if (order.status === 'cancelled') {
        await tx.query(`UPDATE channel_orders SET state = 'dismissed', flag_reason = 'Đã hủy trên Postmart trước khi nhập / cancelled on Postmart before import' WHERE id = $1`, [inserted.id]);
        return 'dismissed';
      }
      if (order.status === 'shipped' || order.status === 'delivered') {
        // Seen for the first time already on its way (e.g. from before the connection): not ours to fulfil from stock.
        await tx.query(
          `UPDATE channel_orders SET state = 'dismissed', flag_reason = 'Đã giao đi trước khi kết nối / already ${order.status} on Postmart when first seen' WHERE id = $1`,
          [inserted.id],
        );
        return 'dismissed';
      }
      await tx.query('SAVEPOINT channel_import');
      try {
        const dto = await this.checkoutDtoFor(tx, conn, order);
        // The order keeps Postmart's prices (our listing price rule, as the buyer paid them); Postmart handles shipping.
        const lineTotalsVnd = new Map<string, number>();
        order.items.forEach((item, i) => {
          const variantId = dto.items[i].variantId.toLowerCase();
          lineTotalsVnd.set(variantId, (lineTotalsVnd.get(variantId) ?? 0) + item.unitPriceVnd * item.quantity);
        });
        const prepared = await this.orders.prepare(dto, tx, { lineTotalsVnd, shippingFeeVnd: 0 });
        const placed = await this.orders.placeInTx(tx, `postmart:${conn.id}:${order.externalId}`.slice(0, 200), prepared, {
          channel: 'postmart',
          externalRef: order.externalId,
          skipExpiryJob: true,
          skipPayment: true,
        });
        await tx.query(`UPDATE channel_orders SET state = 'imported', order_id = $2, flag_reason = NULL, updated_at = now() WHERE id = $1`, [inserted.id, placed.body.orders[0].id]);
        return 'imported';
      } catch (e) {
        const reason = flagReason(e);
        if (reason === null) throw e;
        await tx.query('ROLLBACK TO SAVEPOINT channel_import');
        await tx.query(`UPDATE channel_orders SET flag_reason = $2, updated_at = now() WHERE id = $1`, [inserted.id, reason.slice(0, 2000)]);
        this.logger.warn(`Postmart order ${order.code} flagged: ${reason}`);
        return 'flagged';
      }
    });
    if (outcome === 'imported' || outcome === 'flagged') {
      // Postmart took the sold quantity off its own stock figure: what we last pushed is no longer what it shows, so
      // the next stock sync sends our figure again (for a flagged order nothing changed on our side to trigger it).
      await this.ds.query(
        `UPDATE channel_listings l SET pushed_stock = NULL FROM product_variants v
          WHERE l.connection_id = $1 AND v.id = l.variant_id AND v.cooperative_id = $2 AND v.sku = ANY($3::text[])`,
        [conn.id, conn.cooperative_id, order.items.map((i) => i.sku)],
      );
      await this.enqueueStock(conn);
    }
    if (order.status === 'new') await this.acknowledge(conn, order, adapter);
    return outcome;
  }

  /** Tells Postmart the order was received (idempotent; remembered so it is sent once). */
  private async acknowledge(conn: ConnectionRow, order: ChannelOrder, adapter?: ChannelAdapter): Promise<void> {
    const [row] = await this.ds.query(`SELECT acknowledged_at FROM channel_orders WHERE connection_id = $1 AND external_id = $2`, [conn.id, order.externalId]);
    if (!row || row.acknowledged_at) return;
    const a = adapter ?? (await this.adapterFor(conn));
    await a.acknowledgeOrder(order.externalId, `ack-${conn.id}-${order.externalId}`);
    await this.ds.query(`UPDATE channel_orders SET acknowledged_at = now() WHERE connection_id = $1 AND external_id = $2`, [conn.id, order.externalId]);
  }

  /** Pulls orders changed since the stored cursor (page by page, the cursor saved after each page), then pushes statuses. */
  async pollOrders(connectionId: string): Promise<{ seen: number }> {
    const conn = await this.connection(connectionId);
    if (!conn?.enabled) return { seen: 0 };
    const adapter = await this.adapterFor(conn);
    let cursor = conn.order_cursor;
    let seen = 0;
    for (let page = 0; page < 100; page++) {
      const res = await adapter.pullOrders(cursor);
      for (const o of res.orders) {
        await this.importOrder(conn, o, adapter);
        seen++;
      }
      cursor = res.nextCursor ?? cursor;
      await this.ds.query(`UPDATE channel_connections SET order_cursor = $2, orders_polled_at = now() WHERE id = $1`, [conn.id, cursor]);
      if (!res.hasMore) break;
    }
    await this.pushStatuses(conn.id, adapter);
    return { seen };
  }

  /** Pushes shipped / delivered / cancelled of imported orders to Postmart (shipped before delivered). */
  async pushStatuses(connectionId: string, adapterIn?: ChannelAdapter): Promise<number> {
    const conn = await this.connection(connectionId);
    if (!conn?.enabled) return 0;
    const rows = (await this.ds.query(
      `SELECT co.id, co.external_id, co.pushed_status, o.status
         FROM channel_orders co JOIN orders o ON o.id = co.order_id
        WHERE co.connection_id = $1 AND co.state = 'imported' AND o.status IN ('shipped', 'delivered', 'cancelled')
          AND co.pushed_status IS DISTINCT FROM o.status`,
      [conn.id],
    )) as Array<{ id: string; external_id: string; pushed_status: string | null; status: FulfilmentStatus }>;
    if (!rows.length) return 0;
    const adapter = adapterIn ?? (await this.adapterFor(conn));
    let pushed = 0;
    for (const r of rows) {
      const steps: FulfilmentStatus[] = r.status === 'delivered' && r.pushed_status !== 'shipped' ? ['shipped', 'delivered'] : [r.status];
      try {
        for (const s of steps) {
          await adapter.pushFulfilment(r.external_id, s, `ful-${conn.id}-${r.external_id}-${s}`);
          await this.ds.query(`UPDATE channel_orders SET pushed_status = $2, push_error = NULL, updated_at = now() WHERE id = $1`, [r.id, s]);
        }
        pushed++;
      } catch (e) {
        if (e instanceof ChannelError && e.kind === 'permanent') {
          // Postmart refuses the move (e.g. the buyer cancelled there meanwhile): record it for the manager and stop retrying it.
          await this.ds.query(`UPDATE channel_orders SET pushed_status = $2, push_error = $3, updated_at = now() WHERE id = $1`, [r.id, r.status, e.message]);
          continue;
        }
        throw e;
      }
    }
    return pushed;
  }
}
