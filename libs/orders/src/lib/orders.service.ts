import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import canonicalize from 'canonicalize';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogService, type VariantForSale } from '@htx/catalog';
import { availableByVariant, InventoryService, type LotAllocation, type StockShortage } from '@htx/inventory';
import { AppConfig, AppError, badRequest, checkAdminUnit, conflict, notFound, unprocessable, type AuthUser, type CommuneUnit, type ProvinceUnit } from '@htx/shared';
import { EXPIRE_CHECKOUT_JOB, ORDER_EXPIRY_QUEUE, type ExpireCheckoutJob } from './constants';
import { MAX_QUANTITY, type CheckoutDto, type PaymentMethod } from './dto';
import { ORDER_CODE_PATTERN, prefixCandidates } from './order-code';
import { maskPhone, normaliseVietnameseMobile } from './phone';
import { PaymentsService, type PaymentStep as ProviderPaymentStep } from '@htx/payments';
import { canTransition, ORDER_TRANSITIONS, stockEffect, type OrderStatus } from './state-machine';

export interface OrderForRecall {
  orderId: string;
  code: string;
  status: string;
  channel: string;
  placedAt: Date;
  customerName: string;
  customerPhone: string;
  customerEmail: string | null;
  shippingAddress: string;
  quantityFromLot: number;
}

/** What the shopper does next to pay: the payments lib's step, with the deadline of an online payment. */
export type PaymentStep = { step: 'pending_provider'; dueAt: string } | (ProviderPaymentStep & { dueAt?: string });

export interface CheckoutOrderSummary {
  id: string;
  code: string;
  cooperative: { id: string; slug: string; name: string };
  status: OrderStatus;
  subtotal: number;
  shippingFee: number;
  total: number;
}

export interface CheckoutResponse {
  checkoutId: string;
  orders: CheckoutOrderSummary[];
  total: number;
  paymentMethod: PaymentMethod;
  payment: PaymentStep;
}

export interface CheckoutResult {
  replayed: boolean;
  body: CheckoutResponse;
}

/** Who makes a transition, for the audit trail. */
export interface Actor {
  label: string;
  userId: string | null;
}

export const SYSTEM_ACTOR: Actor = { label: 'system', userId: null };
export const actorOf = (user: AuthUser): Actor => ({ label: `${user.role}:${user.email}`, userId: user.userId });

export interface CooperativeTerms {
  id: string;
  slug: string;
  name: string;
  flatFee: number;
  freeFrom: number | null;
  prefix: string | null;
}

export interface PreparedCheckout {
  dto: CheckoutDto;
  requestHash: string;
  phone: string;
  unit: { province: ProvinceUnit; commune: CommuneUnit };
  quantities: Map<string, number>;
  groups: Array<{ coop: CooperativeTerms; lines: Array<{ variant: VariantForSale; quantity: number; lineTotal: number }>; subtotal: number; shippingFee: number; total: number }>;
  total: number;
}

/** Prices fixed elsewhere (a marketplace order): line totals per variant id and the shipping fee, in VND. */
export interface ExternalPricing {
  lineTotalsVnd: Map<string, number>;
  shippingFeeVnd: number;
}

export interface PlaceOptions {
  channel: 'shop' | 'postmart';
  externalRef?: string | null;
  /** Back-dated orders (demo seed); default now. */
  placedAt?: Date | null;
  /** Do not queue the payment expiry job (back-dated demo orders). */
  skipExpiryJob?: boolean;
  /** The shopper's address, which VNPay wants with each payment. */
  clientIp?: string;
  /** Back-dated demo orders: no payment intent (their history is written as transitions). */
  skipPayment?: boolean;
}

export interface LockedOrder {
  id: string;
  code: string;
  status: OrderStatus;
  cooperative_id: string;
  checkout_id: string | null;
}

