import { halfWritten, ledgerDiscrepancies } from './support/checks';
import { checkoutLoad, cleanFailure, conservationProblems } from './support/load';
import { checkout, CheckoutBody, inBatches, summary, login, platformEnv, PlatformProcess, startApi, stockedVariant, waitHealthy } from './support/platform';
import { createDatabase, privatePostgres, sql } from './support/services';

/**
 * PostgreSQL restarted (pg_ctl stop -m fast, down ~1.5 s, start) while 16 shoppers place checkouts back to back on one
 * API process. The restart terminates every pooled connection mid-transaction and refuses new ones while it is down.
 * Proven afterwards, from the database and the responses:
 * - every answer was a success or a clean failure (no 500, no dropped connection; 5xx only as 503 with a message);
 * - every 201 is a whole order in the database; nothing is half written (no checkout without orders, no line without
 *   its reservation/allocation, no movement of a missing order) and the stock counters equal the ledger;
 * - stock is conserved: received − allocated + reserved equals what the live orders asked for (nothing lost or doubled);
 * - each failed checkout retried with its Idempotency-Key on the same, never restarted, process succeeds once, and a
 *   succeeded one replays the same checkout;
 * - /api/health answers 200 again without restarting the API.
 */
describe('faults: PostgreSQL restarted under checkout load', () => {
  const RECEIVED = 100_000;
  let db: string;
  let api: PlatformProcess;

  beforeAll(async () => {
    db = await createDatabase('pgrestart');
    api = await startApi('pgrestart-api', 9421, platformEnv(db, { DB_POOL_SIZE: '10', LOG_LEVEL: 'warn' }));
  });

  afterAll(async () => {
    await api?.stop();
    await sql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
  });

  it('answers cleanly during the outage, loses and doubles nothing, and recovers by itself', async () => {
    const base = api.url ?? '';
    const token = await login(base, 'thienan@htxso.test');
    const variants: string[] = [];
    for (let i = 0; i < 4; i++) variants.push(await stockedVariant(base, token, 50_000 + i * 10_000, RECEIVED));
    const pid = api.pid;

    const load = checkoutLoad([base], variants, 16);
    await new Promise((r) => setTimeout(r, 2500));
    const before = load.attempts.length;
    await privatePostgres.restart(1500);
    await new Promise((r) => setTimeout(r, 2500));
    const attempts = await load.stop();
    expect(attempts.length).toBeGreaterThan(before);

    // The outage was felt (else this test proves nothing), and every failure was a clean one.
    const failed = attempts.filter((a) => a.res.status !== 201);
    expect(failed.length).toBeGreaterThan(0);
    const unclean = failed.filter((a) => !(a.res.status === 503 && cleanFailure(a.res)));
    expect(unclean.map((a) => [a.res.status, a.res.body])).toEqual([]);
    expect(failed.map((a) => (a.res.body as { message: string }).message).every((m) => /tạm thời|bận|Busy|unavailable/i.test(m))).toBe(true);

    // Back without a restart: same process, healthy.
    await waitHealthy(base, 30);
    expect(api.alive && api.pid === pid).toBe(true);

    // Every 201 is a whole checkout in the database, with the orders it named.
    const ok = attempts.filter((a) => a.res.status === 201);
    const stored = await sql<{ key: string; orders: string[] }>(db,
      `SELECT k.idempotency_key AS key, array_agg(o.id::text ORDER BY o.id) AS orders FROM checkouts k JOIN orders o ON o.checkout_id = k.id
        WHERE k.idempotency_key = ANY($1::text[]) GROUP BY 1`, [ok.map((a) => a.key)]);
    const byKey = new Map(stored.map((r) => [r.key, r.orders]));
    for (const a of ok) expect(byKey.get(a.key)).toEqual((a.res.body as CheckoutBody).orders.map((o) => o.id).sort());
    expect(await halfWritten(db)).toEqual([]);
    expect(await ledgerDiscrepancies(db)).toEqual([]);
    expect(await conservationProblems(db, variants, RECEIVED)).toEqual([]);

    // The shoppers whose checkout failed retry with the same key: one checkout each; a succeeded key replays.
    const retried = await inBatches(failed, 8, async (a) => {
      const retry = await checkout(base, a.key, a.body);
      const again = await checkout(base, a.key, a.body);
      // The first retry places the checkout, or replays it if the failed attempt had committed and only its answer was
      // lost (a restart can land between COMMIT and the reply); either way the second retry replays the same checkout.
      const firstPlacement = retry.headers.get('idempotent-replayed') === null ? 'placed' : 'replayed';
      return [retry.status, firstPlacement, again.status, again.headers.get('idempotent-replayed'), (again.body as CheckoutBody).checkoutId === (retry.body as CheckoutBody).checkoutId];
    });
    expect(retried.filter((r) => r[0] !== 201 || r[2] !== 201 || r[3] !== 'true' || r[4] !== true)).toEqual([]);
    summary('postgres-restart', {
      attempts: attempts.length,
      succeeded: ok.length,
      failedCleanly503: failed.length,
      retriesPlaced: retried.filter((r) => r[1] === 'placed').length,
      retriesReplayedCommittedButUnanswered: retried.filter((r) => r[1] === 'replayed').length,
    });
    for (const a of ok.slice(0, 10)) {
      const replay = await checkout(base, a.key, a.body);
      expect([replay.status, (replay.body as CheckoutBody).checkoutId]).toEqual([201, (a.res.body as CheckoutBody).checkoutId]);
    }
    const perKey = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM checkouts WHERE idempotency_key = ANY($1::text[]) GROUP BY idempotency_key`, [attempts.map((a) => a.key)]);
    expect(perKey.length).toBe(attempts.length);
    expect(perKey.every((r) => r.n === 1)).toBe(true);
    expect(await halfWritten(db)).toEqual([]);
    expect(await ledgerDiscrepancies(db)).toEqual([]);
    expect(await conservationProblems(db, variants, RECEIVED)).toEqual([]);
  });
});
