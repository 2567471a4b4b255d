import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { InventoryService, receiveLot, adjustLot } from '@htx/inventory';
import { AppError, gtin13 } from '@htx/shared';
import { startTestApp, TestApp } from '../support/test-app';
import { ledgerDiscrepancies } from './ledger';

type Op =
  | { kind: 'receive'; v: number; qty: number; expiry: number | null }
  | { kind: 'reserve'; order: number; v: number; qty: number }
  | { kind: 'release'; order: number }
  | { kind: 'allocate'; order: number }
  | { kind: 'return'; order: number }
  | { kind: 'adjust'; lot: number; delta: number }
  | { kind: 'recall'; lot: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('receive' as const), v: fc.nat(2), qty: fc.integer({ min: 1, max: 20 }), expiry: fc.option(fc.integer({ min: -3, max: 60 }), { nil: null }) }),
  fc.record({ kind: fc.constant('reserve' as const), order: fc.nat(5), v: fc.nat(2), qty: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ kind: fc.constant('release' as const), order: fc.nat(5) }),
  fc.record({ kind: fc.constant('allocate' as const), order: fc.nat(5) }),
  fc.record({ kind: fc.constant('return' as const), order: fc.nat(5) }),
  fc.record({ kind: fc.constant('adjust' as const), lot: fc.nat(20), delta: fc.integer({ min: -15, max: 10 }).filter((d) => d !== 0) }),
  fc.record({ kind: fc.constant('recall' as const), lot: fc.nat(20) }),
);

/**
 * Random sequences of every stock operation: whatever succeeds or is refused, refusals are 4xx AppErrors (never a
 * database error or a 500), and afterwards every cached counter equals the ledger and no counter is negative.
 */
describe('inventory ledger: random operation sequences keep counters equal to the ledger', () => {
  let t: TestApp;
  let ds: DataSource;
  let inventory: InventoryService;
  let coop: string;
  let productId: string;
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    ds = t.app.get(DataSource);
    inventory = t.app.get(InventoryService);
    const [p] = await t.sql<{ id: string; cooperative_id: string }>(`SELECT id, cooperative_id FROM products WHERE slug = 'nghe-den-kho'`);
    productId = p.id;
    coop = p.cooperative_id;
  });
  afterAll(() => t.close());

  const day = (offset: number) => new Date(Date.now() + 7 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);

  it('holds over 25 random sequences of up to 40 operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        const variants: string[] = [];
        for (let i = 0; i < 3; i++) {
          const k = String(++n).padStart(4, '0');
          const [v] = await t.sql<{ id: string }>(
            `INSERT INTO product_variants (product_id, cooperative_id, sku, name_vi, weight_grams, price_vnd, gtin)
             VALUES ($1, $2, $3, 'Thử', 100, 1000, $4) RETURNING id`,
            [productId, coop, `PROP-${k}`, `0${gtin13(`89385128${k}`)}`],
          );
          variants.push(v.id);
        }
        const orders = Array.from({ length: 6 }, () => randomUUID());
        const lots: string[] = [];
        for (const o of ops) {
          try {
            await ds.transaction(async (tx) => {
              switch (o.kind) {
                case 'receive':
                  lots.push(
                    (await receiveLot(tx, { cooperativeId: coop, variantId: variants[o.v], lotCode: `L${lots.length}`, quantity: o.qty, expiryDate: o.expiry === null ? null : day(o.expiry) })).id,
                  );
                  break;
                case 'reserve':
                  await inventory.reserve(tx, orders[o.order], [{ variantId: variants[o.v], quantity: o.qty }]);
                  break;
                case 'release':
                  await inventory.release(tx, orders[o.order]);
                  break;
                case 'allocate':
                  await inventory.allocate(tx, orders[o.order]);
                  break;
                case 'return':
                  await inventory.returnAllocated(tx, orders[o.order], 'returned');
                  break;
                case 'adjust':
                  if (lots.length) await adjustLot(tx, lots[o.lot % lots.length], o.delta, 'kiểm kê', null);
                  break;
                case 'recall':
                  if (lots.length) await inventory.markRecalled(tx, lots[o.lot % lots.length], 'thu hồi');
                  break;
              }
            });
          } catch (e) {
            expect(e).toBeInstanceOf(AppError);
            expect((e as AppError).getStatus()).toBe(409);
          }
        }
        expect(await ledgerDiscrepancies(t)).toEqual([]);
        const available = await inventory.availableByVariant(variants);
        const stock = await t.sql<{ variant_id: string; on_hand: number; blocked: number; reserved: number; expired: number }>(
          `SELECT s.variant_id, s.on_hand, s.blocked, s.reserved,
                  coalesce((SELECT sum(on_hand) FROM inventory_lots l WHERE l.variant_id = s.variant_id AND l.recalled_at IS NULL
                              AND l.expiry_date < (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date), 0)::int AS expired
             FROM inventory_stock s WHERE s.variant_id = ANY($1)`,
          [variants],
        );
        for (const s of stock) {
          expect(available.get(s.variant_id)).toBe(Math.max(0, s.on_hand - s.blocked - s.expired - s.reserved));
          expect(s.reserved).toBeLessThanOrEqual(s.on_hand);
        }
      }),
      { numRuns: 25 },
    );
  });
});
