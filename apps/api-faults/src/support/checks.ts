import { Queue } from 'bullmq';
import { REDIS_PORT, sql } from './services';

/**
 * Stock counters compared with the inventory ledger they must equal (the same rules as apps/api/test/inventory/ledger.ts):
 * lot on-hand = its receipts/adjustments/allocations/returns; a variant's on_hand = its lots, reserved = reservations +
 * releases + allocations; each reservation row and allocation row = its movements. Empty when consistent.
 */
export async function ledgerDiscrepancies(db: string): Promise<unknown[]> {
  const lots = await sql(db,
    `SELECT 'lot.on_hand' AS what, l.id, l.on_hand, coalesce(m.s, 0) AS ledger FROM inventory_lots l
       LEFT JOIN (SELECT lot_id, sum(quantity) s FROM inventory_movements WHERE kind IN ('receipt', 'adjustment', 'allocation', 'return') GROUP BY lot_id) m
         ON m.lot_id = l.id
      WHERE l.on_hand <> coalesce(m.s, 0)`);
  const stock = await sql(db,
    `SELECT 'stock' AS what, s.variant_id, s.on_hand, s.blocked, s.reserved, l.oh, l.bl, m.r FROM inventory_stock s
       LEFT JOIN (SELECT variant_id, sum(on_hand) oh, coalesce(sum(on_hand) FILTER (WHERE recalled_at IS NOT NULL), 0) bl
                    FROM inventory_lots GROUP BY variant_id) l USING (variant_id)
       LEFT JOIN (SELECT variant_id, sum(quantity) r FROM inventory_movements WHERE kind IN ('reservation', 'release', 'allocation') GROUP BY variant_id) m
         USING (variant_id)
      WHERE s.on_hand <> coalesce(l.oh, 0) OR s.blocked <> coalesce(l.bl, 0) OR s.reserved <> coalesce(m.r, 0)`);
  const reservations = await sql(db,
    `SELECT 'reservation' AS what, r.*, m.s, m.a FROM inventory_reservations r
       LEFT JOIN (SELECT order_id, variant_id, sum(quantity) FILTER (WHERE kind IN ('reservation', 'release', 'allocation')) s,
                         coalesce(-sum(quantity) FILTER (WHERE kind = 'allocation'), 0) a
                    FROM inventory_movements WHERE order_id IS NOT NULL GROUP BY 1, 2) m USING (order_id, variant_id)
      WHERE r.reserved <> coalesce(m.s, 0) OR r.allocated <> coalesce(m.a, 0)`);
  const allocations = await sql(db,
    `SELECT 'allocation' AS what, a.*, m.q, m.r FROM inventory_allocations a
       LEFT JOIN (SELECT order_id, lot_id, coalesce(-sum(quantity) FILTER (WHERE kind = 'allocation'), 0) q,
                         coalesce(sum(quantity) FILTER (WHERE kind = 'return'), 0) r
                    FROM inventory_movements WHERE order_id IS NOT NULL AND lot_id IS NOT NULL GROUP BY 1, 2) m USING (order_id, lot_id)
      WHERE a.quantity <> coalesce(m.q, 0) OR a.returned <> coalesce(m.r, 0)`);
  return [...lots, ...stock, ...reservations, ...allocations];
}

/**
 * Orders that are not whole: an order without lines or without its first transitions, a line of a live order without
 * its reservation (or, for cash on delivery, without allocated lots), a reservation or movement of an order that does not
 * exist, a checkout without orders. Empty when every write was all-or-nothing.
 */
export async function halfWritten(db: string): Promise<unknown[]> {
  // Only what the tests placed (keys `fault-…`); the demo seed's history is not under test here.
  return sql(db, `
    WITH k AS (SELECT * FROM checkouts WHERE idempotency_key LIKE 'fault-%'),
    o AS (SELECT orders.* FROM orders JOIN k ON k.id = orders.checkout_id),
    l AS (SELECT order_lines.* FROM order_lines JOIN o ON o.id = order_lines.order_id)
    SELECT 'checkout without orders' AS what, k.id::text AS id FROM k WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.checkout_id = k.id)
    UNION ALL
    SELECT 'order without lines', o.id::text FROM o WHERE NOT EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id)
    UNION ALL
    SELECT 'order without code', o.id::text FROM o WHERE o.code LIKE 'PENDING-%'
    UNION ALL
    SELECT 'order without placed transition', o.id::text FROM o
     WHERE NOT EXISTS (SELECT 1 FROM order_transitions t WHERE t.order_id = o.id AND t.to_status = 'placed')
    UNION ALL
    SELECT 'line without reservation', l.order_id::text || '/' || l.variant_id::text FROM l JOIN o ON o.id = l.order_id
     WHERE o.channel = 'shop' AND NOT EXISTS (SELECT 1 FROM inventory_reservations r WHERE r.order_id = l.order_id AND r.variant_id = l.variant_id)
    UNION ALL
    SELECT 'confirmed cod line without allocation', l.order_id::text || '/' || l.variant_id::text FROM l JOIN o ON o.id = l.order_id
     WHERE o.payment_method = 'cod' AND o.status = 'confirmed'
       AND coalesce((SELECT sum(a.quantity) FROM inventory_allocations a WHERE a.order_id = l.order_id AND a.variant_id = l.variant_id), 0) <> l.quantity
    UNION ALL
    SELECT 'reservation of no order', r.order_id::text FROM inventory_reservations r WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = r.order_id)
    UNION ALL
    SELECT 'movement of no order', m.order_id::text FROM inventory_movements m WHERE m.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = m.order_id)`);
}

/** A BullMQ queue of the platform as the API names it (prefix `<REDIS_PREFIX>:bull`), to look at or nudge its jobs. */
export function platformQueue(redisPrefix: string, name: string): Queue {
  return new Queue(name, { connection: { host: '127.0.0.1', port: REDIS_PORT, maxRetriesPerRequest: null }, prefix: `${redisPrefix}:bull` });
}

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, seconds = 60): Promise<T> {
  for (let i = 0; i < seconds * 4; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting ${seconds} s for: ${what}`);
}

// The platform's queue names as they appear in Redis (a contract between the API and its workers; black-box tests name
// them rather than importing the domain libs): the orders lib's payment-expiry queue and the payments lib's queue with
// its periodic reconciliation job.
export const ORDER_EXPIRY_QUEUE = 'orders-payment-expiry';
export const PAYMENTS_QUEUE = 'payments';
export const RECONCILE_JOB = 'reconcile-expired';
export const CHANNEL_STOCK_QUEUE = 'channel-stock';
