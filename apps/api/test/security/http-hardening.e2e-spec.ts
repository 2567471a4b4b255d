import { createHmac } from 'node:crypto';
import { BankReconciliationService } from '@htx/payments';
import { startTestApp, TestApp } from '../support/test-app';
import { WEBHOOK_OPERATIONS } from './access-rules';
import { databaseFingerprint, ensureChannelA, Fixtures, fingerprintDiff, loadFixtures, loadOperations, opName, readableError } from './support';

const STOREFRONT = 'https://htxso.test';
const ADMIN_ORIGIN = 'https://quanly.htxso.test';
const BANK_SECRET = 'security-bank-webhook-secret-0001';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function signJwt(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, hash = 'sha256'): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`;
}

describe('security: tokens, headers, CORS and webhooks', () => {
  let t: TestApp;
  let f: Fixtures;

  beforeAll(async () => {
    t = await startTestApp({ seed: true, env: { PUBLIC_BASE_URL: STOREFRONT, CORS_ORIGINS: ADMIN_ORIGIN, BANK_WEBHOOK_SECRET: BANK_SECRET } });
    f = await loadFixtures(t);
  });
  afterAll(() => t.close());

  describe('bearer tokens', () => {
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    const get = (token: string) => t.http.get('/api/manage/products').set('authorization', `Bearer ${token}`);
    const now = () => Math.floor(Date.now() / 1000);

    it('accepts a token signed with the platform key (the forged ones below differ only in what is tested)', async () => {
      const claims = { ...claimsOf(f.managerA), iat: now(), exp: now() + 600 };
      await get(signJwt(claims, t.config.JWT_SECRET)).expect(200);
    });

    it.each([
      ['a tampered payload (member raised to platform admin)', () => {
        const [h, , s] = f.memberA.split('.');
        return `${h}.${b64url({ ...claimsOf(f.memberA), role: 'platform_admin', coop: null })}.${s}`;
      }, /not valid/],
      ['a tampered signature', () => `${f.managerA.slice(0, -4)}${f.managerA.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`, /not valid/],
      ['an expired token', () => signJwt({ ...claimsOf(f.managerA), iat: now() - 7200, exp: now() - 60 }, t.config.JWT_SECRET), /expired/],
      ['a token signed with another key', () => signJwt({ ...claimsOf(f.managerA), iat: now(), exp: now() + 600 }, 'another-secret-0123456789abcdef'), /not valid/],
      ['alg: none', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claimsOf(f.admin), iat: now(), exp: now() + 600 })}.`, /not valid/],
      ['HS512 with the right key (only HS256 is accepted)', () => signJwt({ ...claimsOf(f.managerA), iat: now(), exp: now() + 600 }, t.config.JWT_SECRET, { alg: 'HS512', typ: 'JWT' }, 'sha512'), /not valid/],
      ['an unknown role', () => signJwt({ ...claimsOf(f.managerA), role: 'superuser', iat: now(), exp: now() + 600 }, t.config.JWT_SECRET), /not valid/],
      ['garbage', () => 'not.a.token', /not valid/],
    ])('refuses %s with 401 and a clear message', async (_label, make, message) => {
      const res = await get(make());
      expect(res.status).toBe(401);
      expect(readableError(401, res.body)).toBe(true);
      expect(res.body.message).toMatch(message);
    });

    it('asks for a token when none or a non-bearer one is sent', async () => {
      for (const header of [undefined, `Basic ${Buffer.from('admin@htxso.test:demo1234').toString('base64')}`, 'Bearer', `Token ${f.managerA}`]) {
        const req = t.http.get('/api/manage/products');
        const res = header ? await req.set('authorization', header) : await req;
        expect(res.status).toBe(401);
        expect(res.body.message).toMatch(/Sign in first/);
      }
    });
  });

  describe('security headers', () => {
    it('sends helmet headers on API answers, errors included, and hides the server stack', async () => {
      const answers = [
        await t.http.get('/api/products').expect(200),
        await t.http.get('/api/no-such-route').expect(404),
        await t.http.get('/api/manage/products').expect(401),
        await t.http.post('/api/auth/login').send({ email: 'x' }).expect(400),
      ];
      for (const res of answers) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('sends them on trace documents answered from the cache (ahead of helmet) too', async () => {
      const url = `/api/trace/01/${f.gtinA}/10/${f.lotACode}`;
      await t.http.get(url).expect(200);
      const hit = await t.http.get(url).expect(200);
      expect(hit.headers['x-trace-cache']).toBe('hit');
      expect(hit.headers['x-content-type-options']).toBe('nosniff');
      expect(hit.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(hit.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(hit.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(hit.headers['referrer-policy']).toBe('no-referrer');
    });
  });

  describe('CORS', () => {
    it('lets the storefront and the configured extra origins call the API from a browser', async () => {
      for (const origin of [STOREFRONT, ADMIN_ORIGIN]) {
        const res = await t.http.get('/api/products').set('origin', origin).expect(200);
        expect(res.headers['access-control-allow-origin']).toBe(origin);
        const preflight = await t.http.options('/api/manage/products').set('origin', origin).set('access-control-request-method', 'POST').set('access-control-request-headers', 'authorization,content-type');
        expect(preflight.status).toBe(204);
        expect(preflight.headers['access-control-allow-origin']).toBe(origin);
        expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/);
      }
    });

    it('gives no other origin access, look-alikes and "null" included', async () => {
      for (const origin of ['https://evil.example', 'https://htxso.test.evil.example', 'http://htxso.test', 'null', 'https://evilhtxso.test']) {
        const res = await t.http.get('/api/products').set('origin', origin).expect(200);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
        const preflight = await t.http.options('/api/manage/products').set('origin', origin).set('access-control-request-method', 'DELETE');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        const trace = await t.http.get(`/api/trace/01/${f.gtinA}/10/${f.lotACode}`).set('origin', origin);
        expect(trace.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
  });

  describe('webhooks accept only signed calls', () => {
    const transfer = { id: 99001, gateway: 'VPBank', transactionDate: '2026-11-23 10:00:00', accountNumber: '8300205123456', content: 'HTX test', transferType: 'out', transferAmount: 1000, referenceCode: 'FTSEC0001' };
    const fresh = () => Math.floor(Date.now() / 1000);
    const hmac = (secret: string, ts: number, body: string) => createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');

    it('bank webhook: refuses unsigned, malformed, stale and wrongly signed calls with 401, writing nothing', async () => {
      const bank = t.app.get(BankReconciliationService);
      const body = { ...transfer, transferType: 'in', content: `TT ${f.orderACode}`, transferAmount: 1000 };
      const before = await databaseFingerprint(t);
      for (const signature of [
        undefined,
        'garbage',
        `t=${fresh()},v1=${'0'.repeat(64)}`,
        `t=${fresh()},v1=${hmac('wrong-secret-0123456789', fresh(), JSON.stringify(body))}`,
        bank.signWebhook(body, fresh() - 3600, BANK_SECRET),
        bank.signWebhook({ ...body, transferAmount: 999999 }, fresh(), BANK_SECRET),
      ]) {
        const req = t.http.post('/api/payments/bank-webhook');
        const res = signature ? await req.set('x-signature', signature).send(body) : await req.send(body);
        expect(res.status).toBe(401);
        expect(readableError(401, res.body)).toBe(true);
      }
      expect(fingerprintDiff(before, await databaseFingerprint(t))).toEqual([]);
      // Control: the same route accepts a correctly signed call (an outgoing transfer, which it records nowhere).
      const ok = await t.http.post('/api/payments/bank-webhook').set('x-signature', bank.signWebhook(transfer, fresh(), BANK_SECRET)).send(transfer).expect(200);
      expect(ok.body).toEqual({ success: true, status: 'ignored' });
    });

    it('VNPay IPN: answers RspCode 97 to unsigned or tampered notifications and marks nothing paid', async () => {
      const [payment] = await t.sql<{ ref: string | null; amount_vnd: string }>(`SELECT coalesce(provider_txn_ref, order_codes[1]) AS ref, amount_vnd::text FROM payment_intents ORDER BY (provider_txn_ref IS NULL) LIMIT 1`);
      const params = { vnp_TmnCode: 'HTXTEST1', vnp_TxnRef: payment?.ref ?? 'X', vnp_Amount: String(Number(payment?.amount_vnd ?? 1000) * 100), vnp_ResponseCode: '00', vnp_TransactionStatus: '00' };
      const before = await databaseFingerprint(t);
      for (const extra of [{}, { vnp_SecureHash: 'deadbeef' }, { vnp_SecureHash: createHmac('sha512', 'wrong-secret').update(new URLSearchParams(params).toString()).digest('hex') }]) {
        const res = await t.http.get('/api/payments/vnpay/ipn').query({ ...params, ...extra }).expect(200);
        expect(res.body.RspCode).toBe('97');
      }
      // Refused notifications are kept in the payment event log for audit (three rows); nothing else changes.
      const after = await databaseFingerprint(t);
      expect(fingerprintDiff(before, after).filter((d) => !d.startsWith('payment_events:'))).toEqual([]);
      expect(Number(after['payment_events'].split(':')[0]) - Number(before['payment_events'].split(':')[0])).toBe(3);
    });

    it('every other documented webhook refuses an unsigned call with a 4xx and writes nothing', async () => {
      const all = await loadOperations(t);
      const ops = all.filter((op) => WEBHOOK_OPERATIONS.some((r) => r.test(opName(op))) && !/vnpay\/ipn/.test(op.path));
      expect(ops.map(opName)).toContain('POST /api/payments/bank-webhook');
      await ensureChannelA(t, f, all, 'SEC-HARDENING-A');
      for (const op of ops) {
        const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'channel' ? 'postmart' : 'x'));
        // Unsigned; then with the documented signing headers of a known merchant but a made-up signature.
        const forged: Record<string, string> = {};
        for (const h of op.headers) forged[h] = /merchant/.test(h) ? 'SEC-HARDENING-A' : /time/.test(h) ? String(Math.floor(Date.now() / 1000)) : 'f'.repeat(64);
        for (const headers of [{}, forged]) {
          const before = await databaseFingerprint(t);
          let req = t.http[op.method](url);
          for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
          const res = op.method === 'get' ? await req : await req.send({ event: 'order.created', merchant_id: 'SEC-HARDENING-A', order: { id: 'X1' } });
          expect({ op: opName(op), headers, refused: res.status >= 400 && res.status < 500 && res.status !== 404 }).toEqual({ op: opName(op), headers, refused: true });
          expect(fingerprintDiff(before, await databaseFingerprint(t))).toEqual([]);
        }
      }
    });
  });
});
