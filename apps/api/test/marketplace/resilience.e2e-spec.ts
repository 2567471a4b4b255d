import { randomUUID } from 'node:crypto';
import { adjustLot } from '@htx/inventory';
import { startTestApp } from '../support/test-app';
import { allStockInSync, MERCHANT_ID, SHOP_ADDRESS, startChannelHarness, waitFor, type ChannelHarness } from './support';

/** A run of the same value twice in a row in Postmart's applied history means one write was applied twice. */
function appliedTwice(history: number[]): boolean {
  return history.some((v, i) => i > 0 && history[i - 1] === v);
}

describe('Postmart sync under failures', () => {
  let h: ChannelHarness;
  const auth = () => ({ authorization: `Bearer ${h.token}` });

  beforeAll(async () => {
    h = await startChannelHarness();
    await waitFor('initial listing', async () => h.sim.products(MERCHANT_ID).length === h.listed.length && (await allStockInSync(h)));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('429 and 500 bursts end with everything in sync, nothing applied twice, and the failures shown meanwhile', async () => {
    // While the connection is off, the shop sells; the failures are armed; then the manager turns it back on. So every
    // retry of the stock write (by its job or by one the reconcile queued) computes the same batch and key.
    const off = await h.t.http.patch(`/api/manage/channels/${h.connectionId}`).set(auth()).send({ enabled: false });
    expect(off.status).toBe(200);
    const before = { ...h.sim.counters };
    // A burst of rate-limit answers, of 500s refused before applying, and of 500s that applied the write but lost the answer.
    h.sim.injectFailures([
      { status: 429, retryAfterSeconds: 1, pathContains: '/stock/' },
      { status: 429, retryAfterSeconds: 1, pathContains: '/stock/' },
      { status: 500, mode: 'before', pathContains: '/stock/' },
      { status: 500, mode: 'after', pathContains: '/stock/' },
      { status: 503, mode: 'before', pathContains: '/stock/' },
      { status: 500, mode: 'after', pathContains: '/stock/' },
    ]);
    // Stock changes on every listed variant: shop sales.
    for (const l of h.listed) {
      const res = await h.t.http
        .post('/api/orders')
        .set('idempotency-key', `burst-${randomUUID()}`)
        .send({ items: [{ variantId: l.variantId, quantity: 1 }], customer: { name: 'Phạm Văn Long', phone: '0934567890' }, shippingAddress: SHOP_ADDRESS, paymentMethod: 'cod' });
      expect(res.status).toBe(201);
    }
    expect(await allStockInSync(h)).toBe(false);
    const on = await h.t.http.patch(`/api/manage/channels/${h.connectionId}`).set(auth()).send({ enabled: true });
    expect(on.status).toBe(200);
    await waitFor('everything in sync after the burst', async () => {
      if (!(await allStockInSync(h))) return false;
      const s = await h.t.http.get(`/api/manage/channels/${h.connectionId}/products`).set(auth());
      return s.body.items.filter((i: { listed: boolean }) => i.listed).every((i: { status: string }) => i.status === 'in_sync');
    });
    expect(h.sim.counters.injectedFailures - before.injectedFailures).toBe(6);
    expect(h.sim.counters.rateLimited - before.rateLimited).toBeGreaterThanOrEqual(2);
    // The two writes applied before their answer was lost were retried with the same Idempotency-Key and replayed, not applied again.
    expect(h.sim.counters.replays - before.replays).toBeGreaterThanOrEqual(2);
    for (const l of h.listed) expect(appliedTwice(h.sim.stockHistory(MERCHANT_ID, l.sku))).toBe(false);
    // No product was created twice.
    expect(h.sim.counters.productsCreated).toBe(h.listed.length);
  });

  it('slow answers that time out are retried under the same key: applied once, then in sync', async () => {
    const l = h.listed[2];
    await waitFor('in sync before', () => allStockInSync(h));
    const before = { ...h.sim.counters };
    const writesBefore = h.sim.stockHistory(MERCHANT_ID, l.sku).length;
    // Postmart answers after 3 s; we give up after 2 s (MARKETPLACE_HTTP_TIMEOUT_MS), but Postmart applies the write anyway.
    h.sim.setLatency(3000);
    try {
      const [lot] = await h.t.sql<{ id: string }>(`SELECT id FROM inventory_lots WHERE variant_id = $1 AND on_hand > 0 AND recalled_at IS NULL ORDER BY on_hand DESC LIMIT 1`, [l.variantId]);
      await h.ds.transaction((tx) => adjustLot(tx, lot.id, -1, 'hao hụt / shrinkage', h.coopId));
      await waitFor('the slow write applied at Postmart', async () => h.sim.stockHistory(MERCHANT_ID, l.sku).length > writesBefore);
    } finally {
      h.sim.setLatency(0);
    }
    // In sync as we know it: a call answered (not merely applied at Postmart) recorded the figure as pushed.
    const expected = await h.available(l.variantId);
    await waitFor('recorded as pushed after the slow answers', async () => {
      const [r] = await h.t.sql<{ pushed_stock: number; status: string }>(`SELECT pushed_stock, status FROM channel_listings WHERE variant_id = $1`, [l.variantId]);
      return r?.pushed_stock === expected && r.status === 'in_sync';
    });
    expect(await allStockInSync(h)).toBe(true);
    // The abandoned call's retry carried the same Idempotency-Key: answered from Postmart's record, not applied again.
    expect(h.sim.counters.replays - before.replays).toBeGreaterThanOrEqual(1);
    expect(h.sim.stockHistory(MERCHANT_ID, l.sku).length - writesBefore).toBe(1);
    expect(appliedTwice(h.sim.stockHistory(MERCHANT_ID, l.sku))).toBe(false);
  });

  it('a failure that outlasts the retries shows as failed with the reason, and the manager’s retry finishes it', async () => {
    const l = h.listed[0];
    // More 500s than the attempts of a job (the reconcile's jobs draw on them too); cleared once a job has failed for good.
    h.sim.injectFailures(Array.from({ length: 60 }, () => ({ status: 500 as const, mode: 'before' as const, pathContains: '/stock/' })));
    const [lot] = await h.t.sql<{ id: string }>(`SELECT id FROM inventory_lots WHERE variant_id = $1 AND on_hand > 0 AND recalled_at IS NULL ORDER BY on_hand DESC LIMIT 1`, [l.variantId]);
    await h.ds.transaction((tx) => adjustLot(tx, lot.id, -1, 'hao hụt / shrinkage', h.coopId));
    const failed = await waitFor('a failed job in the manager’s list', async () => {
      const res = await h.t.http.get(`/api/manage/channels/${h.connectionId}/failed-jobs`).set(auth());
      return res.body.items.length > 0 ? res.body.items : null;
    });
    expect(failed[0].failedReason).toContain('Postmart 500');
    const status = await h.t.http.get(`/api/manage/channels/${h.connectionId}/products`).set(auth());
    const product = status.body.items.find((i: { variants: Array<{ variantId: string }> }) => i.variants.some((v) => v.variantId === l.variantId));
    expect(product.status).toBe('failed');
    expect(product.lastError).toContain('Postmart 500');
    h.sim.clearFailures();
    // The reconcile job may already have fixed it (the poll makes it certain); the manager's retry must succeed either way.
    const retry = await h.t.http.post(`/api/manage/channels/${h.connectionId}/failed-jobs/${encodeURIComponent(failed[0].id)}/retry`).set(auth());
    expect(retry.status).toBe(200);
    await waitFor('in sync after the retry', () => allStockInSync(h));
    const after = await h.t.http.get(`/api/manage/channels/${h.connectionId}/failed-jobs`).set(auth());
    expect(after.body.items.find((j: { id: string }) => j.id === failed[0].id)).toBeUndefined();
  });

  it('another cooperative’s manager sees none of it', async () => {
    const other = await h.t.login('namty@htxso.test');
    const list = await h.t.http.get('/api/manage/channels').set('authorization', `Bearer ${other}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(0);
    const res = await h.t.http.get(`/api/manage/channels/${h.connectionId}/products`).set('authorization', `Bearer ${other}`);
    expect(res.status).toBe(404);
    expect((await h.t.http.get(`/api/manage/channels/${h.connectionId}/products`)).status).toBe(401);
  });

  it('a restarted worker resumes the jobs left in Redis', async () => {
    const l = h.listed[1];
    await waitFor('in sync before', () => allStockInSync(h));
    // Postmart answers 429 with a Retry-After of 6 s (longer than a worker waits in place): the stock job is parked, delayed, in Redis.
    h.sim.injectFailures([{ status: 429, retryAfterSeconds: 6, pathContains: '/stock/' }]);
    const [lot] = await h.t.sql<{ id: string }>(`SELECT id FROM inventory_lots WHERE variant_id = $1 AND on_hand > 0 AND recalled_at IS NULL ORDER BY on_hand DESC LIMIT 1`, [l.variantId]);
    await h.ds.transaction((tx) => adjustLot(tx, lot.id, -2, 'hao hụt / shrinkage', h.coopId));
    const expected = await h.available(l.variantId);
    await waitFor('the job parked by the 429', async () => (h.sim.counters.injectedFailures > 0 && (await h.sync.stockQueue.getDelayedCount()) > 0 ? true : null));
    const prefix = h.t.config.REDIS_PREFIX;
    // Stop the API with the job pending. Its repeating reconcile is stretched beyond the test, so only the parked job can finish the work.
    await h.t.app.close();
    expect(h.sim.product(MERCHANT_ID, l.sku)?.stock).not.toBe(expected);
    process.env['MARKETPLACE_RECONCILE_MS'] = '600000';
    const t2 = await startTestApp({ databaseUrl: h.t.databaseUrl, env: { REDIS_PREFIX: prefix } });
    try {
      await waitFor('the parked job completed by the new process', async () => h.sim.product(MERCHANT_ID, l.sku)?.stock === expected);
    } finally {
      await t2.close();
      process.env['MARKETPLACE_RECONCILE_MS'] = '1500';
    }
    // h.t's app is already closed; its close() below only ends the pg client and drops the database.
    h.t.app.close = async () => undefined;
  });
});
