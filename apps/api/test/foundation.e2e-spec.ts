import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runSeed } from '../src/seed/seed';
import { startTestApp, TestApp } from './support/test-app';

const ROOT = path.resolve(__dirname, '../../..');

describe('foundation: health, OpenAPI, errors, identity and tenancy', () => {
  let t: TestApp;
  let thienAnId: string;
  let namTyId: string;

  beforeAll(async () => {
    t = await startTestApp({ seed: true, env: { LOGIN_MAX_FAILURES: '3' } });
    const rows = await t.sql<{ id: string; slug: string }>('SELECT id, slug FROM cooperatives');
    thienAnId = rows.find((r) => r.slug === 'thien-an')!.id;
    namTyId = rows.find((r) => r.slug === 'nam-ty')!.id;
  });
  afterAll(() => t.close());

  describe('health', () => {
    it('reports database and Redis up', async () => {
      const res = await t.http.get('/api/health').expect(200);
      expect(res.body).toEqual({ status: 'ok', database: { status: 'up' }, redis: { status: 'up' } });
    });

    it('answers 503 naming Redis when Redis is unreachable, while the database stays up', async () => {
      const broken = await startTestApp({ databaseUrl: t.databaseUrl, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      try {
        const res = await broken.http.get('/api/health').expect(503);
        expect(res.body.message).toMatch(/redis is down/);
        expect(res.body.message).not.toMatch(/database/);
        expect(res.body.details.database).toEqual({ status: 'up' });
        expect(res.body.details.redis.status).toBe('down');
        // Sign-in still works without Redis (the failed-login counter is best effort).
        await broken.http.post('/api/auth/login').send({ email: 'thienan@htxso.test', password: 'demo1234' }).expect(200);
      } finally {
        await broken.close();
      }
    });
  });

  it('serves the OpenAPI document and its UI', async () => {
    const doc = await t.http.get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/auth/login', '/api/cooperatives', '/api/manage/users']));
    const ui = await t.http.get('/api/docs').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
  });

  it('tags every response with a request id, reusing the caller’s', async () => {
    const res = await t.http.get('/api/cooperatives').set('x-request-id', 'abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('abc-123');
    const fresh = await t.http.get('/api/cooperatives').expect(200);
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and allows browsers only from the storefront origin', async () => {
    const res = await t.http.get('/api/cooperatives').set('origin', t.config.publicBaseUrl).expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['access-control-allow-origin']).toBe(t.config.publicBaseUrl);
    const foreign = await t.http.get('/api/cooperatives').set('origin', 'https://evil.example').expect(200);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  describe('error shape', () => {
    it('explains an unknown field', async () => {
      const res = await t.http.post('/api/auth/login').send({ email: 'thienan@htxso.test', password: 'demo1234', remember: true }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toBe('remember is not a known field; remove it');
    });

    it('explains a malformed e-mail and a missing password together', async () => {
      const res = await t.http.post('/api/auth/login').send({ email: 'not-an-email' }).expect(400);
      expect(res.body.message).toMatch(/email must be an e-mail address/);
      expect(res.body.message).toMatch(/password must be/);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'password']);
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const res = await t.http.post('/api/auth/login').set('content-type', 'application/json').send('{"email":').expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toMatch(/JSON/);
    });

    it('answers an oversized body with 413', async () => {
      const res = await t.http.post('/api/auth/login').send({ email: 'a@b.vn', password: 'x'.repeat(2 * 1024 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/too large/);
    });

    it('answers an unknown route with the same shape', async () => {
      const res = await t.http.get('/api/no-such-thing').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });
  });

  describe('sign-in', () => {
    it('returns a bearer token that identifies the manager and their cooperative', async () => {
      const res = await t.http.post('/api/auth/login').send({ email: 'ThienAn@htxso.test ', password: 'demo1234' }).expect(200);
      expect(res.body.tokenType).toBe('Bearer');
      expect(res.body.user).toMatchObject({ email: 'thienan@htxso.test', role: 'coop_manager', cooperative: { slug: 'thien-an' } });
      expect(res.body.user.passwordHash).toBeUndefined();
      const me = await t.http.get('/api/auth/me').set('authorization', `Bearer ${res.body.accessToken}`).expect(200);
      expect(me.body.cooperative.slug).toBe('thien-an');
    });

    it('refuses a wrong password with 401 and the same message as an unknown account', async () => {
      const wrong = await t.http.post('/api/auth/login').send({ email: 'namty@htxso.test', password: 'nope-nope' }).expect(401);
      const unknown = await t.http.post('/api/auth/login').send({ email: 'nobody@htxso.test', password: 'nope-nope' }).expect(401);
      expect(wrong.body.message).toBe(unknown.body.message);
      expect(wrong.body.message).toMatch(/Wrong e-mail or password/);
    });

    it('locks an account after repeated failures, even for the right password, until the window passes', async () => {
      const email = 'member.namty@htxso.test';
      for (let i = 0; i < 3; i++) await t.http.post('/api/auth/login').send({ email, password: 'guess-' + i }).expect(401);
      const locked = await t.http.post('/api/auth/login').send({ email, password: 'demo1234' }).expect(429);
      expect(locked.body.message).toMatch(/Too many failed sign-ins/);
      expect(locked.body.details.retryAfterSeconds).toBeGreaterThan(0);
      // Other accounts are unaffected.
      await t.http.post('/api/auth/login').send({ email: 'namty@htxso.test', password: 'demo1234' }).expect(200);
    });

    it('refuses missing, tampered and foreign-key tokens', async () => {
      await t.http.get('/api/auth/me').expect(401);
      const token = await t.login('thienan@htxso.test');
      const [h, p, s] = token.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...payload, role: 'platform_admin', coop: null })).toString('base64url');
      const res = await t.http.get('/api/manage/users').set('authorization', `Bearer ${h}.${forged}.${s}`).expect(401);
      expect(res.body.message).toMatch(/not valid/);
      const { JwtService } = await import('@nestjs/jwt');
      const otherKey = new JwtService({ secret: 'another-secret-0123456789abcdef' }).sign(payload);
      await t.http.get('/api/manage/users').set('authorization', `Bearer ${otherKey}`).expect(401);
      const expired = new JwtService({ secret: t.config.JWT_SECRET }).sign({ sub: payload.sub, email: payload.email, role: payload.role, coop: payload.coop, exp: Math.floor(Date.now() / 1000) - 10 });
      const exp = await t.http.get('/api/manage/users').set('authorization', `Bearer ${expired}`).expect(401);
      expect(exp.body.message).toMatch(/expired/);
    });
  });

  describe('tenancy', () => {
    it('lets a manager see and change only their own cooperative', async () => {
      const token = await t.login('thienan@htxso.test');
      const auth = { authorization: `Bearer ${token}` };
      const list = await t.http.get('/api/manage/cooperatives').set(auth).expect(200);
      expect(list.body.items.map((c: { slug: string }) => c.slug)).toEqual(['thien-an']);
      await t.http.get(`/api/manage/cooperatives/${thienAnId}`).set(auth).expect(200);
      const other = await t.http.get(`/api/manage/cooperatives/${namTyId}`).set(auth).expect(404);
      expect(other.body.message).toMatch(/No such cooperative/);
      await t.http.patch(`/api/manage/cooperatives/${namTyId}`).set(auth).send({ name: 'Hijacked' }).expect(404);
      const users = await t.http.get(`/api/manage/users?cooperativeId=${namTyId}`).set(auth).expect(403);
      expect(users.body.message).toMatch(/own cooperative/);
      const [{ name }] = await t.sql<{ name: string }>('SELECT name FROM cooperatives WHERE id = $1', [namTyId]);
      expect(name).toBe('Hợp tác xã Chè Shan tuyết Nậm Tỵ');
      const own = await t.http.get('/api/manage/users').set(auth).expect(200);
      expect(own.body.items.map((u: { email: string }) => u.email).sort()).toEqual(['member.thienan@htxso.test', 'thienan@htxso.test']);
    });

    it('lets a platform admin see every cooperative', async () => {
      const token = await t.login('admin@htxso.test');
      const list = await t.http.get('/api/manage/cooperatives').set('authorization', `Bearer ${token}`).expect(200);
      expect(list.body.total).toBe(2);
      await t.http.get(`/api/manage/cooperatives/${namTyId}`).set('authorization', `Bearer ${token}`).expect(200);
    });

    it('keeps members out of manager actions', async () => {
      const token = await t.login('member.thienan@htxso.test');
      const res = await t.http.patch(`/api/manage/cooperatives/${thienAnId}`).set('authorization', `Bearer ${token}`).send({ name: 'X Y' }).expect(403);
      expect(res.body.message).toMatch(/coop_member/);
      await t.http.get('/api/manage/users').set('authorization', `Bearer ${token}`).expect(403);
    });

    it('lets a manager add a member to their own cooperative only', async () => {
      const token = await t.login('thienan@htxso.test');
      const auth = { authorization: `Bearer ${token}` };
      const created = await t.http
        .post('/api/manage/users')
        .set(auth)
        .send({ email: 'ho.giadinh@htxso.test', fullName: 'Đặng Văn Lâm', password: 'mật-khẩu-dài', role: 'coop_member' })
        .expect(201);
      expect(created.body.cooperativeId).toBe(thienAnId);
      await t.http.post('/api/manage/users').set(auth).send({ email: 'x2@htxso.test', fullName: 'Xa Lạ', password: '12345678', role: 'coop_member', cooperativeId: namTyId }).expect(403);
      await t.http.post('/api/manage/users').set(auth).send({ email: 'x3@htxso.test', fullName: 'Xa Lạ', password: '12345678', role: 'platform_admin' }).expect(403);
      const dup = await t.http.post('/api/manage/users').set(auth).send({ email: 'ho.giadinh@htxso.test', fullName: 'Lại', password: '12345678', role: 'coop_member' }).expect(409);
      expect(dup.body.message).toMatch(/already in use/);
      await t.login('ho.giadinh@htxso.test', 'mật-khẩu-dài');
    });
  });

  describe('public cooperatives', () => {
    it('finds “Thiên An” when typed without diacritics', async () => {
      const res = await t.http.get('/api/cooperatives').query({ q: 'thien an' }).expect(200);
      expect(res.body.items.map((c: { slug: string }) => c.slug)).toEqual(['thien-an']);
      expect(res.body.items[0].commune).toEqual({ code: '01969', name: 'Xã Phủ Thông' });
      expect(res.body.items[0].bankAccountNumber).toBeUndefined();
    });

    it('answers an unknown slug with a helpful 404 and bad paging with 400', async () => {
      const res = await t.http.get('/api/cooperatives/khong-co').expect(404);
      expect(res.body.message).toMatch(/khong-co/);
      const bad = await t.http.get('/api/cooperatives?pageSize=1000').expect(400);
      expect(bad.body.message).toMatch(/pageSize must be between 1 and 100/);
    });
  });

  it('seeds idempotently: a second run adds nothing', async () => {
    const before = await t.sql<{ n: number }>('SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM cooperatives) AS n');
    await runSeed(t.config);
    const after = await t.sql<{ n: number }>('SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM cooperatives) AS n');
    expect(after).toEqual(before);
  });

  it('refuses to start with a readable message naming each bad variable', () => {
    const run = spawnSync(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: 'mysql://localhost/htx', API_PORT: 'eighty', JWT_SECRET: 'short' },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(/Invalid configuration/);
    expect(run.stderr).toMatch(/DATABASE_URL must look like postgres:\/\//);
    expect(run.stderr).toMatch(/API_PORT must be an integer/);
    expect(run.stderr).toMatch(/JWT_SECRET must be at least 16 characters/);
  });
});
