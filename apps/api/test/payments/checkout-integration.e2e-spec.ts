import { randomUUID } from 'node:crypto';
import { InventoryService } from '@htx/inventory';
import { gtin13 } from '@htx/shared';
import { PaymentsHarness, startPaymentsHarness } from './support';

/**
 * The real orders and inventory libs behind the payments: a shop checkout paid through the VNPay simulator
 * ends with its orders paid and stock allocated; a cancelled payment ends with the orders cancelled and the
 * stock back on sale.
 */
describe('payments with the real orders lib: VNPay checkout end to end', () => {
  let h: PaymentsHarness;
  let token: string;
  let variantId: string;
  let inventory: InventoryService;

  beforeAll(async () => {
    // The API wires OrdersService into payments itself (apps/api/src/infra/payments-wiring.ts).
    h = await startPaymentsHarness({ realOrders: true });
    inventory = h.t.app.get(InventoryService);
    token = await h.t.login('thienan@htxso.test');
    const u = randomUUID().slice(0, 8);
    const product = await h.t.http
      .post('/api/manage/products')
      .set('authorization', `Bearer ${token}`)
      .send({ slug: `pay-${u}`, nameVi: `Lá tắm người Dao ${u}`, status: 'active', variants: [{ sku: `PAY-${u}`, nameVi: 'Gói 250g', weightGrams: 250, priceVnd: 100000, gtin: gtin13(`893${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`) }] })
      .expect(201);
    variantId = product.body.variants[0].id;
    await h.t.http.post('/api/manage/lots').set('authorization', `Bearer ${token}`).send({ variantId, lotCode: `LP${u}`, quantity: 10 }).expect(201);
  });
  afterAll(() => h.close());

  /** A shop checkout through POST /api/orders, whose answer carries the VNPay redirect. */
  const checkout = async (quantity: number) => {
    const res = await h.t.http
      .post('/api/orders')
      .set('idempotency-key', `pay-${randomUUID()}`)
      .send({
        items: [{ variantId, quantity }],
        customer: { name: 'Nguyễn Thị Lan', phone: '0912345678' },
        shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Thôn Nà Lẹng, số 12' },
        paymentMethod: 'vnpay',
      })
      .expect(201);
    const body = res.body as { checkoutId: string; total: number; orders: { id: string; code: string; status: string; cooperative: { id: string } }[] };
    expect(body.orders.map((o) => o.status)).toEqual(['awaiting_payment']);
    const step = await h.ds.transaction((tx) =>
      h.payments.startPayment(tx, {
        checkoutId: body.checkoutId,
        idempotencyKey: `pay-${body.checkoutId}`,
        method: 'vnpay',
        amountVnd: body.total,
        orderCodes: body.orders.map((o) => o.code),
        cooperativeIds: body.orders.map((o) => o.cooperative.id),
        clientIp: '203.0.113.9',
      }),
    );
    if (step.step !== 'redirect') throw new Error(`expected a redirect, got ${step.step}`);
    // The checkout itself answered with the VNPay step; starting the payment again only replays it.
    expect(res.body.payment).toMatchObject({ step: 'redirect', provider: 'vnpay', url: step.url });
    return { ...body, url: step.url, order: body.orders[0] };
  };
  const orderStatus = async (code: string) => (await h.t.sql<{ status: string }>(`SELECT status FROM orders WHERE code = $1`, [code]))[0].status;
  const available = async () => (await inventory.availableByVariant([variantId])).get(variantId) ?? 0;

  it('a successful payment pays the orders and allocates their stock in the same transaction as the IPN', async () => {
    const before = await available();
    const c = await checkout(2);
    expect(await available()).toBe(before - 2);
    const done = await h.sim.complete(c.url, { outcome: 'success', ipn: 'send' });
    expect(done.ipn[0].body).toEqual({ RspCode: '00', Message: 'Confirm Success' });
    expect(await orderStatus(c.order.code)).toBe('paid');
    const allocations = await inventory.allocationsForOrders([c.order.id]);
    expect(allocations.reduce((n, a) => n + a.quantity, 0)).toBe(2);
    expect(await available()).toBe(before - 2);
    expect((await h.intent(c.checkoutId)).status).toBe('succeeded');
  });

  it('a cancelled payment cancels the orders and puts the stock back on sale', async () => {
    const before = await available();
    const c = await checkout(3);
    expect(await available()).toBe(before - 3);
    const done = await h.sim.complete(c.url, { outcome: 'cancel', ipn: 'send' });
    expect(done.ipn[0].body).toEqual({ RspCode: '00', Message: 'Confirm Success' });
    expect(await orderStatus(c.order.code)).toBe('cancelled');
    expect(await available()).toBe(before);
  });

  it('an abandoned payment is cancelled by the query job after it expires, releasing the stock', async () => {
    const before = await available();
    const c = await checkout(1);
    await fetch(c.url);
    await h.t.sql(`UPDATE payment_intents SET expires_at = now() - interval '1 minute' WHERE checkout_id = $1`, [c.checkoutId]);
    await h.payments.reconcileExpiredVnpay();
    expect(await orderStatus(c.order.code)).toBe('cancelled');
    expect(await available()).toBe(before);
  });
});
