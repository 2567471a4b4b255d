import { createHmac } from 'node:crypto';
import { AppConfig, loadConfig } from '@htx/shared';
import { asciiOrderInfo, VnpayProvider, vnpDateNumber } from './providers';

const SECRET = 'UNITTESTSECRETUNITTESTSECRET0001';

function sign(params: Record<string, string>): string {
  const search = new URLSearchParams();
  for (const k of Object.keys(params).sort()) if (params[k] !== '') search.append(k, params[k]);
  return createHmac('sha512', SECRET).update(search.toString()).digest('hex');
}

describe('VnpayProvider (vnpay SDK)', () => {
  const config = loadConfig({ VNPAY_TMN_CODE: 'UNIT0001', VNPAY_SECURE_SECRET: SECRET, VNPAY_HOST: 'http://vnpay.test', PUBLIC_BASE_URL: 'https://shop.test' });
  const provider = new VnpayProvider(config);

  it('is not offered without credentials', () => {
    expect(new VnpayProvider(new AppConfig()).available()).toBe(false);
    expect(provider.available()).toBe(true);
  });

  it('builds the payment URL on the configured host with the amount multiplied by 100 exactly once', async () => {
    const expires = new Date('2026-11-23T03:00:00Z');
    const created = await provider.create(null as never, 'id', { checkoutId: 'c', idempotencyKey: 'k', method: 'vnpay', amountVnd: 125000, orderCodes: ['TA-261123-0001'], clientIp: '1.2.3.4' }, expires);
    const url = new URL(String(created.nextAction['url']));
    expect(url.origin + url.pathname).toBe('http://vnpay.test/paymentv2/vpcpay.html');
    expect(url.searchParams.get('vnp_Amount')).toBe('12500000');
    expect(url.searchParams.get('vnp_ExpireDate')).toBe('20261123100000');
    expect(url.searchParams.get('vnp_ReturnUrl')).toBe('https://shop.test/api/payments/vnpay/return');
    expect(url.searchParams.get('vnp_TxnRef')).toBe(created.providerTxnRef);
    expect(created.providerTxnRef).toMatch(/^\d{6}[0-9A-F]{12}$/);
  });

  const base = { vnp_Amount: '12500000', vnp_BankCode: 'NCB', vnp_OrderInfo: 'x', vnp_PayDate: '20261123100000', vnp_ResponseCode: '00', vnp_TmnCode: 'UNIT0001', vnp_TransactionNo: '123', vnp_TransactionStatus: '00', vnp_TxnRef: 'R1' };

  it('reports a signed success with the amount in đồng', () => {
    expect(provider.handleNotification({ ...base, vnp_SecureHash: sign(base) })).toMatchObject({ verified: true, succeeded: true, amountVnd: 125000, txnRef: 'R1', transactionNo: '123' });
  });

  it('never reports success for an unverified notification, even with response code 00', () => {
    const r = provider.handleNotification({ ...base, vnp_SecureHash: sign({ ...base, vnp_ResponseCode: '24' }) });
    expect(r).toMatchObject({ verified: false, succeeded: false });
  });

  it('reports a non-numeric amount as malformed instead of throwing', () => {
    const bad = { ...base, vnp_Amount: '12,5' };
    expect(provider.handleNotification({ ...bad, vnp_SecureHash: sign(bad) })).toMatchObject({ verified: false, malformed: expect.any(String) });
  });
});

describe('VNPay formats', () => {
  it('writes dates in Vietnam time whatever the server zone', () => {
    expect(vnpDateNumber(new Date('2026-12-31T20:30:05Z'))).toBe(20270101033005);
  });
  it('keeps order info plain ASCII', () => {
    expect(asciiOrderInfo('Thanh toán đơn hàng TA-261123-0001 (Thiên An)')).toBe('Thanh toan don hang TA-261123-0001 Thien An');
  });
});
