import { startTestApp, TestApp } from '../support/test-app';
import { available, cart, createVariant, daysFromNow, key, ledgerProblems, receiveLot } from './orders-fixtures';

describe('orders: checkout', () => {
  let t: TestApp;
  let thienAn: string;
  let namTy: string;

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    thienAn = await t.login('thienan@htxso.test');
    namTy = await t.login('namty@htxso.test');
  });
  afterAll(() => t.close());

  it('places a cash-on-delivery order: prices and shipping from the server, confirmed, FEFO lots recorded on the line', async () => {
    const variantId = await createVariant(t, thienAn, 85000);
    const late = await receiveLot(t, thienAn, variantId, 10, daysFromNow(200), 'LATE-1');
    const early = await receiveLot(t, thienAn, variantId, 2, daysFromNow(20), 'EARLY-1');
    await receiveLot(t, thienAn, variantId, 5, null, 'NOEXP-1');
    const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity: 3 }]));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ paymentMethod: 'cod', total: 285000, payment: { step: 'none' } });
    const [order] = res.body.orders;
    expect(order).toMatchObject({ status: 'confirmed', subtotal: 255000, shippingFee: 30000, total: 285000, cooperative: { slug: 'thien-an' } });
    expect(order.code).toMatch(/^TA-\d{6}-\d{4}$/);
    const lines = await t.sql<{ lots: Array<{ lotId: string; quantity: number; lotCode: string }> }>(`SELECT l.lots FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.code = $1`, [order.code]);
    expect(lines[0].lots).toEqual([
      expect.objectContaining({ lotId: early, lotCode: 'EARLY-1', quantity: 2 }),
      expect.objectContaining({ lotId: late, lotCode: 'LATE-1', quantity: 1 }),
    ]);
    expect(await available(t, variantId)).toBe(14);
    expect(await ledgerProblems(t)).toEqual([]);
  });

  it('ships free above the cooperative’s threshold and refuses a client-sent price', async () => {
    const variantId = await createVariant(t, thienAn, 250000);
    await receiveLot(t, thienAn, variantId, 10, daysFromNow(100));
    const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity: 2 }])).expect(201);
    expect(res.body.orders[0]).toMatchObject({ subtotal: 500000, shippingFee: 0, total: 500000 });
    const priced = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity: 1, priceVnd: 1 }])).expect(400);
    expect(priced.body.message).toMatch(/items\[0\]\.priceVnd is not a known field/);
    const total = await t.http.post('/api/orders').set('idempotency-key', key()).send({ ...cart([{ variantId, quantity: 1 }]), total: 1 }).expect(400);
    expect(total.body.message).toMatch(/total is not a known field/);
  });

  it('splits a cart across cooperatives into one order each under one checkout', async () => {
    const a = await createVariant(t, thienAn, 120000);
    const b = await createVariant(t, namTy, 300000, 'Chè Shan tuyết');
    await receiveLot(t, thienAn, a, 5, daysFromNow(90));
    await receiveLot(t, namTy, b, 5, daysFromNow(90));
    const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId: a, quantity: 1 }, { variantId: b, quantity: 2 }], { paymentMethod: 'vnpay' })).expect(201);
    expect(res.body.orders).toHaveLength(2);
    const bySlug = Object.fromEntries(res.body.orders.map((o: { cooperative: { slug: string } }) => [o.cooperative.slug, o]));
    expect(bySlug['thien-an']).toMatchObject({ status: 'awaiting_payment', subtotal: 120000, shippingFee: 30000, total: 150000 });
    expect(bySlug['nam-ty']).toMatchObject({ status: 'awaiting_payment', subtotal: 600000, shippingFee: 0, total: 600000 });
    expect(bySlug['nam-ty'].code).toMatch(/^NT-/);
    expect(res.body.total).toBe(750000);
    // One VNPay payment for the whole cart, both cooperatives' orders together, amount in đồng × 100 as VNPay wants it.
    expect(res.body.payment).toMatchObject({ step: 'redirect', provider: 'vnpay' });
    const url = new URL(res.body.payment.url);
    expect(url.origin).toBe('http://127.0.0.1:9');
    expect(url.searchParams.get('vnp_Amount')).toBe(String(750000 * 100));
    expect(url.searchParams.get('vnp_SecureHash')).toMatch(/^[0-9a-f]{128}$/);
    const rows = await t.sql<{ n: number; checkouts: number }>(`SELECT count(*)::int AS n, count(DISTINCT checkout_id)::int AS checkouts FROM orders WHERE checkout_id = $1`, [res.body.checkoutId]);
    expect(rows[0]).toEqual({ n: 2, checkouts: 1 });
    // Reserved, not yet allocated.
    expect(await available(t, a)).toBe(4);
    const [lots] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_allocations WHERE order_id = ANY($1::uuid[])`, [res.body.orders.map((o: { id: string }) => o.id)]);
    expect(lots.n).toBe(0);
  });

  it('answers 409 naming the short items and how many are left, writing nothing', async () => {
    const a = await createVariant(t, thienAn, 50000);
    const b = await createVariant(t, namTy, 70000);
    await receiveLot(t, thienAn, a, 3, daysFromNow(90));
    await receiveLot(t, namTy, b, 1, daysFromNow(90));
    const before = await t.sql<{ n: number }>(`SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM checkouts) + (SELECT count(*) FROM inventory_movements) AS n`);
    const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId: a, quantity: 5 }, { variantId: b, quantity: 4 }])).expect(409);
    expect(res.body.message).toMatch(/Not enough stock/);
    expect(res.body.details).toEqual(expect.arrayContaining([{ variantId: a, requested: 5, available: 3 }, { variantId: b, requested: 4, available: 1 }]));
    const after = await t.sql<{ n: number }>(`SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM checkouts) + (SELECT count(*) FROM inventory_movements) AS n`);
    expect(after).toEqual(before);
  });

  it('in a cart of two cooperatives, names only the item that is short', async () => {
    // Carts reserve cooperative by cooperative in id order: make the first one's item fit and the second one's short.
    const coops = await t.sql<{ slug: string }>(`SELECT slug FROM cooperatives WHERE slug IN ('thien-an', 'nam-ty') ORDER BY id`);
    const [first, second] = coops.map((c) => (c.slug === 'thien-an' ? thienAn : namTy));
    const a = await createVariant(t, first, 50000);
    const b = await createVariant(t, second, 70000);
    await receiveLot(t, first, a, 3, daysFromNow(90));
    await receiveLot(t, second, b, 1, daysFromNow(90));
    const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId: a, quantity: 3 }, { variantId: b, quantity: 2 }])).expect(409);
    expect(res.body.details).toEqual([{ variantId: b, requested: 2, available: 1 }]);
    expect(await available(t, a)).toBe(3);
  });

  describe('idempotency', () => {
    it('replays the same response for the same key and body, sequentially and concurrently, reserving once', async () => {
      const variantId = await createVariant(t, thienAn, 40000);
      await receiveLot(t, thienAn, variantId, 100, daysFromNow(90));
      const k = key();
      const body = cart([{ variantId, quantity: 2 }]);
      const first = await t.http.post('/api/orders').set('idempotency-key', k).send(body).expect(201);
      const again = await t.http.post('/api/orders').set('idempotency-key', k).send(body).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');

      const k2 = key();
      const body2 = cart([{ variantId, quantity: 3 }], { paymentMethod: 'vietqr' });
      const all = await Promise.all(Array.from({ length: 10 }, () => t.http.post('/api/orders').set('idempotency-key', k2).send(body2)));
      expect(all.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(new Set(all.map((r) => r.body.checkoutId)).size).toBe(1);
      expect(await available(t, variantId)).toBe(100 - 2 - 3);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_movements WHERE variant_id = $1 AND kind = 'reservation'`, [variantId]);
      expect(n).toBe(2);
    });

    it('refuses the same key with another body with 422', async () => {
      const variantId = await createVariant(t, thienAn, 40000);
      await receiveLot(t, thienAn, variantId, 10, daysFromNow(90));
      const k = key();
      await t.http.post('/api/orders').set('idempotency-key', k).send(cart([{ variantId, quantity: 1 }])).expect(201);
      const res = await t.http.post('/api/orders').set('idempotency-key', k).send(cart([{ variantId, quantity: 2 }])).expect(422);
      expect(res.body.message).toMatch(/different request body/);
      expect(await available(t, variantId)).toBe(9);
    });

    it('needs the Idempotency-Key header', async () => {
      const res = await t.http.post('/api/orders').send(cart([{ variantId: '00000000-0000-4000-8000-000000000000', quantity: 1 }])).expect(400);
      expect(res.body.message).toMatch(/Idempotency-Key header is required/);
    });
  });

  describe('tracking', () => {
    it('shows the order only to whoever has its phone number, with the same 404 otherwise', async () => {
      const variantId = await createVariant(t, thienAn, 99000);
      await receiveLot(t, thienAn, variantId, 10, daysFromNow(90));
      const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity: 1 }], { customer: { name: 'Lan', phone: '+84 912 000 111' } })).expect(201);
      const code = res.body.orders[0].code;
      const ok = await t.http.get(`/api/orders/${code}`).query({ phone: '0912000111' }).expect(200);
      expect(ok.body).toMatchObject({ code, status: 'confirmed', total: 129000, customer: { name: 'Lan', phone: '0912***111' } });
      expect(ok.body.shippingAddress).toMatchObject({ provinceName: 'Tỉnh Thái Nguyên', communeName: 'Xã Phủ Thông' });
      expect(ok.body.history.map((h: { to: string }) => h.to)).toEqual(['placed', 'confirmed']);
      expect(ok.body.lines[0]).toMatchObject({ quantity: 1, unitPrice: 99000 });
      expect(JSON.stringify(ok.body)).not.toContain('0912000111');
      const wrongPhone = await t.http.get(`/api/orders/${code}`).query({ phone: '0912000112' }).expect(404);
      const wrongCode = await t.http.get(`/api/orders/${code.replace(/\d{4}$/, '9999')}`).query({ phone: '0912000111' }).expect(404);
      expect(wrongPhone.body.message).toBe(wrongCode.body.message);
      await t.http.get(`/api/orders/${code}`).expect(400);
    });
  });

  describe('bad input', () => {
    let variantId: string;
    beforeAll(async () => {
      variantId = await createVariant(t, thienAn, 10000);
      await receiveLot(t, thienAn, variantId, 10, daysFromNow(90));
    });

    const cases: Array<[string, (v: string) => unknown, RegExp]> = [
      ['no items', () => cart([]), /items must contain at least one product/],
      ['items missing', (v) => { const c: Record<string, unknown> = cart([{ variantId: v, quantity: 1 }]); delete c.items; return c; }, /items is required/],
      ['customer missing', (v) => { const c: Record<string, unknown> = cart([{ variantId: v, quantity: 1 }]); delete c.customer; return c; }, /customer is required/],
      ['address missing', (v) => { const c: Record<string, unknown> = cart([{ variantId: v, quantity: 1 }]); delete c.shippingAddress; return c; }, /shippingAddress is required/],
      ['zero quantity', (v) => cart([{ variantId: v, quantity: 0 }]), /items\[0\]\.quantity must be at least 1/],
      ['negative quantity', (v) => cart([{ variantId: v, quantity: -3 }]), /quantity must be at least 1/],
      ['huge quantity', (v) => cart([{ variantId: v, quantity: 1e12 }]), /quantity must be at most 1000/],
      ['fractional quantity', (v) => cart([{ variantId: v, quantity: 1.5 }]), /quantity must be a whole number/],
      ['quantity as text', (v) => cart([{ variantId: v, quantity: '2' }]), /quantity must be a whole number/],
      ['variant not a uuid', () => cart([{ variantId: 'abc', quantity: 1 }]), /variantId must be a product variant id/],
      ['unknown variant', () => cart([{ variantId: '00000000-0000-4000-8000-000000000000', quantity: 1 }]), /Unknown product variant/],
      ['malformed phone', (v) => cart([{ variantId: v, quantity: 1 }], { customer: { name: 'Lan', phone: '12345' } }), /customer\.phone/],
      ['landline', (v) => cart([{ variantId: v, quantity: 1 }], { customer: { name: 'Lan', phone: '02093850123' } }), /not a Vietnamese mobile prefix/],
      ['phone as number', (v) => cart([{ variantId: v, quantity: 1 }], { customer: { name: 'Lan', phone: 912345678 } }), /phone must be text/],
      ['empty name', (v) => cart([{ variantId: v, quantity: 1 }], { customer: { name: '  ', phone: '0912345678' } }), /name must be 1 to 200 characters/],
      ['bad email', (v) => cart([{ variantId: v, quantity: 1 }], { customer: { name: 'Lan', phone: '0912345678', email: 'x' } }), /email must be an e-mail address/],
      ['unknown commune', (v) => cart([{ variantId: v, quantity: 1 }], { shippingAddress: { provinceCode: '19', communeCode: '99999', line: 'x' } }), /Unknown commune code/],
      ['commune of another province', (v) => cart([{ variantId: v, quantity: 1 }], { shippingAddress: { provinceCode: '08', communeCode: '01969', line: 'x' } }), /is not in Tỉnh Tuyên Quang/],
      ['pre-2025 province', (v) => cart([{ variantId: v, quantity: 1 }], { shippingAddress: { provinceCode: '06', communeCode: '01975', line: 'x' } }), /Unknown province code/],
      ['unknown payment method', (v) => cart([{ variantId: v, quantity: 1 }], { paymentMethod: 'cash' }), /paymentMethod must be one of cod, vnpay, vietqr/],
      ['items not a list', () => cart({ variantId: 'x' } as never), /items must be a list/],
    ];

    it.each(cases)('%s → 4xx with a readable message, nothing written', async (_name, build, message) => {
      const before = await t.sql<{ n: string }>(`SELECT (SELECT count(*) FROM checkouts) + (SELECT count(*) FROM inventory_movements) AS n`);
      const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(build(variantId) as object);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.message).toMatch(message);
      expect(await t.sql(`SELECT (SELECT count(*) FROM checkouts) + (SELECT count(*) FROM inventory_movements) AS n`)).toEqual(before);
    });
  });
});
