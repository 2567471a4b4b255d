import { VNPay } from 'vnpay';
import { PaymentsService } from '@htx/payments';
import { startTestApp } from '../support/test-app';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests drive the simulator app directly
import { signVnpParams } from '../../../vnpay-sim/src/simulator';
import { orderCode, PaymentsHarness, SECURE_SECRET, startPaymentsHarness, TMN_CODE } from './support';

describe('payments: VNPay through the SDK, against the simulator', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPaymentsHarness();
  });
  afterAll(() => h.close());

  const startVnpay = async (amountVnd = 185000) => {
    const { checkoutId, step } = await h.start({ method: 'vnpay', amountVnd });
    if (step.step !== 'redirect') throw new Error(`expected a redirect, got ${step.step}`);
    const txnRef = new URL(step.url).searchParams.get('vnp_TxnRef')!;
    return { checkoutId, url: step.url, txnRef };
  };
  const ipn = (query: Record<string, string>) => h.t.http.get('/api/payments/vnpay/ipn').query(query).expect(200);
  const settlements = (txnRef: string) =>
    h.t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM payment_events WHERE provider = 'vnpay' AND provider_txn_ref = $1 AND kind = 'settlement'`, [txnRef]).then((r) => r[0].n);

  it('offers VNPay when configured, with a payment URL built by the SDK (amount × 100 once, plain ASCII order info, our host)', async () => {
    const methods = await h.t.http.get('/api/payments/methods').expect(200);
    expect(methods.body.methods).toEqual(expect.arrayContaining(['cod', 'vnpay', 'vietqr']));
    const doc = await h.t.http.get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/payments/vnpay/ipn', '/api/payments/vnpay/return', '/api/payments/bank-webhook', '/api/manage/payments/statements', '/api/manage/payments/mismatches']));
    const code = orderCode();
    const { checkoutId, step } = await h.start({ method: 'vnpay', amountVnd: 185000, orderCodes: [code] });
    expect(step.step).toBe('redirect');
    const url = new URL((step as { url: string }).url);
    expect(url.origin).toBe(h.sim.url);
    expect(url.searchParams.get('vnp_Amount')).toBe('18500000');
    expect(url.searchParams.get('vnp_TmnCode')).toBe(TMN_CODE);
    expect(url.searchParams.get('vnp_OrderInfo')).toBe(`Thanh toan don hang ${code}`);
    expect(url.searchParams.get('vnp_ExpireDate')).toMatch(/^\d{14}$/);
    expect((await h.intent(checkoutId)).status).toBe('requires_action');
    // Replaying the checkout gives the same step back, not a second payment.
    const again = await h.start({ method: 'vnpay', amountVnd: 185000, checkoutId });
    expect(again.step).toEqual(step);
    expect(await h.t.sql(`SELECT id FROM payment_intents WHERE checkout_id = $1`, [checkoutId])).toHaveLength(1);
  });

  it('completes a payment end to end: page, IPN (00) pays the checkout once, the return page shows it', async () => {
    const { checkoutId, url, txnRef } = await startVnpay(250000);
    const page = await fetch(url);
    expect(await page.text()).toContain('Thanh toán thành công / Pay');
    const done = await h.sim.complete(url, { outcome: 'success', ipn: 'send' });
    expect(done.ipn).toEqual([{ status: 200, body: { RspCode: '00', Message: 'Confirm Success' } }]);
    const intent = await h.intent(checkoutId);
    expect(intent).toMatchObject({ status: 'succeeded', amount_received_vnd: '250000', provider_transaction_no: done.returnQuery.vnp_TransactionNo });
    expect(await h.calls(checkoutId)).toEqual([{ kind: 'paid', note: expect.stringContaining(txnRef) }]);

    const back = await h.t.http.get(new URL(done.returnUrl).pathname + new URL(done.returnUrl).search).set('accept', 'application/json').expect(200);
    expect(back.body).toMatchObject({ verified: true, success: true, status: 'succeeded', amountVnd: 250000 });
    const html = await h.t.http.get(new URL(done.returnUrl).pathname + new URL(done.returnUrl).search).expect(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('Thanh toán thành công');
  });

  it('a verified return alone never pays: it only marks the payment processing', async () => {
    const { checkoutId, url } = await startVnpay();
    const done = await h.sim.complete(url, { outcome: 'success', ipn: 'drop' });
    const back = await h.t.http.get('/api/payments/vnpay/return').query(done.returnQuery).set('accept', 'application/json').expect(200);
    expect(back.body).toMatchObject({ verified: true, success: true, status: 'processing' });
    expect((await h.intent(checkoutId)).status).toBe('processing');
    expect(await h.calls(checkoutId)).toEqual([]);
    // A forged return is shown as unverified and changes nothing.
    const forged = await h.t.http.get('/api/payments/vnpay/return').query({ ...done.returnQuery, vnp_Amount: '100' }).expect(200);
    expect(forged.text).toContain('Không xác minh được');
  });

  it('answers 97 to a tampered signature and changes nothing', async () => {
    const { checkoutId, url, txnRef } = await startVnpay();
    await h.sim.complete(url, { outcome: 'success', ipn: 'drop' });
    const q = h.sim.ipnQuery(txnRef);
    const res = await ipn({ ...q, vnp_SecureHash: q.vnp_SecureHash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) });
    expect(res.body).toEqual({ RspCode: '97', Message: 'Fail checksum' });
    const swapped = await ipn({ ...q, vnp_ResponseCode: '00', vnp_TxnRef: `${txnRef}X` });
    expect(swapped.body.RspCode).toBe('97');
    expect((await h.intent(checkoutId)).status).toBe('requires_action');
    expect(await h.calls(checkoutId)).toEqual([]);
    const logged = await h.t.sql<{ outcome: string; verified: boolean }>(`SELECT outcome, verified FROM payment_events WHERE provider_txn_ref = $1 AND kind = 'rejection'`, [txnRef]);
    expect(logged).toEqual([{ outcome: 'invalid_signature', verified: false }]);
  });

  it('answers 01 to a correctly signed notification for an unknown reference', async () => {
    const stranger = new VNPay({ tmnCode: TMN_CODE, secureSecret: SECURE_SECRET, vnpayHost: h.sim.url });
    const url = stranger.buildPaymentUrl({ vnp_Amount: 50000, vnp_IpAddr: '127.0.0.1', vnp_OrderInfo: 'not ours', vnp_ReturnUrl: 'http://x.test/r', vnp_TxnRef: 'NOTOURS123' });
    const done = await h.sim.complete(url, { outcome: 'success', ipn: 'send' });
    expect(done.ipn[0].body).toEqual({ RspCode: '01', Message: 'Order not found' });
  });

  it('answers 04 to a wrong amount and leaves the order unpaid; 99 to a non-numeric amount', async () => {
    const { checkoutId, url, txnRef } = await startVnpay(120000);
    await h.sim.complete(url, { outcome: 'success', ipn: 'drop' });
    const { vnp_SecureHash: _hash, ...q } = h.sim.ipnQuery(txnRef);
    const wrong = { ...q, vnp_Amount: '1200000' }; // 12.000 đ instead of 120.000 đ, correctly signed
    expect((await ipn({ ...wrong, vnp_SecureHash: signVnpParams(wrong, SECURE_SECRET) })).body).toEqual({ RspCode: '04', Message: 'Invalid amount' });
    const junk = { ...q, vnp_Amount: '12O000' };
    expect((await ipn({ ...junk, vnp_SecureHash: signVnpParams(junk, SECURE_SECRET) })).body).toEqual({ RspCode: '99', Message: 'Unknown error' });
    expect((await h.intent(checkoutId)).status).toBe('requires_action');
    expect(await h.calls(checkoutId)).toEqual([]);
    expect(await settlements(txnRef)).toBe(0);
  });

  it('applies an IPN replayed ten times concurrently exactly once, then answers 02', async () => {
    const { checkoutId, url, txnRef } = await startVnpay(99000);
    await h.sim.complete(url, { outcome: 'success', ipn: 'drop' });
    const q = h.sim.ipnQuery(txnRef);
    const answers = await Promise.all(Array.from({ length: 10 }, () => ipn(q).then((r) => r.body.RspCode as string)));
    expect(answers.filter((c) => c === '00')).toHaveLength(1);
    expect(answers.filter((c) => c === '02')).toHaveLength(9);
    expect(await settlements(txnRef)).toBe(1);
    expect(await h.calls(checkoutId)).toHaveLength(1);
    expect((await h.intent(checkoutId)).amount_received_vnd).toBe('99000');
    expect((await ipn(q)).body).toEqual({ RspCode: '02', Message: 'Order already confirmed' });
  });

  it('applies exactly once across two API processes sharing the database', async () => {
    const second = await startTestApp({
      databaseUrl: h.t.databaseUrl,
      env: { VNPAY_TMN_CODE: TMN_CODE, VNPAY_SECURE_SECRET: SECURE_SECRET, VNPAY_HOST: h.sim.url },
    });
    try {
      second.app.get(PaymentsService).useCheckoutSettlement(h.settlement);
      const { checkoutId, url, txnRef } = await startVnpay(58000);
      await h.sim.complete(url, { outcome: 'success', ipn: 'drop' });
      const q = h.sim.ipnQuery(txnRef);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? second.http : h.t.http).get('/api/payments/vnpay/ipn').query(q).then((r) => r.body.RspCode as string)),
      );
      expect(answers.sort()).toEqual(['00', ...Array(9).fill('02')]);
      expect(await h.calls(checkoutId)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('also survives the simulator delivering duplicate IPNs', async () => {
    const { checkoutId, url } = await startVnpay(77000);
    const done = await h.sim.complete(url, { outcome: 'success', ipn: 'duplicate', copies: 4 });
    expect(done.ipn.map((d) => (d.body as { RspCode: string }).RspCode).sort()).toEqual(['00', '02', '02', '02']);
    expect(await h.calls(checkoutId)).toHaveLength(1);
  });

  it('rolls the payment event back with the orders: when paying the orders fails, the IPN answers 99 and a retry applies it', async () => {
    const { checkoutId, url, txnRef } = await startVnpay(66000);
    h.settlement.failFor.add(checkoutId);
    const done = await h.sim.complete(url, { outcome: 'success', ipn: 'send' });
    expect(done.ipn[0].body).toEqual({ RspCode: '99', Message: 'Unknown error' });
    expect((await h.intent(checkoutId)).status).toBe('requires_action');
    expect(await settlements(txnRef)).toBe(0);
    h.settlement.failFor.delete(checkoutId);
    expect((await ipn(h.sim.ipnQuery(txnRef))).body.RspCode).toBe('00');
    expect((await h.intent(checkoutId)).status).toBe('succeeded');
  });

  it('a cancelled payment cancels the intent and expires the checkout (its stock is released by the orders lib)', async () => {
    const { checkoutId, url } = await startVnpay();
    const done = await h.sim.complete(url, { outcome: 'cancel', ipn: 'send' });
    expect(done.ipn[0].body).toEqual({ RspCode: '00', Message: 'Confirm Success' });
    expect((await h.intent(checkoutId)).status).toBe('canceled');
    expect(await h.calls(checkoutId)).toEqual([{ kind: 'expired', note: expect.stringContaining('24') }]);
  });

  it('the query job settles a lost IPN, and cancels payments never completed, after they expire', async () => {
    const lost = await startVnpay(140000);
    await h.sim.complete(lost.url, { outcome: 'success', ipn: 'drop' });
    const abandoned = await startVnpay(50000);
    await fetch(abandoned.url); // the shopper opened the page and left
    const neverOpened = await startVnpay(60000);
    const notYetDue = await startVnpay(70000);
    await h.sim.complete(notYetDue.url, { outcome: 'success', ipn: 'drop' });
    await h.t.sql(`UPDATE payment_intents SET expires_at = now() - interval '1 minute' WHERE checkout_id = ANY($1)`, [[lost.checkoutId, abandoned.checkoutId, neverOpened.checkoutId]]);

    await h.payments.reconcileExpiredVnpay();

    expect((await h.intent(lost.checkoutId)).status).toBe('succeeded');
    expect(await h.calls(lost.checkoutId)).toEqual([{ kind: 'paid', note: expect.stringContaining('querydr') }]);
    const ev = await h.t.sql<{ source: string }>(`SELECT source FROM payment_events WHERE provider_txn_ref = $1 AND kind = 'settlement'`, [lost.txnRef]);
    expect(ev).toEqual([{ source: 'querydr' }]);
    for (const c of [abandoned, neverOpened]) {
      expect((await h.intent(c.checkoutId)).status).toBe('canceled');
      expect((await h.calls(c.checkoutId)).map((x) => x.kind)).toEqual(['expired']);
    }
    expect((await h.intent(notYetDue.checkoutId)).status).toBe('requires_action');
    // The IPN that finally arrives for the settled payment is answered 02 and changes nothing.
    expect((await ipn(h.sim.ipnQuery(lost.txnRef))).body.RspCode).toBe('02');
    expect(await h.calls(lost.checkoutId)).toHaveLength(1);
  });

  it('refunds through the SDK, partly then fully, only within what was paid, only for the payee cooperative', async () => {
    const { checkoutId, url } = await startVnpay(300000);
    await h.sim.complete(url, { outcome: 'success', ipn: 'send' });
    const id = (await h.intent(checkoutId)).id as string;
    const manager = { authorization: `Bearer ${await h.t.login('thienan@htxso.test')}` };
    const other = { authorization: `Bearer ${await h.t.login('namty@htxso.test')}` };
    await h.t.http.post(`/api/manage/payments/${id}/refund`).set(other).send({ amountVnd: 1000, reason: 'not mine' }).expect(404);
    const part = await h.t.http.post(`/api/manage/payments/${id}/refund`).set(manager).send({ amountVnd: 100000, reason: 'thiếu hàng' }).expect(200);
    expect(part.body).toMatchObject({ status: 'partially_refunded', amountRefundedVnd: 100000 });
    const tooMuch = await h.t.http.post(`/api/manage/payments/${id}/refund`).set(manager).send({ amountVnd: 200001, reason: 'too much' }).expect(422);
    expect(tooMuch.body.message).toMatch(/200000/);
    const rest = await h.t.http.post(`/api/manage/payments/${id}/refund`).set(manager).send({ reason: 'khách trả hàng' }).expect(200);
    expect(rest.body).toMatchObject({ status: 'refunded', amountRefundedVnd: 300000 });
    expect(h.sim.transactions.get(rest.body.providerTxnRef)?.refundedVnd).toBe(300000);
    const detail = await h.t.http.get(`/api/manage/payments/${id}`).set(manager).expect(200);
    expect(detail.body.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'settlement', 'refund', 'refund']);
    await h.t.http.post(`/api/manage/payments/${id}/refund`).set(manager).send({ reason: 'again' }).expect(409);

    const mine = await h.t.http.get('/api/manage/payments').query({ status: 'refunded', method: 'vnpay' }).set(manager).expect(200);
    expect(mine.body.items.map((p: { id: string }) => p.id)).toContain(id);
    const theirs = await h.t.http.get('/api/manage/payments').set(other).expect(200);
    expect(theirs.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
    await h.t.http.get(`/api/manage/payments/${id}`).set(other).expect(404);
    const bad = await h.t.http.get('/api/manage/payments').query({ status: 'paid' }).set(manager).expect(400);
    expect(bad.body.message).toMatch(/status must be one of/);
  });

  it('records a payment that arrives after the checkout was cancelled, and flags it for a refund', async () => {
    const { checkoutId, url, txnRef } = await startVnpay(88000);
    await h.sim.complete(url, { outcome: 'success', ipn: 'drop' });
    expect(await h.ds.transaction((tx) => h.payments.cancelForCheckout(tx, checkoutId, 'Quá hạn thanh toán / expired'))).toBe(true);
    expect((await h.intent(checkoutId)).status).toBe('canceled');
    const q = h.sim.ipnQuery(txnRef);
    expect((await ipn(q)).body.RspCode).toBe('00');
    expect((await ipn(q)).body.RspCode).toBe('02');
    const intent = await h.intent(checkoutId);
    expect(intent).toMatchObject({ status: 'succeeded', amount_received_vnd: '88000', attention: expect.stringMatching(/refund/) });
    expect(await h.calls(checkoutId)).toEqual([]); // the orders were not touched

    const manager = { authorization: `Bearer ${await h.t.login('thienan@htxso.test')}` };
    const list = await h.t.http.get('/api/manage/payments/attention').set(manager).expect(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(intent.id);
    const other = await h.t.http.get('/api/manage/payments/attention').set({ authorization: `Bearer ${await h.t.login('namty@htxso.test')}` }).expect(200);
    expect(other.body.items.map((p: { id: string }) => p.id)).not.toContain(intent.id);
    await h.t.http.post(`/api/manage/payments/${intent.id}/refund`).set(manager).send({ reason: 'đơn đã hủy' }).expect(200);
    await h.t.http.post(`/api/manage/payments/${intent.id}/attention/resolve`).set(manager).send({ note: 'đã hoàn tiền' }).expect(200);
    const after = await h.t.http.get('/api/manage/payments/attention').set(manager).expect(200);
    expect(after.body.items.map((p: { id: string }) => p.id)).not.toContain(intent.id);
  });

  it('when the orders lib refuses the payment (orders cancelled meanwhile), keeps the money recorded and flags it, undoing the orders part only', async () => {
    const { checkoutId, url } = await startVnpay(45000);
    h.settlement.cancelledCheckouts.add(checkoutId);
    const done = await h.sim.complete(url, { outcome: 'success', ipn: 'send' });
    expect(done.ipn[0].body).toEqual({ RspCode: '00', Message: 'Confirm Success' });
    expect(await h.intent(checkoutId)).toMatchObject({ status: 'succeeded', attention: expect.stringMatching(/refund/) });
    expect(await h.calls(checkoutId)).toEqual([]);
  });

  it('keeps the event log append-only', async () => {
    await expect(h.t.sql(`UPDATE payment_events SET outcome = 'x' WHERE id = (SELECT min(id) FROM payment_events)`)).rejects.toThrow(/append-only/);
    await expect(h.t.sql(`DELETE FROM payment_events`)).rejects.toThrow(/append-only/);
  });
});
