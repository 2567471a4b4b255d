import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { InventoryService, receiveLot } from '@htx/inventory';
import { AppError, gtin13 } from '@htx/shared';
import { startTestApp, TestApp } from '../support/test-app';
import { ledgerDiscrepancies } from './ledger';

describe('inventory: lots, ledger, reservation, FEFO allocation, manager endpoints', () => {
  let t: TestApp;
  let thienAn: string;
  let namTy: string;
  let thienAnId: string;
  let inventory: InventoryService;
  let ds: DataSource;
  let item = 0;

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    thienAn = await t.login('thienan@htxso.test');
    namTy = await t.login('namty@htxso.test');
    inventory = t.app.get(InventoryService);
    ds = t.app.get(DataSource);
    [{ id: thienAnId }] = await t.sql<{ id: string }>(`SELECT id FROM cooperatives WHERE slug = 'thien-an'`);
  });
  afterAll(() => t.close());

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const day = (offset: number) => new Date(Date.now() + 7 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);

  /** A fresh published product with one variant in Thiên An; returns the variant id. */
  async function newVariant(name: string): Promise<string> {
    const n = String(++item).padStart(4, '0');
    const res = await t.http
      .post('/api/manage/products')
      .set(auth(thienAn))
      .send({
        slug: `test-${name}-${n}`,
        nameVi: `Thử ${name}`,
        status: 'active',
        variants: [{ sku: `T-${name}-${n}`.toUpperCase(), nameVi: 'Gói', weightGrams: 100, priceVnd: 50000, gtin: gtin13(`89385129${n}`) }],
      })
      .expect(201);
    return res.body.variants[0].id;
  }

  async function receive(variantId: string, lotCode: string, quantity: number, expiryDate?: string, harvestDate?: string) {
    const res = await t.http.post('/api/manage/lots').set(auth(thienAn)).send({ variantId, lotCode, quantity, expiryDate, harvestDate }).expect(201);
    return res.body as { id: string; onHand: number };
  }

  const available = async (variantId: string) => (await inventory.availableByVariant([variantId])).get(variantId);

  describe('receive and adjust (manager endpoints)', () => {
    it('receives a lot: lot, counters and a receipt movement', async () => {
      const v = await newVariant('recv');
      const lot = await receive(v, 'R-001', 40, day(200), day(-3));
      expect(lot).toMatchObject({ lotCode: 'R-001', quantityReceived: 40, onHand: 40, expiryDate: day(200), harvestDate: day(-3), recalledAt: null });
      expect(await available(v)).toBe(40);
      const detail = await t.http.get(`/api/manage/lots/${lot.id}`).set(auth(thienAn)).expect(200);
      expect(detail.body.movements).toEqual([expect.objectContaining({ kind: 'receipt', quantity: 40 })]);
      expect(await ledgerDiscrepancies(t)).toEqual([]);
    });

    it('adjusts with a reason, refuses going below zero or below what is reserved, and records every change', async () => {
      const v = await newVariant('adj');
      const lot = await receive(v, 'A-001', 20, day(100));
      await ds.transaction((tx) => inventory.reserve(tx, randomUUID(), [{ variantId: v, quantity: 15 }]));
      const minus = await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send({ delta: -5, reason: 'Kiểm kê: 5 túi rách' }).expect(201);
      expect(minus.body.onHand).toBe(15);
      const tooMany = await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send({ delta: -1, reason: 'Hỏng' }).expect(409);
      expect(tooMany.body.message).toMatch(/15 are reserved for orders; at most 0 can be removed/);
      const belowZero = await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send({ delta: -16, reason: 'Mất' }).expect(409);
      expect(belowZero.body.message).toMatch(/holds only 15/);
      await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send({ delta: 3, reason: 'Đếm lại thấy thừa' }).expect(201);
      const [stock] = await t.sql<{ on_hand: number; reserved: number }>(`SELECT on_hand, reserved FROM inventory_stock WHERE variant_id = $1`, [v]);
      expect(stock).toEqual({ on_hand: 18, reserved: 15 });
      expect(await available(v)).toBe(3);
      const moves = await t.http.get(`/api/manage/stock/${v}/movements`).set(auth(thienAn)).expect(200);
      expect(moves.body.items.map((m: { kind: string; quantity: number }) => [m.kind, m.quantity])).toEqual([
        ['adjustment', 3],
        ['adjustment', -5],
        ['reservation', 15],
        ['receipt', 20],
      ]);
      expect(moves.body.items[1].reason).toBe('Kiểm kê: 5 túi rách');
      expect(await ledgerDiscrepancies(t)).toEqual([]);
    });

    it('keeps the ledger append-only at the database', async () => {
      await expect(t.sql(`UPDATE inventory_movements SET quantity = 999`)).rejects.toThrow(/append-only/);
      await expect(t.sql(`DELETE FROM inventory_movements`)).rejects.toThrow(/append-only/);
    });

    it('enforces the counters’ CHECK constraints even against a direct write', async () => {
      await expect(t.sql(`UPDATE inventory_stock SET reserved = on_hand + 1 WHERE on_hand > 0`)).rejects.toThrow(/inventory_stock_reserved_le_on_hand/);
      await expect(t.sql(`UPDATE inventory_lots SET on_hand = -1`)).rejects.toThrow(/check constraint/);
    });
  });

  describe('stock lists', () => {
    it('lists stock by variant with lots, only for the caller’s cooperative', async () => {
      const res = await t.http.get('/api/manage/stock').set(auth(namTy)).query({ pageSize: 100 }).expect(200);
      const skus = res.body.items.map((i: { sku: string }) => i.sku);
      expect(skus).toContain('NT-STCT-100');
      expect(skus.some((s: string) => s.startsWith('TA-'))).toBe(false);
      const stct = res.body.items.find((i: { sku: string }) => i.sku === 'NT-STCT-100');
      expect(stct.lots.map((l: { lotCode: string }) => l.lotCode)).toEqual(['STCT2504', 'STCT2509']);
      expect(stct.onHand).toBe(stct.lots.reduce((sum: number, l: { onHand: number }) => sum + l.onHand, 0));
      expect(stct.available).toBe(stct.onHand - stct.reserved - stct.blocked - stct.expired);
      expect(stct.available).toBe(await available(stct.variantId));
    });

    it('lists lots by lot-code prefix, scoped to the cooperative', async () => {
      const res = await t.http.get('/api/manage/lots').set(auth(thienAn)).query({ lotCode: 'GCL', pageSize: 100 }).expect(200);
      expect(res.body.items.map((l: { lotCode: string }) => l.lotCode).sort()).toEqual(['GCL2507', 'GCL2510', 'GCL2510H', 'GCLT2510']);
      const other = await t.http.get('/api/manage/lots').set(auth(namTy)).query({ lotCode: 'GCL' }).expect(200);
      expect(other.body).toMatchObject({ items: [], total: 0 });
      const wildcard = await t.http.get('/api/manage/lots').set(auth(thienAn)).query({ lotCode: '%' }).expect(200);
      expect(wildcard.body.total).toBe(0);
    });

    it('lists low stock under a threshold and near-expiry lots within some days (expired flagged)', async () => {
      const low = await t.http.get('/api/manage/stock/low').set(auth(thienAn)).query({ threshold: 10 }).expect(200);
      expect(low.body.items.map((i: { sku: string }) => i.sku)).toContain('TA-CGCL-100');
      expect(low.body.items.every((i: { available: number }) => i.available <= 10)).toBe(true);
      const v = await newVariant('near');
      await receive(v, 'N-10', 5, day(10));
      await receive(v, 'N-40', 5, day(40));
      await ds.transaction((tx) => receiveLot(tx, { cooperativeId: thienAnId, variantId: v, lotCode: 'N-OLD', quantity: 5, expiryDate: day(-5) }));
      const near = await t.http.get('/api/manage/lots/near-expiry').set(auth(thienAn)).query({ days: 30 }).expect(200);
      const mine = near.body.items.filter((l: { variantId: string }) => l.variantId === v);
      expect(mine.map((l: { lotCode: string; expired: boolean; daysLeft: number }) => [l.lotCode, l.expired, l.daysLeft])).toEqual([
        ['N-OLD', true, -5],
        ['N-10', false, 10],
      ]);
      // The seed has an expired and a near-expiry lot for the demo (dates are calendar days in Vietnam, not UTC:
      // between 17:00 and 24:00 UTC it is already tomorrow there).
      const seeded = await t.sql(
        `SELECT lot_code FROM inventory_lots WHERE lot_code IN ('LTD2501', 'TBN2401') AND expiry_date <= (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 10`,
      );
      expect(seeded).toHaveLength(2);
      const none = await t.http.get('/api/manage/lots/near-expiry').set(auth(namTy)).query({ days: 30 }).expect(200);
      expect(none.body.items.some((l: { variantId: string }) => l.variantId === v)).toBe(false);
    });
  });

  describe('FEFO allocation', () => {
    it('allocates first-expiring-first, lots without expiry last, skipping expired and recalled lots; idempotent', async () => {
      const v = await newVariant('fefo');
      const late = await receive(v, 'F-LATE', 10, day(100));
      const soon = await receive(v, 'F-SOON', 10, day(10));
      const never = await receive(v, 'F-NOEXP', 100);
      const recalled = await receive(v, 'F-RECALL', 50, day(5));
      const expired = await ds.transaction((tx) =>
        receiveLot(tx, { cooperativeId: thienAnId, variantId: v, lotCode: 'F-EXPIRED', quantity: 50, expiryDate: day(-1) }),
      );
      await ds.transaction((tx) => inventory.markRecalled(tx, recalled.id, 'Nghi nhiễm nấm mốc / suspected mould'));
      await ds.transaction((tx) => inventory.markRecalled(tx, recalled.id, 'again'));
      expect(await available(v)).toBe(120);

      const order = randomUUID();
      await ds.transaction((tx) => inventory.reserve(tx, order, [{ variantId: v, quantity: 25 }]));
      const allocations = await ds.transaction((tx) => inventory.allocate(tx, order));
      expect(allocations.map((a) => [a.lotCode, a.quantity])).toEqual([
        ['F-SOON', 10],
        ['F-LATE', 10],
        ['F-NOEXP', 5],
      ]);
      expect(allocations[0]).toMatchObject({ orderId: order, variantId: v, lotId: soon.id, expiryDate: day(10) });
      const movementsBefore = await t.sql(`SELECT count(*)::int n FROM inventory_movements WHERE order_id = $1`, [order]);
      expect(await ds.transaction((tx) => inventory.allocate(tx, order))).toEqual(allocations);
      expect(await t.sql(`SELECT count(*)::int n FROM inventory_movements WHERE order_id = $1`, [order])).toEqual(movementsBefore);

      const lots = await t.sql<{ id: string; on_hand: number }>(`SELECT id, on_hand FROM inventory_lots WHERE variant_id = $1`, [v]);
      const onHand = Object.fromEntries(lots.map((l) => [l.id, l.on_hand]));
      expect(onHand).toEqual({ [late.id]: 0, [soon.id]: 0, [never.id]: 95, [recalled.id]: 50, [expired.id]: 50 });
      expect(await inventory.orderIdsReceivingLot(soon.id)).toEqual([order]);
      expect(await inventory.orderIdsReceivingLot(recalled.id)).toEqual([]);
      expect(await inventory.allocationsForOrders([order, randomUUID()])).toEqual(allocations);
      expect(await available(v)).toBe(95);
      expect(await ledgerDiscrepancies(t)).toEqual([]);
    });

    it('answers 409 when unexpired, unrecalled lots cannot cover the reservation (recall after reserve)', async () => {
      const v = await newVariant('cover');
      const lot = await receive(v, 'C-1', 10, day(30));
      const order = randomUUID();
      await ds.transaction((tx) => inventory.reserve(tx, order, [{ variantId: v, quantity: 8 }]));
      await ds.transaction((tx) => inventory.markRecalled(tx, lot.id, 'Thu hồi / recall'));
      await expect(ds.transaction((tx) => inventory.allocate(tx, order))).rejects.toMatchObject({ status: 409 });
      expect(await available(v)).toBe(0);
      // Destroying the recalled stock must wait until the orders' reservations are released.
      const early = await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send({ delta: -10, reason: 'Tiêu huỷ lô thu hồi' }).expect(409);
      expect(early.body.message).toMatch(/8 are reserved for orders; release those reservations/);
      // Reservations stay releasable, and nothing was half-written by the failed allocation.
      await ds.transaction((tx) => inventory.release(tx, order));
      expect(await inventory.allocationsForOrders([order])).toEqual([]);
      const destroyed = await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send({ delta: -10, reason: 'Tiêu huỷ lô thu hồi' }).expect(201);
      expect(destroyed.body).toMatchObject({ onHand: 0, recallReason: 'Thu hồi / recall' });
      const [stock] = await t.sql(`SELECT on_hand, blocked, reserved FROM inventory_stock WHERE variant_id = $1`, [v]);
      expect(stock).toEqual({ on_hand: 0, blocked: 0, reserved: 0 });
      expect(await ledgerDiscrepancies(t)).toEqual([]);
    });
  });

  describe('reserve, release, return', () => {
    it('reserves all lines or none and reports every short line', async () => {
      const a = await newVariant('allnone-a');
      const b = await newVariant('allnone-b');
      await receive(a, 'AN-A', 5, day(60));
      await receive(b, 'AN-B', 2, day(60));
      const order = randomUUID();
      const err = await ds
        .transaction((tx) => inventory.reserve(tx, order, [{ variantId: a, quantity: 3 }, { variantId: b, quantity: 4 }, { variantId: a, quantity: 1 }]))
        .catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err.getStatus()).toBe(409);
      expect(err.getResponse()).toMatchObject({ message: expect.stringMatching(/^Không đủ hàng \/ Not enough stock: .*requested 4, available 2/), details: [{ variantId: b, requested: 4, available: 2 }] });
      expect(await available(a)).toBe(5);
      // Even a caller that swallows the error and commits keeps nothing of the failed call.
      await ds.transaction(async (tx) => {
        await inventory.reserve(tx, order, [{ variantId: a, quantity: 1 }, { variantId: b, quantity: 3 }]).catch(() => undefined);
      });
      expect(await available(a)).toBe(5);
      expect(await t.sql(`SELECT * FROM inventory_movements WHERE order_id = $1`, [order])).toEqual([]);
    });

    it('refuses bad lines with 400', async () => {
      const v = await newVariant('badline');
      for (const lines of [[], [{ variantId: 'x', quantity: 1 }], [{ variantId: v, quantity: 0 }], [{ variantId: v, quantity: 1.5 }], [{ variantId: v, quantity: 2_000_000 }]]) {
        await expect(ds.transaction((tx) => inventory.reserve(tx, randomUUID(), lines))).rejects.toMatchObject({ status: 400 });
      }
      await expect(ds.transaction((tx) => inventory.reserve(tx, 'nope', [{ variantId: v, quantity: 1 }]))).rejects.toMatchObject({ status: 400 });
      // An unknown variant is simply out of stock.
      const unknown = randomUUID();
      await expect(ds.transaction((tx) => inventory.reserve(tx, randomUUID(), [{ variantId: unknown, quantity: 1 }]))).rejects.toMatchObject({
        status: 409,
        response: { details: [{ variantId: unknown, requested: 1, available: 0 }] },
      });
    });

    it('release and returnAllocated are idempotent; returned stock goes back into its lots', async () => {
      const v = await newVariant('idem');
      const lot = await receive(v, 'I-1', 10, day(90));
      const o1 = randomUUID();
      const o2 = randomUUID();
      await ds.transaction((tx) => inventory.reserve(tx, o1, [{ variantId: v, quantity: 4 }]));
      await ds.transaction((tx) => inventory.reserve(tx, o2, [{ variantId: v, quantity: 3 }]));
      expect(await available(v)).toBe(3);
      await Promise.all([ds.transaction((tx) => inventory.release(tx, o1)), ds.transaction((tx) => inventory.release(tx, o1))]);
      await ds.transaction((tx) => inventory.release(tx, o1));
      expect(await available(v)).toBe(7);
      await ds.transaction((tx) => inventory.allocate(tx, o2));
      await ds.transaction((tx) => inventory.release(tx, o2)); // nothing left reserved: no-op
      expect(await available(v)).toBe(7);
      expect((await inventory.getLot(lot.id))!.onHand).toBe(7);
      await Promise.all([
        ds.transaction((tx) => inventory.returnAllocated(tx, o2, 'cancelled')),
        ds.transaction((tx) => inventory.returnAllocated(tx, o2, 'cancelled')),
      ]);
      await ds.transaction((tx) => inventory.returnAllocated(tx, o2, 'returned'));
      expect((await inventory.getLot(lot.id))!.onHand).toBe(10);
      expect(await available(v)).toBe(10);
      const kinds = await t.sql<{ kind: string; quantity: number; reason: string | null }>(
        `SELECT kind, quantity, reason FROM inventory_movements WHERE order_id = ANY($1) ORDER BY id`,
        [[o1, o2]],
      );
      expect(kinds).toEqual([
        { kind: 'reservation', quantity: 4, reason: null },
        { kind: 'reservation', quantity: 3, reason: null },
        { kind: 'release', quantity: -4, reason: null },
        { kind: 'allocation', quantity: -3, reason: null },
        { kind: 'return', quantity: 3, reason: 'cancelled' },
      ]);
      expect(await inventory.findLot(v, 'I-1')).toMatchObject({ id: lot.id, onHand: 10 });
      expect(await inventory.findLot(v, 'nope')).toBeNull();
      expect(await ledgerDiscrepancies(t)).toEqual([]);
    });
  });

  describe('concurrency', () => {
    it('200 concurrent reservations from two API instances for 50 available: exactly 50 succeed, the rest 409', async () => {
      const other = await startTestApp({ databaseUrl: t.databaseUrl, env: { DB_POOL_SIZE: '10' } });
      try {
        const v = await newVariant('race');
        await receive(v, 'RACE-1', 30, day(100));
        await receive(v, 'RACE-2', 20, day(200));
        const instances = [
          { ds, inv: inventory },
          { ds: other.app.get(DataSource), inv: other.app.get(InventoryService) },
        ];
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => {
            const { ds: d, inv } = instances[i % 2];
            return d.transaction((tx) => inv.reserve(tx, randomUUID(), [{ variantId: v, quantity: 1 }]));
          }),
        );
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(ok).toBe(50);
        expect(refused).toHaveLength(150);
        for (const r of refused) expect(r.reason).toMatchObject({ status: 409 });
        expect(await available(v)).toBe(0);
        const [stock] = await t.sql(`SELECT on_hand, reserved FROM inventory_stock WHERE variant_id = $1`, [v]);
        expect(stock).toEqual({ on_hand: 50, reserved: 50 });
        const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int n FROM inventory_movements WHERE variant_id = $1 AND kind = 'reservation'`, [v]);
        expect(n).toBe(50);
        expect(await ledgerDiscrepancies(t)).toEqual([]);
      } finally {
        await other.close();
      }
    });

    it('the same across three OS processes (two worker processes and this one): exactly 50 of 210 succeed', async () => {
      const v = await newVariant('procs');
      await receive(v, 'PROC-1', 50, day(100));
      const worker = (count: number) =>
        new Promise<{ ok: number; conflict: number; other: string[] }>((resolve, reject) => {
          const child = spawn(process.execPath, ['-r', './scripts/register.js', 'apps/api/test/inventory/reserve-worker.ts', t.databaseUrl, v, String(count)], {
            cwd: path.resolve(__dirname, '../../../..'),
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (err += d));
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}: ${err}`))));
        });
      const local = Promise.allSettled(Array.from({ length: 70 }, () => ds.transaction((tx) => inventory.reserve(tx, randomUUID(), [{ variantId: v, quantity: 1 }]))));
      const [a, b, mine] = await Promise.all([worker(70), worker(70), local]);
      expect(a.other).toEqual([]);
      expect(b.other).toEqual([]);
      const mineOk = mine.filter((r) => r.status === 'fulfilled').length;
      for (const r of mine) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409 });
      expect(a.ok + b.ok + mineOk).toBe(50);
      expect(a.conflict + b.conflict + (70 - mineOk)).toBe(160);
      expect(await available(v)).toBe(0);
      expect(await ledgerDiscrepancies(t)).toEqual([]);
    });

    it('multi-line reservations in random line order neither deadlock nor break all-or-none', async () => {
      const other = await startTestApp({ databaseUrl: t.databaseUrl, env: { DB_POOL_SIZE: '10' } });
      try {
        const a = await newVariant('multi-a');
        const b = await newVariant('multi-b');
        await receive(a, 'M-A', 30, day(100));
        await receive(b, 'M-B', 1000, day(100));
        const instances = [
          { ds, inv: inventory },
          { ds: other.app.get(DataSource), inv: other.app.get(InventoryService) },
        ];
        const results = await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) => {
            const { ds: d, inv } = instances[i % 2];
            const lines = [
              { variantId: a, quantity: 1 },
              { variantId: b, quantity: 2 },
            ];
            return d.transaction((tx) => inv.reserve(tx, randomUUID(), i % 3 === 0 ? lines.reverse() : lines));
          }),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409 });
        const stock = await t.sql<{ variant_id: string; reserved: number }>(`SELECT variant_id, reserved FROM inventory_stock WHERE variant_id = ANY($1)`, [[a, b]]);
        expect(Object.fromEntries(stock.map((s) => [s.variant_id, s.reserved]))).toEqual({ [a]: 30, [b]: 60 });
        expect(await ledgerDiscrepancies(t)).toEqual([]);
      } finally {
        await other.close();
      }
    });
  });

  describe('tenancy and bad input', () => {
    it('answers 404 for another cooperative’s lot or variant', async () => {
      const [lot] = await t.sql<{ id: string; variant_id: string }>(`SELECT id, variant_id FROM inventory_lots WHERE lot_code = 'STCT2509'`);
      await t.http.get(`/api/manage/lots/${lot.id}`).set(auth(thienAn)).expect(404);
      await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send({ delta: -1, reason: 'Trộm' }).expect(404);
      await t.http.get(`/api/manage/stock/${lot.variant_id}/movements`).set(auth(thienAn)).expect(404);
      const res = await t.http.post('/api/manage/lots').set(auth(thienAn)).send({ variantId: lot.variant_id, lotCode: 'HACK', quantity: 5 }).expect(404);
      expect(res.body.message).toMatch(/No variant/);
      const [after] = await t.sql<{ n: number }>(`SELECT count(*)::int n FROM inventory_movements WHERE lot_id = $1 AND kind = 'adjustment'`, [lot.id]);
      expect(after.n).toBe(0);
      expect(await t.sql(`SELECT id FROM inventory_lots WHERE lot_code = 'HACK'`)).toEqual([]);
      const member = await t.login('member.thienan@htxso.test');
      await t.http.get('/api/manage/stock').set(auth(member)).expect(403);
      await t.http.get('/api/manage/stock').expect(401);
    });

    it('refuses a duplicate lot code for the same variant with 409 naming it', async () => {
      const [v] = await t.sql<{ id: string }>(`SELECT id FROM product_variants WHERE sku = 'TA-GCL-100'`);
      const res = await t.http.post('/api/manage/lots').set(auth(thienAn)).send({ variantId: v.id, lotCode: 'GCL2510', quantity: 5 }).expect(409);
      expect(res.body.message).toContain('GCL2510');
    });

    it.each([
      [{ lotCode: 'X1', quantity: 1 }, /variantId must be a variant id/],
      [{ variantId: 'VARIANT', lotCode: 'X1', quantity: 1 }, /variantId must be a variant id/],
      [{ variantId: 'V', lotCode: 'lô số 1', quantity: 1 }, /lotCode must be 1-20 letters/],
      [{ variantId: 'V', lotCode: 'X'.repeat(21), quantity: 1 }, /lotCode must be 1-20 letters/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 0 }, /quantity must be at least 1/],
      [{ variantId: 'V', lotCode: 'X1', quantity: -5 }, /quantity must be at least 1/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 2.5 }, /quantity must be a whole number/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 1e9 }, /quantity must be at most 1000000/],
      [{ variantId: 'V', lotCode: 'X1', quantity: '10' }, /quantity must be a whole number/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 1, harvestDate: '2025-13-01' }, /harvestDate must be a real date/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 1, expiryDate: '01/02/2027' }, /expiryDate must be a date such as/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 1, harvestDate: '2099-10-01', expiryDate: '2099-09-01' }, /expiryDate \(2099-09-01\) is before harvestDate \(2099-10-01\)/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 1, expiryDate: '2020-01-01' }, /expiryDate 2020-01-01 is in the past/],
      [{ variantId: 'UNKNOWN', lotCode: 'X1', quantity: 1 }, /No variant/],
      [{ variantId: 'V', lotCode: 'X1', quantity: 1, onHand: 5 }, /onHand is not a known field/],
    ])('POST /api/manage/lots %j → 4xx with a readable message', async (body, message) => {
      const [v] = await t.sql<{ id: string }>(`SELECT id FROM product_variants WHERE sku = 'TA-NDK-200'`);
      const b = { ...body } as Record<string, unknown>;
      if (b.variantId === 'V') b.variantId = v.id;
      if (b.variantId === 'UNKNOWN') b.variantId = randomUUID();
      const res = await t.http.post('/api/manage/lots').set(auth(thienAn)).send(b);
      expect([400, 404]).toContain(res.status);
      expect(res.body.message).toMatch(message);
      expect(await t.sql(`SELECT id FROM inventory_lots WHERE lot_code = 'X1'`)).toEqual([]);
    });

    it.each([
      [{ reason: 'thiếu delta' }, /delta must be a whole number/],
      [{ delta: 0, reason: 'không đổi' }, /delta must not be 0/],
      [{ delta: 1.5, reason: 'lẻ' }, /delta must be a whole number/],
      [{ delta: -1 }, /reason must be 3 to 500 characters/],
      [{ delta: -1, reason: '  ' }, /reason must be 3 to 500 characters/],
      [{ delta: -10_000_000, reason: 'quá lớn' }, /delta must be at least -1000000/],
    ])('POST /api/manage/lots/:id/adjustments %j → 400', async (body, message) => {
      const [lot] = await t.sql<{ id: string }>(`SELECT id FROM inventory_lots WHERE lot_code = 'NDK2509'`);
      const res = await t.http.post(`/api/manage/lots/${lot.id}/adjustments`).set(auth(thienAn)).send(body).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it.each([
      ['/api/manage/stock/low?threshold=-1', /threshold must be 0 or more/],
      ['/api/manage/stock/low?threshold=abc', /threshold must be a whole number/],
      ['/api/manage/lots/near-expiry?days=5000', /days must be at most 3650/],
      ['/api/manage/stock?variantId=abc', /variantId must be a UUID/],
    ])('GET %s → 400', async (url, message) => {
      const res = await t.http.get(url).set(auth(thienAn)).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('answers 404 for a malformed lot id', async () => {
      await t.http.get('/api/manage/lots/abc').set(auth(thienAn)).expect(404);
      await t.http.post('/api/manage/lots/abc/adjustments').set(auth(thienAn)).send({ delta: 1, reason: 'thêm' }).expect(404);
    });

    it('shows availability on the public product page, excluding expired stock', async () => {
      const v = await newVariant('public');
      await receive(v, 'P-OK', 7, day(50));
      await ds.transaction((tx) => receiveLot(tx, { cooperativeId: thienAnId, variantId: v, lotCode: 'P-OLD', quantity: 9, expiryDate: day(-2) }));
      await ds.transaction((tx) => inventory.reserve(tx, randomUUID(), [{ variantId: v, quantity: 2 }]));
      const [p] = await t.sql<{ slug: string }>(`SELECT p.slug FROM products p JOIN product_variants v ON v.product_id = p.id WHERE v.id = $1`, [v]);
      const res = await t.http.get(`/api/products/${p.slug}`).expect(200);
      expect(res.body.variants).toEqual([expect.objectContaining({ id: v, available: 5, inStock: true })]);
    });
  });
});
