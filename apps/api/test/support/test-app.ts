import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { AppConfig, loadConfig } from '@htx/shared';
import { createApp } from '../../src/bootstrap';
import { runSeed } from '../../src/seed/seed';
import { adminUrl, redisUrl, runId, templateDatabaseName } from './test-env';

let counter = 0;

/** A database of its own for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `htx_test_${runId()}_${process.pid}_${++counter}`;
  const client = new Client({ connectionString: adminUrl('postgres') });
  await client.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabaseName()}"`);
        break;
      } catch (e) {
        // Two files cloning the template at the same instant can collide; try again shortly.
        if (attempt > 20 || (e as { code?: string }).code !== '55006') throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await client.end();
  }
  return {
    name,
    url: adminUrl(name),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl('postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: TestAgent;
  databaseUrl: string;
  /** A pg client on the test database, for assertions about what was (not) written. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  login(email: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  seed?: boolean;
  /** Reuse an existing database (several API instances on one database). */
  databaseUrl?: string;
}

/** Boots the real API (Fastify, PostgreSQL, Redis) on a database of its own, optionally with the demo seed. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? db!.url;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `t-${runId()}-${process.pid}-${++counter}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    CHECKOUT_RATE_LIMIT_PER_MINUTE: '100000',
    TRACKING_RATE_LIMIT_PER_MINUTE: '100000',
    TRACE_RATE_LIMIT_PER_MINUTE: '100000',
    // VNPay is offered (payment URLs are built locally); tests that talk to a gateway start the simulator and override these.
    VNPAY_TMN_CODE: 'HTXTEST1',
    VNPAY_SECURE_SECRET: 'HTXTESTSECRETHTXTESTSECRET123456',
    VNPAY_HOST: 'http://127.0.0.1:9',
    DB_POOL_SIZE: '20',
    ...options.env,
  });
  if (options.seed) await runSeed(config);
  const app = await createApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const http = request(app.getHttpServer());
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  return {
    app,
    config,
    http,
    databaseUrl,
    sql: async <T,>(text: string, params: unknown[] = []) => (await pg.query(text, params)).rows as T[],
    login: async (email: string, password = config.DEMO_PASSWORD) => {
      const res = await http.post('/api/auth/login').send({ email, password });
      if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    close: async () => {
      await pg.end();
      await app.close();
      await db?.drop();
    },
  };
}
