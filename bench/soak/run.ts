/**
 * Mixed-traffic soak. In a throwaway database (migrated and seeded by the real CLI): the API in its own process, preloaded
 * with bench/soak/probe.js (node --expose-gc) so that it reports its memory after a full GC every sample, and the VNPay
 * simulator in another. Virtual shoppers then loop for DURATION seconds over a mix of browsing (product list, search,
 * product page), trace scans (GET /api/trace/01/{gtin}/10/{lot} of the seeded lots), cash-on-delivery checkouts, VNPay
 * checkouts paid at the simulator (whose IPN the API receives), manual marketplace syncs and buyers' orders on the
 * Postmart simulator (imported by the API's webhook and order poll; shop sales also queue Postmart stock syncs).
 * Every SAMPLE seconds it records the API's RSS and post-GC heap, and the database connections the API holds
 * (pg_stat_activity), then reports whether they stayed flat after warm-up: bounded growth (a resource bound, not a timing).
 *
 *   node -r ./scripts/register.js bench/soak/run.ts   [env: DURATION=600 SAMPLE=5 USERS=8 API_PORT=9461 SIM_PORT=9462 POSTMART_SIM_PORT=9464 DB_POOL_SIZE=10
 *                                                      TEST_PG_URL TEST_REDIS_URL SOAK_OUT=file.json SOAK_TEMPLATE_DB=seeded_db]
 *
 * Prints the figures as JSON on the last line (prefixed `SOAK_RESULT `); exits 1 when a bound is broken.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { gtin13 } from '@htx/shared';
import { cleanUpBench } from '../lib/cleanup';
import { benchSetup, pgUrl } from '../lib/setup';

const ROOT = path.resolve(__dirname, '../..');
const DURATION = Number(process.env.DURATION ?? 600);
const SAMPLE = Number(process.env.SAMPLE ?? 5);
const USERS = Number(process.env.USERS ?? 8);
const API_PORT = Number(process.env.API_PORT ?? 9461);
const SIM_PORT = Number(process.env.SIM_PORT ?? 9462);
const POOL = Number(process.env.DB_POOL_SIZE ?? 10);
const PM_PORT = Number(process.env.POSTMART_SIM_PORT ?? 9464);
const PM_MERCHANT = 'HTX-SOAK';
const PM_SECRET = 'pm-soak-secret-0123456789abcdef';
const TMN = 'HTXSOAK1';
const SECRET = 'SOAKSECRETSOAKSECRETSOAKSECRET42';

export interface Sample {
  t: number;
  rssMb: number;
  heapMb: number;
  connections: number;
  requests: number;
}

export interface Flatness {
  warmupSamples: number;
  heapBaselineMb: number;
  heapEndMb: number;
  heapMaxMb: number;
  heapGrowthMb: number;
  heapBoundMb: number;
  rssBaselineMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  rssGrowthMb: number;
  rssBoundMb: number;
  connectionsMax: number;
  connectionsEnd: number;
  connectionsBound: number;
  flat: boolean;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

/**
 * "Flat" after warm-up (the first 20% of the run, at least two samples): the median of the last three samples may exceed
 * the median of the first three after warm-up by at most max(8 MB, 10%) of post-GC heap and max(40 MB, 20%) of RSS, and
 * the database connections never exceed the API's pool size (plus 2 for a health check's and a job's short-lived use).
 */
export function assessFlat(samples: Sample[], poolSize: number): Flatness {
  const warm = Math.max(2, Math.floor(samples.length * 0.2));
  const after = samples.slice(warm);
  if (after.length < 4) throw new Error(`too few samples after warm-up (${after.length}); run longer or sample more often`);
  const first = after.slice(0, 3);
  const last = after.slice(-3);
  const heapBaselineMb = median(first.map((s) => s.heapMb));
  const heapEndMb = median(last.map((s) => s.heapMb));
  const rssBaselineMb = median(first.map((s) => s.rssMb));
  const rssEndMb = median(last.map((s) => s.rssMb));
  const heapBoundMb = Math.max(8, heapBaselineMb * 0.1);
  const rssBoundMb = Math.max(40, rssBaselineMb * 0.2);
  const connectionsMax = Math.max(...after.map((s) => s.connections));
  const connectionsBound = poolSize + 2;
  const out = {
    warmupSamples: warm,
    heapBaselineMb: round(heapBaselineMb),
    heapEndMb: round(heapEndMb),
    heapMaxMb: round(Math.max(...after.map((s) => s.heapMb))),
    heapGrowthMb: round(heapEndMb - heapBaselineMb),
    heapBoundMb: round(heapBoundMb),
    rssBaselineMb: round(rssBaselineMb),
    rssEndMb: round(rssEndMb),
    rssMaxMb: round(Math.max(...after.map((s) => s.rssMb))),
    rssGrowthMb: round(rssEndMb - rssBaselineMb),
    rssBoundMb: round(rssBoundMb),
    connectionsMax,
    connectionsEnd: after[after.length - 1].connections,
    connectionsBound,
  };
  return { ...out, flat: out.heapGrowthMb <= heapBoundMb && out.rssGrowthMb <= rssBoundMb && connectionsMax <= connectionsBound };
}

