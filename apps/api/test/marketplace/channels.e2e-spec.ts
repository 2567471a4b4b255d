import { randomUUID } from 'node:crypto';
import { adjustLot } from '@htx/inventory';
import { channelPrice, fromPmOrder, POSTMART_HEADERS, signedHeaders } from '@htx/marketplace';
import { allStockInSync, MERCHANT_ID, MERCHANT_SECRET, SHOP_ADDRESS, startChannelHarness, waitFor, type ChannelHarness } from './support';

/**
 * Postmart end to end: real PostgreSQL, Redis and BullMQ workers in the API, the Postmart simulator over HTTP.
 * Listing, stock both ways, order import (webhook and poll), flagged orders, status push, webhook signatures.
 */
describe('Postmart channel', () => {
  let h: ChannelHarness;
  const auth = () => ({ authorization: `Bearer ${h.token}` });

  beforeAll(async () => {
    h = await startChannelHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function importedOrder(externalId: string) {
    const [row] = await h.t.sql<{ state: string; order_id: string | null; flag_reason: string | null; acknowledged_at: Date | null; duplicates: number }>(
      `SELECT state, order_id, flag_reason, acknowledged_at, duplicates FROM channel_orders WHERE external_id = $1`,
      [externalId],
    );
    return row ?? null;
  }

  it('lists the mapped products on Postmart with the price rule (+10 %) and the shop’s stock', async () => {
    expect(h.listed.length).toBeGreaterThanOrEqual(4);
    await waitFor('listings on the simulator', async () => h.sim.products(MERCHANT_ID).length === h.listed.length);
    for (const l of h.listed) {
      const p = h.sim.product(MERCHANT_ID, l.sku);
      expect(p?.gc_id).toBe(782);
      expect(p?.price).toBe(channelPrice(l.priceVnd, 10));
      expect(p?.status).toBe('active');
    }
    await waitFor('stock in sync', () => allStockInSync(h));
    const status = await h.t.http.get(`/api/manage/channels/${h.connectionId}/products`).set(auth());
    expect(status.status).toBe(200);
    const listedProducts = status.body.items.filter((i: { listed: boolean }) => i.listed);
    expect(listedProducts.length).toBe(4);
    await waitFor('status in_sync', async () => {
      const s = await h.t.http.get(`/api/manage/channels/${h.connectionId}/products`).set(auth());
      return s.body.items.filter((i: { listed: boolean; status: string }) => i.listed).every((i: { status: string; lastSyncedAt: string | null; category: { commissionRate: number } }) => i.status === 'in_sync' && i.lastSyncedAt && i.category.commissionRate === 6.5);
    });
    // The secret is never returned in full.
    const conns = await h.t.http.get('/api/manage/channels').set(auth());
    expect(JSON.stringify(conns.body)).not.toContain(MERCHANT_SECRET);
    expect(conns.body.items[0].secret).toBe(`••••${MERCHANT_SECRET.slice(-4)}`);
  });

  it('shows Postmart’s categories with their commission and refuses an unknown one', async () => {
    const cats = await h.t.http.get(`/api/manage/channels/${h.connectionId}/categories`).set(auth());
    expect(cats.status).toBe(200);
    expect(cats.body.items).toContainEqual({ id: 782, name: 'Thực Phẩm - Đặc sản', parentId: 780, commissionRate: 6.5 });
    const [product] = await h.t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'nghe-den-kho'`);
    const bad = await h.t.http.put(`/api/manage/channels/${h.connectionId}/products/${product.id}`).set(auth()).send({ listed: true, categoryId: 99999 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('99999');
    const noCategory = await h.t.http.put(`/api/manage/channels/${h.connectionId}/products/${product.id}`).set(auth()).send({ listed: true });
    expect(noCategory.status).toBe(400);
  });

  it('a new price rule re-prices every listing on Postmart; bad input is refused with a clear 400', async () => {
    const bad = await h.t.http.patch(`/api/manage/channels/${h.connectionId}`).set(auth()).send({ priceRulePercent: 500, secret: 'short' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/priceRulePercent must be between -50 and 300/);
    expect(JSON.stringify(bad.body.message)).toMatch(/secret must be at least 16 characters/);
    const dup = await h.t.http.post('/api/manage/channels').set(auth()).send({ channel: 'postmart', baseUrl: h.sim.url, merchantId: 'OTHER-1', secret: 'another-secret-0123456789' });
    expect(dup.status).toBe(409);
    const res = await h.t.http.patch(`/api/manage/channels/${h.connectionId}`).set(auth()).send({ priceRulePercent: 20 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ priceRulePercent: 20 });
    await waitFor('prices +20 % on Postmart', async () => h.listed.every((l) => h.sim.product(MERCHANT_ID, l.sku)?.price === channelPrice(l.priceVnd, 20)));
    expect((await h.t.http.patch(`/api/manage/channels/${h.connectionId}`).set(auth()).send({ priceRulePercent: 10 })).status).toBe(200);
    await waitFor('prices back to +10 %', async () => h.listed.every((l) => h.sim.product(MERCHANT_ID, l.sku)?.price === channelPrice(l.priceVnd, 10)));
  });

  it('a newly listed product appears on Postmart', async () => {
    const [product] = await h.t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'nghe-den-kho'`);
    const variants = await h.t.sql<{ sku: string }>(`SELECT sku FROM product_variants WHERE product_id = $1 AND active`, [product.id]);
    expect(variants.length).toBeGreaterThan(0);
    for (const v of variants) expect(h.sim.product(MERCHANT_ID, v.sku)).toBeUndefined();
    const res = await h.t.http.put(`/api/manage/channels/${h.connectionId}/products/${product.id}`).set(auth()).send({ listed: true, categoryId: 784 });
    expect(res.status).toBe(200);
    expect(res.body.category).toEqual({ id: 784, name: 'Nông sản khô', commissionRate: 5.5 });
    await waitFor('the new product on Postmart', async () => variants.every((v) => h.sim.product(MERCHANT_ID, v.sku)?.gc_id === 784));
  });

  it('a sale in the shop lowers the stock on Postmart', async () => {
    const l = h.listed[0];
    await waitFor('stock in sync', () => allStockInSync(h));
    const before = h.sim.product(MERCHANT_ID, l.sku)?.stock ?? 0;
    expect(before).toBeGreaterThanOrEqual(2);
    const res = await h.t.http
      .post('/api/orders')
      .set('idempotency-key', `shop-${randomUUID()}`)
      .send({ items: [{ variantId: l.variantId, quantity: 2 }], customer: { name: 'Lê Thị Hoa', phone: '0912345678' }, shippingAddress: SHOP_ADDRESS, paymentMethod: 'cod' });
    expect(res.status).toBe(201);
    await waitFor('Postmart stock lowered by 2', async () => h.sim.product(MERCHANT_ID, l.sku)?.stock === before - 2);
    expect(await h.available(l.variantId)).toBe(before - 2);
  });

  it('a Postmart order lowers the shop’s stock, is acknowledged, and appears in the manager’s order list', async () => {
    const l = h.listed[1];
    await waitFor('stock in sync', () => allStockInSync(h));
    const before = await h.available(l.variantId);
    const postmartPrice = h.sim.product(MERCHANT_ID, l.sku)!.price;
    expect(postmartPrice).not.toBe(l.priceVnd); // the listing's price rule applies on Postmart
    const order = await h.sim.placeOrder({ merchant_id: MERCHANT_ID, items: [{ merchant_sku: l.sku, quantity: 3 }], payment_method: 'prepaid' });
    const row = await waitFor('order imported', async () => {
      const r = await importedOrder(order.order_id);
      return r?.state === 'imported' && r.acknowledged_at ? r : null;
    });
    expect(await h.available(l.variantId)).toBe(before - 3);
    expect(h.sim.orders.get(order.order_id)?.status).toBe('confirmed');
    const list = await h.t.http.get('/api/manage/orders').query({ channel: 'postmart' }).set(auth());
    expect(list.status).toBe(200);
    const mine = list.body.items.find((o: { id: string }) => o.id === row.order_id);
    expect(mine).toBeDefined();
    const detail = await h.t.http.get(`/api/manage/orders/${row.order_id}`).set(auth());
    expect(detail.body.channel).toBe('postmart');
    expect(detail.body.externalRef).toBe(order.order_id);
    expect(detail.body.status).toBe('confirmed');
    // The order keeps what the buyer paid on Postmart; Postmart (VietnamPost) handles the shipping.
    expect(detail.body.lines[0]).toMatchObject({ sku: l.sku, quantity: 3, unitPrice: postmartPrice, lineTotal: postmartPrice * 3 });
    expect(detail.body).toMatchObject({ subtotal: postmartPrice * 3, shippingFee: 0, total: postmartPrice * 3 });
    // Shared stock: Postmart is then told the new figure too.
    await waitFor('stock in sync after the import', () => allStockInSync(h));
  });

  it('a duplicated webhook imports the order once', async () => {
    const l = h.listed[2];
    h.sim.setWebhookMode('duplicate');
    try {
      const order = await h.sim.placeOrder({ merchant_id: MERCHANT_ID, items: [{ merchant_sku: l.sku, quantity: 1 }] });
      await waitFor('order imported', async () => (await importedOrder(order.order_id))?.state === 'imported');
      // Both copies were delivered and accepted (2xx); the queue and the channel_orders key let only one through.
      const deliveries = (await (await fetch(`${h.sim.url}/__sim/state`)).json()) as { merchants: Array<{ merchant_id: string; webhooks: Array<{ status: number | null }> }> };
      const mine = deliveries.merchants.find((m) => m.merchant_id === MERCHANT_ID)?.webhooks ?? [];
      expect(mine.slice(-2).map((w) => w.status)).toEqual([200, 200]);
      // The same order arriving again by any path (a third copy, the poll) is recognised, not placed again.
      const conn = await h.sync.connection(h.connectionId);
      expect(await h.sync.importOrder(conn!, fromPmOrder(h.sim.orders.get(order.order_id)!))).toMatch(/^(duplicate|updated)$/);
      expect(await h.sync.importOrder(conn!, fromPmOrder(h.sim.orders.get(order.order_id)!))).toBe('duplicate');
      expect(((await importedOrder(order.order_id))?.duplicates ?? 0)).toBeGreaterThanOrEqual(1);
      const orders = await h.t.sql(`SELECT id FROM orders WHERE channel = 'postmart' AND external_ref = $1`, [order.order_id]);
      expect(orders).toHaveLength(1);
    } finally {
      h.sim.setWebhookMode('send');
    }
  });

  it('a dropped webhook is made up for by the poll', async () => {
    const l = h.listed[3];
    h.sim.setWebhookMode('drop');
    try {
      const order = await h.sim.placeOrder({ merchant_id: MERCHANT_ID, items: [{ merchant_sku: l.sku, quantity: 1 }] });
      expect(h.sim.counters.webhooksDropped).toBeGreaterThan(0);
      await waitFor('order imported by the poll', async () => (await importedOrder(order.order_id))?.state === 'imported');
    } finally {
      h.sim.setWebhookMode('send');
    }
  });

  it('a Postmart order for stock we no longer have is flagged with the reason, not dropped', async () => {
    const l = h.listed[0];
    await waitFor('stock in sync', () => allStockInSync(h));
    const available = await h.available(l.variantId);
    // A stale listing on Postmart (force skips Postmart's own stock check): the buyer orders more than we have.
    const order = await h.sim.placeOrder({ merchant_id: MERCHANT_ID, items: [{ merchant_sku: l.sku, quantity: available + 5 }], force: true });
    const row = await waitFor('order flagged', async () => {
      const r = await importedOrder(order.order_id);
      return r?.state === 'flagged' && r.flag_reason !== 'importing' ? r : null;
    });
    expect(row.order_id).toBeNull();
    expect(row.flag_reason).toContain('Không đủ hàng');
    expect(await h.available(l.variantId)).toBe(available);
    const flagged = await h.t.http.get(`/api/manage/channels/${h.connectionId}/orders`).query({ state: 'flagged' }).set(auth());
    expect(flagged.status).toBe(200);
    expect(flagged.body.items.map((o: { externalId: string }) => o.externalId)).toContain(order.order_id);
    const orders = await h.t.sql(`SELECT id FROM orders WHERE external_ref = $1`, [order.order_id]);
    expect(orders).toHaveLength(0);
    // Once dealt with on Postmart, the manager closes it.
    const flaggedRow = flagged.body.items.find((o: { externalId: string }) => o.externalId === order.order_id);
    const dismiss = await h.t.http.post(`/api/manage/channels/${h.connectionId}/orders/${flaggedRow.id}/dismiss`).set(auth()).send({ note: 'Đã hủy và hoàn tiền trên Postmart' });
    expect(dismiss.status).toBe(200);
    expect((await importedOrder(order.order_id))?.state).toBe('dismissed');
    const again = await h.t.http.post(`/api/manage/channels/${h.connectionId}/orders/${flaggedRow.id}/dismiss`).set(auth()).send({ note: 'lần nữa' });
    expect(again.status).toBe(404);
  });

  it('pushes shipped and delivered back to Postmart', async () => {
    const l = h.listed[1];
    const order = await h.sim.placeOrder({ merchant_id: MERCHANT_ID, items: [{ merchant_sku: l.sku, quantity: 1 }] });
    const row = await waitFor('order imported', async () => {
      const r = await importedOrder(order.order_id);
      return r?.state === 'imported' ? r : null;
    });
    for (const to of ['packed', 'shipped', 'delivered']) {
      const res = await h.t.http.post(`/api/manage/orders/${row.order_id}/transitions`).set(auth()).send({ to });
      expect(res.status).toBe(200);
      if (to === 'shipped') await waitFor('shipped on Postmart', async () => h.sim.orders.get(order.order_id)?.status === 'shipped');
    }
    await waitFor('delivered on Postmart', async () => h.sim.orders.get(order.order_id)?.status === 'delivered');
  });

  it('a buyer’s cancellation on Postmart cancels the shop order and gives the stock back', async () => {
    const l = h.listed[2];
    await waitFor('stock in sync', () => allStockInSync(h));
    const before = await h.available(l.variantId);
    const order = await h.sim.placeOrder({ merchant_id: MERCHANT_ID, items: [{ merchant_sku: l.sku, quantity: 2 }] });
    const row = await waitFor('order imported', async () => {
      const r = await importedOrder(order.order_id);
      return r?.state === 'imported' ? r : null;
    });
    expect(await h.available(l.variantId)).toBe(before - 2);
    await h.sim.cancelOrder(order.order_id, 'Người mua đổi ý');
    await waitFor('shop order cancelled', async () => {
      const [o] = await h.t.sql<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [row.order_id]);
      return o?.status === 'cancelled';
    });
    expect(await h.available(l.variantId)).toBe(before);
    await waitFor('stock in sync after the cancellation', () => allStockInSync(h));
  });

  it('refuses a webhook with a bad signature or a stale timestamp, and imports nothing from it', async () => {
    const l = h.listed[2];
    h.sim.setWebhookMode('drop');
    let orderId: string;
    try {
      const order = await h.sim.placeOrder({ merchant_id: MERCHANT_ID, items: [{ merchant_sku: l.sku, quantity: 1 }] });
      orderId = order.order_id;
    } finally {
      h.sim.setWebhookMode('send');
    }
    const { body, headers } = h.sim.webhookRequest(orderId);
    // A forger changes the quantity but cannot sign.
    const forged = body.replace('"quantity":1', '"quantity":900');
    const bad = await h.t.http.post('/api/channels/postmart/webhook').set(headers).send(forged);
    expect(bad.status).toBe(401);
    expect(bad.body.message).toMatch(/signature|Chữ ký/);
    const wrongKey = signedHeaders(MERCHANT_ID, 'not-the-merchant-secret-000000', 'POST', '/api/channels/postmart/webhook', body);
    expect((await h.t.http.post('/api/channels/postmart/webhook').set({ ...headers, ...wrongKey }).send(body)).status).toBe(401);
    const stale = signedHeaders(MERCHANT_ID, MERCHANT_SECRET, 'POST', '/api/channels/postmart/webhook', body, Date.now() - 3600_000);
    expect((await h.t.http.post('/api/channels/postmart/webhook').set({ ...headers, ...stale }).send(body)).status).toBe(401);
    const unknown = await h.t.http.post('/api/channels/postmart/webhook').set({ ...headers, [POSTMART_HEADERS.merchant]: 'SOMEONE-ELSE' }).send(body);
    expect(unknown.status).toBe(401);
    const forgedRows = await h.t.sql(`SELECT l.quantity FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.external_ref = $1 AND l.quantity = 900`, [orderId]);
    expect(forgedRows).toHaveLength(0);
    // The genuine webhook is accepted.
    const good = await h.t.http.post('/api/channels/postmart/webhook').set(headers).send(body);
    expect(good.status).toBe(200);
    await waitFor('the genuine order imported', async () => (await importedOrder(orderId))?.state === 'imported');
  });

  it('100 stock changes of one SKU in quick succession reach Postmart as a handful of updates, ending at the right figure', async () => {
    const l = h.listed[3];
    await waitFor('stock in sync', () => allStockInSync(h));
    const [lot] = await h.t.sql<{ id: string }>(`SELECT id FROM inventory_lots WHERE variant_id = $1 AND on_hand > 0 AND recalled_at IS NULL ORDER BY on_hand DESC LIMIT 1`, [l.variantId]);
    const writesBefore = h.sim.stockHistory(MERCHANT_ID, l.sku).length;
    // 100 committed changes, each its own transaction (each one NOTIFYs): +1, -1, +1 … ending one higher.
    const loopStart = Date.now();
    for (let i = 0; i < 101; i++) {
      await h.ds.transaction((tx) => adjustLot(tx, lot.id, i % 2 === 0 ? 1 : -1, 'kiểm kê / stock count', h.coopId));
    }
    const loopMs = Date.now() - loopStart;
    const expected = await h.available(l.variantId);
    await waitFor('final figure on Postmart', async () => h.sim.product(MERCHANT_ID, l.sku)?.stock === expected);
    const writes = h.sim.stockHistory(MERCHANT_ID, l.sku).length - writesBefore;
    // Debounced: at most one job per debounce window (BullMQ deduplication), each reading the figure at send time
    // (a job re-reads up to 3 rounds if changes land while it runs). Without debouncing there would be ~101 writes.
    // The bound is derived from how long the 101 changes took on this machine, not a timing assertion.
    const debounceMs = Number(process.env['MARKETPLACE_DEBOUNCE_MS']);
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(Math.min(50, Math.max(10, 3 * (Math.ceil(loopMs / debounceMs) + 2))));
  });
});
