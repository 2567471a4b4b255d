import { randomUUID } from 'node:crypto';
import { gtin13 } from '@htx/shared';
import type { TestApp } from '../support/test-app';

let n = 0;
const unique = () => `${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}${(++n).toString(36)}`;

/** A published product with one variant of the signed-in manager's cooperative; returns the variant id. */
export async function createVariant(t: TestApp, token: string, priceVnd: number, name = 'Trà giảo cổ lam'): Promise<string> {
  const u = unique();
  const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
  const res = await t.http
    .post('/api/manage/products')
    .set('authorization', `Bearer ${token}`)
    .send({
      slug: `test-${u}`,
      nameVi: `${name} ${u}`,
      status: 'active',
      variants: [{ sku: `T-${u}`, nameVi: 'Gói 200g', weightGrams: 200, priceVnd, gtin: gtin13(`893${digits}`) }],
    });
  if (res.status !== 201) throw new Error(`create product: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.variants[0].id as string;
}

/** Receives a lot of the variant; returns the lot id. */
export async function receiveLot(t: TestApp, token: string, variantId: string, quantity: number, expiryDate: string | null, lotCode = `L${unique()}`.slice(0, 20)): Promise<string> {
  const res = await t.http
    .post('/api/manage/lots')
    .set('authorization', `Bearer ${token}`)
    .send({ variantId, lotCode, quantity, ...(expiryDate ? { expiryDate } : {}) });
  if (res.status !== 201) throw new Error(`receive lot: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export function cart(items: Array<{ variantId: string; quantity: unknown; [k: string]: unknown }>, overrides: Record<string, unknown> = {}) {
  return {
    items,
    customer: { name: 'Nguyễn Thị Lan', phone: '0912345678' },
    shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Thôn Nà Lẹng, số 12' },
    paymentMethod: 'cod',
    ...overrides,
  };
}

export const key = () => `test-${randomUUID()}`;

export function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Counters that differ from the ledger sums they must equal (see the inventory migration); empty when consistent. */
export async function ledgerProblems(t: TestApp): Promise<unknown[]> {
  return t.sql(`
    WITH m AS (
      SELECT variant_id,
             coalesce(sum(quantity) FILTER (WHERE kind IN ('receipt', 'adjustment', 'allocation', 'return')), 0) AS on_hand,
             coalesce(sum(quantity) FILTER (WHERE kind IN ('reservation', 'release', 'allocation')), 0) AS reserved
      FROM inventory_movements GROUP BY variant_id),
    lots AS (SELECT variant_id, sum(on_hand) AS on_hand FROM inventory_lots GROUP BY variant_id),
    res AS (SELECT variant_id, sum(reserved) AS reserved FROM inventory_reservations GROUP BY variant_id)
    SELECT s.variant_id, s.on_hand, s.reserved, m.on_hand AS ledger_on_hand, m.reserved AS ledger_reserved, lots.on_hand AS lots_on_hand, res.reserved AS reservations
    FROM inventory_stock s LEFT JOIN m USING (variant_id) LEFT JOIN lots USING (variant_id) LEFT JOIN res USING (variant_id)
    WHERE s.on_hand <> coalesce(m.on_hand, 0) OR s.reserved <> coalesce(m.reserved, 0) OR s.on_hand <> coalesce(lots.on_hand, 0)
       OR s.reserved <> coalesce(res.reserved, 0)`);
}

export async function available(t: TestApp, variantId: string): Promise<number> {
  const [row] = await t.sql<{ a: number }>(`SELECT (on_hand - blocked - reserved)::int AS a FROM inventory_stock WHERE variant_id = $1`, [variantId]);
  return row?.a ?? 0;
}