/** Every process the soak started, stopped at the end whatever happened. */
const children: ChildProcess[] = [];

function start(name: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.length > 100_000) output = output.slice(-50_000);
      if (ready.test(output)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output.slice(-2000)}`)));
  });
}

async function json(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(base + url, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  } catch {
    return { status: 0, body: null };
  }
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function main(): Promise<void> {
  const setup = benchSetup('soak', API_PORT, {
    DB_POOL_SIZE: String(POOL),
    PUBLIC_BASE_URL: 'http://127.0.0.1:9463',
    VNPAY_TMN_CODE: TMN,
    VNPAY_SECURE_SECRET: SECRET,
    VNPAY_HOST: `http://127.0.0.1:${SIM_PORT}`,
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    // Read by the demo seed: its Postmart connection points at this run's simulator from the start.
    POSTMART_BASE_URL: `http://127.0.0.1:${PM_PORT}`,
    POSTMART_MERCHANT_ID: PM_MERCHANT,
    POSTMART_MERCHANT_SECRET: PM_SECRET,
    // Production mode refuses a plain-http marketplace URL unless the host is allowed: the simulator's is.
    CHANNEL_ALLOWED_HOSTS: `127.0.0.1:${PM_PORT}`,
  });
  const probeFile = path.join(os.tmpdir(), `htx-soak-probe-${setup.stamp}.jsonl`);
  const adminUrl = pgUrl('postgres');
  try {
    if (process.env.SOAK_TEMPLATE_DB) {
      // A database already migrated and seeded by the CLI (the fault suite's template): cloned, to start sooner.
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${setup.dbName}" TEMPLATE "${process.env.SOAK_TEMPLATE_DB.replace(/"/g, '')}"`);
      await admin.end();
    } else {
      execFileSync(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/cli/seed.ts'], { cwd: ROOT, env: { ...process.env, ...setup.env }, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const base = `http://127.0.0.1:${API_PORT}`;
    const simBase = `http://127.0.0.1:${SIM_PORT}`;
    // The two simulators and the API start together (the API needs neither to start).
    const [, , api] = await Promise.all([
      start('Postmart simulator', ['-r', './scripts/register.js', 'apps/postmart-sim/src/main.ts'],
        { POSTMART_SIM_PORT: String(PM_PORT), POSTMART_MERCHANT_ID: PM_MERCHANT, POSTMART_MERCHANT_SECRET: PM_SECRET, POSTMART_CALLBACK_URL: `${base}/api/channels/postmart/webhook` }, /listening/),
      start('VNPay simulator', ['-r', './scripts/register.js', 'apps/vnpay-sim/src/main.ts'],
        { VNPAY_SIM_PORT: String(SIM_PORT), VNPAY_TMN_CODE: TMN, VNPAY_SECURE_SECRET: SECRET, VNPAY_IPN_URL: `${base}/api/payments/vnpay/ipn` }, /listening/),
      start('API', ['--expose-gc', '-r', './bench/soak/probe.js', '-r', './scripts/register.js', 'apps/api/src/main.ts'],
        { ...setup.env, SOAK_PROBE_FILE: probeFile, SOAK_PROBE_EVERY_MS: String(SAMPLE * 1000) }, /listening on/),
    ]);

    // Fixtures through the API itself: ten products with ample stock; the seeded lots' trace links; product slugs.
    const login = await json(base, 'POST', '/api/auth/login', { email: 'thienan@htxso.test', password: process.env.DEMO_PASSWORD ?? 'demo1234' });
    if (login.status !== 200) throw new Error(`sign-in of the seeded manager failed (DEMO_PASSWORD?): ${login.status} ${JSON.stringify(login.body)}`);
    const token = (login.body as { accessToken: string }).accessToken;
    const auth = { authorization: `Bearer ${token}` };
    // The seeded Postmart connection (four listed products), pointed at this run's simulator and turned on.
    const channels = await json(base, 'GET', '/api/manage/channels', undefined, auth);
    const connectionId = (channels.body as { items?: Array<{ id: string }> }).items?.[0]?.id;
    if (!connectionId) throw new Error(`no seeded Postmart connection: ${JSON.stringify(channels.body)}`);
    const patched = await json(base, 'PATCH', `/api/manage/channels/${connectionId}`, { baseUrl: `http://127.0.0.1:${PM_PORT}`, merchantId: PM_MERCHANT, secret: PM_SECRET, enabled: true }, auth);
    if (patched.status !== 200) throw new Error(`cannot point the Postmart connection at the simulator: ${patched.status} ${JSON.stringify(patched.body)}`);
    const variants: string[] = [];
    for (let i = 0; i < 10; i++) {
      const u = `${setup.stamp}-${i}`;
      const p = await json(base, 'POST', '/api/manage/products', {
        slug: `soak-${u}`, nameVi: `Trà soak ${u}`, status: 'active',
        variants: [{ sku: `S-${u}`.slice(0, 40), nameVi: 'Gói 200g', weightGrams: 200, priceVnd: 40_000 + i * 5000, gtin: gtin13(`893${String(Date.now() % 1e7).padStart(7, '0')}${String(i).padStart(2, '0')}`) }],
      }, auth);
      if (p.status !== 201) throw new Error(`create product: ${p.status} ${JSON.stringify(p.body)}`);
      const variantId = (p.body as { variants: Array<{ id: string }> }).variants[0].id;
      const lot = await json(base, 'POST', '/api/manage/lots', { variantId, lotCode: `SOAK${i}${setup.stamp}`.slice(0, 20), quantity: 1_000_000, expiryDate: '2099-12-31' }, auth);
      if (lot.status !== 201) throw new Error(`receive lot: ${lot.status} ${JSON.stringify(lot.body)}`);
      variants.push(variantId);
    }
    const db = new Client({ connectionString: setup.url });
    await db.connect();
    const traceRows = (await db.query(`SELECT v.gtin, l.lot_code FROM trace_lot_heads h JOIN inventory_lots l ON l.id = h.lot_id JOIN product_variants v ON v.id = l.variant_id`)).rows as Array<{ gtin: string; lot_code: string }>;
    const tracePaths = traceRows.map((r) => `/api/trace/01/${r.gtin}/10/${encodeURIComponent(r.lot_code)}`);
    const listedSkus = ((await db.query(
      `SELECT v.sku FROM channel_products cp JOIN product_variants v ON v.product_id = cp.product_id WHERE cp.connection_id = $1 AND cp.listed AND v.active`, [connectionId])).rows as Array<{ sku: string }>).map((r) => r.sku);
    const slugs = ((await db.query(`SELECT slug FROM products WHERE status = 'active' ORDER BY slug LIMIT 20`)).rows as Array<{ slug: string }>).map((r) => r.slug);
    await db.end();

    // The traffic: each virtual shopper loops over a weighted mix.
    const counts: Record<string, Record<number, number>> = {};
    const count = (kind: string, status: number): void => {
      (counts[kind] ??= {})[status] = (counts[kind][status] ?? 0) + 1;
    };
    let requests = 0;
    let running = true;
    const cartOf = (i: number, method: 'cod' | 'vnpay') => ({
      items: [{ variantId: variants[i % variants.length], quantity: 1 + (i % 3) }],
      customer: { name: 'Nguyễn Thị Lan', phone: '0912345678' },
      shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Thôn Nà Lẹng, số 12' },
      paymentMethod: method,
    });
    const actions: Array<[number, string, (i: number) => Promise<void>]> = [
      [4, 'marketplace-sync', async () => count('marketplace-sync', (await json(base, 'POST', `/api/manage/channels/${connectionId}/sync`, undefined, auth)).status)],
      [4, 'postmart-order', async (i) => count('postmart-order', listedSkus.length
        ? (await json(`http://127.0.0.1:${PM_PORT}`, 'POST', '/__sim/orders', { merchant_id: PM_MERCHANT, items: [{ merchant_sku: listedSkus[i % listedSkus.length], quantity: 1 }] })).status
        : 0)],
      [22, 'browse', async (i) => count('browse', (await json(base, 'GET', i % 2 ? '/api/products' : `/api/products?q=${encodeURIComponent(['trà', 'nghệ', 'shan tuyết'][i % 3])}`)).status)],
      [15, 'product', async (i) => count('product', (await json(base, 'GET', `/api/products/${slugs[i % slugs.length]}`)).status)],
      [25, 'trace', async (i) => count('trace', tracePaths.length ? (await json(base, 'GET', tracePaths[i % tracePaths.length])).status : 0)],
      [15, 'checkout-cod', async (i) => count('checkout-cod', (await json(base, 'POST', '/api/orders', cartOf(i, 'cod'), { 'idempotency-key': `soak-${randomUUID()}` })).status)],
      [15, 'checkout-vnpay+ipn', async (i) => {
        const placed = await json(base, 'POST', '/api/orders', cartOf(i, 'vnpay'), { 'idempotency-key': `soak-${randomUUID()}` });
        count('checkout-vnpay', placed.status);
        const url = (placed.body as { payment?: { url?: string } }).payment?.url;
        if (url) count('vnpay-ipn', (await json(simBase, 'POST', '/sim/complete', { paymentUrl: url, outcome: i % 5 ? 'success' : 'cancel', ipn: 'send', copies: 1 })).status);
      }],
    ];
    const total = actions.reduce((s, a) => s + a[0], 0);
    const loops = Array.from({ length: USERS }, async (_, u) => {
      for (let i = u; running; i += USERS) {
        let pick = ((i * 7919) % total);
        const action = actions.find((a) => (pick -= a[0]) < 0) ?? actions[0];
        await action[2](i);
        requests++;
      }
    });

    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    const samples: Sample[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < DURATION * 1000) {
      await new Promise((r) => setTimeout(r, SAMPLE * 1000));
      const probe = existsSync(probeFile) ? readFileSync(probeFile, 'utf8').trim().split('\n').filter(Boolean) : [];
      const last = probe.length ? (JSON.parse(probe[probe.length - 1]) as { heapUsed: number }) : { heapUsed: 0 };
      const [{ n }] = (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [setup.dbName])).rows;
      samples.push({ t: Math.round((Date.now() - t0) / 1000), rssMb: round(rssOf(api.pid ?? 0)), heapMb: round(last.heapUsed / 1048576), connections: n, requests });
      if (process.env.SOAK_VERBOSE) process.stderr.write(`${JSON.stringify(samples[samples.length - 1])}\n`);
    }
    running = false;
    await Promise.all(loops);
    await admin.end();
    const after = new Client({ connectionString: setup.url });
    await after.connect();
    const imports = (await after.query(`SELECT state, count(*)::int AS n FROM channel_orders GROUP BY state`)).rows as Array<{ state: string; n: number }>;
    await after.end();

    const flat = assessFlat(samples, POOL);
    const errors = Object.entries(counts).flatMap(([kind, by]) => Object.entries(by).filter(([s]) => Number(s) >= 500 || Number(s) === 0).map(([s, n]) => `${kind} ${s}×${n}`));
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 1073741824)} GB, load average ${os.loadavg().map((x) => x.toFixed(1)).join('/')} at the end`,
      durationSeconds: DURATION,
      users: USERS,
      poolSize: POOL,
      requests,
      requestsPerSecond: round(requests / DURATION),
      counts,
      postmartOrdersByState: Object.fromEntries(imports.map((r) => [r.state, r.n])),
      errors,
      flatness: flat,
      samples,
    };
    if (process.env.SOAK_OUT) writeFileSync(process.env.SOAK_OUT, JSON.stringify(result, null, 2));
    process.stdout.write(`SOAK_RESULT ${JSON.stringify(result)}\n`);
    if (!flat.flat || errors.length) process.exitCode = 1;
  } finally {
    rmSync(probeFile, { force: true });
    await cleanUpBench({ children, adminUrl, dbName: setup.dbName, redisUrl: setup.redisUrl, redisPrefix: setup.redisPrefix });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
