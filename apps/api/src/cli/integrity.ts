import type { Client } from 'pg';
import { verifyChain, type ChainEntry } from '@htx/traceability';

/**
 * Data integrity checks an operator runs after a restore (or at any time): every check reads the database
 * through plain SQL and reports each place where stored data does not add up, in Vietnamese and English.
 *
 *  orders    — totals = Σ lines + shipping, line totals = unit price × quantity, and the stock allocated
 *              to each order matches its lines (fully for paid/confirmed/packed/shipped/delivered, nothing
 *              outstanding for cancelled/returned and unpaid orders); the lots recorded on each line add up.
 *  inventory — every cached counter equals the movement ledger it summarises (see the inventory migration).
 *  trace     — every lot's event hash chain is recomputed from the stored events (verifyChain).
 *  payments  — each payment intent's amount equals its orders' totals and its orders exist; online orders
 *              that moved past payment and have an intent have a succeeded one, and no succeeded intent has unpaid
 *              orders (orders without any intent — demo seed, imported history — are not judged).
 */

export type CheckId = 'orders' | 'inventory' | 'trace' | 'payments';

export interface IntegrityProblem {
  /** What broke: "order TA-250101-0001", "lot 3f2c… (TA-LTD-01)", … */
  where: string;
  vi: string;
  en: string;
}

export interface CheckResult {
  id: CheckId;
  titleVi: string;
  titleEn: string;
  /** How many records the check looked at ("42 orders"). */
  checked: number;
  checkedWhatVi: string;
  checkedWhatEn: string;
  problems: IntegrityProblem[];
}

export interface IntegrityReport {
  ok: boolean;
  checks: CheckResult[];
  problemCount: number;
}

/** Order statuses in which the whole order is allocated from lots and not given back. */
const ALLOCATED = ['paid', 'confirmed', 'packed', 'shipped', 'delivered'];
/** Statuses in which nothing may still be allocated (never allocated, or given back). */
const NOT_ALLOCATED = ['placed', 'awaiting_payment', 'cancelled', 'returned'];

async function rows<T>(db: Client, text: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(text, params)).rows as T[];
}

async function count(db: Client, table: string): Promise<number> {
  const [r] = await rows<{ n: string }>(db, `SELECT count(*)::text AS n FROM ${table}`);
  return Number(r.n);
}

