import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser, badRequest, notFound, toPage } from '@htx/shared';
import { cooperativeScope, requireCooperative } from '@htx/identity';
import type { StockAvailability } from '@htx/catalog';
import type { LotListQuery, LowStockQuery, NearExpiryQuery, ReceiveLotDto, StockQuery } from './dto';
import * as ops from './inventory.ops';
import { lotColumns, TODAY_VN, UUID_RE } from './inventory.ops';
import type { LotAllocation, LotView } from './inventory.types';

/** Lots, stock counters, the movement ledger; reservation and FEFO allocation for orders. */
@Injectable()
export class InventoryService implements StockAvailability {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  // ---------------------------------------------------------------- contract

  reserve(tx: EntityManager, orderId: string, lines: { variantId: string; quantity: number }[]): Promise<void> {
    return ops.reserve(tx, orderId, lines);
  }

  release(tx: EntityManager, orderId: string): Promise<void> {
    return ops.release(tx, orderId);
  }

  allocate(tx: EntityManager, orderId: string): Promise<LotAllocation[]> {
    return ops.allocate(tx, orderId);
  }

  returnAllocated(tx: EntityManager, orderId: string, reason: 'cancelled' | 'returned'): Promise<void> {
    return ops.returnAllocated(tx, orderId, reason);
  }

  allocationsForOrders(orderIds: string[]): Promise<LotAllocation[]> {
    return ops.allocationsForOrders(this.ds.manager, orderIds);
  }

  async orderIdsReceivingLot(lotId: string): Promise<string[]> {
    if (!UUID_RE.test(lotId)) return [];
    const rows: { orderId: string }[] = await this.ds.query(
      `SELECT order_id AS "orderId" FROM inventory_allocations WHERE lot_id = $1 GROUP BY order_id ORDER BY min(created_at)`,
      [lotId],
    );
    return rows.map((r) => r.orderId);
  }

  async getLot(lotId: string): Promise<LotView | null> {
    if (!UUID_RE.test(lotId)) return null;
    const [lot] = await this.ds.query(`SELECT ${lotColumns()} FROM inventory_lots l WHERE l.id = $1`, [lotId]);
    return lot ?? null;
  }

  async findLot(variantId: string, lotCode: string): Promise<LotView | null> {
    if (!UUID_RE.test(variantId) || typeof lotCode !== 'string') return null;
    const [lot] = await this.ds.query(`SELECT ${lotColumns()} FROM inventory_lots l WHERE l.variant_id = $1 AND l.lot_code = $2`, [variantId, lotCode]);
    return lot ?? null;
  }

  markRecalled(tx: EntityManager, lotId: string, reason: string): Promise<void> {
    return ops.markRecalled(tx, lotId, reason);
  }

  availableByVariant(variantIds: string[]): Promise<Map<string, number>> {
    return ops.availableByVariant(this.ds.manager, variantIds);
  }

  // ---------------------------------------------------------------- manager

  async receive(user: AuthUser, dto: ReceiveLotDto): Promise<LotView> {
    const cooperativeId = requireCooperative(user, dto.cooperativeId);
    if (dto.expiryDate) {
      const [{ past }] = await this.ds.query(`SELECT $1::date < ${TODAY_VN} AS past`, [dto.expiryDate]);
      if (past) throw badRequest(`Lô đã hết hạn / expiryDate ${dto.expiryDate} is in the past: an expired lot cannot be received for sale`);
    }
    return this.ds.transaction((tx) =>
      ops.receiveLot(tx, {
        cooperativeId,
        variantId: dto.variantId,
        lotCode: dto.lotCode,
        harvestDate: dto.harvestDate,
        expiryDate: dto.expiryDate,
        quantity: dto.quantity,
        note: dto.note,
        actorId: user.userId,
      }),
    );
  }

  adjust(user: AuthUser, lotId: string, delta: number, reason: string): Promise<LotView> {
    const scope = cooperativeScope(user);
    return this.ds.transaction((tx) => ops.adjustLot(tx, lotId, delta, reason, scope, user.userId));
  }

