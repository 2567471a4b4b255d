import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { available, cart, createVariant, daysFromNow, key, ledgerProblems, receiveLot } from './orders-fixtures';

/** Sends `count` checkouts of one unit each at once, spread over the given API base URLs. */
async function rush(urls: string[], variantId: string, count: number, paymentMethod: (i: number) => string) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      request(urls[i % urls.length])
        .post('/api/orders')
        .set('idempotency-key', key())
        .send(cart([{ variantId, quantity: 1 }], { paymentMethod: paymentMethod(i), customer: { name: `Buyer ${i}`, phone: `09${String(10000000 + i).slice(-8)}` } })),
    ),
  );
}

async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
}

describe('orders: no overselling under concurrency', () => {
  let t: TestApp;
  let token: string;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    token = await t.login('thienan@htxso.test');
    url = await listen(t);
  });
  afterAll(() => t.close());

  it('200 concurrent checkouts for 50 units in stock: exactly 50 orders, nothing left, ledger consistent', async () => {
    const variantId = await createVariant(t, token, 30000);
    await receiveLot(t, token, variantId, 30, daysFromNow(60));
    await receiveLot(t, token, variantId, 20, daysFromNow(120));
    const results = await rush([url], variantId, 200, (i) => (i % 2 ? 'cod' : 'vnpay'));
    const statuses = results.map((r) => r.status);
    const odd = results.filter((r) => r.status !== 201 && r.status !== 409).map((r) => `${r.status} ${r.body.message}`);
    expect(odd).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(150);
    const short = results.find((r) => r.status === 409)!;
    expect(short.body.details).toEqual([{ variantId, requested: 1, available: 0 }]);
    const [{ orders, units, codes }] = await t.sql<{ orders: number; units: number; codes: number }>(
      `SELECT count(DISTINCT o.id)::int AS orders, sum(l.quantity)::int AS units, count(DISTINCT o.code)::int AS codes
       FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.variant_id = $1`,
      [variantId],
    );
    expect({ orders, units, codes }).toEqual({ orders: 50, units: 50, codes: 50 });
    expect(await available(t, variantId)).toBe(0);
    expect(await ledgerProblems(t)).toEqual([]);
    // Today's order codes of the cooperative form a gapless sequence 1..n (failed checkouts roll their number back).
    const today = results.find((r) => r.status === 201)!.body.orders[0].code.slice(0, 9);
    const seqs = await t.sql<{ s: number }>(`SELECT substring(code from '\\d{4,}$')::int AS s FROM orders WHERE code LIKE $1 ORDER BY 1`, [`${today}%`]);
    expect(seqs.length).toBeGreaterThanOrEqual(50);
    expect(seqs.map((r) => r.s)).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('the same with three API instances sharing one database', async () => {
    const others = [await startTestApp({ databaseUrl: t.databaseUrl }), await startTestApp({ databaseUrl: t.databaseUrl })];
    try {
      const urls = [url, await listen(others[0]), await listen(others[1])];
      const variantId = await createVariant(t, token, 30000);
      await receiveLot(t, token, variantId, 50, daysFromNow(60));
      const results = await rush(urls, variantId, 200, (i) => (i % 3 ? 'cod' : 'vietqr'));
      expect(results.filter((r) => r.status === 201)).toHaveLength(50);
      expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM order_lines WHERE variant_id = $1`, [variantId]);
      expect(n).toBe(50);
      expect(await available(t, variantId)).toBe(0);
      expect(await ledgerProblems(t)).toEqual([]);
    } finally {
      for (const o of others) await o.close();
    }
  });
});