export async function checkOrders(db: Client): Promise<CheckResult> {
  const problems: IntegrityProblem[] = [];
  const totals = await rows<{ code: string; subtotal: string; shipping: string; total: string; lines: string; n: number; badLines: number }>(
    db,
    `SELECT o.code, o.subtotal_vnd::text AS subtotal, o.shipping_fee_vnd::text AS shipping, o.total_vnd::text AS total,
            coalesce(l.s, 0)::text AS lines, coalesce(l.n, 0)::int AS n, coalesce(l.bad, 0)::int AS "badLines"
       FROM orders o
       LEFT JOIN (SELECT order_id, sum(line_total_vnd) s, count(*) n, count(*) FILTER (WHERE line_total_vnd <> unit_price_vnd * quantity) bad
                    FROM order_lines GROUP BY order_id) l ON l.order_id = o.id
      WHERE o.total_vnd <> o.subtotal_vnd + o.shipping_fee_vnd OR o.subtotal_vnd <> coalesce(l.s, 0) OR coalesce(l.n, 0) = 0 OR coalesce(l.bad, 0) > 0
      ORDER BY o.code`,
  );
  for (const o of totals) {
    const where = `đơn / order ${o.code}`;
    if (o.n === 0) problems.push({ where, vi: 'đơn không có dòng hàng nào', en: 'the order has no lines' });
    if (BigInt(o.total) !== BigInt(o.subtotal) + BigInt(o.shipping)) {
      problems.push({ where, vi: `tổng ${o.total} ≠ tạm tính ${o.subtotal} + phí ship ${o.shipping}`, en: `total ${o.total} ≠ subtotal ${o.subtotal} + shipping ${o.shipping}` });
    }
    if (BigInt(o.subtotal) !== BigInt(o.lines)) {
      problems.push({ where, vi: `tạm tính ${o.subtotal} ≠ tổng các dòng hàng ${o.lines}`, en: `subtotal ${o.subtotal} ≠ sum of its lines ${o.lines}` });
    }
    if (o.badLines > 0) problems.push({ where, vi: `${o.badLines} dòng hàng có thành tiền ≠ đơn giá × số lượng`, en: `${o.badLines} line(s) whose total ≠ unit price × quantity` });
  }

  const allocations = await rows<{ code: string; status: string; sku: string | null; variantId: string; lineQty: number; allocated: number }>(
    db,
    `SELECT o.code, o.status, v.sku, x.variant_id AS "variantId", x.line_qty::int AS "lineQty", x.allocated::int AS allocated
       FROM (SELECT coalesce(l.order_id, a.order_id) AS order_id, coalesce(l.variant_id, a.variant_id) AS variant_id,
                    coalesce(l.quantity, 0) AS line_qty, coalesce(a.q, 0) AS allocated
               FROM order_lines l
               FULL JOIN (SELECT order_id, variant_id, sum(quantity - returned) q FROM inventory_allocations GROUP BY 1, 2) a
                 ON a.order_id = l.order_id AND a.variant_id = l.variant_id) x
       JOIN orders o ON o.id = x.order_id
       LEFT JOIN product_variants v ON v.id = x.variant_id
      WHERE (o.status = ANY($1) AND x.line_qty <> x.allocated) OR (o.status = ANY($2) AND x.allocated <> 0)
      ORDER BY o.code, v.sku`,
    [ALLOCATED, NOT_ALLOCATED],
  );
  for (const a of allocations) {
    const where = `đơn / order ${a.code} (${a.status}), ${a.sku ?? a.variantId}`;
    if (ALLOCATED.includes(a.status)) {
      problems.push({ where, vi: `đặt ${a.lineQty} nhưng đã xuất từ các lô ${a.allocated}`, en: `${a.lineQty} ordered but ${a.allocated} allocated from lots` });
    } else {
      problems.push({ where, vi: `đơn ở trạng thái ${a.status} nhưng vẫn giữ ${a.allocated} từ các lô`, en: `order is ${a.status} yet still holds ${a.allocated} allocated from lots` });
    }
  }

  const lineLots = await rows<{ code: string; sku: string; quantity: number; lots: number }>(
    db,
    `SELECT o.code, l.sku, l.quantity, x.q::int AS lots
       FROM order_lines l JOIN orders o ON o.id = l.order_id
       CROSS JOIN LATERAL (SELECT coalesce(sum((e->>'quantity')::int), 0) q FROM jsonb_array_elements(l.lots) e) x
      WHERE o.status = ANY($1) AND x.q <> l.quantity
      ORDER BY o.code, l.sku`,
    [ALLOCATED],
  );
  for (const l of lineLots) {
    problems.push({
      where: `đơn / order ${l.code}, ${l.sku}`,
      vi: `dòng hàng ghi ${l.lots} từ các lô, đặt ${l.quantity}`,
      en: `the line records ${l.lots} taken from lots but ${l.quantity} were ordered`,
    });
  }
  return { id: 'orders', titleVi: 'Đơn hàng', titleEn: 'Orders', checked: await count(db, 'orders'), checkedWhatVi: 'đơn', checkedWhatEn: 'orders', problems };
}