  async lotDetail(user: AuthUser, lotId: string) {
    const scope = cooperativeScope(user);
    const [lot] = UUID_RE.test(lotId)
      ? await this.ds.query(
          `SELECT ${lotColumns()}, v.sku, v.gtin, v.name_vi AS "variantNameVi", p.name_vi AS "productNameVi", p.id AS "productId",
                  (l.expiry_date < ${TODAY_VN}) AS expired
             FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
            WHERE l.id = $1 AND ($2::uuid IS NULL OR l.cooperative_id = $2)`,
          [lotId, scope],
        )
      : [];
    if (!lot) throw notFound(`Không tìm thấy lô / No lot ${lotId} in your cooperative`);
    const [movements, allocations] = await Promise.all([
      this.ds.query(
        `SELECT id::text, kind, quantity, order_id AS "orderId", reason, actor_id AS "actorId", created_at AS "createdAt"
           FROM inventory_movements WHERE lot_id = $1 ORDER BY id`,
        [lotId],
      ),
      this.ds.query(
        `SELECT order_id AS "orderId", quantity, returned, created_at AS "createdAt" FROM inventory_allocations WHERE lot_id = $1 ORDER BY created_at`,
        [lotId],
      ),
    ]);
    return { ...lot, movements, allocations };
  }

