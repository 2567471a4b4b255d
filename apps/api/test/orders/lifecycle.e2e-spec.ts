import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ORDER_EXPIRY_QUEUE, ORDER_STATUSES, ORDER_TRANSITIONS, OrdersService, SWEEP_OVERDUE_JOB, type OrderStatus } from '@htx/orders';
import { startTestApp, TestApp } from '../support/test-app';
import { available, cart, createVariant, daysFromNow, key, ledgerProblems, receiveLot } from './orders-fixtures';

describe('orders: lifecycle, expiry, manager views', () => {
  let t: TestApp;
  let thienAn: string;
  let namTy: string;
  let admin: string;
  let variantId: string;
  let lotId: string;
  let orders: OrdersService;
  let ds: DataSource;

  const place = async (quantity: number, paymentMethod = 'cod', phone = '0987654321') => {
    const res = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity }], { paymentMethod, customer: { name: 'Hà', phone } }));
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { checkoutId: string; orders: Array<{ id: string; code: string; status: string }> };
  };
  const move = (id: string, to: string, token = thienAn, note?: string) =>
    t.http.post(`/api/manage/orders/${id}/transitions`).set('authorization', `Bearer ${token}`).send({ to, ...(note ? { note } : {}) });

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    [thienAn, namTy, admin] = await Promise.all([t.login('thienan@htxso.test'), t.login('namty@htxso.test'), t.login('admin@htxso.test')]);
    variantId = await createVariant(t, thienAn, 60000);
    lotId = await receiveLot(t, thienAn, variantId, 500, daysFromNow(300));
    orders = t.app.get(OrdersService);
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('walks a cash order through packing, shipping, delivery and return, auditing each step and giving stock back', async () => {
    const before = await available(t, variantId);
    const { checkoutId, orders: [o] } = await place(4);
    expect(await available(t, variantId)).toBe(before - 4);
    const intent = async () => (await t.sql<{ status: string }>(`SELECT status FROM payment_intents WHERE checkout_id = $1`, [checkoutId]))[0]?.status;
    for (const to of ['packed', 'shipped', 'delivered']) {
      // Cash on delivery: the payment is still open until the courier hands the parcel over.
      expect(await intent()).toBe('requires_payment_method');
      const res = await move(o.id, to, thienAn, `bước ${to}`).expect(200);
      expect(res.body.status).toBe(to);
    }
    expect(await intent()).toBe('succeeded');
    const returned = await move(o.id, 'returned', thienAn, 'Khách trả hàng').expect(200);
    expect(returned.body.allowedTransitions).toEqual([]);
    expect(returned.body.history.map((h: { from: string | null; to: string }) => `${h.from}>${h.to}`)).toEqual([
      'null>placed', 'placed>confirmed', 'confirmed>packed', 'packed>shipped', 'shipped>delivered', 'delivered>returned',
    ]);
    const last = returned.body.history.at(-1);
    expect(last).toMatchObject({ actor: 'coop_manager:thienan@htxso.test', note: 'Khách trả hàng' });
    expect(last.actorUserId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await available(t, variantId)).toBe(before);
    expect(await ledgerProblems(t)).toEqual([]);
  });

  it('cancelling gives back reserved stock (awaiting payment) and allocated stock (confirmed)', async () => {
    const before = await available(t, variantId);
    const online = await place(3, 'vnpay');
    const cash = await place(2);
    expect(await available(t, variantId)).toBe(before - 5);
    await move(online.orders[0].id, 'cancelled').expect(200);
    await move(cash.orders[0].id, 'cancelled').expect(200);
    expect(await available(t, variantId)).toBe(before);
    expect(await ledgerProblems(t)).toEqual([]);
  });

  it('refuses every transition the table does not allow, with 409 naming the allowed ones, and changes nothing', async () => {
    const { orders: [o] } = await place(1);
    for (const from of ORDER_STATUSES) {
      await t.sql(`UPDATE orders SET status = $2 WHERE id = $1`, [o.id, from]);
      const [{ n: audits }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM order_transitions WHERE order_id = $1`, [o.id]);
      for (const to of ORDER_STATUSES.filter((s) => !ORDER_TRANSITIONS[from].includes(s))) {
        const res = await move(o.id, to);
        expect([from, to, res.status]).toEqual([from, to, 409]);
        expect(res.body.message).toContain(`cannot go from ${from} to ${to}`);
        expect(res.body.details).toEqual({ from, to, allowed: [...ORDER_TRANSITIONS[from]] });
        if (ORDER_TRANSITIONS[from].length) expect(res.body.message).toContain(`allowed: ${ORDER_TRANSITIONS[from].join(', ')}`);
      }
      const [{ status }] = await t.sql<{ status: OrderStatus }>(`SELECT status FROM orders WHERE id = $1`, [o.id]);
      expect(status).toBe(from);
      expect(await t.sql(`SELECT count(*)::int AS n FROM order_transitions WHERE order_id = $1`, [o.id])).toEqual([{ n: audits }]);
    }
    await move(o.id, 'teleported').expect(400);
  });

  it('lets only one of two concurrent identical transitions apply', async () => {
    const { orders: [o] } = await place(1);
    const results = await Promise.all([move(o.id, 'packed'), move(o.id, 'packed'), move(o.id, 'packed')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM order_transitions WHERE order_id = $1 AND to_status = 'packed'`, [o.id]);
    expect(n).toBe(1);
  });

  it('hides other cooperatives’ orders (404) from managers', async () => {
    const { orders: [o] } = await place(1);
    await t.http.get(`/api/manage/orders/${o.id}`).set('authorization', `Bearer ${namTy}`).expect(404);
    await move(o.id, 'packed', namTy).expect(404);
    await t.http.get(`/api/manage/orders/${o.id}`).set('authorization', `Bearer ${admin}`).expect(200);
    await t.http.get(`/api/manage/orders/not-a-uuid`).set('authorization', `Bearer ${thienAn}`).expect(404);
    await t.http.get(`/api/manage/orders`).expect(401);
    const member = await t.login('member.thienan@htxso.test');
    await t.http.get(`/api/manage/orders`).set('authorization', `Bearer ${member}`).expect(403);
  });

  describe('payment', () => {
    it('markCheckoutPaid moves unpaid orders to paid and allocates FEFO, idempotently', async () => {
      const { checkoutId, orders: [o] } = await place(2, 'vietqr');
      await ds.transaction((tx) => orders.markCheckoutPaid(tx, checkoutId, 'VietQR transfer matched'));
      await ds.transaction((tx) => orders.markCheckoutPaid(tx, checkoutId, 'VietQR transfer matched'));
      const view = await orders.orderView(o.id, null);
      expect(view.status).toBe('paid');
      expect(view.history.filter((h) => h.to === 'paid')).toHaveLength(1);
      expect(view.lines[0].lots).toEqual([expect.objectContaining({ lotId, quantity: 2 })]);
      // A paid checkout does not expire.
      await ds.transaction((tx) => orders.expireCheckout(tx, checkoutId, 'late job'));
      expect((await orders.orderView(o.id, null)).status).toBe('paid');
      expect(await ledgerProblems(t)).toEqual([]);
    });

    it('refuses to mark paid a checkout whose orders were already cancelled (the money must be refunded)', async () => {
      const { checkoutId, orders: [o] } = await place(1, 'vnpay');
      await move(o.id, 'cancelled').expect(200);
      await expect(ds.transaction((tx) => orders.markCheckoutPaid(tx, checkoutId, 'late IPN'))).rejects.toThrow(/refund/);
    });
  });

  describe('expiry of unpaid orders', () => {
    it('queues one delayed job per checkout that cancels the orders and releases their reservation', async () => {
      const before = await available(t, variantId);
      const { checkoutId, orders: [o] } = await place(5, 'vnpay');
      expect(await available(t, variantId)).toBe(before - 5);
      const queue = t.app.get<Queue>(getQueueToken(ORDER_EXPIRY_QUEUE));
      const job = await queue.getJob(checkoutId);
      expect(job).toBeDefined();
      expect(await job!.getState()).toBe('delayed');
      expect(job!.opts.delay).toBe(t.config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000);
      // The same job id again is ignored: one expiry per checkout.
      await queue.add('expire-checkout', { checkoutId }, { jobId: checkoutId, delay: 10 });
      expect(await queue.getDelayedCount()).toBeGreaterThanOrEqual(1);
      expect((await queue.getJob(checkoutId))!.opts.delay).toBe(t.config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000);

      // Time is up: run it now through the real queue and worker.
      await job!.promote();
      for (let i = 0; i < 200 && (await job!.getState()) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await job!.getState()).toBe('completed');
      const view = await orders.orderView(o.id, null);
      expect(view.status).toBe('cancelled');
      expect(view.history.at(-1)).toMatchObject({ from: 'awaiting_payment', to: 'cancelled', actor: 'system' });
      expect(await available(t, variantId)).toBe(before);
      // Running the expiry again changes nothing.
      await ds.transaction((tx) => orders.expireCheckout(tx, checkoutId, 'again'));
      expect((await orders.orderView(o.id, null)).history).toHaveLength(view.history.length);
      expect(await ledgerProblems(t)).toEqual([]);
    });

    it('expires, from PostgreSQL, an overdue checkout whose delayed job Redis lost, and leaves others alone', async () => {
      const queue = t.app.get<Queue>(getQueueToken(ORDER_EXPIRY_QUEUE));
      // The repeating sweep is registered at start-up.
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toContain(SWEEP_OVERDUE_JOB);
      const before = await available(t, variantId);
      const lost = await place(2, 'vnpay');
      const notYetDue = await place(1, 'vietqr');
      // Redis loses the job (flushed, restored from a backup, or down at checkout) and the payment time ends.
      await (await queue.getJob(lost.checkoutId))!.remove();
      await t.sql(`UPDATE checkouts SET payment_due_at = now() - interval '5 minutes' WHERE id = $1`, [lost.checkoutId]);
      expect(await available(t, variantId)).toBe(before - 3);

      const sweep = await queue.add(SWEEP_OVERDUE_JOB, {});
      for (let i = 0; i < 200 && (await sweep.getState()) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await sweep.getState()).toBe('completed');
      expect((await orders.orderView(lost.orders[0].id, null)).status).toBe('cancelled');
      expect((await orders.orderView(notYetDue.orders[0].id, null)).status).toBe('awaiting_payment');
      expect(await available(t, variantId)).toBe(before - 1);
      // A second sweep finds nothing more to do: one cancellation in the history.
      const again = await queue.add(SWEEP_OVERDUE_JOB, {});
      for (let i = 0; i < 200 && (await again.getState()) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await orders.orderView(lost.orders[0].id, null)).history.filter((h) => h.to === 'cancelled')).toHaveLength(1);
      expect(await ledgerProblems(t)).toEqual([]);
    });

    it('registers the sweep again when Redis reconnects after losing it (a Redis that came back empty)', async () => {
      const queue = t.app.get<Queue>(getQueueToken(ORDER_EXPIRY_QUEUE));
      await queue.removeJobScheduler(SWEEP_OVERDUE_JOB);
      expect((await queue.getJobSchedulers()).map((s) => s.key)).not.toContain(SWEEP_OVERDUE_JOB);
      // Drop the connection; ioredis reconnects and emits 'ready' again.
      (await queue.client).disconnect(true);
      let keys: string[] = [];
      for (let i = 0; i < 100 && !keys.includes(SWEEP_OVERDUE_JOB); i++) {
        await new Promise((r) => setTimeout(r, 50));
        keys = (await queue.getJobSchedulers()).map((s) => s.key);
      }
      expect(keys).toContain(SWEEP_OVERDUE_JOB);
    });
  });

  it('keeps the expiry job across an API restart (it lives in Redis) and runs it on the new process', async () => {
    const prefix = `${t.config.REDIS_PREFIX}-r`;
    const first = await startTestApp({ databaseUrl: t.databaseUrl, env: { REDIS_PREFIX: prefix } });
    const res = await first.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity: 1 }], { paymentMethod: 'vietqr' })).expect(201);
    await first.close();
    const second = await startTestApp({ databaseUrl: t.databaseUrl, env: { REDIS_PREFIX: prefix } });
    try {
      const job = await second.app.get<Queue>(getQueueToken(ORDER_EXPIRY_QUEUE)).getJob(res.body.checkoutId);
      expect(await job!.getState()).toBe('delayed');
      await job!.promote();
      for (let i = 0; i < 200 && (await job!.getState()) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await orders.orderView(res.body.orders[0].id, null)).status).toBe('cancelled');
    } finally {
      await second.close();
    }
  });

  it('takes an online order while Redis is down (the overdue sweep will expire it if unpaid)', async () => {
    const noRedis = await startTestApp({ databaseUrl: t.databaseUrl, env: { REDIS_URL: 'redis://127.0.0.1:9' } });
    try {
      const res = await noRedis.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity: 1 }], { paymentMethod: 'vietqr' }));
      expect(res.status).toBe(201);
      expect(res.body.orders[0].status).toBe('awaiting_payment');
      const [row] = await t.sql<{ payment_due_at: Date | null }>(`SELECT payment_due_at FROM checkouts WHERE id = $1`, [res.body.checkoutId]);
      expect(row.payment_due_at).not.toBeNull();
    } finally {
      await noRedis.close();
    }
  });

  describe('manager views', () => {
    let postmartCode: string;
    beforeAll(async () => {
      // A marketplace order through the same flow (channel postmart).
      const prepared = await orders.prepare(cart([{ variantId, quantity: 2 }], { customer: { name: 'Postmart buyer', phone: '0977000111' } }) as never, ds.manager);
      const result = await ds.transaction((tx) => orders.placeInTx(tx, `postmart-${key()}`, prepared, { channel: 'postmart', externalRef: `PM-${Date.now()}` }));
      postmartCode = result.body.orders[0].code;
    });

    it('lists, filters and searches orders of the manager’s cooperative only', async () => {
      const auth = { authorization: `Bearer ${thienAn}` };
      const all = await t.http.get('/api/manage/orders').set(auth).query({ pageSize: 5 }).expect(200);
      expect(all.body.items).toHaveLength(5);
      expect(all.body.total).toBeGreaterThan(5);
      const pm = await t.http.get('/api/manage/orders').set(auth).query({ channel: 'postmart' }).expect(200);
      expect(pm.body.items.map((i: { code: string }) => i.code)).toContain(postmartCode);
      expect(pm.body.items.every((i: { channel: string }) => i.channel === 'postmart')).toBe(true);
      const byCode = await t.http.get('/api/manage/orders').set(auth).query({ q: postmartCode.toLowerCase() }).expect(200);
      expect(byCode.body.total).toBe(1);
      const byPhone = await t.http.get('/api/manage/orders').set(auth).query({ q: '+84977000111' }).expect(200);
      expect(byPhone.body.items.map((i: { code: string }) => i.code)).toEqual([postmartCode]);
      const cancelled = await t.http.get('/api/manage/orders').set(auth).query({ status: 'cancelled' }).expect(200);
      expect(cancelled.body.items.every((i: { status: string }) => i.status === 'cancelled')).toBe(true);
      const future = await t.http.get('/api/manage/orders').set(auth).query({ from: daysFromNow(2) }).expect(200);
      expect(future.body.total).toBe(0);
      await t.http.get('/api/manage/orders').set(auth).query({ status: 'lost' }).expect(400);
      const other = await t.http.get('/api/manage/orders').set({ authorization: `Bearer ${namTy}` }).expect(200);
      expect(other.body.items.find((i: { code: string }) => i.code.startsWith('TA-'))).toBeUndefined();
    });

    it('exports CSV', async () => {
      const res = await t.http.get('/api/manage/orders/export.csv').set('authorization', `Bearer ${thienAn}`).query({ channel: 'postmart', q: postmartCode }).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      const lines = res.text.replace(/^\uFEFF/, '').trim().split('\n');
      expect(lines[0]).toMatch(/^code,placed_at_vn,status,channel/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(postmartCode);
      expect(lines[1]).toContain('Postmart buyer');
    });

    it('reports orders a day, revenue, average order value, share by channel and top products', async () => {
      const today = daysFromNow(0);
      const res = await t.http.get('/api/manage/reports/sales').set('authorization', `Bearer ${thienAn}`).query({ from: daysFromNow(-6), to: daysFromNow(1) }).expect(200);
      expect(res.body.days).toHaveLength(8);
      const counted = await t.sql<{ n: number; revenue: string }>(
        `SELECT count(*)::int AS n, coalesce(sum(total_vnd), 0) AS revenue FROM orders
         WHERE cooperative_id = (SELECT id FROM cooperatives WHERE slug = 'thien-an') AND status IN ('paid', 'confirmed', 'packed', 'shipped', 'delivered')
           AND (placed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $1::date AND $2::date`,
        [daysFromNow(-6), daysFromNow(1)],
      );
      expect(res.body.orders).toBe(counted[0].n);
      expect(res.body.revenue).toBe(Number(counted[0].revenue));
      expect(res.body.averageOrderValue).toBe(Math.round(res.body.revenue / res.body.orders));
      expect(res.body.byChannel.map((c: { channel: string }) => c.channel).sort()).toEqual(['postmart', 'shop']);
      expect(res.body.byChannel.reduce((s: number, c: { orderShare: number }) => s + c.orderShare, 0)).toBeCloseTo(1, 2);
      const revenues = res.body.topProducts.map((p: { revenue: number }) => p.revenue);
      expect(revenues).toEqual([...revenues].sort((a: number, b: number) => b - a));
      const [{ q }] = await t.sql<{ q: number }>(
        `SELECT sum(l.quantity)::int AS q FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE l.variant_id = $1 AND o.status IN ('paid', 'confirmed', 'packed', 'shipped', 'delivered')`,
        [variantId],
      );
      expect(res.body.topProducts.find((p: { variantId: string }) => p.variantId === variantId)).toMatchObject({ quantity: q, revenue: q * 60000 });
      const [{ c }] = await t.sql<{ c: number }>(
        `SELECT count(*)::int AS c FROM orders WHERE status = 'cancelled' AND cooperative_id = (SELECT id FROM cooperatives WHERE slug = 'thien-an')
           AND (placed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $1::date AND $2::date`,
        [daysFromNow(-6), daysFromNow(1)],
      );
      expect(res.body.cancelledOrders).toBe(c);
      expect(res.body.days.some((d: { day: string; orders: number }) => d.day <= today && d.orders > 0)).toBe(true);
      await t.http.get('/api/manage/reports/sales').set('authorization', `Bearer ${thienAn}`).query({ from: '2025-02-01', to: '2025-01-01' }).expect(400);
      await t.http.get('/api/manage/reports/sales').set('authorization', `Bearer ${thienAn}`).query({ from: 'yesterday', to: '2025-01-01' }).expect(400);
    });

    it('lists the orders that received a lot (recalls), scoped by cooperative', async () => {
      const found = await orders.listOrdersForLot(lotId, null);
      expect(found.length).toBeGreaterThan(2);
      expect(found.every((f) => f.quantityFromLot > 0)).toBe(true);
      expect(found.find((f) => f.code === postmartCode)).toMatchObject({ channel: 'postmart', customerPhone: '0977000111', quantityFromLot: 2 });
      const [{ id: namTyId }] = await t.sql<{ id: string }>(`SELECT id FROM cooperatives WHERE slug = 'nam-ty'`);
      expect(await orders.listOrdersForLot(lotId, namTyId)).toEqual([]);
    });
  });

  describe('administrative units', () => {
    it('lists provinces and communes and looks up pre-2025 names', async () => {
      const provinces = await t.http.get('/api/admin-units/provinces').expect(200);
      expect(provinces.body).toHaveLength(34);
      const communes = await t.http.get('/api/admin-units/provinces/19/communes').expect(200);
      expect(communes.body).toContainEqual({ code: '01969', name: 'Xã Phủ Thông', provinceCode: '19' });
      const gone = await t.http.get('/api/admin-units/provinces/06/communes').expect(404);
      expect(gone.body.message).toMatch(/No province with code "06"/);
      const lookup = await t.http.get('/api/admin-units/lookup').query({ q: 'vi huong' }).expect(200);
      expect(lookup.body.items[0]).toMatchObject({ kind: 'former', formerName: 'Xã Vi Hương', commune: { name: 'Xã Phủ Thông' }, province: { name: 'Tỉnh Thái Nguyên' } });
      await t.http.get('/api/admin-units/lookup').expect(400);
    });
  });
});