export async function checkInventory(db: Client): Promise<CheckResult> {
  const problems: IntegrityProblem[] = [];
  const lots = await rows<{ id: string; lotCode: string; sku: string; onHand: number; ledger: number; received: number }>(
    db,
    `SELECT l.id, l.lot_code AS "lotCode", v.sku, l.on_hand AS "onHand", coalesce(m.s, 0)::int AS ledger, l.quantity_received AS received
       FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id
       LEFT JOIN (SELECT lot_id, sum(quantity) s FROM inventory_movements WHERE kind IN ('receipt', 'adjustment', 'allocation', 'return') GROUP BY lot_id) m
         ON m.lot_id = l.id
      WHERE l.on_hand <> coalesce(m.s, 0) OR l.on_hand < 0
      ORDER BY v.sku, l.lot_code`,
  );
  for (const l of lots) {
    problems.push({
      where: `lô / lot ${l.lotCode} (${l.sku}, ${l.id})`,
      vi: `tồn kho ghi ${l.onHand} nhưng sổ cái cộng lại được ${l.ledger}`,
      en: `on hand is ${l.onHand} but the movement ledger sums to ${l.ledger}`,
    });
  }
  const stock = await rows<{ sku: string; onHand: number; blocked: number; reserved: number; lotsOnHand: number; lotsBlocked: number; ledgerReserved: number }>(
    db,
    `SELECT v.sku, s.on_hand AS "onHand", s.blocked, s.reserved, coalesce(l.oh, 0)::int AS "lotsOnHand", coalesce(l.bl, 0)::int AS "lotsBlocked",
            coalesce(m.r, 0)::int AS "ledgerReserved"
       FROM inventory_stock s JOIN product_variants v ON v.id = s.variant_id
       LEFT JOIN (SELECT variant_id, sum(on_hand) oh, coalesce(sum(on_hand) FILTER (WHERE recalled_at IS NOT NULL), 0) bl
                    FROM inventory_lots GROUP BY variant_id) l USING (variant_id)
       LEFT JOIN (SELECT variant_id, sum(quantity) r FROM inventory_movements WHERE kind IN ('reservation', 'release', 'allocation') GROUP BY variant_id) m
         USING (variant_id)
      WHERE s.on_hand <> coalesce(l.oh, 0) OR s.blocked <> coalesce(l.bl, 0) OR s.reserved <> coalesce(m.r, 0)
      ORDER BY v.sku`,
  );
  for (const s of stock) {
    const where = `tồn kho mặt hàng / stock of ${s.sku}`;
    if (s.onHand !== s.lotsOnHand) problems.push({ where, vi: `tồn ${s.onHand} ≠ tổng tồn các lô ${s.lotsOnHand}`, en: `on hand ${s.onHand} ≠ sum of its lots ${s.lotsOnHand}` });
    if (s.blocked !== s.lotsBlocked) problems.push({ where, vi: `bị khoá ${s.blocked} ≠ tồn các lô bị thu hồi ${s.lotsBlocked}`, en: `blocked ${s.blocked} ≠ on hand of recalled lots ${s.lotsBlocked}` });
    if (s.reserved !== s.ledgerReserved) problems.push({ where, vi: `đang giữ ${s.reserved} ≠ sổ cái ${s.ledgerReserved}`, en: `reserved ${s.reserved} ≠ ledger ${s.ledgerReserved}` });
  }
  const reservations = await rows<{ orderId: string; sku: string; reserved: number; allocated: number; ledgerReserved: number; ledgerAllocated: number }>(
    db,
    `SELECT r.order_id AS "orderId", v.sku, r.reserved, r.allocated, coalesce(m.s, 0)::int AS "ledgerReserved", coalesce(m.a, 0)::int AS "ledgerAllocated"
       FROM inventory_reservations r JOIN product_variants v ON v.id = r.variant_id
       LEFT JOIN (SELECT order_id, variant_id, sum(quantity) FILTER (WHERE kind IN ('reservation', 'release', 'allocation')) s,
                         coalesce(-sum(quantity) FILTER (WHERE kind = 'allocation'), 0) a
                    FROM inventory_movements WHERE order_id IS NOT NULL GROUP BY 1, 2) m USING (order_id, variant_id)
      WHERE r.reserved <> coalesce(m.s, 0) OR r.allocated <> coalesce(m.a, 0)
      ORDER BY r.order_id, v.sku`,
  );
  for (const r of reservations) {
    problems.push({
      where: `giữ hàng / reservation of order ${r.orderId}, ${r.sku}`,
      vi: `giữ ${r.reserved}, đã xuất ${r.allocated}; sổ cái: giữ ${r.ledgerReserved}, xuất ${r.ledgerAllocated}`,
      en: `reserved ${r.reserved}, allocated ${r.allocated}; ledger says reserved ${r.ledgerReserved}, allocated ${r.ledgerAllocated}`,
    });
  }
  const allocations = await rows<{ orderId: string; lotCode: string; quantity: number; returned: number; ledgerQuantity: number; ledgerReturned: number }>(
    db,
    `SELECT a.order_id AS "orderId", l.lot_code AS "lotCode", a.quantity, a.returned, coalesce(m.q, 0)::int AS "ledgerQuantity", coalesce(m.r, 0)::int AS "ledgerReturned"
       FROM inventory_allocations a JOIN inventory_lots l ON l.id = a.lot_id
       LEFT JOIN (SELECT order_id, lot_id, coalesce(-sum(quantity) FILTER (WHERE kind = 'allocation'), 0) q,
                         coalesce(sum(quantity) FILTER (WHERE kind = 'return'), 0) r
                    FROM inventory_movements WHERE order_id IS NOT NULL AND lot_id IS NOT NULL GROUP BY 1, 2) m USING (order_id, lot_id)
      WHERE a.quantity <> coalesce(m.q, 0) OR a.returned <> coalesce(m.r, 0)
      ORDER BY a.order_id, l.lot_code`,
  );
  for (const a of allocations) {
    problems.push({
      where: `xuất kho / allocation of order ${a.orderId} from lot ${a.lotCode}`,
      vi: `xuất ${a.quantity}, trả lại ${a.returned}; sổ cái: xuất ${a.ledgerQuantity}, trả lại ${a.ledgerReturned}`,
      en: `allocated ${a.quantity}, returned ${a.returned}; ledger says allocated ${a.ledgerQuantity}, returned ${a.ledgerReturned}`,
    });
  }
  return { id: 'inventory', titleVi: 'Sổ kho', titleEn: 'Inventory ledger', checked: await count(db, 'inventory_lots'), checkedWhatVi: 'lô', checkedWhatEn: 'lots', problems };
}

