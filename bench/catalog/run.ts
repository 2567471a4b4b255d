/**
 * Catalog search benchmark. Seeds 10,000 products into a throwaway database, starts the API in its own process,
 * runs GET /api/products?q=… at 50 connections for ~10 s with autocannon, then does the same against a bare
 * node:http server answering a JSON body of the same size, and prints req/s, p50/p99 latency and the ratio.
 *
 *   node -r ./scripts/register.js bench/catalog/run.ts   [env: PRODUCTS=10000 DURATION=10 CONNECTIONS=50 TEST_PG_URL TEST_REDIS_URL]
 */
import { cleanUpBench } from '../lib/cleanup';
import { benchSetup, pgUrl } from '../lib/setup';
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { gtin13, loadConfig, toGtin14 } from '@htx/shared';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabase, runMigrations } from '../../apps/api/src/infra/database';
import { seedCatalog } from '../../apps/api/src/seed/catalog.seed';
import { seedIdentity } from '../../apps/api/src/seed/identity.seed';

const ROOT = path.resolve(__dirname, '../..');
const PRODUCTS = Number(process.env.PRODUCTS ?? 10_000);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const QUERIES = ['tra shan tuyet', 'giao co lam', 'la tam nguoi dao', 'tinh bot nghe', 'mat ong rung'];

const PRODUCT_WORDS = ['Trà', 'Lá tắm', 'Tinh bột', 'Mật ong', 'Gạo', 'Nấm hương', 'Măng', 'Miến dong', 'Chè', 'Cao', 'Bột', 'Rượu'];
const HERBS = ['giảo cổ lam', 'Shan tuyết', 'nghệ', 'người Dao', 'rừng', 'nếp cái hoa vàng', 'đắng', 'quế', 'hồi', 'sâm', 'gừng', 'sả', 'tam thất'];
const PLACES = ['Vi Hương', 'Nậm Tỵ', 'Bạch Thông', 'Hoàng Su Phì', 'Phủ Thông', 'Nậm Dịch', 'Ba Bể', 'Na Rì', 'Chợ Đồn', 'Xín Mần'];

async function seedProducts(url: string, cooperatives: string[], categories: string[]): Promise<void> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    const batch = 1000;
    for (let start = 0; start < PRODUCTS; start += batch) {
      const p: { coop: string[]; cat: string[]; slug: string[]; name: string[]; nameEn: string[]; desc: string[]; price: number[]; gtin: string[]; sku: string[] } = {
        coop: [],
        cat: [],
        slug: [],
        name: [],
        nameEn: [],
        desc: [],
        price: [],
        gtin: [],
        sku: [],
      };
      for (let i = start; i < Math.min(PRODUCTS, start + batch); i++) {
        const name = `${PRODUCT_WORDS[i % PRODUCT_WORDS.length]} ${HERBS[(i * 7) % HERBS.length]} ${PLACES[(i * 3) % PLACES.length]} ${i}`;
        p.coop.push(cooperatives[i % cooperatives.length]);
        p.cat.push(categories[i % categories.length]);
        p.slug.push(`bench-san-pham-${i}`);
        p.name.push(name);
        p.nameEn.push(`Bench product ${i}`);
        p.desc.push(`Sản phẩm thử tải số ${i} của hợp tác xã.`);
        p.price.push(20_000 + ((i * 7919) % 900) * 1000);
        p.gtin.push(toGtin14(gtin13(`8939${String(i).padStart(8, '0')}`)));
        p.sku.push(`BENCH-${i}`);
      }
      await pg.query(
        `WITH prod AS (
           INSERT INTO products (cooperative_id, category_id, slug, name_vi, name_en, description_vi, status, image_urls)
           SELECT c, cat, s, n, ne, d, 'active', ARRAY['/images/products/' || s || '.jpg']
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(c, cat, s, n, ne, d)
           RETURNING id, cooperative_id, slug)
         INSERT INTO product_variants (product_id, cooperative_id, sku, name_vi, weight_grams, price_vnd, gtin)
         SELECT prod.id, prod.cooperative_id, v.sku, 'Gói 100 g', 100, v.price, v.gtin
           FROM unnest($3::text[], $7::text[], $8::bigint[], $9::text[]) AS v(slug, sku, price, gtin) JOIN prod ON prod.slug = v.slug`,
        [p.coop, p.cat, p.slug, p.name, p.nameEn, p.desc, p.sku, p.price, p.gtin],
      );
    }
    await pg.query('VACUUM ANALYZE');
  } finally {
    await pg.end();
  }
}