  /** Lots of the caller's cooperative, newest first, optionally of one variant or by lot-code prefix. */
  async listLots(user: AuthUser, q: LotListQuery) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const prefix = q.lotCode ? `${q.lotCode.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const where = `($1::uuid IS NULL OR l.cooperative_id = $1) AND ($2::uuid IS NULL OR l.variant_id = $2) AND ($3::text IS NULL OR l.lot_code LIKE $3)`;
    const params = [scope, q.variantId ?? null, prefix];
    const [rows, [{ total }]] = await Promise.all([
      this.ds.query(
        `SELECT ${lotColumns()}, v.sku, v.gtin, v.name_vi AS "variantNameVi", p.name_vi AS "productNameVi",
                coalesce(l.expiry_date < ${TODAY_VN}, false) AS expired
           FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
          WHERE ${where} ORDER BY l.created_at DESC, l.id LIMIT $4 OFFSET $5`,
        [...params, q.pageSize, q.offset],
      ),
      this.ds.query(`SELECT count(*)::int AS total FROM inventory_lots l WHERE ${where}`, params),
    ]);
    return toPage(rows, total, q);
  }

  /** Stock per variant with its lots. */
  async listStock(user: AuthUser, q: StockQuery) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const where = `($1::uuid IS NULL OR v.cooperative_id = $1) AND ($2::uuid IS NULL OR v.id = $2) AND ($3::uuid IS NULL OR v.product_id = $3)`;
    const params = [scope, q.variantId ?? null, q.productId ?? null];
    const [rows, [{ total }]] = await Promise.all([
      this.ds.query(
        `SELECT v.id AS "variantId", v.sku, v.gtin, v.name_vi AS "variantNameVi", p.id AS "productId", p.name_vi AS "productNameVi",
                p.status AS "productStatus", v.active,
                coalesce(s.on_hand, 0) AS "onHand", coalesce(s.reserved, 0) AS reserved, coalesce(s.blocked, 0) AS blocked,
                coalesce(e.expired, 0)::int AS expired,
                greatest(coalesce(s.on_hand - s.blocked - s.reserved, 0) - coalesce(e.expired, 0), 0)::int AS available,
                coalesce((SELECT json_agg(json_build_object('id', l.id, 'lotCode', l.lot_code, 'harvestDate', l.harvest_date, 'expiryDate', l.expiry_date,
                          'quantityReceived', l.quantity_received, 'onHand', l.on_hand, 'recalledAt', l.recalled_at,
                          'expired', coalesce(l.expiry_date < ${TODAY_VN}, false))
                          ORDER BY l.expiry_date NULLS LAST, l.created_at)
                   FROM inventory_lots l WHERE l.variant_id = v.id), '[]'::json) AS lots
           FROM product_variants v JOIN products p ON p.id = v.product_id
           LEFT JOIN inventory_stock s ON s.variant_id = v.id
           LEFT JOIN LATERAL (SELECT sum(l.on_hand) AS expired FROM inventory_lots l
                               WHERE l.variant_id = v.id AND l.recalled_at IS NULL AND l.expiry_date < ${TODAY_VN}) e ON true
          WHERE ${where}
          ORDER BY p.name_vi, v.sort_order, v.sku LIMIT $4 OFFSET $5`,
        [...params, q.pageSize, q.offset],
      ),
      this.ds.query(`SELECT count(*)::int AS total FROM product_variants v WHERE ${where}`, params),
    ]);
    return toPage(rows, total, q);
  }

  /** Active variants of published or draft products with at most `threshold` packs available. */
  async lowStock(user: AuthUser, q: LowStockQuery) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const items = await this.ds.query(
      `SELECT * FROM (
         SELECT v.id AS "variantId", v.sku, v.name_vi AS "variantNameVi", p.id AS "productId", p.name_vi AS "productNameVi",
                coalesce(s.on_hand, 0) AS "onHand", coalesce(s.reserved, 0) AS reserved,
                greatest(coalesce(s.on_hand - s.blocked - s.reserved, 0) - coalesce((
                  SELECT sum(l.on_hand) FROM inventory_lots l
                   WHERE l.variant_id = v.id AND l.recalled_at IS NULL AND l.expiry_date < ${TODAY_VN}), 0), 0)::int AS available
           FROM product_variants v JOIN products p ON p.id = v.product_id
           LEFT JOIN inventory_stock s ON s.variant_id = v.id
          WHERE v.active AND p.status <> 'archived' AND ($1::uuid IS NULL OR v.cooperative_id = $1)) x
        WHERE available <= $2 ORDER BY available, "productNameVi", sku`,
      [scope, q.threshold],
    );
    return { threshold: q.threshold, items };
  }

  /** Lots with stock expiring within `days` days (and those already expired), soonest first. */
  async nearExpiry(user: AuthUser, q: NearExpiryQuery) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const items = await this.ds.query(
      `SELECT ${lotColumns()}, v.sku, v.name_vi AS "variantNameVi", p.name_vi AS "productNameVi",
              (l.expiry_date - ${TODAY_VN}) AS "daysLeft", (l.expiry_date < ${TODAY_VN}) AS expired
         FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
        WHERE l.on_hand > 0 AND l.recalled_at IS NULL AND l.expiry_date IS NOT NULL
          AND l.expiry_date <= ${TODAY_VN} + $2::int AND ($1::uuid IS NULL OR l.cooperative_id = $1)
        ORDER BY l.expiry_date, l.lot_code`,
      [scope, q.days],
    );
    return { days: q.days, items };
  }

  /** The ledger of one variant (newest first). */
  async movements(user: AuthUser, variantId: string, page: { page: number; pageSize: number; offset: number }) {
    const scope = cooperativeScope(user);
    const [v] = UUID_RE.test(variantId)
      ? await this.ds.query(`SELECT id FROM product_variants WHERE id = $1 AND ($2::uuid IS NULL OR cooperative_id = $2)`, [variantId, scope])
      : [];
    if (!v) throw notFound(`Không tìm thấy loại hàng / No variant ${variantId} in your cooperative`);
    const [rows, [{ total }]] = await Promise.all([
      this.ds.query(
        `SELECT m.id::text, m.kind, m.quantity, m.lot_id AS "lotId", l.lot_code AS "lotCode", m.order_id AS "orderId", m.reason,
                m.actor_id AS "actorId", m.created_at AS "createdAt"
           FROM inventory_movements m LEFT JOIN inventory_lots l ON l.id = m.lot_id
          WHERE m.variant_id = $1 ORDER BY m.id DESC LIMIT $2 OFFSET $3`,
        [variantId, page.pageSize, page.offset],
      ),
      this.ds.query(`SELECT count(*)::int AS total FROM inventory_movements WHERE variant_id = $1`, [variantId]),
    ]);
    return toPage(rows, total, page);
  }
}
