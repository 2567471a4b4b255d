import type { Queue } from 'bullmq';
import { CHANNEL_STOCK_QUEUE, halfWritten, ledgerDiscrepancies, ORDER_EXPIRY_QUEUE, PAYMENTS_QUEUE, platformQueue, RECONCILE_JOB, until } from './support/checks';
import { cleanFailure } from './support/load';
import { call, cart, checkout, CheckoutBody, HttpResult, idempotencyKey, login, platformEnv, PlatformProcess, POSTMART_MERCHANT_ID, POSTMART_SIM_PORT, SECURE_SECRET, startApi, startPostmartSim, startVnpaySim, startWorker, stockedVariant, summary, TMN_CODE, waitHealthy } from './support/platform';
import { createDatabase, privateRedis, sql } from './support/services';

/**
 * Past one machine: two API processes (PROCESS_ROLE=api) and one worker process (PROCESS_ROLE=worker) on the same
 * database and Redis. Proven by what the processes do, not by how they are configured:
 * - only the worker process holds BullMQ worker connections, and every job's effect appears once: each unpaid VNPay
 *   checkout's payment window closes once (one log line, in the worker, one `cancelled` transition, one release of
 *   stock), each payment whose IPN was lost is settled once by the reconciliation job's VNPay query (querydr);
 * - the job scheduler the three processes all declare at start-up exists once;
 * - the sign-in rate limit is one budget across both API processes (the counters live in Redis).
 *
 * Then Redis is killed (SIGKILL, a crash) while jobs wait in it: the payment-expiry jobs of unpaid checkouts (delayed),
 * a payment reconciliation run (VNPay querydr of payments whose IPN was lost) and a Postmart stock sync (debounced
 * after shop sales), while a buyer orders on Postmart (apps/postmart-sim). Redis runs as production must under
 * BullMQ (append-only file, fsync always) and is started again on the same files. Proven afterwards, from the database
 * and the worker's output: checkouts placed while Redis is down either succeed once it is back or fail cleanly (never a
 * 500); the processes reconnect by themselves (health 200, same processes); every queued job still runs and its effect
 * appears once (each unpaid checkout cancelled once: one transition, one release of stock, one "payment window closed"
 * line; each lost-IPN payment settled once by the query); Postmart shows the shop's stock again, its order is imported
 * once, and no product was created twice there.
 */
