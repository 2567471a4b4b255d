import { benchSetup, pgUrl } from '../lib/setup';
/**
 * Checkout benchmark. In a throwaway database: the demo cooperatives, 100 variants (50 per cooperative) with
 * ample stock in lots; starts the API in its own process; 50 concurrent buyers (autocannon connections) POST
 * /api/orders, each with a fresh Idempotency-Key and a cart of 1-2 random variants of one cooperative (cash on
 * delivery: reservation + FEFO allocation + order code, all in one transaction). In the same run and on the same
 * PostgreSQL server, pgbench tpcb-like with 16 clients on a throwaway pgbench database (initialised with
 * `pgbench -i`). The two alternate in ROUNDS rounds of DURATION seconds each, so that on a machine shared with
 * other work both sides of each round's ratio see similar load; prints orders/s, p50/p99 latency, pgbench TPS,
 * the per-round ratios and their median, and checks afterwards that the stock counters still equal the ledger.
 *
 *   node -r ./scripts/register.js bench/checkout/run.ts   [env: DURATION=10 ROUNDS=3 CONNECTIONS=50 VARIANTS=100 PGBENCH_SCALE=16 TEST_PG_URL TEST_REDIS_URL]
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { receiveLot } from '@htx/inventory';
import { gtin13, loadConfig, toGtin14 } from '@htx/shared';
import { dataSourceOptions, ensureDatabase, runMigrations } from '../../apps/api/src/infra/database';
import { seedIdentity } from '../../apps/api/src/seed/identity.seed';

const ROOT = path.resolve(__dirname, '../..');
const DURATION = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const VARIANTS = Number(process.env.VARIANTS ?? 100);
const PGBENCH_CLIENTS = 16;
const PGBENCH_SCALE = Number(process.env.PGBENCH_SCALE ?? 16);

function startProcess(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) resolve({ child, output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${output.slice(-2000)}`)));
  });
}

/** Products and variants straight into the catalog tables (bench fixture), then one lot of ample stock each through the inventory ledger. */
async function seedVariants(ds: DataSource, cooperatives: string[]): Promise<Array<{ id: string; cooperativeId: string }>> {
  return ds.transaction(async (tx) => {
    const rows: Array<{ id: string; cooperativeId: string }> = [];
    for (let i = 0; i < VARIANTS; i++) {
      const coop = cooperatives[i % cooperatives.length];
      const [p] = await tx.query(
        `INSERT INTO products (cooperative_id, slug, name_vi, status) VALUES ($1, $2, $3, 'active') RETURNING id`,
        [coop, `bench-checkout-${i}`, `Sản phẩm thử tải ${i}`],
      );
      const [v] = await tx.query(
        `INSERT INTO product_variants (product_id, cooperative_id, sku, name_vi, weight_grams, price_vnd, gtin)
         VALUES ($1, $2, $3, 'Gói 100 g', 100, $4, $5) RETURNING id`,
        [p.id, coop, `BENCH-CO-${i}`, 20_000 + (i % 40) * 5_000, toGtin14(gtin13(`8938${String(i).padStart(8, '0')}`))],
      );
      await receiveLot(tx, { cooperativeId: coop, variantId: v.id, lotCode: `B${i}A`, quantity: 400_000, expiryDate: '2099-12-31' });
      await receiveLot(tx, { cooperativeId: coop, variantId: v.id, lotCode: `B${i}B`, quantity: 400_000, expiryDate: '2098-12-31' });
      rows.push({ id: v.id, cooperativeId: coop });
    }
    return rows;
  });
}

function pgbenchArgs(dbUrl: string) {
  const u = new URL(dbUrl);
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
  return { args, env, db: u.pathname.slice(1) };
}

