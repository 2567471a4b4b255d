import type { TestApp } from '../support/test-app';

/**
 * Every cached counter compared with the ledger it must equal (see the inventory migration). Returns the rows that
 * disagree; an empty list means the counters and the movement ledger are consistent.
 */
export async function ledgerDiscrepancies(t: TestApp): Promise<unknown[]> {
  const lots = await t.sql(
    `SELECT 'lot.on_hand' AS what, l.id, l.on_hand, coalesce(m.s, 0) AS ledger FROM inventory_lots l
       LEFT JOIN (SELECT lot_id, sum(quantity) s FROM inventory_movements WHERE kind IN ('receipt', 'adjustment', 'allocation', 'return') GROUP BY lot_id) m
         ON m.lot_id = l.id
      WHERE l.on_hand <> coalesce(m.s, 0)`,
  );
  const stock = await t.sql(
    `SELECT 'stock' AS what, s.variant_id, s.on_hand, s.blocked, s.reserved, l.oh, l.bl, m.r FROM inventory_stock s
       LEFT JOIN (SELECT variant_id, sum(on_hand) oh, coalesce(sum(on_hand) FILTER (WHERE recalled_at IS NOT NULL), 0) bl
                    FROM inventory_lots GROUP BY variant_id) l USING (variant_id)
       LEFT JOIN (SELECT variant_id, sum(quantity) r FROM inventory_movements WHERE kind IN ('reservation', 'release', 'allocation') GROUP BY variant_id) m
         USING (variant_id)
      WHERE s.on_hand <> coalesce(l.oh, 0) OR s.blocked <> coalesce(l.bl, 0) OR s.reserved <> coalesce(m.r, 0)`,
  );
  const reservations = await t.sql(
    `SELECT 'reservation' AS what, r.*, m.s, m.a FROM inventory_reservations r
       LEFT JOIN (SELECT order_id, variant_id, sum(quantity) FILTER (WHERE kind IN ('reservation', 'release', 'allocation')) s,
                         coalesce(-sum(quantity) FILTER (WHERE kind = 'allocation'), 0) a
                    FROM inventory_movements WHERE order_id IS NOT NULL GROUP BY 1, 2) m USING (order_id, variant_id)
      WHERE r.reserved <> coalesce(m.s, 0) OR r.allocated <> coalesce(m.a, 0)`,
  );
  const allocations = await t.sql(
    `SELECT 'allocation' AS what, a.*, m.q, m.r FROM inventory_allocations a
       LEFT JOIN (SELECT order_id, lot_id, coalesce(-sum(quantity) FILTER (WHERE kind = 'allocation'), 0) q,
                         coalesce(sum(quantity) FILTER (WHERE kind = 'return'), 0) r
                    FROM inventory_movements WHERE order_id IS NOT NULL AND lot_id IS NOT NULL GROUP BY 1, 2) m USING (order_id, lot_id)
      WHERE a.quantity <> coalesce(m.q, 0) OR a.returned <> coalesce(m.r, 0)`,
  );
  return [...lots, ...stock, ...reservations, ...allocations];
}