describe('faults: two API processes and one worker on one database and Redis; Redis restarted', () => {
  const LOGIN_LIMIT = 6;
  let db: string;
  let env: Record<string, string>;
  let api1: PlatformProcess;
  let api2: PlatformProcess;
  let worker: PlatformProcess;
  let sim: PlatformProcess;
  let postmart: PlatformProcess;
  let expiryQueue: Queue;
  let paymentsQueue: Queue;
  let stockQueue: Queue;

  beforeAll(async () => {
    db = await createDatabase('cluster');
    [sim, postmart] = await Promise.all([
      startVnpaySim('cluster-vnpay-sim', 9491, 'http://127.0.0.1:9411/api/payments/vnpay/ipn'),
      startPostmartSim('cluster-postmart-sim', POSTMART_SIM_PORT, 'http://127.0.0.1:9411/api/channels/postmart/webhook'),
    ]);
    env = platformEnv(db, {
      VNPAY_TMN_CODE: TMN_CODE,
      VNPAY_SECURE_SECRET: SECURE_SECRET,
      VNPAY_HOST: sim.url ?? '',
      LOGIN_RATE_LIMIT_PER_MINUTE: String(LOGIN_LIMIT),
      // Marketplace sync with short timings: a stock change becomes a job delayed by 2.5 s (the debounce window).
      MARKETPLACE_DEBOUNCE_MS: '2500',
      MARKETPLACE_RECONCILE_MS: '5000',
      MARKETPLACE_ORDER_POLL_MS: '2000',
      MARKETPLACE_BACKOFF_MS: '200',
      MARKETPLACE_HTTP_TIMEOUT_MS: '3000',
    });
    [api1, api2, worker] = await Promise.all([
      startApi('cluster-api1', 9411, { ...env, PROCESS_ROLE: 'api' }),
      startApi('cluster-api2', 9412, { ...env, PROCESS_ROLE: 'api' }),
      startWorker('cluster-worker', env),
    ]);
    expiryQueue = platformQueue(env.REDIS_PREFIX, ORDER_EXPIRY_QUEUE);
    paymentsQueue = platformQueue(env.REDIS_PREFIX, PAYMENTS_QUEUE);
    stockQueue = platformQueue(env.REDIS_PREFIX, CHANNEL_STOCK_QUEUE);
    for (const q of [expiryQueue, paymentsQueue, stockQueue]) q.on('error', () => undefined); // the test's own connections see the Redis crash too
  });

  afterAll(async () => {
    await Promise.all([expiryQueue?.close(), paymentsQueue?.close(), stockQueue?.close()]);
    await Promise.all([api1, api2, worker, sim, postmart].map((p) => p?.stop()));
    await sql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
  });

  it('runs every background job once, in the worker process only', async () => {
    const base = [api1.url ?? '', api2.url ?? ''];
    const token = await login(base[0], 'thienan@htxso.test');
    const variantId = await stockedVariant(base[0], token, 90_000, 1000);

    // Eight VNPay checkouts, alternately through the two API processes (each queues its checkout's expiry job).
    const placed: CheckoutBody[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await checkout(base[i % 2], idempotencyKey(), cart([{ variantId, quantity: 2 }], 'vnpay'));
      expect(res.status).toBe(201);
      placed.push(res.body as CheckoutBody);
    }
    const unpaid = placed.slice(0, 5);
    const lostIpn = placed.slice(5);
    // Three shoppers pay at VNPay but the IPN never arrives: only the reconciliation job's query can settle them.
    for (const c of lostIpn) {
      const done = await call(sim.url ?? '', 'POST', '/sim/complete', { body: { paymentUrl: c.payment.url, outcome: 'success', ipn: 'drop' } });
      expect(done.status).toBe(200);
    }
    // Time passes (instead of waiting 30 minutes): their payment windows are over …
    await sql(db, `UPDATE payment_intents SET expires_at = now() - interval '1 second' WHERE checkout_id = ANY($1::uuid[])`, [lostIpn.map((c) => c.checkoutId)]);
    // … the unpaid checkouts' delayed expiry jobs fall due, and the reconciliation job is due.
    for (const c of unpaid) {
      const job = await expiryQueue.getJob(c.checkoutId);
      expect(job).toBeTruthy();
      await job?.promote();
    }
    await paymentsQueue.add(RECONCILE_JOB, {}, { jobId: `faults-reconcile-${Date.now()}` });

    const orderIds = (cs: CheckoutBody[]) => cs.flatMap((c) => c.orders.map((o) => o.id));
    await until('unpaid orders cancelled and lost-IPN orders paid', async () => {
      const rows = await sql<{ status: string; n: number }>(db, `SELECT status, count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status`, [orderIds(placed)]);
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      return by['cancelled'] === 5 && by['paid'] === 3;
    });
    // Let any duplicate execution (a second worker picking the same job) land before counting effects.
    await new Promise((r) => setTimeout(r, 1500));

    // Each effect once: one `cancelled` transition per unpaid order, one `paid` per settled one, stock released once.
    const transitions = await sql<{ order_id: string; to_status: string; n: number }>(db,
      `SELECT order_id, to_status, count(*)::int AS n FROM order_transitions WHERE order_id = ANY($1::uuid[]) AND to_status IN ('cancelled', 'paid') GROUP BY 1, 2`,
      [orderIds(placed)]);
    expect(transitions.filter((t) => t.to_status === 'cancelled').map((t) => t.n)).toEqual([1, 1, 1, 1, 1]);
    expect(transitions.filter((t) => t.to_status === 'paid').map((t) => t.n)).toEqual([1, 1, 1]);
    const releases = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM inventory_movements WHERE kind = 'release' AND order_id = ANY($1::uuid[])`, [orderIds(unpaid)]);
    expect(releases[0].n).toBe(5);
    const queries = await sql<{ n: number }>(db,
      `SELECT count(*)::int AS n FROM payment_events e JOIN payment_intents i ON i.id = e.intent_id WHERE e.source = 'querydr' AND e.kind = 'settlement' AND i.checkout_id = ANY($1::uuid[])`,
      [lostIpn.map((c) => c.checkoutId)]);
    expect(queries[0].n).toBe(3);
    expect(await ledgerDiscrepancies(db)).toEqual([]);
    expect(await halfWritten(db)).toEqual([]);

    // The jobs ran in the worker process, each once; the API processes ran none.
    for (const c of unpaid) {
      const line = `payment window of checkout ${c.checkoutId} closed`;
      expect(worker.output.split(line).length - 1).toBe(1);
      expect(api1.output.includes(line) || api2.output.includes(line)).toBe(false);
    }
    // The worker serves no HTTP; only it holds BullMQ worker connections (the explorer never starts workers in PROCESS_ROLE=api).
    expect(worker.output).not.toMatch(/listening on/);
    expect(await expiryQueue.getWorkersCount()).toBe(1);
    expect(await paymentsQueue.getWorkersCount()).toBe(1);
    // All three processes declared the periodic reconciliation at start-up; it exists once.
    expect((await paymentsQueue.getJobSchedulers()).map((s) => s.key)).toEqual([RECONCILE_JOB]);
  });

  it('shares the sign-in rate limit between the API processes', async () => {
    // Wrong passwords for different (unknown) accounts, so that only the per-address limit applies, alternating processes.
    const attempt = (i: number) =>
      call(i % 2 ? api2.url ?? '' : api1.url ?? '', 'POST', '/api/auth/login', {
        headers: { 'x-forwarded-for': '198.51.100.23' },
        body: { email: `nobody-${i}@example.vn`, password: 'wrong-password' },
      });
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT + 2; i++) statuses.push((await attempt(i)).status);
    // Each process alone saw at most 4 attempts, under the limit of 6: the 429s prove the count is shared.
    expect(statuses.slice(0, LOGIN_LIMIT)).toEqual(Array(LOGIN_LIMIT).fill(401));
    expect(statuses.slice(LOGIN_LIMIT)).toEqual([429, 429]);
  });

  // Last: it kills the Redis the processes share.
  it('Redis killed with jobs queued: checkouts meanwhile fail cleanly or wait, and every queued job still runs once after it returns', async () => {
    const base = api1.url ?? '';
    const token = await login(base, 'thienan@htxso.test');
    const variantId = await stockedVariant(base, token, 70_000, 1000);
    // The seeded Postmart connection (four listed products) turned on by the manager, and its first listing done.
    const channels = await call(base, 'GET', '/api/manage/channels', { headers: { authorization: `Bearer ${token}` } });
    const connectionId = (channels.body as { items: Array<{ id: string }> }).items[0].id;
    expect((await call(base, 'PATCH', `/api/manage/channels/${connectionId}`, { headers: { authorization: `Bearer ${token}` }, body: { enabled: true } })).status).toBe(200);
    const channelState = async () => {
      const status = await call(base, 'GET', `/api/manage/channels/${connectionId}/products`, { headers: { authorization: `Bearer ${token}` } });
      const onPostmart = await call(postmart.url ?? '', 'GET', `/__sim/products?merchant_id=${POSTMART_MERCHANT_ID}`);
      const stock = new Map(((onPostmart.body as { data?: Array<{ merchant_sku: string; stock: number }> }).data ?? []).map((p) => [p.merchant_sku, p.stock]));
      const variants = (status.body as { items: Array<{ listed: boolean; variants: Array<{ variantId: string; sku: string; status: string; available: number }> }> }).items
        .filter((i) => i.listed).flatMap((i) => i.variants);
      return { variants, inSync: variants.length > 0 && variants.every((v) => v.status === 'in_sync' && stock.get(v.sku) === v.available) };
    };
    const listed = (await until('first Postmart listing in sync', async () => {
      const st = await channelState();
      return st.inSync && st.variants;
    }, 60));
    expect(listed.length).toBeGreaterThanOrEqual(3);
    const place = (method: 'vnpay' | 'vietqr') => checkout(base, idempotencyKey(), cart([{ variantId, quantity: 3 }], method), 30_000);

    const unpaid: CheckoutBody[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await place(i % 2 ? 'vnpay' : 'vietqr');
      expect(res.status).toBe(201);
      unpaid.push(res.body as CheckoutBody);
    }
    const lostIpn: CheckoutBody[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await place('vnpay');
      expect(res.status).toBe(201);
      lostIpn.push(res.body as CheckoutBody);
      expect((await call(sim.url ?? '', 'POST', '/sim/complete', { body: { paymentUrl: lostIpn[i].payment.url, outcome: 'success', ipn: 'drop' } })).status).toBe(200);
    }
    await sql(db, `UPDATE payment_intents SET expires_at = now() - interval '1 second' WHERE checkout_id = ANY($1::uuid[])`, [lostIpn.map((c) => c.checkoutId)]);
    // Queued in Redis before the crash: a reconciliation run due in 3 s (the querydr of the lost-IPN payments) …
    await paymentsQueue.add(RECONCILE_JOB, {}, { jobId: `faults-reconcile-${Date.now()}`, delay: 3000 });
    // … and the unpaid checkouts' expiry jobs, delayed by the 30-minute payment window.
    expect((await expiryQueue.getDelayed()).map((j) => j.id).sort()).toEqual(expect.arrayContaining(unpaid.map((c) => c.checkoutId)));
    // … and a Postmart stock sync: shop sales of listed products, debounced into a delayed job.
    for (const l of listed.slice(0, 2)) expect((await checkout(base, idempotencyKey(), cart([{ variantId: l.variantId, quantity: 1 }]))).status).toBe(201);
    await until('a Postmart stock sync queued', async () => (await stockQueue.getDelayedCount()) > 0, 20);

    privateRedis.kill();
    await privateRedis.waitGone();
    // Shoppers keep checking out while Redis is down (the expiry job cannot be queued until it is back), and a buyer
    // orders on Postmart (its webhook reaches the API while Redis is down; the webhook's import job or the order poll
    // must bring it in, once).
    const during: Promise<HttpResult>[] = Array.from({ length: 3 }, () => place('vietqr'));
    const pmOrder = await call(postmart.url ?? '', 'POST', '/__sim/orders', { body: { merchant_id: POSTMART_MERCHANT_ID, items: [{ merchant_sku: listed[2].sku, quantity: 1 }] } });
    expect(pmOrder.status).toBe(201);
    const pmOrderId = (pmOrder.body as { data: { order_id: string } }).data.order_id;
    await new Promise((r) => setTimeout(r, 2000));
    await privateRedis.start();
    await waitHealthy(base, 30);
    const duringResults = await Promise.all(during);
    expect(duringResults.filter((r) => r.status !== 201 && !(r.status === 503 && cleanFailure(r)))).toEqual([]);
    const placedDuring = duringResults.filter((r) => r.status === 201).map((r) => r.body as CheckoutBody);
    const allUnpaid = [...unpaid, ...placedDuring];
    expect(api1.alive && api2.alive && worker.alive).toBe(true);

    // The payment windows close (time travel: promote the delayed jobs, which survived the crash in the AOF).
    for (const c of allUnpaid) {
      const job = await until(`expiry job of ${c.checkoutId}`, () => expiryQueue.getJob(c.checkoutId), 20);
      await job.promote();
    }
    const ids = (cs: CheckoutBody[]) => cs.flatMap((c) => c.orders.map((o) => o.id));
    await until('unpaid orders cancelled, lost-IPN orders paid', async () => {
      const rows = await sql<{ status: string; n: number }>(db, `SELECT status, count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids([...allUnpaid, ...lostIpn])]);
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      return by['cancelled'] === allUnpaid.length && by['paid'] === lostIpn.length;
    }, 60);
    await new Promise((r) => setTimeout(r, 1500));

    const transitions = await sql<{ to_status: string; n: number }>(db,
      `SELECT to_status, count(*)::int AS n FROM order_transitions WHERE order_id = ANY($1::uuid[]) AND to_status IN ('cancelled', 'paid') GROUP BY order_id, to_status`,
      [ids([...allUnpaid, ...lostIpn])]);
    expect(transitions.filter((t) => t.n !== 1)).toEqual([]);
    expect(transitions.length).toBe(allUnpaid.length + lostIpn.length);
    const [{ n: releases }] = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM inventory_movements WHERE kind = 'release' AND order_id = ANY($1::uuid[])`, [ids(allUnpaid)]);
    expect(releases).toBe(allUnpaid.length);
    const [{ n: settled }] = await sql<{ n: number }>(db,
      `SELECT count(*)::int AS n FROM payment_events e JOIN payment_intents i ON i.id = e.intent_id WHERE e.source = 'querydr' AND e.kind = 'settlement' AND i.checkout_id = ANY($1::uuid[])`,
      [lostIpn.map((c) => c.checkoutId)]);
    expect(settled).toBe(lostIpn.length);
    for (const c of allUnpaid) expect(worker.output.split(`payment window of checkout ${c.checkoutId} closed`).length - 1).toBe(1);
    // Postmart: the queued stock sync ran (Postmart shows the shop's availability again), the order placed there during
    // the outage came in once, and no product was created twice on Postmart.
    await until('Postmart in sync again, its order imported', async () => {
      const [row] = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM channel_orders WHERE external_id = $1 AND state = 'imported'`, [pmOrderId]);
      return row.n === 1 && (await channelState()).inSync;
    }, 60);
    const [imported] = await sql<{ rows: number; orders: number }>(db,
      `SELECT count(*)::int AS rows, count(DISTINCT o.id)::int AS orders FROM channel_orders c JOIN orders o ON o.id = c.order_id WHERE c.external_id = $1`, [pmOrderId]);
    expect(imported).toEqual({ rows: 1, orders: 1 });
    const [{ n: externalOrders }] = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM orders WHERE channel = 'postmart' AND external_ref = $1`, [pmOrderId]);
    expect(externalOrders).toBe(1);
    const simState = await call(postmart.url ?? '', 'GET', '/__sim/state');
    expect((simState.body as { counters: { productsCreated: number } }).counters.productsCreated).toBe(listed.length);
    expect(await ledgerDiscrepancies(db)).toEqual([]);
    expect(await halfWritten(db)).toEqual([]);
    summary('redis-restart', { postmartOrderImported: pmOrderId, queuedBeforeCrash: unpaid.length + 1, placedWhileDown: duringResults.map((r) => r.status), expiredOnce: allUnpaid.length, settledByQuery: settled });
  });
});
