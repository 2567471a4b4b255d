import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import Redis from 'ioredis';

/**
 * The fault tests' own PostgreSQL and Redis: they are restarted and killed on purpose, so they are never the machine's
 * shared servers (5432/6379) but private instances on ports 9432/9479, in throwaway directories under /tmp.
 */
export const PG_PORT = Number(process.env.FAULTS_PG_PORT ?? 9432);
export const REDIS_PORT = Number(process.env.FAULTS_REDIS_PORT ?? 9479);
export const PG_DIR = `/tmp/htx-faults-pg-${PG_PORT}`;
export const REDIS_DIR = `/tmp/htx-faults-redis-${REDIS_PORT}`;
export const TEMPLATE_DB = 'htx_faults_template';
export const REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function pgUrl(db: string): string {
  return `postgres://postgres@127.0.0.1:${PG_PORT}/${db}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PostgreSQL refuses to run as root: as root (CI containers), its tools run as the `postgres` user. */
function asPostgres(cmd: string, args: string[]): { cmd: string; args: string[] } {
  return process.getuid?.() === 0 ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args };
}

function pgCtl(...args: string[]): void {
  const c = asPostgres(`${PG_BIN}/pg_ctl`, ['-D', `${PG_DIR}/data`, ...args]);
  const r = spawnSync(c.cmd, c.args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`pg_ctl ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

export async function pgReady(timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: pgUrl('postgres'), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (e) {
      await client.end().catch(() => undefined);
      if (Date.now() > until) throw new Error(`private PostgreSQL on ${PG_PORT} did not answer: ${(e as Error).message}`);
      await sleep(200);
    }
  }
}

export const privatePostgres = {
  /** A fresh cluster (any leftover of an earlier interrupted run on this port is stopped and wiped first). */
  async init(): Promise<void> {
    if (existsSync(`${PG_DIR}/data/postmaster.pid`)) {
      try {
        pgCtl('stop', '-m', 'immediate');
      } catch {
        // not running
      }
    }
    rmSync(PG_DIR, { recursive: true, force: true });
    mkdirSync(`${PG_DIR}/sock`, { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', PG_DIR]);
    const c = asPostgres(`${PG_BIN}/initdb`, ['-D', `${PG_DIR}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    const r = spawnSync(c.cmd, c.args, { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.stdout}`);
    await this.start();
  },
  async start(): Promise<void> {
    const opts = `-p ${PG_PORT} -k ${PG_DIR}/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    pgCtl('start', '-w', '-t', '60', '-l', `${PG_DIR}/server.log`, '-o', opts);
    await pgReady();
  },
  /** A fast restart: every open connection is terminated (the clients see "terminating connection due to administrator command"). */
  async restart(downMs = 0): Promise<void> {
    pgCtl('stop', '-m', 'fast', '-w', '-t', '60');
    if (downMs) await sleep(downMs);
    await this.start();
  },
  stop(): void {
    if (existsSync(`${PG_DIR}/data/postmaster.pid`)) pgCtl('stop', '-m', 'immediate');
  },
};

function redisPid(): number | null {
  try {
    return Number(readFileSync(`${REDIS_DIR}/redis.pid`, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

async function redisAnswers(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * Redis as production should run it under BullMQ: append-only file, fsync on every write, so a crash loses no
 * acknowledged job. A restart after SIGKILL reloads the queues from the file.
 */
export const privateRedis = {
  async init(): Promise<void> {
    this.kill();
    rmSync(REDIS_DIR, { recursive: true, force: true });
    mkdirSync(REDIS_DIR, { recursive: true });
    await this.start();
  },
  async start(): Promise<void> {
    execFileSync('redis-server', [
      '--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--dir', REDIS_DIR, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
      '--daemonize', 'yes', '--pidfile', `${REDIS_DIR}/redis.pid`, '--logfile', `${REDIS_DIR}/redis.log`,
    ]);
    for (let i = 0; i < 100; i++) {
      if (await redisAnswers()) return;
      await sleep(100);
    }
    throw new Error(`private Redis on ${REDIS_PORT} did not start; see ${REDIS_DIR}/redis.log`);
  },
  /** SIGKILL: a crash, not a clean shutdown (nothing is saved on the way down). */
  kill(): void {
    const pid = redisPid();
    if (!pid) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(`${REDIS_DIR}/redis.pid`, { force: true });
  },
  async waitGone(): Promise<void> {
    for (let i = 0; i < 50 && (await redisAnswers()); i++) await sleep(100);
  },
};

/** One short-lived connection per call, so that tests keep working across PostgreSQL restarts. */
export async function sql<T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: pgUrl(db) });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file, cloned from the migrated and seeded template. */
export async function createDatabase(name: string): Promise<string> {
  const db = `htx_faults_${name}_${Date.now().toString(36)}`;
  await sql('postgres', `CREATE DATABASE "${db}" TEMPLATE "${TEMPLATE_DB}"`);
  return db;
}
