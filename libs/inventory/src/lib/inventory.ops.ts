import { HttpStatus } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { AppError, badRequest, conflict, notFound } from '@htx/shared';
import type { LotAllocation, LotView, ReceiveLotInput, StockShortage } from './inventory.types';

/**
 * The stock operations, as functions of a transaction (EntityManager) so that services, other domains' transactions
 * and the seed share one implementation. Lock order everywhere: an order's reservation/allocation rows, then
 * inventory_stock rows by variant id, then inventory_lots rows (FEFO order). Every counter change writes its ledger
 * row in the same transaction.
 */

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Today's date in Vietnam: a lot expiring "2026-11-23" is sellable until the end of that day there. */
export const TODAY_VN = `(now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;
const MAX_QUANTITY = 1_000_000;

const LOT_COLUMNS = `l.id, l.cooperative_id AS "cooperativeId", l.variant_id AS "variantId", l.lot_code AS "lotCode",
  l.harvest_date::text AS "harvestDate", l.expiry_date::text AS "expiryDate", l.quantity_received AS "quantityReceived",
  l.on_hand AS "onHand", l.recalled_at AS "recalledAt", l.recall_reason AS "recallReason", l.created_at AS "createdAt"`;

export function lotColumns(alias = 'l'): string {
  return LOT_COLUMNS.replace(/\bl\./g, `${alias}.`);
}

function assertOrderId(orderId: string) {
  if (!UUID_RE.test(orderId)) throw badRequest(`orderId must be a UUID, got "${orderId}"`);
}

function assertQuantity(q: number, what: string) {
  if (!Number.isSafeInteger(q) || q <= 0 || q > MAX_QUANTITY) {
    throw badRequest(`${what} phải là số nguyên từ 1 đến ${MAX_QUANTITY} / ${what} must be a whole number from 1 to ${MAX_QUANTITY}, got ${q}`);
  }
}

/** Available to sell now: on hand, minus recalled and expired stock, minus what is reserved. Unknown variants: 0. */
export async function availableByVariant(m: EntityManager, variantIds: string[]): Promise<Map<string, number>> {
  const ids = [...new Set(variantIds.filter((id) => UUID_RE.test(id)))];
  const out = new Map<string, number>(ids.map((id) => [id, 0]));
  if (ids.length === 0) return out;
  const rows: { variantId: string; available: number }[] = await m.query(
    `SELECT s.variant_id AS "variantId",
            greatest(s.on_hand - s.blocked - s.reserved - coalesce((
              SELECT sum(l.on_hand) FROM inventory_lots l
               WHERE l.variant_id = s.variant_id AND l.recalled_at IS NULL AND l.expiry_date < ${TODAY_VN}), 0), 0)::int AS available
       FROM inventory_stock s WHERE s.variant_id = ANY($1::uuid[])`,
    [ids],
  );
  for (const r of rows) out.set(r.variantId, r.available);
  return out;
}

/**
 * Reserves every line or none. Each line is one conditional UPDATE of the variant's counter row (the row lock
 * serialises concurrent buyers; the WHERE re-checks against the latest committed row), in variant-id order.
 * A shortage rolls back to a savepoint, so nothing of this call remains, and answers 409 listing every short line.
 */
export async function reserve(tx: EntityManager, orderId: string, lines: { variantId: string; quantity: number }[]): Promise<void> {
  assertOrderId(orderId);
  if (!Array.isArray(lines) || lines.length === 0) throw badRequest('Không có dòng hàng nào / Nothing to reserve: lines is empty');
  const wanted = new Map<string, number>();
  for (const [i, l] of lines.entries()) {
    if (!l || typeof l.variantId !== 'string' || !UUID_RE.test(l.variantId)) throw badRequest(`lines[${i}].variantId must be a variant id (UUID)`);
    assertQuantity(l.quantity, `lines[${i}].quantity`);
    wanted.set(l.variantId, (wanted.get(l.variantId) ?? 0) + l.quantity);
  }
  for (const [v, q] of wanted) assertQuantity(q, `total quantity of variant ${v}`);
  const ordered = [...wanted.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await tx.query('SAVEPOINT inventory_reserve');
  const short: { variantId: string; requested: number }[] = [];
  for (const [variantId, quantity] of ordered) {
    const [{ n }] = await tx.query(
      `WITH upd AS (
         UPDATE inventory_stock s SET reserved = s.reserved + $2, updated_at = now()
          WHERE s.variant_id = $1
            AND s.reserved + $2 <= s.on_hand - s.blocked - coalesce((
                  SELECT sum(l.on_hand) FROM inventory_lots l
                   WHERE l.variant_id = $1 AND l.recalled_at IS NULL AND l.expiry_date < ${TODAY_VN}), 0)
          RETURNING s.cooperative_id),
       mv AS (
         INSERT INTO inventory_movements (cooperative_id, variant_id, order_id, kind, quantity)
         SELECT cooperative_id, $1, $3, 'reservation', $2 FROM upd),
       rs AS (
         INSERT INTO inventory_reservations (order_id, variant_id, reserved) SELECT $3, $1, $2 FROM upd
         ON CONFLICT (order_id, variant_id) DO UPDATE SET reserved = inventory_reservations.reserved + EXCLUDED.reserved, updated_at = now())
       SELECT count(*)::int AS n FROM upd`,
      [variantId, quantity, orderId],
    );
    if (n === 0) short.push({ variantId, requested: quantity });
  }
  if (short.length === 0) {
    await tx.query('RELEASE SAVEPOINT inventory_reserve');
    return;
  }
  await tx.query('ROLLBACK TO SAVEPOINT inventory_reserve');
  const available = await availableByVariant(tx, short.map((s) => s.variantId));
  const details: StockShortage[] = short.map((s) => ({ ...s, available: available.get(s.variantId) ?? 0 }));
  throw new AppError(
    HttpStatus.CONFLICT,
    `Không đủ hàng / Not enough stock: ${details.map((d) => `variant ${d.variantId} requested ${d.requested}, available ${d.available}`).join('; ')}`,
    details,
  );
}

/** Frees what is still reserved for the order (idempotent: a second call finds nothing reserved). */
export async function release(tx: EntityManager, orderId: string): Promise<void> {
  assertOrderId(orderId);
  const rows: { variantId: string; reserved: number }[] = await tx.query(
    `SELECT variant_id AS "variantId", reserved FROM inventory_reservations WHERE order_id = $1 AND reserved > 0 ORDER BY variant_id FOR UPDATE`,
    [orderId],
  );
  for (const r of rows) {
    await tx.query(
      `WITH upd AS (UPDATE inventory_stock SET reserved = reserved - $2, updated_at = now() WHERE variant_id = $1 RETURNING cooperative_id)
       INSERT INTO inventory_movements (cooperative_id, variant_id, order_id, kind, quantity) SELECT cooperative_id, $1, $3, 'release', -$2::int FROM upd`,
      [r.variantId, r.reserved, orderId],
    );
    await tx.query(
      `UPDATE inventory_reservations SET reserved = 0, released = released + $3, updated_at = now() WHERE order_id = $1 AND variant_id = $2`,
      [orderId, r.variantId, r.reserved],
    );
  }
}

/**
 * Greedy pick over lots already sorted first-expiring-first: takes from each lot in turn until `need` is covered.
 * Returns the takes and how much could not be covered.
 */
export function planAllocation(lots: { id: string; onHand: number }[], need: number): { takes: { lotId: string; quantity: number }[]; missing: number } {
  const takes: { lotId: string; quantity: number }[] = [];
  let missing = need;
  for (const lot of lots) {
    if (missing === 0) break;
    const take = Math.min(missing, lot.onHand);
    if (take <= 0) continue;
    takes.push({ lotId: lot.id, quantity: take });
    missing -= take;
  }
  return { takes, missing };
}

/**
 * Turns the order's reservations into lot allocations, first-expiring-first (lots without expiry last; expired and
 * recalled lots skipped). Idempotent: with nothing left reserved it only returns the order's allocations.
 */
export async function allocate(tx: EntityManager, orderId: string): Promise<LotAllocation[]> {
  assertOrderId(orderId);
  const rows: { variantId: string; reserved: number }[] = await tx.query(
    `SELECT variant_id AS "variantId", reserved FROM inventory_reservations WHERE order_id = $1 AND reserved > 0 ORDER BY variant_id FOR UPDATE`,
    [orderId],
  );
  for (const r of rows) {
    const [stock] = await tx.query(`SELECT cooperative_id AS "cooperativeId" FROM inventory_stock WHERE variant_id = $1 FOR UPDATE`, [r.variantId]);
    const lots: { id: string; onHand: number }[] = await tx.query(
      `SELECT id, on_hand AS "onHand" FROM inventory_lots
        WHERE variant_id = $1 AND recalled_at IS NULL AND on_hand > 0 AND (expiry_date IS NULL OR expiry_date >= ${TODAY_VN})
        ORDER BY expiry_date ASC NULLS LAST, harvest_date ASC NULLS LAST, created_at, id
        FOR UPDATE`,
      [r.variantId],
    );
    const { takes, missing: need } = planAllocation(lots, r.reserved);
    if (need > 0 || !stock) {
      const usable = r.reserved - need;
      throw conflict(
        `Các lô còn hạn không đủ hàng để xuất / Unexpired, unrecalled lots hold only ${usable} of the ${r.reserved} reserved for variant ${r.variantId}`,
        [{ variantId: r.variantId, requested: r.reserved, available: usable }],
      );
    }
    for (const t of takes) {
      await tx.query(`UPDATE inventory_lots SET on_hand = on_hand - $2 WHERE id = $1`, [t.lotId, t.quantity]);
      await tx.query(
        `INSERT INTO inventory_allocations (order_id, lot_id, variant_id, quantity) VALUES ($1, $2, $3, $4)
         ON CONFLICT (order_id, lot_id) DO UPDATE SET quantity = inventory_allocations.quantity + EXCLUDED.quantity`,
        [orderId, t.lotId, r.variantId, t.quantity],
      );
      await tx.query(
        `INSERT INTO inventory_movements (cooperative_id, variant_id, lot_id, order_id, kind, quantity) VALUES ($1, $2, $3, $4, 'allocation', $5)`,
        [stock.cooperativeId, r.variantId, t.lotId, orderId, -t.quantity],
      );
    }
    await tx.query(`UPDATE inventory_stock SET on_hand = on_hand - $2, reserved = reserved - $2, updated_at = now() WHERE variant_id = $1`, [
      r.variantId,
      r.reserved,
    ]);
    await tx.query(
      `UPDATE inventory_reservations SET reserved = 0, allocated = allocated + $3, updated_at = now() WHERE order_id = $1 AND variant_id = $2`,
      [orderId, r.variantId, r.reserved],
    );
  }
  return allocationsForOrders(tx, [orderId]);
}

/** Puts the order's allocated stock back into its lots (idempotent). Stock returned into a recalled lot stays blocked. */
export async function returnAllocated(tx: EntityManager, orderId: string, reason: 'cancelled' | 'returned'): Promise<void> {
  assertOrderId(orderId);
  if (reason !== 'cancelled' && reason !== 'returned') throw badRequest(`reason must be cancelled or returned, got "${String(reason)}"`);
  const rows: { lotId: string; variantId: string; remaining: number }[] = await tx.query(
    `SELECT lot_id AS "lotId", variant_id AS "variantId", quantity - returned AS remaining FROM inventory_allocations
      WHERE order_id = $1 AND returned < quantity ORDER BY variant_id, lot_id FOR UPDATE`,
    [orderId],
  );
  const byVariant = new Map<string, typeof rows>();
  for (const r of rows) byVariant.set(r.variantId, [...(byVariant.get(r.variantId) ?? []), r]);
  for (const [variantId, allocs] of byVariant) {
    await tx.query(`SELECT 1 FROM inventory_stock WHERE variant_id = $1 FOR UPDATE`, [variantId]);
    let total = 0;
    let blocked = 0;
    for (const a of allocs) {
      const [lot] = await tx.query(
        `WITH u AS (UPDATE inventory_lots SET on_hand = on_hand + $2 WHERE id = $1 RETURNING cooperative_id, recalled_at)
         SELECT cooperative_id AS "cooperativeId", recalled_at IS NOT NULL AS recalled FROM u`,
        [a.lotId, a.remaining],
      );
      await tx.query(
        `INSERT INTO inventory_movements (cooperative_id, variant_id, lot_id, order_id, kind, quantity, reason) VALUES ($1, $2, $3, $4, 'return', $5, $6)`,
        [lot.cooperativeId, variantId, a.lotId, orderId, a.remaining, reason],
      );
      await tx.query(`UPDATE inventory_allocations SET returned = quantity WHERE order_id = $1 AND lot_id = $2`, [orderId, a.lotId]);
      total += a.remaining;
      if (lot.recalled) blocked += a.remaining;
    }
    await tx.query(`UPDATE inventory_stock SET on_hand = on_hand + $2, blocked = blocked + $3, updated_at = now() WHERE variant_id = $1`, [
      variantId,
      total,
      blocked,
    ]);
  }
}

export async function allocationsForOrders(m: EntityManager, orderIds: string[]): Promise<LotAllocation[]> {
  const ids = [...new Set(orderIds.filter((id) => UUID_RE.test(id)))];
  if (ids.length === 0) return [];
  return m.query(
    `SELECT a.order_id AS "orderId", a.variant_id AS "variantId", a.lot_id AS "lotId", l.lot_code AS "lotCode", a.quantity,
            l.expiry_date::text AS "expiryDate"
       FROM inventory_allocations a JOIN inventory_lots l ON l.id = a.lot_id
      WHERE a.order_id = ANY($1::uuid[])
      ORDER BY a.order_id, a.variant_id, l.expiry_date NULLS LAST, a.created_at`,
    [ids],
  );
}

/** Withdraws a lot from sale for good (idempotent). Its stock is counted as blocked; it is never allocated again. */
export async function markRecalled(tx: EntityManager, lotId: string, reason: string, actorId: string | null = null): Promise<void> {
  if (!UUID_RE.test(lotId)) throw notFound(`Không tìm thấy lô / No lot ${lotId}`);
  const why = (reason ?? '').trim();
  if (why.length === 0) throw badRequest('Cần ghi lý do thu hồi / A recall needs a reason');
  const [lot] = await tx.query(`SELECT variant_id AS "variantId" FROM inventory_lots WHERE id = $1`, [lotId]);
  if (!lot) throw notFound(`Không tìm thấy lô / No lot ${lotId}`);
  await tx.query(`SELECT 1 FROM inventory_stock WHERE variant_id = $1 FOR UPDATE`, [lot.variantId]);
  const [recalled] = await tx.query(
    `WITH u AS (UPDATE inventory_lots SET recalled_at = now(), recall_reason = $2 WHERE id = $1 AND recalled_at IS NULL
                RETURNING on_hand, cooperative_id)
     SELECT on_hand AS "onHand", cooperative_id AS "cooperativeId" FROM u`,
    [lotId, why],
  );
  if (!recalled) return;
  await tx.query(`UPDATE inventory_stock SET blocked = blocked + $2, updated_at = now() WHERE variant_id = $1`, [lot.variantId, recalled.onHand]);
  await tx.query(
    `INSERT INTO inventory_movements (cooperative_id, variant_id, lot_id, kind, quantity, reason, actor_id) VALUES ($1, $2, $3, 'recall', $4, $5, $6)`,
    [recalled.cooperativeId, lot.variantId, lotId, recalled.onHand, why, actorId],
  );
}

/** Records a received lot: the lot row, the variant's counters and a receipt movement, in the caller's transaction. */
export async function receiveLot(tx: EntityManager, input: ReceiveLotInput): Promise<LotView> {
  assertQuantity(input.quantity, 'quantity');
  if (!UUID_RE.test(input.variantId)) throw badRequest('variantId must be a variant id (UUID)');
  const [variant] = await tx.query(`SELECT cooperative_id AS "cooperativeId" FROM product_variants WHERE id = $1`, [input.variantId]);
  if (!variant || variant.cooperativeId !== input.cooperativeId) {
    throw notFound(`Không tìm thấy loại hàng / No variant ${input.variantId} in your cooperative`);
  }
  if (input.harvestDate && input.expiryDate && input.expiryDate < input.harvestDate) {
    throw badRequest(`Hạn dùng trước ngày thu hoạch / expiryDate (${input.expiryDate}) is before harvestDate (${input.harvestDate})`);
  }
  await tx.query(
    `INSERT INTO inventory_stock (variant_id, cooperative_id, on_hand) VALUES ($1, $2, $3)
     ON CONFLICT (variant_id) DO UPDATE SET on_hand = inventory_stock.on_hand + EXCLUDED.on_hand, updated_at = now()`,
    [input.variantId, input.cooperativeId, input.quantity],
  );
  let lot: LotView;
  try {
    [lot] = await tx.query(
      `INSERT INTO inventory_lots (cooperative_id, variant_id, lot_code, harvest_date, expiry_date, quantity_received, on_hand, note)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING ${LOT_COLUMNS.replace(/\bl\./g, '')}`,
      [input.cooperativeId, input.variantId, input.lotCode, input.harvestDate ?? null, input.expiryDate ?? null, input.quantity, input.note ?? ''],
    );
  } catch (e) {
    if (e instanceof QueryFailedError && (e as unknown as { driverError?: { constraint?: string } }).driverError?.constraint === 'inventory_lots_variant_code_key') {
      throw conflict(`Mã lô "${input.lotCode}" đã có cho loại hàng này / Lot code "${input.lotCode}" already exists for this variant`, {
        field: 'lotCode',
        lotCode: input.lotCode,
      });
    }
    throw e;
  }
  await tx.query(
    `INSERT INTO inventory_movements (cooperative_id, variant_id, lot_id, kind, quantity, reason, actor_id) VALUES ($1, $2, $3, 'receipt', $4, $5, $6)`,
    [input.cooperativeId, input.variantId, lot.id, input.quantity, input.note || null, input.actorId ?? null],
  );
  return lot;
}

/**
 * Adjusts a lot's quantity (count correction, damage, loss…) with a reason. A negative adjustment may not take the
 * lot below zero nor the variant's sellable stock below what orders have reserved.
 */
export async function adjustLot(
  tx: EntityManager,
  lotId: string,
  delta: number,
  reason: string,
  scope: string | null,
  actorId: string | null = null,
): Promise<LotView> {
  if (!Number.isSafeInteger(delta) || delta === 0 || Math.abs(delta) > MAX_QUANTITY) {
    throw badRequest(`delta phải là số nguyên khác 0 / delta must be a non-zero whole number between -${MAX_QUANTITY} and ${MAX_QUANTITY}`);
  }
  const why = (reason ?? '').trim();
  if (why.length < 3) throw badRequest('Cần ghi lý do điều chỉnh / An adjustment needs a reason (at least 3 characters)');
  const [head] = UUID_RE.test(lotId)
    ? await tx.query(`SELECT variant_id AS "variantId" FROM inventory_lots WHERE id = $1 AND ($2::uuid IS NULL OR cooperative_id = $2)`, [lotId, scope])
    : [];
  if (!head) throw notFound(`Không tìm thấy lô / No lot ${lotId} in your cooperative`);
  const [stock] = await tx.query(
    `SELECT on_hand AS "onHand", blocked, reserved, coalesce((SELECT sum(l.on_hand) FROM inventory_lots l
        WHERE l.variant_id = s.variant_id AND l.recalled_at IS NULL AND l.expiry_date < ${TODAY_VN}), 0)::int AS expired
       FROM inventory_stock s WHERE variant_id = $1 FOR UPDATE`,
    [head.variantId],
  );
  const [lot] = await tx.query(
    `SELECT on_hand AS "onHand", cooperative_id AS "cooperativeId", recalled_at IS NOT NULL AS recalled,
            coalesce(expiry_date < ${TODAY_VN}, false) AS expired, lot_code AS "lotCode"
       FROM inventory_lots WHERE id = $1 FOR UPDATE`,
    [lotId],
  );
  if (lot.onHand + delta < 0) {
    throw conflict(`Lô ${lot.lotCode} chỉ còn ${lot.onHand} / Lot ${lot.lotCode} holds only ${lot.onHand}; cannot remove ${-delta}`, {
      onHand: lot.onHand,
    });
  }
  if (delta < 0 && !lot.recalled && !lot.expired) {
    const sellable = stock.onHand - stock.blocked - stock.expired;
    if (sellable + delta < stock.reserved) {
      const max = Math.max(0, Math.min(lot.onHand, sellable - stock.reserved));
      throw conflict(
        `Đã có ${stock.reserved} đang giữ cho đơn hàng; chỉ bớt được tối đa ${max} / ${stock.reserved} are reserved for orders; at most ${max} can be removed now`,
        { reserved: stock.reserved, sellable, maxRemovable: max },
      );
    }
  }
  if (stock.onHand + delta < stock.reserved) {
    // Only reachable through recalled or expired lots: the stock left could not cover what orders hold.
    throw conflict(
      `Đơn hàng đang giữ ${stock.reserved}; hãy huỷ giữ hàng trước / ${stock.reserved} are reserved for orders; release those reservations before removing this stock`,
      { reserved: stock.reserved, onHand: stock.onHand },
    );
  }
  await tx.query(`UPDATE inventory_lots SET on_hand = on_hand + $2 WHERE id = $1`, [lotId, delta]);
  await tx.query(`UPDATE inventory_stock SET on_hand = on_hand + $2, blocked = blocked + $3, updated_at = now() WHERE variant_id = $1`, [
    head.variantId,
    delta,
    lot.recalled ? delta : 0,
  ]);
  await tx.query(
    `INSERT INTO inventory_movements (cooperative_id, variant_id, lot_id, kind, quantity, reason, actor_id) VALUES ($1, $2, $3, 'adjustment', $4, $5, $6)`,
    [lot.cooperativeId, head.variantId, lotId, delta, why, actorId],
  );
  const [view] = await tx.query(`SELECT ${LOT_COLUMNS} FROM inventory_lots l WHERE l.id = $1`, [lotId]);
  return view;
}
