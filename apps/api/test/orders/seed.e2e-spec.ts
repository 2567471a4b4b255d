import { runSeed } from '../../src/seed/seed';
import { startTestApp, TestApp } from '../support/test-app';
import { daysFromNow, ledgerProblems } from './orders-fixtures';

describe('orders: demo seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ seed: true });
  });
  afterAll(() => t.close());

  const snapshot = () =>
    t.sql(`SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM order_transitions)::int AS transitions,
                  (SELECT count(*) FROM inventory_movements)::int AS movements`);

  it('places past orders in several states and both channels through the ledger, and is idempotent', async () => {
    const statuses = await t.sql<{ status: string; channel: string; n: number }>(`SELECT status, channel, count(*)::int AS n FROM orders GROUP BY 1, 2`);
    const total = statuses.reduce((s, r) => s + r.n, 0);
    expect(total).toBeGreaterThanOrEqual(30);
    expect(new Set(statuses.map((s) => s.status)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(statuses.map((s) => s.channel))).toEqual(new Set(['shop', 'postmart']));
    const [{ span }] = await t.sql<{ span: number }>(`SELECT extract(day from max(placed_at) - min(placed_at))::int AS span FROM orders`);
    expect(span).toBeGreaterThanOrEqual(25);
    expect(await ledgerProblems(t)).toEqual([]);
    // Delivered orders record the lots they shipped from.
    const [{ missing }] = await t.sql<{ missing: number }>(
      `SELECT count(*)::int AS missing FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status = 'delivered' AND jsonb_array_length(l.lots) = 0`,
    );
    expect(missing).toBe(0);

    const before = await snapshot();
    await runSeed(t.config);
    expect(await snapshot()).toEqual(before);

    const token = await t.login('thienan@htxso.test');
    const report = await t.http.get('/api/manage/reports/sales').set('authorization', `Bearer ${token}`).query({ from: daysFromNow(-31), to: daysFromNow(0) }).expect(200);
    expect(report.body.orders).toBeGreaterThan(10);
    expect(report.body.byChannel).toHaveLength(2);
    expect(report.body.topProducts.length).toBeGreaterThan(3);
  });
});
