import { getQueueToken } from '@nestjs/bullmq';
import { Queue, QueueEvents } from 'bullmq';
import { BankReconciliationService, decodeVietQr, PAYMENTS_QUEUE, RECONCILE_JOB } from '@htx/payments';
import { orderCode, PaymentsHarness, startPaymentsHarness, WEBHOOK_SECRET } from './support';

describe('payments: VietQR transfers, statement import and the bank webhook', () => {
  let h: PaymentsHarness;
  let manager: { authorization: string };
  let otherManager: { authorization: string };
  let signer: BankReconciliationService;

  beforeAll(async () => {
    h = await startPaymentsHarness();
    manager = { authorization: `Bearer ${await h.t.login('thienan@htxso.test')}` };
    otherManager = { authorization: `Bearer ${await h.t.login('namty@htxso.test')}` };
    signer = h.t.app.get(BankReconciliationService);
  });
  afterAll(() => h.close());

  const startQr = async (amountVnd: number, code = orderCode()) => {
    const { checkoutId, step } = await h.start({ method: 'vietqr', amountVnd, orderCodes: [code] });
    return { checkoutId, step, code };
  };
  const webhook = (body: Record<string, unknown>, signature = signer.signWebhook(body, Math.floor(Date.now() / 1000), WEBHOOK_SECRET)) =>
    h.t.http.post('/api/payments/bank-webhook').set('x-signature', signature).send(body);

  it('shows a dynamic NAPAS QR for the cooperative’s account, amount and order code, with its image', async () => {
    const { step, code } = await startQr(235000);
    expect(step.step).toBe('show_qr');
    if (step.step !== 'show_qr') return;
    const d = decodeVietQr(step.payload);
    expect(d).toMatchObject({ initiation: '12', bin: '970405', accountNumber: '8300205123456', serviceCode: 'QRIBFTTA', currency: '704', amount: 235000, country: 'VN', purpose: code });
    expect(step.bank).toEqual({ bin: '970405', accountNumber: '8300205123456', accountName: 'HTX THIEN AN' });
    expect(step.svg).toMatch(/^<svg/);
  });

  it('refuses VietQR for a checkout spanning two cooperatives, with a message saying what to do', async () => {
    await expect(h.start({ method: 'vietqr', amountVnd: 1000, cooperativeIds: [h.coops['thien-an'], h.coops['nam-ty']] })).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/one cooperative/),
    });
  });

  it('imports a statement: exact payments pay, under- and over-payments are flagged, re-imports change nothing', async () => {
    const exact = await startQr(150000);
    const under = await startQr(200000);
    const over = await startQr(90000);
    const csv = [
      'Ngày giao dịch,Số tham chiếu,Số tiền ghi có,Số tiền ghi nợ,Nội dung',
      // banks often drop the dashes of the order code
      `23/11/2026 09:15,FT26327001,"150.000",,IBFT ${exact.code.replace(/-/g, '')} thanh toan`,
      `23/11/2026 09:20,FT26327002,150000,,${under.code} chuyen thieu`,
      `23/11/2026 09:25,FT26327003,"100,000",,CK ${over.code}`,
      `23/11/2026 09:30,FT26327004,500000,,chuyen tien khong ro noi dung`,
      `23/11/2026 09:35,FT26327005,,20000,phi dich vu`,
    ].join('\n');
    const res = await h.t.http.post('/api/manage/payments/statements').set(manager).set('content-type', 'text/csv').send(csv).expect(200);
    expect(res.body).toMatchObject({ rows: 5, matched: 1, underpaid: 1, overpaid: 1, unmatched: 1, alreadyImported: 0 });
    expect(res.body.skipped).toEqual([{ line: 6, reason: 'debit (money out)' }]);

    expect((await h.intent(exact.checkoutId)).status).toBe('succeeded');
    expect((await h.calls(exact.checkoutId)).map((c) => c.kind)).toEqual(['paid']);
    expect(await h.intent(under.checkoutId)).toMatchObject({ status: 'requires_action', amount_received_vnd: '150000' });
    expect(await h.calls(under.checkoutId)).toEqual([]);
    // Paid in full and more: the order is paid, and the extra is flagged for the manager to return.
    expect((await h.intent(over.checkoutId)).status).toBe('succeeded');

    const list = await h.t.http.get('/api/manage/payments/mismatches').set(manager).expect(200);
    const byRef = Object.fromEntries(list.body.items.map((m: { bankRef: string }) => [m.bankRef, m]));
    expect(byRef['FT26327002']).toMatchObject({ matchStatus: 'underpaid', amountVnd: 150000, expectedAmountVnd: 200000, differenceVnd: -50000, orderCodes: [under.code] });
    expect(byRef['FT26327003']).toMatchObject({ matchStatus: 'overpaid', amountVnd: 100000, expectedAmountVnd: 90000, differenceVnd: 10000, orderCodes: [over.code] });
    expect(byRef['FT26327004']).toMatchObject({ matchStatus: 'unmatched', paymentId: null });
    expect(byRef['FT26327001']).toBeUndefined();
    const others = await h.t.http.get('/api/manage/payments/mismatches').set(otherManager).expect(200);
    expect(others.body.items.map((m: { bankRef: string }) => m.bankRef)).not.toContain('FT26327002');

    const again = await h.t.http.post('/api/manage/payments/statements').set(manager).send({ csv }).expect(200);
    expect(again.body).toMatchObject({ matched: 0, underpaid: 0, overpaid: 0, unmatched: 0, alreadyImported: 4 });
    expect(await h.calls(exact.checkoutId)).toHaveLength(1);

    // The rest of the underpaid order arrives through the bank notification: now it is paid.
    const rest = await webhook({ id: 9001, gateway: 'Vietcombank', transactionDate: '2026-11-23 10:00:00', accountNumber: '8300205123456', content: `${under.code} chuyen not`, transferType: 'in', transferAmount: 50000, referenceCode: 'FT26327010' }).expect(200);
    expect(rest.body).toEqual({ success: true, status: 'matched' });
    expect(await h.intent(under.checkoutId)).toMatchObject({ status: 'succeeded', amount_received_vnd: '200000' });

    // The manager deals with a flag; it leaves the list.
    const flagged = byRef['FT26327003'] as { id: string };
    await h.t.http.post(`/api/manage/payments/mismatches/${flagged.id}/resolve`).set(otherManager).send({ note: 'not mine' }).expect(404);
    await h.t.http.post(`/api/manage/payments/mismatches/${flagged.id}/resolve`).set(manager).send({ note: 'đã hoàn 10.000 đ cho khách' }).expect(200);
    const after = await h.t.http.get('/api/manage/payments/mismatches').set(manager).expect(200);
    expect(after.body.items.map((m: { bankRef: string }) => m.bankRef)).not.toContain('FT26327003');
  });

  it('refuses a statement with a bad line as a whole, explaining the line', async () => {
    const p = await startQr(40000);
    const csv = ['reference,amount,description', `R-OK-1,40000,${p.code}`, 'R-BAD-2,12.5,oops'].join('\n');
    const res = await h.t.http.post('/api/manage/payments/statements').set(manager).set('content-type', 'text/csv').send(csv).expect(400);
    expect(res.body.message).toMatch(/line 3: amount "12.5"/);
    expect((await h.intent(p.checkoutId)).status).toBe('requires_action');
    const noColumns = await h.t.http.post('/api/manage/payments/statements').set(manager).set('content-type', 'text/csv').send('a,b\n1,2').expect(400);
    expect(noColumns.body.message).toMatch(/lacks columns/);
    const member = `Bearer ${await h.t.login('member.thienan@htxso.test')}`;
    await h.t.http.post('/api/manage/payments/statements').set('authorization', member).set('content-type', 'text/csv').send(csv).expect(403);
  });

  it('accepts a correctly signed bank notification once, and rejects bad or stale signatures', async () => {
    const p = await startQr(120000);
    const body = { id: 9100, gateway: 'Vietcombank', transactionDate: '2026-11-23 11:00:00', accountNumber: '8300205123456', content: `TT ${p.code}`, transferType: 'in', transferAmount: 120000, referenceCode: 'FT26327100' };

    const forged = await webhook(body, signer.signWebhook(body, Math.floor(Date.now() / 1000), 'not-the-secret-at-all-000'));
    expect(forged.status).toBe(401);
    const altered = await webhook({ ...body, transferAmount: 1200000 }, signer.signWebhook(body, Math.floor(Date.now() / 1000), WEBHOOK_SECRET));
    expect(altered.status).toBe(401);
    expect((await h.t.http.post('/api/payments/bank-webhook').send(body)).status).toBe(401);
    const stale = await webhook(body, signer.signWebhook(body, Math.floor(Date.now() / 1000) - 3600, WEBHOOK_SECRET));
    expect(stale.status).toBe(401);
    expect(stale.body.message).toMatch(/5 minutes/);
    expect(await h.t.sql(`SELECT 1 FROM bank_transactions WHERE bank_ref = 'FT26327100'`)).toHaveLength(0);
    expect((await h.intent(p.checkoutId)).status).toBe('requires_action');

    const ok = await webhook(body).expect(200);
    expect(ok.body).toEqual({ success: true, status: 'matched' });
    const replay = await webhook(body).expect(200);
    expect(replay.body).toEqual({ success: true, status: 'already_imported' });
    expect((await h.intent(p.checkoutId)).status).toBe('succeeded');
    expect(await h.calls(p.checkoutId)).toHaveLength(1);

    // The same notification delivered five times at once still pays once.
    const q = await startQr(51000);
    const twin = { ...body, content: q.code, transferAmount: 51000, referenceCode: 'FT26327200' };
    const statuses = await Promise.all(Array.from({ length: 5 }, () => webhook(twin).then((r) => r.body.status as string)));
    expect(statuses.sort()).toEqual(['already_imported', 'already_imported', 'already_imported', 'already_imported', 'matched']);
    expect(await h.calls(q.checkoutId)).toHaveLength(1);

    const outgoing = await webhook({ ...body, referenceCode: 'FT-OUT-1', transferType: 'out' }).expect(200);
    expect(outgoing.body.status).toBe('ignored');
    const unknownAccount = await webhook({ ...body, referenceCode: 'FT-X-1', accountNumber: '999999' });
    expect(unknownAccount.status).toBe(404);
    const badAmount = await webhook({ ...body, referenceCode: 'FT-X-2', transferAmount: '120000' });
    expect(badAmount.status).toBe(400);
    expect(badAmount.body.message).toMatch(/transferAmount/);
  });

  it('expires an unpaid transfer through the scheduled queue job; a transfer arriving later is flagged as late, not applied', async () => {
    const queue = h.t.app.get<Queue>(getQueueToken(PAYMENTS_QUEUE));
    // The scheduler is registered in the background at start-up; wait for it to appear.
    let schedulers: string[] = [];
    for (let i = 0; i < 100 && !schedulers.includes(RECONCILE_JOB); i++) {
      schedulers = (await queue.getJobSchedulers()).map((j) => j.key ?? j.name);
      if (!schedulers.includes(RECONCILE_JOB)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(schedulers).toContain(RECONCILE_JOB);
    const p = await startQr(64000);
    await h.t.sql(`UPDATE payment_intents SET expires_at = now() - interval '1 minute' WHERE checkout_id = $1`, [p.checkoutId]);
    const events = new QueueEvents(PAYMENTS_QUEUE, { connection: queue.opts.connection, prefix: queue.opts.prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add(RECONCILE_JOB, {});
      await job.waitUntilFinished(events);
    } finally {
      await events.close();
    }
    expect((await h.intent(p.checkoutId)).status).toBe('canceled');
    expect((await h.calls(p.checkoutId)).map((c) => c.kind)).toEqual(['expired']);

    const late = await webhook({ id: 77, gateway: 'VCB', transactionDate: '2026-11-23 13:00:00', accountNumber: '8300205123456', content: p.code, transferType: 'in', transferAmount: 64000, referenceCode: 'FT-LATE-1' }).expect(200);
    expect(late.body.status).toBe('late_payment');
    expect((await h.intent(p.checkoutId)).status).toBe('canceled');
    expect((await h.calls(p.checkoutId)).map((c) => c.kind)).toEqual(['expired']);
    const list = await h.t.http.get('/api/manage/payments/mismatches').set(manager).expect(200);
    expect(list.body.items.find((m: { bankRef: string }) => m.bankRef === 'FT-LATE-1')).toMatchObject({ matchStatus: 'late_payment', orderCodes: [p.code] });
  });

  it('cash on delivery: nothing to do at checkout; the payment succeeds once, when the cash is recorded', async () => {
    const { checkoutId, step } = await h.start({ method: 'cod', amountVnd: 180000 });
    expect(step).toEqual({ step: 'none', provider: 'cod' });
    expect((await h.intent(checkoutId)).status).toBe('requires_payment_method');
    expect(await h.ds.transaction((tx) => h.payments.recordCashCollected(tx, checkoutId, 'Giao hàng, đã thu tiền'))).toBe(true);
    expect(await h.ds.transaction((tx) => h.payments.recordCashCollected(tx, checkoutId, 'again'))).toBe(false);
    expect(await h.intent(checkoutId)).toMatchObject({ status: 'succeeded', amount_received_vnd: '180000' });
    expect(await h.calls(checkoutId)).toEqual([]); // the orders lib moves cash orders itself
  });

  it('flags a transfer for a payment that was already paid instead of paying twice', async () => {
    const p = await startQr(30000);
    const body = (ref: string) => ({ id: 1, gateway: 'VCB', transactionDate: '2026-11-23 12:00:00', accountNumber: '8300205123456', content: p.code, transferType: 'in', transferAmount: 30000, referenceCode: ref });
    expect((await webhook(body('FT-DUP-1')).expect(200)).body.status).toBe('matched');
    expect((await webhook(body('FT-DUP-2')).expect(200)).body.status).toBe('duplicate_payment');
    expect(await h.calls(p.checkoutId)).toHaveLength(1);
    const list = await h.t.http.get('/api/manage/payments/mismatches').set(manager).expect(200);
    expect(list.body.items.find((m: { bankRef: string }) => m.bankRef === 'FT-DUP-2')).toMatchObject({ matchStatus: 'duplicate_payment', orderCodes: [p.code] });
  });
});