const NOT_FOUND_TRACKING = 'Không tìm thấy đơn hàng với mã và số điện thoại này / No order with this code and phone number';
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_\-:.]{8,200}$/;

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly config: AppConfig,
    @InjectQueue(ORDER_EXPIRY_QUEUE) private readonly expiryQueue: Queue<ExpireCheckoutJob>,
    private readonly payments: PaymentsService,
  ) {}

  // ---------------------------------------------------------------- checkout

  /**
   * Places the orders of a cart (one per cooperative) under one checkout. Idempotent on the key: the
   * checkouts row is inserted first with ON CONFLICT DO NOTHING, so a concurrent duplicate waits on the
   * unique index until the first one commits and then replays its stored response.
   */
  async checkout(idempotencyKey: string | undefined, dto: CheckoutDto, clientIp?: string): Promise<CheckoutResult> {
    const key = idempotencyKey?.trim();
    if (!key) throw badRequest('Thiếu tiêu đề Idempotency-Key / The Idempotency-Key header is required (a unique value per checkout, e.g. a UUID)');
    if (!IDEMPOTENCY_KEY.test(key)) throw badRequest('Idempotency-Key must be 8-200 characters of letters, digits, -, _, : or .');
    const prepared = await this.prepare(dto, this.ds.manager);
    try {
      return await this.ds.transaction((tx) => this.placeInTx(tx, key, prepared, { channel: 'shop', clientIp }));
    } catch (e) {
      // Every pooled connection busy for longer than the pool's wait: the shopper should retry, it is not their fault.
      if (e instanceof Error && /timeout exceeded when trying to connect/.test(e.message)) {
        throw new AppError(HttpStatus.SERVICE_UNAVAILABLE, 'Hệ thống đang bận, vui lòng thử lại / Busy, please retry with the same Idempotency-Key');
      }
      throw e;
    }
  }

  /** Validates a cart (phone, address, variants) and prices it, per cooperative; writes nothing but a missing order code prefix. */
  async prepare(dto: CheckoutDto, manager: EntityManager, pricing?: ExternalPricing): Promise<PreparedCheckout> {
    const requestHash = createHash('sha256').update(canonicalize(JSON.parse(JSON.stringify(dto))) ?? '').digest('hex');
    const phone = normaliseVietnameseMobile(dto.customer.phone);
    if (!phone.ok) throw badRequest(`customer.phone: ${phone.problem}`);
    const unit = checkAdminUnit(dto.shippingAddress.provinceCode, dto.shippingAddress.communeCode);
    if (!unit.ok) throw badRequest(`shippingAddress: ${unit.problem}`);

    const quantities = new Map<string, number>();
    for (const item of dto.items) quantities.set(item.variantId.toLowerCase(), (quantities.get(item.variantId.toLowerCase()) ?? 0) + item.quantity);
    const found = new Map((await this.catalog.getVariantsForSale([...quantities.keys()], manager)).map((v) => [v.variantId, v]));
    const unknown = [...quantities.keys()].filter((id) => !found.has(id));
    if (unknown.length) {
      throw badRequest(`Sản phẩm không tồn tại / Unknown product variant: ${unknown.join(', ')}`, { unknownVariantIds: unknown });
    }
    const wanted = [...found.values()].map((variant) => ({ variant, quantity: quantities.get(variant.variantId) ?? 0 }));
    const inactive = wanted.filter((w) => !w.variant.active);
    if (inactive.length) {
      throw conflict(`Sản phẩm đã ngừng bán / No longer on sale: ${inactive.map((w) => w.variant.sku).join(', ')}`, {
        inactiveVariantIds: inactive.map((w) => w.variant.variantId),
      });
    }
    const tooMany = wanted.filter((w) => w.quantity > MAX_QUANTITY);
    if (tooMany.length) throw badRequest(`quantity must be at most ${MAX_QUANTITY} per product; the cart asks more of ${tooMany.map((w) => w.variant.sku).join(', ')}`);

    const coopIds = [...new Set(wanted.map((w) => w.variant.cooperativeId))].sort();
    const terms = await this.cooperativeTerms(coopIds, manager);
    const groups = coopIds.map((coopId) => {
      const lines = wanted
        .filter((w) => w.variant.cooperativeId === coopId)
        .sort((a, b) => (a.variant.variantId < b.variant.variantId ? -1 : 1))
        .map((w) => {
          // A marketplace order keeps what its buyer paid there (the channel's price rule), not today's shop price.
          const external = pricing?.lineTotalsVnd.get(w.variant.variantId);
          if (pricing && external === undefined) throw badRequest(`No marketplace price for variant ${w.variant.variantId}`);
          const lineTotal = external ?? w.variant.priceVnd * w.quantity;
          const variant = external === undefined ? w.variant : { ...w.variant, priceVnd: Math.round(external / w.quantity) };
          return { variant, quantity: w.quantity, lineTotal };
        });
      const t = terms.get(coopId);
      if (!t) throw notFound(`Không tìm thấy hợp tác xã / No cooperative ${coopId}`);
      const subtotal = lines.reduce((s, l) => s + l.lineTotal, 0);
      const shippingFee = pricing ? pricing.shippingFeeVnd : t.freeFrom !== null && subtotal >= t.freeFrom ? 0 : t.flatFee;
      return { coop: t, lines, subtotal, shippingFee, total: subtotal + shippingFee };
    });
    const total = groups.reduce((s, g) => s + g.total, 0);
    if (!Number.isSafeInteger(total)) throw badRequest('The order total is too large');
    return { dto, requestHash, phone: phone.phone, unit: { province: unit.province, commune: unit.commune }, quantities, groups, total };
  }

  /**
   * Places a prepared cart inside the caller's transaction. Idempotent on the key: the checkouts row is
   * inserted first with ON CONFLICT DO NOTHING, so a concurrent duplicate waits on the unique index until
   * the first one commits and then replays its stored response. `channel`/`externalRef` serve marketplace
   * imports; `placedAt` serves the demo seed.
   */
  async placeInTx(tx: EntityManager, key: string, p: PreparedCheckout, opts: PlaceOptions): Promise<CheckoutResult> {
    const { dto } = p;
    const online = dto.paymentMethod !== 'cod';
    const timeoutMs = this.config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000;
    const placedAt = opts.placedAt ?? null;
    const channel = opts.channel;
    const status: OrderStatus = online ? 'awaiting_payment' : 'confirmed';
    const checkoutId = randomUUID();
    const groups = p.groups.map((g) => ({ ...g, orderId: randomUUID() }));
    const dueAt = online ? new Date((placedAt ?? new Date()).getTime() + timeoutMs) : null;
    // The response, stored for replays; order codes are filled in at the end (and read back on replay).
    const body: CheckoutResponse = {
      checkoutId,
      orders: groups.map((g) => ({ id: g.orderId, code: '', cooperative: { id: g.coop.id, slug: g.coop.slug, name: g.coop.name }, status, subtotal: g.subtotal, shippingFee: g.shippingFee, total: g.total })),
      total: p.total,
      paymentMethod: dto.paymentMethod,
      payment: dueAt ? { step: 'pending_provider', dueAt: dueAt.toISOString() } : { step: 'none', provider: 'cod' },
    };

    // 1. One statement: the checkout (ON CONFLICT on the key: a concurrent duplicate waits here for the first
    //    one to commit, then replays it), its orders under provisional codes, their lines and first audit rows.
    //    Nothing shared is locked yet.
    const orderRows = groups.map((g) => ({
      id: g.orderId, cooperative_id: g.coop.id, subtotal: g.subtotal, shipping_fee: g.shippingFee, total: g.total,
    }));
    const lineRows = groups.flatMap((g) => g.lines.map((l) => ({
      order_id: g.orderId, variant_id: l.variant.variantId, product_id: l.variant.productId, sku: l.variant.sku, product_name_vi: l.variant.productNameVi,
      variant_name_vi: l.variant.variantNameVi, unit_price_vnd: l.variant.priceVnd, quantity: l.quantity, line_total_vnd: l.lineTotal,
    })));
    const [inserted] = await tx.query(
      `WITH c AS (
         INSERT INTO checkouts (id, idempotency_key, request_hash, payment_method, total_vnd, response, payment_due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()))
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id),
       o AS (
         INSERT INTO orders (id, code, checkout_id, cooperative_id, channel, external_ref, status, payment_method, customer_name, customer_phone, customer_email,
                             province_code, province_name, commune_code, commune_name, address_line, note, subtotal_vnd, shipping_fee_vnd, total_vnd, placed_at, updated_at)
         SELECT x.id, 'PENDING-' || x.id::text, c.id, x.cooperative_id, $9, $10, $11, $4, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                x.subtotal, x.shipping_fee, x.total, coalesce($8::timestamptz, now()), coalesce($8::timestamptz, now())
         FROM c, jsonb_to_recordset($21::jsonb) AS x(id uuid, cooperative_id uuid, subtotal bigint, shipping_fee bigint, total bigint)
         RETURNING id),
       l AS (
         INSERT INTO order_lines (order_id, variant_id, product_id, sku, product_name_vi, variant_name_vi, unit_price_vnd, quantity, line_total_vnd)
         SELECT x.order_id, x.variant_id, x.product_id, x.sku, x.product_name_vi, x.variant_name_vi, x.unit_price_vnd, x.quantity, x.line_total_vnd
         FROM jsonb_to_recordset($22::jsonb) AS x(order_id uuid, variant_id uuid, product_id uuid, sku text, product_name_vi text, variant_name_vi text,
                                                  unit_price_vnd bigint, quantity int, line_total_vnd bigint)
         JOIN o ON o.id = x.order_id),
       t AS (
         INSERT INTO order_transitions (order_id, from_status, to_status, actor, note, created_at)
         SELECT o.id, t.from_status, t.to_status, t.actor, t.note, coalesce($8::timestamptz, clock_timestamp())
         FROM o, (VALUES (1, NULL::text, 'placed'::text, $23::text, NULL::text), (2, 'placed', $11::text, 'system', $24::text)) AS t(n, from_status, to_status, actor, note)
         ORDER BY o.id, t.n)
       SELECT id FROM c`,
      [checkoutId, key, p.requestHash, dto.paymentMethod, p.total, JSON.stringify(body), dueAt, placedAt,
        channel, opts.externalRef ?? null, status, dto.customer.name, p.phone, dto.customer.email ?? null,
        p.unit.province.code, p.unit.province.name, p.unit.commune.code, p.unit.commune.name, dto.shippingAddress.line, dto.note ?? null,
        JSON.stringify(orderRows), JSON.stringify(lineRows), channel === 'shop' ? 'customer' : channel,
        online ? `Chờ thanh toán ${dto.paymentMethod} / awaiting ${dto.paymentMethod} payment` : 'Thanh toán khi nhận hàng / cash on delivery'],
    );
    if (!inserted) return this.replay(tx, key, p.requestHash);

    if (online && !opts.skipExpiryJob) {
      // Queued before any stock is locked; if this transaction rolls back, the job finds nothing to expire.
      // Redis down must not stop a shopper from ordering: the repeating sweep (SWEEP_OVERDUE_JOB) finds any
      // checkout past its deadline in PostgreSQL, so the delayed job is the fast path, not the only one.
      await this.queueExpiry(checkoutId, timeoutMs);
    }

    // 2. Reserve in one global order (cooperative, then variant) so concurrent carts cannot deadlock.
    //    From here on the variants' stock rows stay locked until commit: keep the rest short.
    const shortages: StockShortage[] = [];
    // With several cooperatives, a later shortage must be reported against stock without this cart's earlier reservations.
    const multi = groups.length > 1;
    if (multi) await tx.query('SAVEPOINT checkout_reserve');
    for (const g of groups) {
      try {
        await this.inventory.reserve(tx, g.orderId, g.lines.map((l) => ({ variantId: l.variant.variantId, quantity: l.quantity })));
      } catch (e) {
        if (e instanceof AppError && e.getStatus() === HttpStatus.CONFLICT) {
          shortages.push(...(((e.getResponse() as { details?: StockShortage[] }).details ?? []) as StockShortage[]));
          break;
        }
        throw e;
      }
    }
    if (shortages.length) {
      if (multi) await tx.query('ROLLBACK TO SAVEPOINT checkout_reserve');
      throw await this.shortageError(tx, shortages, p);
    }

    // 3. Cash on delivery: allocate from lots now (FEFO).
    const allocations = new Map<string, LotAllocation[]>();
    if (!online) for (const g of groups) allocations.set(g.orderId, await this.inventory.allocate(tx, g.orderId));

    // 4. Last, one statement per order: its code from the per-cooperative-per-day counter (that row stays locked
    //    only until the commit that follows) and the lots its lines were allocated from.
    for (const [i, g] of groups.entries()) {
      const lots = [...lotsByVariant(allocations.get(g.orderId) ?? [])].map(([variantId, list]) => ({ variant_id: variantId, lots: list }));
      const [{ code }] = await tx.query(
        `WITH c AS (
           INSERT INTO order_code_counters (cooperative_id, day, last_value)
           VALUES ($2, (coalesce($4::timestamptz, now()) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 1)
           ON CONFLICT (cooperative_id, day) DO UPDATE SET last_value = order_code_counters.last_value + 1
           RETURNING last_value, day),
         u AS (
           UPDATE orders SET code = $3 || '-' || to_char(c.day, 'YYMMDD') || '-' || lpad(c.last_value::text, 4, '0')
           FROM c WHERE orders.id = $1 RETURNING orders.code),
         l AS (
           UPDATE order_lines ol SET lots = x.lots FROM jsonb_to_recordset($5::jsonb) AS x(variant_id uuid, lots jsonb)
           WHERE ol.order_id = $1 AND ol.variant_id = x.variant_id)
         SELECT code FROM u`,
        [g.orderId, g.coop.id, g.coop.prefix, placedAt, JSON.stringify(lots)],
      );
      body.orders[i].code = code;
    }

    // 5. The payment step (VNPay URL, VietQR payload, or none for cash on delivery), in the same transaction, and
    //    stored so that a replay of the same Idempotency-Key shows the shopper the same step.
    if (opts.skipPayment) return { replayed: false, body };
    const step = await this.payments.startPayment(tx, {
      checkoutId,
      idempotencyKey: key,
      method: dto.paymentMethod,
      amountVnd: p.total,
      orderCodes: body.orders.map((o) => o.code),
      cooperativeIds: groups.map((g) => g.coop.id),
      clientIp: opts.clientIp,
      expiresAt: dueAt ?? undefined,
    });
    body.payment = dueAt ? { ...step, dueAt: dueAt.toISOString() } : step;
    await tx.query(`UPDATE checkouts SET response = $2 WHERE id = $1`, [checkoutId, JSON.stringify(body)]);
    return { replayed: false, body };
  }

  /** Writes which lots (and how much of each) every line of the order was allocated from. */
  private async recordLots(tx: EntityManager, orderId: string, allocations: LotAllocation[]): Promise<void> {
    const lots = [...lotsByVariant(allocations)].map(([variantId, list]) => ({ variant_id: variantId, lots: list }));
    if (!lots.length) return;
    await tx.query(
      `UPDATE order_lines l SET lots = x.lots FROM jsonb_to_recordset($2::jsonb) AS x(variant_id uuid, lots jsonb)
       WHERE l.order_id = $1 AND l.variant_id = x.variant_id`,
      [orderId, JSON.stringify(lots)],
    );
  }

  private async replay(tx: EntityManager, key: string, requestHash: string): Promise<CheckoutResult> {
    const [existing] = await tx.query(
      `SELECT k.request_hash, k.response, (SELECT jsonb_object_agg(o.id, o.code) FROM orders o WHERE o.checkout_id = k.id) AS codes
       FROM checkouts k WHERE k.idempotency_key = $1`,
      [key],
    );
    if (!existing) throw new AppError(HttpStatus.SERVICE_UNAVAILABLE, 'Hệ thống đang bận, vui lòng thử lại / Busy, please retry');
    if (existing.request_hash !== requestHash) {
      throw unprocessable('Idempotency-Key này đã dùng cho một đơn khác / This Idempotency-Key was already used with a different request body; use a new key for a new checkout');
    }
    const body = existing.response as CheckoutResponse;
    const codes = (existing.codes ?? {}) as Record<string, string>;
    return { replayed: true, body: { ...body, orders: body.orders.map((o) => ({ ...o, code: codes[o.id] ?? o.code })) } };
  }

  /** 409 listing every short line of the cart (not only the first cooperative's); reads inside the transaction, never a second pooled connection. */
  private async shortageError(tx: EntityManager, fromInventory: StockShortage[], p: PreparedCheckout): Promise<AppError> {
    const available = await availableByVariant(tx, [...p.quantities.keys()]);
    const byVariant = new Map(fromInventory.map((s) => [s.variantId, s]));
    for (const [variantId, requested] of p.quantities) {
      const a = available.get(variantId) ?? 0;
      if (!byVariant.has(variantId) && a < requested) byVariant.set(variantId, { variantId, requested, available: a });
    }
    const shortages = [...byVariant.values()];
    const variants = new Map(p.groups.flatMap((g) => g.lines.map((l) => [l.variant.variantId, l.variant] as const)));
    const text = shortages
      .map((s) => {
        const v = variants.get(s.variantId);
        return `${v ? `${v.productNameVi} ${v.variantNameVi} (${v.sku})` : s.variantId}: requested ${s.requested}, available ${s.available}`;
      })
      .join('; ');
    return conflict(`Không đủ hàng / Not enough stock: ${text}`, shortages);
  }

  /** Shipping terms and order code prefix of each cooperative; gives a cooperative its prefix on its first order. */
  private async cooperativeTerms(ids: string[], manager: EntityManager): Promise<Map<string, CooperativeTerms>> {
    const read = async () =>
      (await manager.query(
        `SELECT id, slug, name, shipping_flat_fee_vnd, free_shipping_threshold_vnd, order_code_prefix FROM cooperatives WHERE id = ANY($1::uuid[])`,
        [ids],
      )) as Array<{ id: string; slug: string; name: string; shipping_flat_fee_vnd: string; free_shipping_threshold_vnd: string | null; order_code_prefix: string | null }>;
    let rows = await read();
    const missing = rows.filter((r) => !r.order_code_prefix);
    if (missing.length) {
      for (const r of missing) await this.assignPrefix(r.id, r.slug, manager);
      rows = await read();
    }
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          slug: r.slug,
          name: r.name,
          flatFee: Number(r.shipping_flat_fee_vnd),
          freeFrom: r.free_shipping_threshold_vnd === null ? null : Number(r.free_shipping_threshold_vnd),
          prefix: r.order_code_prefix,
        },
      ]),
    );
  }

  /** The first free prefix of the cooperative's candidates; the UNIQUE constraint settles races. */
  async assignPrefix(cooperativeId: string, slug: string, manager: EntityManager = this.ds.manager): Promise<string> {
    for (const candidate of prefixCandidates(slug)) {
      const taken = await manager.query(`SELECT 1 FROM cooperatives WHERE order_code_prefix = $1 AND id <> $2`, [candidate, cooperativeId]);
      if (taken.length) continue;
      try {
        await manager.query(`UPDATE cooperatives SET order_code_prefix = $2 WHERE id = $1 AND order_code_prefix IS NULL`, [cooperativeId, candidate]);
      } catch (e) {
        if ((e as { driverError?: { code?: string } }).driverError?.code === '23505') continue;
        throw e;
      }
      const [row] = await manager.query(`SELECT order_code_prefix FROM cooperatives WHERE id = $1`, [cooperativeId]);
      if (row?.order_code_prefix) return row.order_code_prefix;
    }
    throw new Error(`no order code prefix left for cooperative ${slug}`);
  }

  // ---------------------------------------------------------------- tracking

  async track(code: string, phoneInput: string) {
    const phone = normaliseVietnameseMobile(phoneInput);
    if (!phone.ok) throw badRequest(`phone: ${phone.problem}`);
    const normalisedCode = code.trim().toUpperCase();
    if (!ORDER_CODE_PATTERN.test(normalisedCode)) throw notFound(NOT_FOUND_TRACKING);
    const [order] = await this.ds.query(`SELECT id FROM orders WHERE code = $1 AND customer_phone = $2`, [normalisedCode, phone.phone]);
    if (!order) throw notFound(NOT_FOUND_TRACKING);
    const view = await this.orderView(order.id, null);
    return {
      code: view.code,
      status: view.status,
      channel: view.channel,
      cooperative: view.cooperative,
      placedAt: view.placedAt,
      paymentMethod: view.paymentMethod,
      customer: { name: view.customer.name, phone: maskPhone(view.customer.phone) },
      shippingAddress: view.shippingAddress,
      lines: view.lines.map((l) => ({ sku: l.sku, productNameVi: l.productNameVi, variantNameVi: l.variantNameVi, unitPrice: l.unitPrice, quantity: l.quantity, lineTotal: l.lineTotal })),
      subtotal: view.subtotal,
      shippingFee: view.shippingFee,
      total: view.total,
      history: view.history.map((h) => ({ from: h.from, to: h.to, at: h.at })),
      // While payment is awaited, the shopper can pick up where they left: the VNPay link or the VietQR code again.
      payment: view.status === 'awaiting_payment' && view.checkoutId ? await this.payments.paymentStepForCheckout(view.checkoutId) : null,
    };
  }

  /** Full view of one order; `cooperativeId` (when not null) must own it, else 404. */
  async orderView(orderId: string, cooperativeId: string | null, manager: EntityManager = this.ds.manager) {
    const [o] = await manager.query(
      `SELECT o.*, c.slug AS coop_slug, c.name AS coop_name FROM orders o JOIN cooperatives c ON c.id = o.cooperative_id
       WHERE o.id = $1 AND ($2::uuid IS NULL OR o.cooperative_id = $2)`,
      [orderId, cooperativeId],
    );
    if (!o) throw notFound('Không tìm thấy đơn hàng / Order not found');
    const lines = await manager.query(`SELECT * FROM order_lines WHERE order_id = $1 ORDER BY sku`, [orderId]);
    const history = await manager.query(`SELECT * FROM order_transitions WHERE order_id = $1 ORDER BY id`, [orderId]);
    return {
      id: o.id as string,
      code: o.code as string,
      checkoutId: o.checkout_id as string | null,
      status: o.status as OrderStatus,
      allowedTransitions: ORDER_TRANSITIONS[o.status as OrderStatus],
      channel: o.channel as string,
      externalRef: o.external_ref as string | null,
      paymentMethod: o.payment_method as string,
      cooperative: { id: o.cooperative_id as string, slug: o.coop_slug as string, name: o.coop_name as string },
      customer: { name: o.customer_name as string, phone: o.customer_phone as string, email: o.customer_email as string | null },
      shippingAddress: { provinceCode: o.province_code, provinceName: o.province_name, communeCode: o.commune_code, communeName: o.commune_name, line: o.address_line } as Record<string, string>,
      note: o.note as string | null,
      subtotal: Number(o.subtotal_vnd),
      shippingFee: Number(o.shipping_fee_vnd),
      total: Number(o.total_vnd),
      placedAt: o.placed_at as Date,
      updatedAt: o.updated_at as Date,
      lines: (lines as Array<Record<string, unknown>>).map((l) => ({
        id: l.id as string,
        variantId: l.variant_id as string,
        productId: l.product_id as string,
        sku: l.sku as string,
        productNameVi: l.product_name_vi as string,
        variantNameVi: l.variant_name_vi as string,
        unitPrice: Number(l.unit_price_vnd),
        quantity: l.quantity as number,
        lineTotal: Number(l.line_total_vnd),
        lots: l.lots as Array<{ lotId: string; lotCode: string; quantity: number; expiryDate: string | null }>,
      })),
      history: (history as Array<Record<string, unknown>>).map((h) => ({
        from: h.from_status as OrderStatus | null,
        to: h.to_status as OrderStatus,
        at: h.created_at as Date,
        actor: h.actor as string,
        actorUserId: h.actor_user_id as string | null,
        note: h.note as string | null,
      })),
    };
  }

  // ---------------------------------------------------------------- state machine

  /** A manager's transition: the order row is locked, the move checked against the one table, stock adjusted, the move audited. */
  async transition(orderId: string, cooperativeId: string | null, to: OrderStatus, actor: Actor, note: string | null) {
    await this.ds.transaction((tx) => this.transitionInTx(tx, orderId, cooperativeId, to, actor, note));
    return this.orderView(orderId, cooperativeId);
  }

  /** The same inside the caller's transaction (marketplace status sync, demo seed with a back-dated `at`). */
  async transitionInTx(tx: EntityManager, orderId: string, cooperativeId: string | null, to: OrderStatus, actor: Actor, note: string | null, at?: Date): Promise<void> {
    const [order] = (await tx.query(
      `SELECT id, code, status, cooperative_id, checkout_id FROM orders WHERE id = $1 AND ($2::uuid IS NULL OR cooperative_id = $2) FOR UPDATE`,
      [orderId, cooperativeId],
    )) as LockedOrder[];
    if (!order) throw notFound('Không tìm thấy đơn hàng / Order not found');
    await this.applyTransition(tx, order, to, actor, note, at);
    if (to === 'delivered' && order.checkout_id) await this.collectCashIfAllDelivered(tx, order.checkout_id, note);
  }

  /**
   * Cash on delivery: the payment succeeds when the courier has handed over every order of the checkout (a cart
   * from two cooperatives is one payment). Idempotent; does nothing for online payments or orders still on the way.
   */
  private async collectCashIfAllDelivered(tx: EntityManager, checkoutId: string, note: string | null): Promise<void> {
    const [pending] = await tx.query(
      `SELECT count(*) FILTER (WHERE status NOT IN ('delivered', 'cancelled', 'returned'))::int AS open, bool_and(payment_method = 'cod') AS cod
         FROM orders WHERE checkout_id = $1`,
      [checkoutId],
    );
    if (!pending?.cod || pending.open > 0) return;
    await this.payments.recordCashCollected(tx, checkoutId, note ?? 'Đã nhận tiền mặt khi giao hàng / cash received on delivery');
  }

  /** Moves a LOCKED order; refuses illegal moves with 409 naming the allowed ones. */
  async applyTransition(tx: EntityManager, order: LockedOrder, to: OrderStatus, actor: Actor, note: string | null, at?: Date): Promise<void> {
    if (!canTransition(order.status, to)) {
      const allowed = ORDER_TRANSITIONS[order.status];
      throw conflict(
        `Không thể chuyển đơn ${order.code} từ "${order.status}" sang "${to}" / Order ${order.code} cannot go from ${order.status} to ${to}; ` +
          (allowed.length ? `allowed: ${allowed.join(', ')}` : 'it is final'),
        { from: order.status, to, allowed },
      );
    }
    const effect = stockEffect(to);
    if (effect === 'allocate') {
      await this.recordLots(tx, order.id, await this.inventory.allocate(tx, order.id));
    } else if (effect === 'release') {
      await this.inventory.release(tx, order.id);
      await this.inventory.returnAllocated(tx, order.id, 'cancelled');
    } else if (effect === 'return') {
      await this.inventory.returnAllocated(tx, order.id, 'returned');
    }
    const when = at ?? null;
    const updated = await tx.query(
      `WITH u AS (UPDATE orders SET status = $3, updated_at = coalesce($4::timestamptz, now()) WHERE id = $1 AND status = $2 RETURNING id) SELECT id FROM u`,
      [order.id, order.status, to, when],
    );
    if (!updated.length) throw conflict('Đơn hàng vừa được thay đổi, hãy tải lại / The order changed meanwhile; reload it and try again');
    await tx.query(
      `INSERT INTO order_transitions (order_id, from_status, to_status, actor, actor_user_id, note, created_at) VALUES ($1,$2,$3,$4,$5,$6, coalesce($7::timestamptz, clock_timestamp()))`,
      [order.id, order.status, to, actor.label, actor.userId, note, when],
    );
    order.status = to;
  }

  private async lockCheckoutOrders(tx: EntityManager, checkoutId: string): Promise<LockedOrder[]> {
    return (await tx.query(`SELECT id, code, status, cooperative_id, checkout_id FROM orders WHERE checkout_id = $1 ORDER BY id FOR UPDATE`, [checkoutId])) as LockedOrder[];
  }

  /** For the payments lib: the checkout's unpaid orders → paid, stock allocated FEFO, in the caller's transaction. Idempotent. */
  async markCheckoutPaid(tx: EntityManager, checkoutId: string, note: string): Promise<void> {
    const orders = await this.lockCheckoutOrders(tx, checkoutId);
    if (!orders.length) throw notFound(`Không tìm thấy thanh toán / Checkout ${checkoutId} not found`);
    const cancelled = orders.filter((o) => o.status === 'cancelled');
    if (cancelled.length) {
      throw conflict(
        `Đơn ${cancelled.map((o) => o.code).join(', ')} đã bị hủy (quá hạn thanh toán?) nên không thể ghi nhận thanh toán; cần hoàn tiền / orders already cancelled, the payment must be refunded`,
        { cancelledOrders: cancelled.map((o) => o.code) },
      );
    }
    for (const o of orders) {
      if (o.status === 'placed') await this.applyTransition(tx, o, 'awaiting_payment', SYSTEM_ACTOR, null);
      if (o.status === 'awaiting_payment') await this.applyTransition(tx, o, 'paid', { label: 'payment', userId: null }, note);
    }
  }

  /** Unpaid orders of the checkout → cancelled, their reservations released. Idempotent; paid orders are left alone. */
  /** Queues the delayed expiry job (job id = checkout id, so at most once); waits at most 2 s for Redis. */
  private async queueExpiry(checkoutId: string, delayMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const added = this.expiryQueue
      .add(EXPIRE_CHECKOUT_JOB, { checkoutId }, { jobId: checkoutId, delay: delayMs, removeOnComplete: 1000, removeOnFail: 5000, attempts: 5, backoff: { type: 'exponential', delay: 5000 } })
      .then(() => true);
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 2000)));
    try {
      if (!(await Promise.race([added, timedOut]))) this.logger.warn(`payment expiry of checkout ${checkoutId} not queued yet (Redis slow or down); the overdue sweep will expire it`);
    } catch (e) {
      this.logger.warn(`cannot queue payment expiry of checkout ${checkoutId} (${(e as Error).message}); the overdue sweep will expire it`);
    } finally {
      clearTimeout(timer);
    }
    added.catch(() => undefined);
  }

  /** Checkouts whose payment time ended more than graceSeconds ago and that still have an unpaid order (for the sweep). */
  async overdueCheckoutIds(graceSeconds: number, limit = 500): Promise<string[]> {
    const rows = (await this.ds.query(
      // Driven by the partial index of unpaid orders (orders_unpaid_checkout_idx), never by the order history.
      `SELECT c.id FROM checkouts c
       WHERE c.id IN (SELECT o.checkout_id FROM orders o WHERE o.status IN ('placed', 'awaiting_payment') AND o.checkout_id IS NOT NULL)
         AND c.payment_due_at < now() - make_interval(secs => $1)
       ORDER BY c.payment_due_at LIMIT $2`,
      [graceSeconds, limit],
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  async expireCheckout(tx: EntityManager, checkoutId: string, reason: string): Promise<void> {
    const orders = await this.lockCheckoutOrders(tx, checkoutId);
    for (const o of orders) {
      if (o.status === 'placed' || o.status === 'awaiting_payment') await this.applyTransition(tx, o, 'cancelled', SYSTEM_ACTOR, reason);
    }
  }

  // ---------------------------------------------------------------- recalls

  /** Orders that received stock from a lot (for recalls), optionally only one cooperative's. */
  async listOrdersForLot(lotId: string, cooperativeId: string | null): Promise<OrderForRecall[]> {
    const orderIds = await this.inventory.orderIdsReceivingLot(lotId);
    if (!orderIds.length) return [];
    const quantity = new Map<string, number>();
    for (const a of await this.inventory.allocationsForOrders(orderIds)) {
      if (a.lotId === lotId) quantity.set(a.orderId, (quantity.get(a.orderId) ?? 0) + a.quantity);
    }
    const rows = await this.ds.query(
      `SELECT id, code, status, channel, placed_at, customer_name, customer_phone, customer_email, address_line, commune_name, province_name
       FROM orders WHERE id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR cooperative_id = $2) ORDER BY placed_at`,
      [orderIds, cooperativeId],
    );
    return (rows as Array<Record<string, string>>).map((r) => ({
      orderId: r.id,
      code: r.code,
      status: r.status,
      channel: r.channel,
      placedAt: new Date(r.placed_at),
      customerName: r.customer_name,
      customerPhone: r.customer_phone,
      customerEmail: r.customer_email,
      shippingAddress: `${r.address_line}, ${r.commune_name}, ${r.province_name}`,
      quantityFromLot: quantity.get(r.id) ?? 0,
    }));
  }
}

function lotsByVariant(allocations: LotAllocation[]) {
  const out = new Map<string, Array<{ lotId: string; lotCode: string; quantity: number; expiryDate: string | null }>>();
  for (const a of allocations) {
    const list = out.get(a.variantId) ?? [];
    out.set(a.variantId, list);
    list.push({ lotId: a.lotId, lotCode: a.lotCode, quantity: a.quantity, expiryDate: a.expiryDate });
  }
  return out;
}

