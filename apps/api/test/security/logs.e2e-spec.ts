import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { loadConfig } from '@htx/shared';
import { BankReconciliationService } from '@htx/payments';
import { runSeed } from '../../src/seed/seed';
import { createTestDatabase } from '../support/test-app';
import { redisUrl, runId } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../../../..');
const PORT = 9500 + (process.pid % 90);
const JWT_SECRET = `log-test-jwt-secret-${randomUUID()}`;
const BANK_SECRET = `log-test-bank-secret-${randomUUID()}`;
const VNPAY_SECRET = `LOGTESTVNPAYSECRET${randomUUID().replace(/-/g, '').slice(0, 16)}`;
const PHONE = '0987123456';
const EMAIL_LOCAL = `lan.${randomUUID().slice(0, 6)}`;

/**
 * The production logger, exactly as deployed: the real API entry point in its own process at LOG_LEVEL=info
 * (pino writes JSON straight to the file descriptor, so only another process can read it). A checkout, order
 * tracking, sign-in, a bearer-token call and a signed webhook go through it; then its whole output is searched.
 */
describe('security: logs carry no phone numbers, tokens, passwords or secrets', () => {
  let api: ChildProcess;
  let output = '';
  let drop: () => Promise<void>;
  let databaseUrl: string;
  const http = request(`http://127.0.0.1:${PORT}`);

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    databaseUrl = db.url;
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: `t-${runId()}-logs-${process.pid}`,
      API_PORT: String(PORT),
      LOG_LEVEL: 'info',
      JWT_SECRET,
      BANK_WEBHOOK_SECRET: BANK_SECRET,
      VNPAY_TMN_CODE: 'HTXLOGS1',
      VNPAY_SECURE_SECRET: VNPAY_SECRET,
      VNPAY_HOST: 'http://127.0.0.1:9',
      RATE_LIMIT_PER_MINUTE: '100000',
    };
    await runSeed(loadConfig(env));
    api = spawn(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    api.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    api.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/listening on/.test(output)) {
          clearInterval(timer);
          resolve();
        } else if (api.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`API exited: ${output}`));
        }
      }, 100);
    });
  }, 120_000);

  afterAll(async () => {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api.once('exit', r));
    }
    await drop?.();
  });

  it('logs requests (so the search below means something) without any of the sensitive values', async () => {
    const login = await http.post('/api/auth/login').send({ email: 'thienan@htxso.test', password: 'demo1234' }).expect(200);
    const token = login.body.accessToken as string;
    await http.post('/api/auth/login').send({ email: 'thienan@htxso.test', password: 'wrong-password-xyz' }).expect(401);
    await http.get('/api/manage/products').set('authorization', `Bearer ${token}`).expect(200);
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    const variantId = (await pg.query(`SELECT s.variant_id FROM inventory_stock s JOIN product_variants v ON v.id = s.variant_id JOIN products p ON p.id = v.product_id
         WHERE v.active AND p.status = 'active' AND s.on_hand - s.reserved - s.blocked > 5 ORDER BY s.on_hand DESC LIMIT 1`)).rows[0]?.variant_id as string;
    await pg.end();
    const idempotencyKey = `idem-${randomUUID()}`;
    const checkout = await http
      .post('/api/orders')
      .set('idempotency-key', idempotencyKey)
      .send({
        items: [{ variantId, quantity: 1 }],
        customer: { name: 'Nguyễn Thị Lan', phone: PHONE, email: `${EMAIL_LOCAL}@example.vn` },
        shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Thôn Nà Lẹng, số 12' },
        paymentMethod: 'vnpay',
      });
    expect(checkout.status).toBe(201);
    const code = checkout.body.orders[0].code as string;
    await http.get(`/api/orders/${code}`).query({ phone: PHONE }).expect(200);
    await http.get(`/api/orders/${code}`).query({ phone: '+84987123457' }).expect(404);
    // A manager searching orders by the shopper's phone.
    const search = await http.get('/api/manage/orders').query({ q: PHONE }).set('authorization', `Bearer ${token}`).expect(200);
    expect(search.body.items.map((o: { code: string }) => o.code)).toContain(code);
    // A refused checkout: its validation message names the field, never echoes the number.
    await http.post('/api/orders').set('idempotency-key', randomUUID()).send({ customer: { phone: PHONE } }).expect(400);
    // A server-side fault path (an unknown route with a token) and a signed bank webhook.
    await http.get('/api/manage/nothing-here').set('authorization', `Bearer ${token}`).expect(404);
    const body = { id: 1, gateway: 'VPB', transactionDate: '2026-11-23 10:00:00', accountNumber: '8300205123456', content: `TT ${code}`, transferType: 'out', transferAmount: 1000, referenceCode: 'FTLOG1' };
    const signer = Object.create(BankReconciliationService.prototype) as BankReconciliationService;
    const signature = signer.signWebhook(body, Math.floor(Date.now() / 1000), BANK_SECRET);
    await http.post('/api/payments/bank-webhook').set('x-signature', signature).send(body).expect(200);
    // Let pino flush.
    await http.get('/api/health').expect(200);
    await new Promise((r) => setTimeout(r, 300));

    // The log is there and covers the requests above.
    expect(output).toMatch(/"path":"\/api\/orders"/);
    expect(output).toMatch(/"path":"\/api\/auth\/login"/);
    expect(output).toMatch(new RegExp(`"path":"/api/orders/${code}"`));

    const national = PHONE.slice(1);
    const forbidden: Array<[string, string]> = [
      ['phone (0…)', PHONE],
      ['phone (national digits)', national],
      ['phone (+84…)', `+84${national}`],
      ['other phone tried', '987123457'],
      ['customer e-mail', EMAIL_LOCAL],
      ['password', 'demo1234'],
      ['wrong password', 'wrong-password-xyz'],
      ['bearer token', token],
      ['token signature', token.split('.')[2]],
      ['JWT secret', JWT_SECRET],
      ['bank webhook secret', BANK_SECRET],
      ['bank webhook signature', signature.split('v1=')[1]],
      ['VNPay secret', VNPAY_SECRET],
      ['idempotency key', idempotencyKey],
    ];
    const leaks = forbidden.filter(([, value]) => output.includes(value)).map(([label]) => label);
    expect(leaks).toEqual([]);
  });
});
