import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dateFormat, getDateInGMT7, ReturnQueryFromVNPay, VNPay } from 'vnpay';
import { startVnpaySimulator, VnpaySimulator } from './simulator';

const TMN = 'SIMTEST1';
const SECRET = 'SIMULATORSECRETSIMULATORSECRET99';

describe('VNPay simulator, checked with the vnpay SDK', () => {
  let sim: VnpaySimulator;
  let vnpay: VNPay;
  let ipnServer: Server;
  const ipnSeen: { verified: boolean; success: boolean; amount: number }[] = [];

  beforeAll(async () => {
    sim = await startVnpaySimulator({ tmnCode: TMN, secureSecret: SECRET });
    vnpay = new VNPay({ tmnCode: TMN, secureSecret: SECRET, vnpayHost: sim.url, queryDrAndRefundHost: sim.url });
    ipnServer = createServer((req, res) => {
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams) as unknown as ReturnQueryFromVNPay;
      const v = vnpay.verifyIpnCall(query);
      ipnSeen.push({ verified: v.isVerified, success: v.isSuccess, amount: Number(v.vnp_Amount) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ RspCode: '00', Message: 'Confirm Success' }));
    });
    await new Promise<void>((r) => ipnServer.listen(0, '127.0.0.1', r));
    sim.setIpnUrl(`http://127.0.0.1:${(ipnServer.address() as AddressInfo).port}/ipn`);
  });
  afterAll(async () => {
    await sim.close();
    await new Promise((r) => ipnServer.close(r));
  });

  const payUrl = (txnRef: string, amount: number) =>
    vnpay.buildPaymentUrl({ vnp_Amount: amount, vnp_IpAddr: '127.0.0.1', vnp_OrderInfo: `Thanh toan don ${txnRef}`, vnp_ReturnUrl: 'http://shop.test/return', vnp_TxnRef: txnRef });

  it('serves a Vietnamese payment page for a correctly signed URL and refuses a tampered one', async () => {
    const url = payUrl('PAGE1', 150000);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Thanh toán thành công / Pay');
    expect(html).toContain('Hủy / Cancel');
    expect(html).toContain('150.000');
    const tampered = await fetch(url.replace('vnp_Amount=15000000', 'vnp_Amount=100'));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toMatch(/chữ ký|signature/);
  });

  it('signs the return and the IPN so that the SDK verifies them, with the amount in đồng', async () => {
    const done = await sim.complete(payUrl('OK1', 250000), { outcome: 'success', ipn: 'send' });
    expect(done.ipn).toEqual([{ status: 200, body: { RspCode: '00', Message: 'Confirm Success' } }]);
    expect(ipnSeen.at(-1)).toEqual({ verified: true, success: true, amount: 250000 });
    const back = vnpay.verifyReturnUrl(Object.fromEntries(new URL(done.returnUrl).searchParams) as unknown as ReturnQueryFromVNPay);
    expect(back).toMatchObject({ isVerified: true, isSuccess: true, vnp_TxnRef: 'OK1', vnp_Amount: 250000 });
  });

  it('reports a cancelled payment as not successful, and a changed parameter as unverified', async () => {
    const done = await sim.complete(payUrl('CANCEL1', 99000), { outcome: 'cancel', ipn: 'drop' });
    const q = vnpay.verifyReturnUrl(done.returnQuery as unknown as ReturnQueryFromVNPay);
    expect(q).toMatchObject({ isVerified: true, isSuccess: false, vnp_ResponseCode: '24' });
    const forged = vnpay.verifyReturnUrl({ ...done.returnQuery, vnp_ResponseCode: '00' } as unknown as ReturnQueryFromVNPay);
    expect(forged.isVerified).toBe(false);
  });

  it('delivers duplicate IPNs on request, and none when told to drop', async () => {
    const before = ipnSeen.length;
    await sim.complete(payUrl('DUP1', 10000), { outcome: 'success', ipn: 'duplicate', copies: 3 });
    expect(ipnSeen.length - before).toBe(3);
    await sim.complete(payUrl('DROP1', 10000), { outcome: 'success', ipn: 'drop' });
    expect(ipnSeen.length - before).toBe(3);
  });

  it('lets a person pay with the page’s button, and a test choose the outcome with sim_outcome', async () => {
    const url = payUrl('FORM1', 42000);
    await fetch(url);
    const posted = await fetch(`${sim.url}/paymentv2/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ txnRef: 'FORM1', outcome: 'success' }).toString(),
      redirect: 'manual',
    });
    expect(posted.status).toBe(302);
    const back = new URL(posted.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe('http://shop.test/return');
    expect(vnpay.verifyReturnUrl(Object.fromEntries(back.searchParams) as unknown as ReturnQueryFromVNPay)).toMatchObject({ isVerified: true, isSuccess: true, vnp_Amount: 42000 });

    const knob = await fetch(`${payUrl('KNOB1', 1000)}&sim_outcome=cancel&sim_ipn=drop`, { redirect: 'manual' });
    expect(knob.status).toBe(302);
    expect(new URL(knob.headers.get('location') ?? '').searchParams.get('vnp_ResponseCode')).toBe('24');
  });

  it('answers querydr and refund with responses whose signatures the SDK accepts', async () => {
    const created = dateFormat(getDateInGMT7());
    await sim.complete(payUrl('Q1', 300000), { outcome: 'success', ipn: 'drop' });
    const q = await vnpay.queryDr({
      vnp_RequestId: 'r1',
      vnp_TxnRef: 'Q1',
      vnp_TransactionNo: 0,
      vnp_TransactionDate: created,
      vnp_CreateDate: created,
      vnp_IpAddr: '127.0.0.1',
      vnp_OrderInfo: 'query Q1',
    });
    expect(q).toMatchObject({ isVerified: true, isSuccess: true, vnp_TransactionStatus: '00', vnp_Amount: '30000000' });

    const missing = await vnpay.queryDr({ vnp_RequestId: 'r2', vnp_TxnRef: 'NOPE', vnp_TransactionNo: 0, vnp_TransactionDate: created, vnp_CreateDate: created, vnp_IpAddr: '127.0.0.1', vnp_OrderInfo: 'q' });
    expect(missing).toMatchObject({ isVerified: true, isSuccess: false, vnp_ResponseCode: '91' });

    const refund = await vnpay.refund({
      vnp_RequestId: 'r3',
      vnp_TxnRef: 'Q1',
      vnp_Amount: 100000,
      vnp_TransactionType: '03',
      vnp_TransactionDate: created,
      vnp_CreateDate: created,
      vnp_CreateBy: 'manager',
      vnp_IpAddr: '127.0.0.1',
      vnp_OrderInfo: 'hoan tien',
    });
    expect(refund).toMatchObject({ isVerified: true, isSuccess: true, vnp_Amount: 100000 });
    const tooMuch = await vnpay.refund({
      vnp_RequestId: 'r4', vnp_TxnRef: 'Q1', vnp_Amount: 250000, vnp_TransactionType: '03', vnp_TransactionDate: created, vnp_CreateDate: created, vnp_CreateBy: 'm', vnp_IpAddr: '127.0.0.1', vnp_OrderInfo: 'x',
    });
    expect(tooMuch).toMatchObject({ isVerified: true, isSuccess: false });
  });
});
