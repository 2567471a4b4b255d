import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { databaseFingerprint, Fixtures, fingerprintDiff, loadFixtures } from './support';

const LIMIT = 3;
const LIMITS = {
  CHECKOUT_RATE_LIMIT_PER_MINUTE: String(LIMIT),
  TRACKING_RATE_LIMIT_PER_MINUTE: String(LIMIT),
  TRACE_RATE_LIMIT_PER_MINUTE: String(LIMIT),
};

/**
 * The limits are fixed one-minute windows: a burst that straddled a minute boundary would be split over two
 * windows, so each burst starts well inside a minute (setup, not an assertion about time).
 */
async function awayFromWindowEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
}

let ipCounter = 10;
/** A fresh client address per scenario (the API trusts X-Forwarded-For from its proxy). */
const freshIp = () => `198.51.100.${++ipCounter}`;

function expectTooMany(res: Response): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  const body = res.body && Object.keys(res.body).length ? res.body : JSON.parse(res.text);
  expect(body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  expect(body.message).toBe('Quá nhiều yêu cầu, vui lòng thử lại sau / Too many requests, please try again later');
}

describe('security: rate limits on login, checkout, order tracking and trace scans', () => {
  let t: TestApp;
  let f: Fixtures;
  const prefix = `rl-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await startTestApp({ seed: true, env: { ...LIMITS, REDIS_PREFIX: prefix } });
    f = await loadFixtures(t);
  });
  afterAll(() => t.close());

  const cart = () => ({
    items: [{ variantId: f.variantA, quantity: 1 }],
    customer: { name: 'Nguyễn Thị Lan', phone: '0912345678' },
    shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Thôn Nà Lẹng, số 12' },
    paymentMethod: 'cod',
  });
  const checkout = (app: TestApp, ip: string) => app.http.post('/api/orders').set('x-forwarded-for', ip).set('idempotency-key', randomUUID()).send(cart());

  it('checkout: the 4th checkout a minute from one address is refused with 429 and Retry-After, and writes nothing', async () => {
    await awayFromWindowEdge();
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) expect((await checkout(t, ip)).status).toBe(201);
    const before = await databaseFingerprint(t);
    expectTooMany(await checkout(t, ip));
    expect(fingerprintDiff(before, await databaseFingerprint(t))).toEqual([]);
    // Another shopper is not affected.
    expect((await checkout(t, freshIp())).status).toBe(201);
  });

  it('checkout: the count is shared by every API process (kept in Redis)', async () => {
    // A second API process on the same database and Redis prefix; the two alternate, so neither alone reaches the limit.
    const other = await startTestApp({ databaseUrl: t.databaseUrl, env: { ...LIMITS, REDIS_PREFIX: prefix } });
    try {
      await awayFromWindowEdge();
      const ip = freshIp();
      const statuses = [];
      for (const app of [t, other, t, other]) statuses.push((await checkout(app, ip)).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
    } finally {
      await other.close();
    }
  });

  describe('order tracking', () => {
    const track = (code: string, phone: string | undefined, ip: string) => {
      const req = t.http.get(`/api/orders/${encodeURIComponent(code)}`).set('x-forwarded-for', ip);
      return phone === undefined ? req : req.query({ phone });
    };

    it('needs the code and the phone: wrong phone, unknown code and malformed code answer exactly alike', async () => {
      await awayFromWindowEdge();
      const ok = await track(f.orderACode, f.orderAPhone, freshIp()).expect(200);
      expect(ok.body.code).toBe(f.orderACode);
      expect(ok.body.customer.phone).not.toBe(f.orderAPhone);
      expect(ok.body.customer.phone).toMatch(/\*/);

      const wrongPhone = await track(f.orderACode, f.orderAPhone === '0987654321' ? '0912345678' : '0987654321', freshIp());
      const otherCode = f.orderACode.replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10));
      const unknownCode = await track(otherCode, f.orderAPhone, freshIp());
      const malformed = await track('NOT-A-CODE', f.orderAPhone, freshIp());
      const lowerCase = await track(f.orderACode.toLowerCase(), '0987654321', freshIp());
      for (const res of [wrongPhone, unknownCode, malformed, lowerCase]) {
        expect({ status: res.status, body: res.body }).toEqual({ status: wrongPhone.status, body: wrongPhone.body });
      }
      expect(wrongPhone.status).toBe(404);
      expect(wrongPhone.text).not.toContain(f.orderAPhone);

      const noPhone = await track(f.orderACode, undefined, freshIp());
      expect(noPhone.status).toBe(400);
      expect(noPhone.body.message).toMatch(/phone is required/);
    });

    it('is rate limited per address, so codes and phones cannot be guessed in bulk', async () => {
      await awayFromWindowEdge();
      const ip = freshIp();
      for (let i = 0; i < LIMIT; i++) expect((await track(`TA-${String(100000 + i)}`, '0987654321', ip)).status).toBe(404);
      // Even the right code and phone are refused once the address is over its limit.
      expectTooMany(await track(f.orderACode, f.orderAPhone, ip));
      expect((await track(f.orderACode, f.orderAPhone, freshIp())).status).toBe(200);
    });
  });

  describe('trace scans', () => {
    const doc = () => `/api/trace/01/${f.gtinA}/10/${f.lotACode}`;

    it('limits documents (cached or not), the resolver linkset and verification together, per address', async () => {
      await awayFromWindowEdge();
      const ip = freshIp();
      const answers = [
        await t.http.get(doc()).set('x-forwarded-for', ip),
        await t.http.get(doc()).set('x-forwarded-for', ip).set('accept', 'application/linkset+json'),
        await t.http.get(`${doc()}/verify`).set('x-forwarded-for', ip),
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      for (const res of [
        await t.http.get(doc()).set('x-forwarded-for', ip),
        await t.http.get(doc()).set('x-forwarded-for', ip).set('accept', 'application/linkset+json'),
        await t.http.get(`${doc()}/epcis`).set('x-forwarded-for', ip),
        await t.http.get(`/api/trace/01/${f.gtinA}/10/UNKNOWNLOT`).set('x-forwarded-for', ip),
      ]) {
        expectTooMany(res);
      }
      const elsewhere = await t.http.get(doc()).set('x-forwarded-for', freshIp()).expect(200);
      expect(elsewhere.headers['x-trace-cache']).toBe('hit');
    });
  });

  it('login: the 4th sign-in attempt a minute from one address is refused with 429 and Retry-After', async () => {
    // An app of its own: the sign-in limit is one value per process (see loginRateLimit in the identity lib).
    const strict = await startTestApp({ databaseUrl: t.databaseUrl, env: { LOGIN_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
    try {
      await awayFromWindowEdge();
      const ip = freshIp();
      for (let i = 0; i < LIMIT; i++) {
        const res = await strict.http.post('/api/auth/login').set('x-forwarded-for', ip).send({ email: `nobody${i}@htxso.test`, password: 'wrong-password' });
        expect(res.status).toBe(401);
      }
      expectTooMany(await strict.http.post('/api/auth/login').set('x-forwarded-for', ip).send({ email: 'thienan@htxso.test', password: strict.config.DEMO_PASSWORD }));
    } finally {
      await strict.close();
    }
  });

  it('counts a client that is not a trusted proxy by its own address, whatever X-Forwarded-For it claims', async () => {
    // Only 192.0.2.1 is a trusted proxy here, so this test's loopback connection is an ordinary client.
    const direct = await startTestApp({ databaseUrl: t.databaseUrl, env: { ...LIMITS, TRUST_PROXY: '192.0.2.1' } });
    try {
      await awayFromWindowEdge();
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 1; i++) statuses.push((await direct.http.get(`/api/orders/TA-88888${i}`).query({ phone: '0987654321' }).set('x-forwarded-for', freshIp())).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      const traces: number[] = [];
      for (let i = 0; i < LIMIT + 1; i++) traces.push((await direct.http.get(`/api/trace/01/${f.gtinA}/10/${f.lotACode}`).set('x-forwarded-for', freshIp())).status);
      expect(traces).toEqual([200, 200, 200, 429]);
    } finally {
      await direct.close();
    }
  });

  it('fails open when Redis is unreachable: limits stop counting rather than refusing everyone', async () => {
    const noRedis = await startTestApp({ databaseUrl: t.databaseUrl, env: { ...LIMITS, REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const ip = freshIp();
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) statuses.push((await noRedis.http.get(`/api/orders/TA-99999${i}`).query({ phone: '0987654321' }).set('x-forwarded-for', ip)).status);
      expect(statuses).toEqual(Array(LIMIT + 2).fill(404));
    } finally {
      await noRedis.close();
    }
  });
});