function pgbenchInit(dbUrl: string): void {
  const { args, env, db } = pgbenchArgs(dbUrl);
  execFileSync('pgbench', [...args, '-i', '-q', '-s', String(PGBENCH_SCALE), db], { env, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pgbench(dbUrl: string, seconds: number): { tps: number; latencyMs: number; output: string } {
  const { args, env, db } = pgbenchArgs(dbUrl);
  const output = execFileSync('pgbench', [...args, '-b', 'tpcb-like', '-c', String(PGBENCH_CLIENTS), '-j', '2', '-T', String(seconds), db], { env, encoding: 'utf8' });
  const tps = Number(output.match(/tps = ([\d.]+) \(without initial connection time\)/)?.[1] ?? output.match(/tps = ([\d.]+)/)?.[1]);
  const latencyMs = Number(output.match(/latency average = ([\d.]+) ms/)?.[1]);
  return { tps, latencyMs, output };
}

async function main(): Promise<void> {
  const { stamp, dbName, url, redisUrl, redisPrefix, env } = benchSetup('checkout', 3800 + (process.pid % 90));
  const pgbenchDb = `htx_bench_pgbench_${stamp}`;
  const children: ChildProcess[] = [];
  const config = loadConfig({ ...process.env, ...env });
  try {
    process.stdout.write(`preparing ${dbName} with ${VARIANTS} variants…\n`);
    await ensureDatabase(url);
    await runMigrations(config);
    const ds = new DataSource(dataSourceOptions(config));
    await ds.initialize();
    const coops = await ds.transaction((tx) => seedIdentity(tx, config));
    const variants = await seedVariants(ds, [coops.thienAn, coops.namTy]);
    await ds.query('ANALYZE');
    await ds.destroy();
    const byCoop = [coops.thienAn, coops.namTy].map((c) => variants.filter((v) => v.cooperativeId === c).map((v) => v.id));

    // API_NODE_FLAGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the API process.
    const flags = (process.env.API_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const api = await startProcess(process.execPath, [...flags, '-r', './scripts/register.js', 'apps/api/src/main.ts'], env, /listening on/);
    children.push(api.child);
    const base = `http://127.0.0.1:${env.API_PORT}`;
    let seq = 0;
    const body = () => {
      const ids = byCoop[seq % 2];
      const a = ids[Math.floor(Math.random() * ids.length)];
      const b = ids[Math.floor(Math.random() * ids.length)];
      const items = a === b || Math.random() < 0.5 ? [{ variantId: a, quantity: 1 }] : [{ variantId: a, quantity: 1 }, { variantId: b, quantity: 2 }];
      seq++;
      return JSON.stringify({
        items,
        customer: { name: `Người mua ${seq}`, phone: `09${String(10_000_000 + (seq % 89_999_999)).padStart(8, '0')}` },
        shippingAddress: { provinceCode: '19', communeCode: '01969', line: `Số ${seq}, thôn Nà Lẹng` },
        paymentMethod: 'cod',
      });
    };
    const requests: autocannon.Request[] = [
      {
        method: 'POST',
        path: '/api/orders',
        setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${randomUUID()}` }, body: body() }),
      },
    ];
    process.stdout.write(`pgbench: initialising scale ${PGBENCH_SCALE}…\n`);
    await ensureDatabase(pgUrl(pgbenchDb));
    pgbenchInit(pgUrl(pgbenchDb));
    process.stdout.write(`warm-up, then ${ROUNDS} rounds of (${DURATION}s checkouts at ${CONNECTIONS} connections, ${DURATION}s pgbench tpcb-like ${PGBENCH_CLIENTS} clients)…\n`);
    await autocannon({ url: base, connections: CONNECTIONS, duration: 3, requests });
    const pg = new Client({ connectionString: url });
    await pg.connect();
    // Alternating rounds: on a machine shared with other work, both sides of each ratio see similar load.
    const rounds: Array<{ ordersPerSecond: number; p50ms: number; p99ms: number; non2xx: number; errors: number; pgbenchTps: number; ratio: number }> = [];
    const latencies: { p50: number[]; p99: number[] } = { p50: [], p99: [] };
    let created = 0;
    let non2xx = 0;
    let errors = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const [{ n: before }] = (await pg.query(`SELECT count(*)::int AS n FROM orders`)).rows;
      const result = await autocannon({ url: base, connections: CONNECTIONS, duration: DURATION, requests });
      const [{ n: after }] = (await pg.query(`SELECT count(*)::int AS n FROM orders`)).rows;
      const bench = pgbench(pgUrl(pgbenchDb), DURATION);
      const ordersPerSecond = (after - before) / DURATION;
      created += after - before;
      non2xx += result.non2xx;
      errors += result.errors;
      latencies.p50.push(result.latency.p50);
      latencies.p99.push(result.latency.p99);
      rounds.push({
        ordersPerSecond: Number(ordersPerSecond.toFixed(1)),
        p50ms: result.latency.p50,
        p99ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        pgbenchTps: Number(bench.tps.toFixed(1)),
        ratio: Number((ordersPerSecond / bench.tps).toFixed(3)),
      });
      process.stdout.write(`round ${r + 1}: ${JSON.stringify(rounds[r])}\n`);
    }
    const ledger = (
      await pg.query(`
        WITH m AS (SELECT variant_id, coalesce(sum(quantity) FILTER (WHERE kind IN ('receipt','adjustment','allocation','return')), 0) AS on_hand,
                          coalesce(sum(quantity) FILTER (WHERE kind IN ('reservation','release','allocation')), 0) AS reserved
                   FROM inventory_movements GROUP BY variant_id)
        SELECT count(*)::int AS bad FROM inventory_stock s JOIN m USING (variant_id) WHERE s.on_hand <> m.on_hand OR s.reserved <> m.reserved`)
    ).rows[0].bad;
    await pg.end();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}; load average at end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      checkout: {
        connections: CONNECTIONS,
        variants: VARIANTS,
        secondsMeasured: DURATION * ROUNDS,
        ordersCreated: created,
        ordersPerSecond: Number((created / (DURATION * ROUNDS)).toFixed(1)),
        p50msMedianOfRounds: median(latencies.p50),
        p99msMedianOfRounds: median(latencies.p99),
        non2xx,
        errors,
        countersNotEqualToLedger: ledger,
      },
      pgbench: { mode: 'tpcb-like', clients: PGBENCH_CLIENTS, scale: PGBENCH_SCALE, tpsMedianOfRounds: median(rounds.map((r) => r.pgbenchTps)) },
      rounds,
      ratioOrdersPerSecondToPgbenchTps: median(rounds.map((r) => r.ratio)),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    api.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    const admin = new Client({ connectionString: pgUrl('postgres') });
    await admin.connect();
    for (const db of [dbName, pgbenchDb]) {
      if (process.env.KEEP_DB) process.stdout.write(`kept database ${db}\n`);
      else await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    }
    await admin.end();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