function startProcess(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = output.match(ready);
      if (m) resolve({ child, output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${output.slice(-2000)}`)));
  });
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc; 0 elsewhere). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return 0;
  }
}

/**
 * Runs a warm-up, then the measured run, sampling the CPU time the given processes spent during it: on a machine
 * shared with other work, CPU-ms per request is steadier than requests per second.
 */
async function load(url: string, pids: () => Promise<number[]>, requests?: autocannon.Request[]) {
  const opts: autocannon.Options = { url, connections: CONNECTIONS, duration: DURATION, ...(requests ? { requests } : {}) };
  await autocannon({ ...opts, duration: 2 }); // warm-up
  const watched = await pids();
  const before = watched.map(cpuMs);
  const result = await autocannon(opts);
  const spent = watched.map((p, i) => cpuMs(p) - before[i]);
  const per = (ms: number) => (result.requests.total ? Number((ms / result.requests.total).toFixed(3)) : null);
  return {
    result,
    cpuMsPerRequest: per(spent.reduce((a, b) => a + b, 0)),
    // The first pid is the HTTP server; the rest (API only) are its PostgreSQL backends.
    cpuSplit: { server: per(spent[0]), postgres: per(spent.slice(1).reduce((a, b) => a + b, 0)) },
  };
}

async function main(): Promise<void> {
  const { dbName, url, redisUrl, redisPrefix, env } = benchSetup('catalog', 3900 + (process.pid % 90));
  const children: ChildProcess[] = [];
  const config = loadConfig({ ...process.env, ...env });
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  try {
    process.stdout.write(`seeding ${PRODUCTS} products into ${dbName}…\n`);
    await ensureDatabase(url);
    await runMigrations(config);
    // Only the cooperatives and the demo catalog (the other domains' demo data is irrelevant here).
    const ds = new DataSource(dataSourceOptions(config));
    await ds.initialize();
    await ds.transaction(async (tx) => {
      const ctx = { cooperatives: await seedIdentity(tx, config) };
      await seedCatalog(tx, config, ctx);
    });
    await ds.destroy();
    const pg = new Client({ connectionString: url });
    await pg.connect();
    const coops = (await pg.query(`SELECT id FROM cooperatives ORDER BY slug`)).rows.map((r) => r.id);
    const cats = (await pg.query(`SELECT id FROM categories ORDER BY slug`)).rows.map((r) => r.id);
    await pg.end();
    await seedProducts(url, coops, cats);

    const api = await startProcess(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/main.ts'], env, /listening on/);
    children.push(api.child);
    const base = `http://127.0.0.1:${env.API_PORT}`;
    const requests = QUERIES.map((q) => ({ method: 'GET' as const, path: `/api/products?q=${encodeURIComponent(q)}` }));
    const samples = await Promise.all(QUERIES.map(async (q) => (await fetch(`${base}/api/products?q=${encodeURIComponent(q)}`)).text()));
    const totals = samples.map((s) => JSON.parse(s).total as number);
    const sizes = samples.map((s) => Buffer.byteLength(s));
    const body = samples.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a));
    // Cycle the queries across requests so each is exercised.
    let n = 0;
    const cycling: autocannon.Request[] = [{ method: 'GET', setupRequest: (req) => ({ ...req, path: requests[n++ % requests.length].path }) }];
    process.stdout.write(`API: ${QUERIES.length} queries, matches ${totals.join('/')}, answer sizes ${sizes.join('/')} bytes; running ${DURATION}s at ${CONNECTIONS} connections…\n`);
    const apiPids = async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      const rows = (await c.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName])).rows;
      await c.end();
      return [api.child.pid ?? 0, ...rows.map((r) => r.pid as number)];
    };
    const { result: apiResult, cpuMsPerRequest: apiCpu, cpuSplit: apiSplit } = await load(`${base}/api/products`, apiPids, cycling);
    api.child.kill('SIGTERM');

    const bare = await startProcess(process.execPath, ['bench/catalog/baseline-server.js'], { BODY_JSON: body, PORT: '0' }, /listening (\d+)/);
    children.push(bare.child);
    const port = bare.output.match(/listening (\d+)/)?.[1];
    process.stdout.write(`baseline node:http answering ${Buffer.byteLength(body)} bytes; running…\n`);
    const { result: bareResult, cpuMsPerRequest: bareCpu } = await load(`http://127.0.0.1:${port}/`, async () => [bare.child.pid ?? 0]);

    const row = (name: string, r: autocannon.Result, cpuMsPerRequest: number | null, cpuSplit?: unknown) => ({
      name,
      cpuMsPerRequest,
      ...(cpuSplit ? { cpuSplit } : {}),
      reqPerSec: Math.round(r.requests.average),
      p50ms: r.latency.p50,
      p99ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
    });
    const summary = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`,
      loadAverage: { beforeSeed: loadBefore, afterRuns: os.loadavg().map((l) => l.toFixed(2)).join(' ') },
      products: PRODUCTS,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      queries: QUERIES,
      api: row('GET /api/products?q=… (API process + its PostgreSQL backends)', apiResult, apiCpu, apiSplit),
      baseline: row('bare node:http, same-size JSON', bareResult, bareCpu),
      ratio: Number((apiResult.requests.average / bareResult.requests.average).toFixed(4)),
      cpuRatio: apiCpu && bareCpu ? Number((bareCpu / apiCpu).toFixed(4)) : null,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await cleanUpBench({ children, adminUrl: pgUrl('postgres'), dbName, redisUrl, redisPrefix });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