/** Vietnamese beside verifyChain's English findings. */
function chainProblemVi(en: string): string {
  if (/entry is missing/.test(en)) return 'thiếu một mục trong chuỗi (số thứ tự bị nhảy)';
  if (/prevHash/.test(en)) return 'mã băm trước (prevHash) không khớp với mục liền trước';
  if (/changed after it was recorded/.test(en)) return 'sự kiện đã bị sửa sau khi ghi (mã băm chuỗi không khớp nội dung)';
  if (/eventID/.test(en)) return 'nội dung sự kiện không còn khớp với eventID (mã băm sự kiện CBV 2.0)';
  if (/chain head/.test(en)) return 'đầu chuỗi đã ghi không khớp mục cuối (có mục bị xoá hoặc thay thế)';
  return 'chuỗi băm không khớp';
}

/** Lots per query when loading hash chains (keeps memory bounded on a large database). */
const CHAIN_BATCH = 200;

export async function checkTraceChains(db: Client): Promise<CheckResult> {
  const problems: IntegrityProblem[] = [];
  const lots = await rows<{ lotId: string; lotCode: string; gtin: string; head: string | null }>(
    db,
    `SELECT x.lot_id AS "lotId", l.lot_code AS "lotCode", v.gtin, h.head_hash AS head
       FROM (SELECT lot_id FROM trace_lot_heads UNION SELECT DISTINCT lot_id FROM trace_chain) x
       JOIN inventory_lots l ON l.id = x.lot_id JOIN product_variants v ON v.id = l.variant_id
       LEFT JOIN trace_lot_heads h ON h.lot_id = x.lot_id
      ORDER BY v.gtin, l.lot_code`,
  );
  for (let i = 0; i < lots.length; i += CHAIN_BATCH) {
    const batch = lots.slice(i, i + CHAIN_BATCH);
    const entries = await rows<ChainEntry & { lotId: string }>(
      db,
      `SELECT c.lot_id AS "lotId", c.seq, c.role, c.prev_hash AS "prevHash", c.chain_hash AS "chainHash", e.event_id AS "eventId", e.event
         FROM trace_chain c JOIN trace_events e ON e.id = c.event_pk
        WHERE c.lot_id = ANY($1::uuid[]) ORDER BY c.lot_id, c.seq`,
      [batch.map((l) => l.lotId)],
    );
    const byLot = new Map<string, ChainEntry[]>();
    for (const { lotId, ...entry } of entries) byLot.set(lotId, [...(byLot.get(lotId) ?? []), entry]);
    for (const lot of batch) {
      const chain = byLot.get(lot.lotId) ?? [];
      const where = `chuỗi truy xuất lô / trace chain of lot ${lot.lotCode} (GTIN ${lot.gtin})`;
      if (lot.head === null && chain.length > 0) {
        problems.push({ where, vi: 'thiếu bản ghi đầu chuỗi (trace_lot_heads)', en: 'the chain head record (trace_lot_heads) is missing' });
      }
      const result = verifyChain(chain, lot.head);
      for (const p of result.problems) {
        problems.push({
          where: `${where}, #${p.seq}${p.eventId ? ` ${p.eventId}` : ''}`,
          vi: chainProblemVi(p.problem),
          en: p.problem,
        });
      }
    }
  }
  return { id: 'trace', titleVi: 'Chuỗi truy xuất nguồn gốc', titleEn: 'Trace hash chains', checked: lots.length, checkedWhatVi: 'lô', checkedWhatEn: 'lots', problems };
}

