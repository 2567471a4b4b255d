import { HttpStatus, Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig, AppError, badRequest, conflict, notFound } from '@htx/shared';
import { ChannelError, type ChannelCategory } from '../channel';
import { secretHint } from '../settings';
import { ChannelSyncService, type ConnectionRow, type ListingState } from '../sync/channel-sync.service';
import type { ChannelProductDto, CreateConnectionDto, UpdateConnectionDto } from './dto';

const NOT_FOUND = 'Không tìm thấy kết nối kênh bán / Channel connection not found';

function publicConnection(c: ConnectionRow) {
  return {
    id: c.id,
    cooperativeId: c.cooperative_id,
    channel: c.channel,
    baseUrl: c.base_url,
    merchantId: c.merchant_id,
    secret: c.secret_hint,
    enabled: c.enabled,
    priceRulePercent: c.price_rule_percent,
    ordersPolledAt: c.orders_polled_at,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

type SyncStatus = 'not_listed' | 'in_sync' | 'pending' | 'failed';

function variantStatus(s: ListingState): SyncStatus {
  if (!s.listed && s.externalId === null) return 'not_listed';
  if (s.status === 'failed') return 'failed';
  if (s.needsListingPush || s.needsStockPush || s.externalId === null) return 'pending';
  return 'in_sync';
}

const RANK: Record<SyncStatus, number> = { not_listed: 0, in_sync: 1, pending: 2, failed: 3 };

function upstream(e: unknown): never {
  if (e instanceof ChannelError) {
    throw new AppError(HttpStatus.BAD_GATEWAY, `Postmart không trả lời được / Postmart could not answer: ${e.message}`);
  }
  throw e;
}

/**
 * The API calls whatever base URL a manager enters, so in production it must be https, or a host an operator allowed
 * in CHANNEL_ALLOWED_HOSTS (comma-separated host[:port], e.g. a staging simulator): no requests into the private
 * network on a manager's say-so.
 */
function checkBaseUrl(baseUrl: string, config: AppConfig): void {
  if (config.NODE_ENV !== 'production') return;
  const url = new URL(baseUrl);
  const allowed = (config.CHANNEL_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (allowed.includes(url.host.toLowerCase())) return;
  if (url.protocol !== 'https:') throw badRequest('baseUrl phải là https / baseUrl must be an https URL');
  if (/^(localhost|127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.|\[|0\.)/i.test(url.hostname)) {
    throw badRequest('baseUrl không được trỏ vào mạng nội bộ / baseUrl must not point into a private network');
  }
}

/** The manager's side of channels: connections, category mapping, listed products, sync status, failed jobs, flagged orders. */
@Injectable()
export class ChannelsManageService {
  constructor(
    private readonly ds: DataSource,
    private readonly sync: ChannelSyncService,
    private readonly config: AppConfig,
  ) {}

  async list(scope: string | null) {
    const rows = (await this.ds.query(`SELECT * FROM channel_connections WHERE ($1::uuid IS NULL OR cooperative_id = $1) ORDER BY created_at`, [scope])) as ConnectionRow[];
    return { items: rows.map(publicConnection) };
  }

  async get(id: string, scope: string | null): Promise<ConnectionRow> {
    const [row] = await this.ds.query(`SELECT * FROM channel_connections WHERE id = $1 AND ($2::uuid IS NULL OR cooperative_id = $2)`, [id, scope]);
    if (!row) throw notFound(NOT_FOUND);
    return row as ConnectionRow;
  }

  async view(id: string, scope: string | null) {
    const conn = await this.get(id, scope);
    const [counts] = await this.ds.query(
      `SELECT (SELECT count(*) FROM channel_orders WHERE connection_id = $1 AND state = 'imported')::int AS imported,
              (SELECT count(*) FROM channel_orders WHERE connection_id = $1 AND state = 'flagged')::int AS flagged,
              (SELECT count(*) FROM channel_products WHERE connection_id = $1 AND listed)::int AS listed_products`,
      [id],
    );
    return { ...publicConnection(conn), orders: { imported: counts.imported, flagged: counts.flagged }, listedProducts: counts.listed_products };
  }

  async create(cooperativeId: string, dto: CreateConnectionDto) {
    checkBaseUrl(dto.baseUrl, this.config);
    try {
      const [row] = await this.ds.query(
        `INSERT INTO channel_connections (cooperative_id, channel, base_url, merchant_id, secret_enc, secret_hint, enabled, price_rule_percent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [cooperativeId, dto.channel, dto.baseUrl.replace(/\/+$/, ''), dto.merchantId, this.sync.cipher.encrypt(dto.secret), secretHint(dto.secret), dto.enabled ?? true, dto.priceRulePercent ?? 0],
      );
      return publicConnection(row as ConnectionRow);
    } catch (e) {
      if ((e as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw conflict('Hợp tác xã đã có kết nối kênh này, hoặc mã người bán đã được dùng / This cooperative already has this channel, or the merchant id is taken');
      }
      throw e;
    }
  }

  async update(id: string, scope: string | null, dto: UpdateConnectionDto) {
    const conn = await this.get(id, scope);
    if (dto.baseUrl) checkBaseUrl(dto.baseUrl, this.config);
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [[row]] = await this.ds.query(
      `UPDATE channel_connections SET base_url = $2, merchant_id = $3, secret_enc = $4, secret_hint = $5, enabled = $6, price_rule_percent = $7, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [
        id,
        dto.baseUrl?.replace(/\/+$/, '') ?? conn.base_url,
        dto.merchantId ?? conn.merchant_id,
        dto.secret ? this.sync.cipher.encrypt(dto.secret) : conn.secret_enc,
        dto.secret ? secretHint(dto.secret) : conn.secret_hint,
        dto.enabled ?? conn.enabled,
        dto.priceRulePercent ?? conn.price_rule_percent,
      ],
    );
    const updated = row as ConnectionRow;
    if (updated.enabled) {
      await this.sync.enqueueListings(updated);
      await this.sync.enqueueStock(updated);
    }
    return publicConnection(updated);
  }

  async categories(id: string, scope: string | null): Promise<{ items: ChannelCategory[] }> {
    const conn = await this.get(id, scope);
    const adapter = await this.sync.adapterFor(conn);
    try {
      return { items: await adapter.categories() };
    } catch (e) {
      return upstream(e);
    }
  }

  async setProduct(id: string, scope: string | null, productId: string, dto: ChannelProductDto) {
    const conn = await this.get(id, scope);
    const [product] = await this.ds.query(`SELECT id FROM products WHERE id = $1 AND cooperative_id = $2`, [productId, conn.cooperative_id]);
    if (!product) throw notFound('Không tìm thấy sản phẩm / Product not found');
    const [current] = await this.ds.query(`SELECT listed, category_id, category_name, commission_rate FROM channel_products WHERE connection_id = $1 AND product_id = $2`, [id, productId]);
    let category: ChannelCategory | null = null;
    if (dto.categoryId !== undefined) {
      const { items } = await this.categories(id, scope);
      category = items.find((c) => c.id === dto.categoryId) ?? null;
      if (!category) throw badRequest(`Postmart không có danh mục ${dto.categoryId} / Postmart has no category ${dto.categoryId} (see GET /api/manage/channels/${id}/categories)`);
    }
    const listed = dto.listed ?? current?.listed ?? false;
    const categoryId = category?.id ?? (current?.category_id as number | null) ?? null;
    if (listed && categoryId === null) throw badRequest('Hãy chọn danh mục Postmart trước khi đăng bán / Choose a Postmart category (categoryId) before listing the product');
    await this.ds.query(
      `INSERT INTO channel_products (connection_id, product_id, listed, category_id, category_name, commission_rate, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (connection_id, product_id) DO UPDATE SET listed = EXCLUDED.listed, category_id = EXCLUDED.category_id,
         category_name = EXCLUDED.category_name, commission_rate = EXCLUDED.commission_rate, updated_at = now()`,
      [id, productId, listed, categoryId, category?.name ?? current?.category_name ?? null, category?.commissionRate ?? current?.commission_rate ?? null],
    );
    if (conn.enabled) await this.sync.enqueueListings(conn);
    return (await this.products(id, scope, productId)).items[0];
  }

  /** Sync status per product (and per variant): in_sync, pending, failed with the reason, last synced. */
  async products(id: string, scope: string | null, productId?: string) {
    const conn = await this.get(id, scope);
    const states = await this.sync.listingStates(conn, { all: true, productId });
    const byProduct = new Map<string, ListingState[]>();
    for (const s of states) byProduct.set(s.productId, [...(byProduct.get(s.productId) ?? []), s]);
    const items = [...byProduct.values()].map((vs) => {
      const statuses = vs.map(variantStatus);
      const status = statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'not_listed' as SyncStatus);
      const synced = vs.map((v) => v.lastSyncedAt).filter((d): d is Date => !!d);
      return {
        productId: vs[0].productId,
        name: vs[0].productName,
        listed: vs[0].listed,
        category: vs[0].categoryId === null ? null : { id: vs[0].categoryId, name: vs[0].categoryName, commissionRate: vs[0].commissionRate },
        status,
        lastError: vs.find((v) => v.status === 'failed')?.lastError ?? null,
        lastSyncedAt: synced.length ? new Date(Math.max(...synced.map((d) => new Date(d).getTime()))) : null,
        variants: vs.map((v, i) => ({
          variantId: v.variantId,
          sku: v.sku,
          name: v.variantName,
          status: statuses[i],
          shopPrice: v.shopPriceVnd,
          channelPrice: v.desired?.priceVnd ?? null,
          available: v.available,
          pushedStock: v.pushedStock,
          pushedPrice: v.pushedPrice,
          externalId: v.externalId,
          lastError: v.status === 'failed' ? v.lastError : null,
          lastSyncedAt: v.lastSyncedAt,
        })),
      };
    });
    const summary = { in_sync: 0, pending: 0, failed: 0, not_listed: 0 };
    for (const i of items) summary[i.status]++;
    return { summary, items };
  }

  async syncNow(id: string, scope: string | null) {
    const conn = await this.get(id, scope);
    if (!conn.enabled) throw conflict('Kết nối đang tắt / The connection is disabled; enable it first');
    await this.sync.enqueueListings(conn, true);
    await this.sync.enqueueStock(conn, true);
    await this.sync.enqueueOrderPoll(conn);
    return { queued: true };
  }

  private queues(): Queue[] {
    return [this.sync.listingsQueue, this.sync.stockQueue, this.sync.ordersQueue] as unknown as Queue[];
  }

  private jobView(queue: Queue, j: Job) {
    return {
      id: `${queue.name}:${j.id}`,
      queue: queue.name,
      name: j.name,
      failedReason: j.failedReason,
      attemptsMade: j.attemptsMade,
      failedAt: j.finishedOn ? new Date(j.finishedOn) : null,
      createdAt: new Date(j.timestamp),
    };
  }

  async failedJobs(id: string, scope: string | null) {
    await this.get(id, scope);
    const out: Array<ReturnType<ChannelsManageService['jobView']>> = [];
    for (const q of this.queues()) {
      for (const j of await q.getFailed(0, 499)) if ((j.data as { connectionId?: string }).connectionId === id) out.push(this.jobView(q, j));
    }
    return { items: out.sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0)) };
  }

  async retryJob(id: string, scope: string | null, jobRef: string) {
    await this.get(id, scope);
    const [queueName, ...rest] = jobRef.split(':');
    const queue = this.queues().find((q) => q.name === queueName);
    const job = queue ? await queue.getJob(rest.join(':')) : undefined;
    if (!queue || !job || (job.data as { connectionId?: string }).connectionId !== id) throw notFound('Không tìm thấy tác vụ / Job not found');
    if (!(await job.isFailed())) throw conflict('Tác vụ không ở trạng thái lỗi / The job has not failed');
    await job.retry('failed');
    return { retried: `${queue.name}:${job.id}` };
  }

  async orders(id: string, scope: string | null, state?: string) {
    await this.get(id, scope);
    const rows = await this.ds.query(
      `SELECT co.id, co.external_id, co.external_code, co.state, co.flag_reason, co.acknowledged_at, co.pushed_status, co.push_error, co.duplicates,
              co.created_at, co.updated_at, co.payload, o.id AS order_id, o.code AS order_code, o.status AS order_status
         FROM channel_orders co LEFT JOIN orders o ON o.id = co.order_id
        WHERE co.connection_id = $1 AND ($2::text IS NULL OR co.state = $2)
        ORDER BY co.created_at DESC LIMIT 500`,
      [id, state ?? null],
    );
    return {
      items: (rows as Array<Record<string, unknown>>).map((r) => ({
        id: r['id'],
        externalId: r['external_id'],
        externalCode: r['external_code'],
        state: r['state'],
        flagReason: r['flag_reason'],
        acknowledgedAt: r['acknowledged_at'],
        pushedStatus: r['pushed_status'],
        pushError: r['push_error'],
        duplicatesSeen: r['duplicates'],
        order: r['order_id'] ? { id: r['order_id'], code: r['order_code'], status: r['order_status'] } : null,
        items: ((r['payload'] as { items?: unknown[] })?.items ?? []) as unknown[],
        createdAt: r['created_at'],
      })),
    };
  }

  async dismiss(id: string, scope: string | null, channelOrderId: string, note: string) {
    await this.get(id, scope);
    const [[row]] = await this.ds.query(
      `UPDATE channel_orders SET state = 'dismissed', flag_reason = flag_reason || ' — ' || $3, updated_at = now()
       WHERE id = $1 AND connection_id = $2 AND state = 'flagged' RETURNING id`,
      [channelOrderId, id, note],
    );
    if (!row) throw notFound('Không có đơn bị gắn cờ này / No such flagged order');
    return { dismissed: channelOrderId };
  }
}
