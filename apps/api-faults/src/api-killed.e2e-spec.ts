import { halfWritten, ledgerDiscrepancies, until } from './support/checks';
import { conservationProblems } from './support/load';
import { cart, checkout, CheckoutBody, HttpResult, idempotencyKey, inBatches, login, platformEnv, PlatformProcess, startApi, stockedVariant, summary } from './support/platform';
import { createDatabase, sql } from './support/services';

/**
 * An API process killed (SIGKILL) with checkouts in flight, a second API process on the same database. The kill is
 * timed by the database, not a clock: the moment the first of the checkouts has committed, so that the batch is caught in
 * every state (committed with the answer lost, mid-transaction, not yet started). Each shopper then retries with the same
 * Idempotency-Key on the surviving process. Proven: exactly one checkout per key; a key whose checkout had committed
 * replays it (same checkout id, `Idempotent-Replayed`), the others are placed once; nothing half written; stock conserved.
 */
describe('faults: an API process killed mid-checkout', () => {
  const RECEIVED = 10_000;
  let db: string;
  let a: PlatformProcess;
  let b: PlatformProcess;

  beforeAll(async () => {
    db = await createDatabase('killed');
    const env = platformEnv(db, { LOG_LEVEL: 'warn' });
    [a, b] = await Promise.all([startApi('killed-api-a', 9441, env), startApi('killed-api-b', 9442, env)]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
  });

  it('gives each retried key exactly one order on the other process', async () => {
    const token = await login(b.url ?? '', 'thienan@htxso.test');
    // Big carts (20 lines, cash on delivery: reserve and allocate every line) keep each checkout in flight a while.
    const variants = await inBatches(Array.from({ length: 20 }, (_, i) => i), 5, (i) => stockedVariant(b.url ?? '', token, 30_000 + i * 1000, RECEIVED));
    const shoppers = Array.from({ length: 16 }, (_, s) => ({ key: idempotencyKey(), body: cart(variants.map((variantId, i) => ({ variantId, quantity: 1 + ((s + i) % 3) }))) }));

    const inFlight = shoppers.map((s) => checkout(a.url ?? '', s.key, s.body, 30_000));
    await until('a first checkout committed', async () => {
      const [{ n }] = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM checkouts WHERE idempotency_key = ANY($1::text[])`, [shoppers.map((s) => s.key)]);
      return n > 0;
    }, 30);
    a.child.kill('SIGKILL');
    const first: HttpResult[] = await Promise.all(inFlight);
    await a.exited;
    const lost = first.filter((r) => r.status === 0).length;
    // Some shoppers never got an answer: the kill did land mid-flight.
    expect(lost).toBeGreaterThan(0);

    const committed = new Map(
      (await sql<{ key: string; id: string }>(db, `SELECT idempotency_key AS key, id::text FROM checkouts WHERE idempotency_key = ANY($1::text[])`, [shoppers.map((s) => s.key)])).map((r) => [r.key, r.id]),
    );
    const retries = await inBatches(shoppers, 4, (s) => checkout(b.url ?? '', s.key, s.body));
    expect(retries.map((r) => r.status)).toEqual(Array(shoppers.length).fill(201));
    shoppers.forEach((s, i) => {
      const body = retries[i].body as CheckoutBody;
      // Committed before the kill → replayed as is; otherwise placed now, once.
      if (committed.has(s.key)) expect([retries[i].headers.get('idempotent-replayed'), body.checkoutId]).toEqual(['true', committed.get(s.key)]);
      else expect(retries[i].headers.get('idempotent-replayed')).toBeNull();
      if (first[i].status === 201) expect(body.checkoutId).toBe((first[i].body as CheckoutBody).checkoutId);
    });

    const perKey = await sql<{ key: string; checkouts: number; orders: number }>(db,
      `SELECT k.idempotency_key AS key, count(DISTINCT k.id)::int AS checkouts, count(o.id)::int AS orders
         FROM checkouts k JOIN orders o ON o.checkout_id = k.id WHERE k.idempotency_key = ANY($1::text[]) GROUP BY 1`, [shoppers.map((s) => s.key)]);
    expect(perKey.length).toBe(shoppers.length);
    expect(perKey.filter((r) => r.checkouts !== 1 || r.orders !== 1)).toEqual([]);
    expect(await halfWritten(db)).toEqual([]);
    expect(await ledgerDiscrepancies(db)).toEqual([]);
    expect(await conservationProblems(db, variants, RECEIVED)).toEqual([]);
    summary('api-killed', { shoppers: shoppers.length, committedBeforeKill: committed.size, answeredBeforeKill: first.filter((r) => r.status === 201).length, noAnswer: lost });
  });
});