export async function checkPayments(db: Client): Promise<CheckResult> {
  const problems: IntegrityProblem[] = [];
  const intents = await rows<{ reference: string; amount: string; ordersTotal: string; found: number; expected: number }>(
    db,
    `SELECT i.reference, i.amount_vnd::text AS amount, coalesce(sum(o.total_vnd), 0)::text AS "ordersTotal",
            count(o.id)::int AS found, cardinality(i.order_codes) AS expected
       FROM payment_intents i LEFT JOIN orders o ON o.code = ANY(i.order_codes)
      GROUP BY i.id
     HAVING count(o.id) <> cardinality(i.order_codes) OR i.amount_vnd <> coalesce(sum(o.total_vnd), 0)
      ORDER BY i.reference`,
  );
  for (const i of intents) {
    const where = `thanh toán / payment ${i.reference}`;
    if (i.found !== i.expected) problems.push({ where, vi: `chỉ tìm thấy ${i.found}/${i.expected} đơn của khoản thanh toán`, en: `only ${i.found} of its ${i.expected} orders exist` });
    if (BigInt(i.amount) !== BigInt(i.ordersTotal)) problems.push({ where, vi: `số tiền ${i.amount} ≠ tổng các đơn ${i.ordersTotal}`, en: `amount ${i.amount} ≠ its orders' total ${i.ordersTotal}` });
  }
  // Orders without any intent are not judged: the demo seed and imported history record orders without one.
  const paidWithoutPayment = await rows<{ code: string; status: string; intentStatus: string }>(
    db,
    `SELECT o.code, o.status, i.status AS "intentStatus"
       FROM orders o JOIN payment_intents i ON i.checkout_id = o.checkout_id
      WHERE o.payment_method IN ('vnpay', 'vietqr') AND o.status IN ('paid', 'packed', 'shipped', 'delivered')
        AND i.status NOT IN ('succeeded', 'partially_refunded', 'refunded')
      ORDER BY o.code`,
  );
  for (const o of paidWithoutPayment) {
    problems.push({
      where: `đơn / order ${o.code} (${o.status})`,
      vi: `đơn thanh toán trực tuyến đã qua bước thanh toán nhưng khoản thanh toán ở trạng thái ${o.intentStatus}`,
      en: `an online order past payment but its payment intent is ${o.intentStatus}`,
    });
  }
  const succeededUnpaid = await rows<{ reference: string; code: string; status: string }>(
    db,
    `SELECT i.reference, o.code, o.status FROM payment_intents i JOIN orders o ON o.checkout_id = i.checkout_id
      WHERE i.status = 'succeeded' AND o.status IN ('placed', 'awaiting_payment') ORDER BY i.reference, o.code`,
  );
  for (const s of succeededUnpaid) {
    problems.push({
      where: `thanh toán / payment ${s.reference}`,
      vi: `đã thu tiền nhưng đơn ${s.code} vẫn ở trạng thái ${s.status}`,
      en: `succeeded but order ${s.code} is still ${s.status}`,
    });
  }
  return { id: 'payments', titleVi: 'Thanh toán', titleEn: 'Payments', checked: await count(db, 'payment_intents'), checkedWhatVi: 'khoản', checkedWhatEn: 'payment intents', problems };
}

export const CHECKS: Record<CheckId, (db: Client) => Promise<CheckResult>> = {
  orders: checkOrders,
  inventory: checkInventory,
  trace: checkTraceChains,
  payments: checkPayments,
};

/** Runs the chosen checks (all by default) inside one REPEATABLE READ, read-only transaction: a consistent snapshot. */
export async function runIntegrityChecks(db: Client, only: CheckId[] = Object.keys(CHECKS) as CheckId[]): Promise<IntegrityReport> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const checks: CheckResult[] = [];
    for (const id of only) checks.push(await CHECKS[id](db));
    const problemCount = checks.reduce((n, c) => n + c.problems.length, 0);
    return { ok: problemCount === 0, checks, problemCount };
  } finally {
    await db.query('ROLLBACK');
  }
}

/** The report as an operator reads it in a terminal. */
export function formatReport(report: IntegrityReport, database: string, maxPerCheck = 50): string {
  const lines = ['HTX Số — kiểm tra toàn vẹn dữ liệu / data integrity check', `Cơ sở dữ liệu / Database: ${database}`, ''];
  for (const c of report.checks) {
    const head = `${c.titleVi} / ${c.titleEn}: ${c.checked} ${c.checkedWhatVi} / ${c.checkedWhatEn}`;
    if (c.problems.length === 0) {
      lines.push(`[OK]   ${head}`);
      continue;
    }
    lines.push(`[LỖI]  ${head} — ${c.problems.length} vấn đề / problem(s)`);
    for (const p of c.problems.slice(0, maxPerCheck)) lines.push(`       - ${p.where}: ${p.vi} / ${p.en}`);
    if (c.problems.length > maxPerCheck) lines.push(`       … và ${c.problems.length - maxPerCheck} vấn đề khác / and ${c.problems.length - maxPerCheck} more (--json lists all)`);
  }
  lines.push('');
  lines.push(
    report.ok
      ? 'KẾT QUẢ / RESULT: ĐẠT / PASSED — dữ liệu nhất quán / the data is consistent'
      : `KẾT QUẢ / RESULT: KHÔNG ĐẠT / FAILED — ${report.problemCount} vấn đề / problem(s)`,
  );
  return `${lines.join('\n')}\n`;
}
