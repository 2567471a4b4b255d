import { benchSetup, pgUrl } from '../lib/setup';
/**
 * Listing sync benchmark. In a throwaway database: the demo cooperatives and PRODUCTS products (one variant each,
 * with stock) of the Thiên An cooperative, all mapped to Postmart category 782 and listed. The Postmart simulator
 * runs in this process at its documented rate limit (POSTMART_RATE_LIMIT_PER_SECOND requests a second per
 * merchant); the API runs in its own process with its BullMQ workers. The manager presses "sync now"; the clock
 * stops when the simulator holds every listing. The floor is what the rate limit allows: ceil(PRODUCTS / 50) batch
 * requests at RATE requests a second. Prints elapsed, floor, their ratio, requests made and 429s received.
 *
 *   node -r ./scripts/register.js bench/sync/run.ts   [env: PRODUCTS=10000 TEST_PG_URL TEST_REDIS_URL]
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { DataSource } from 'typeorm';
import { CredentialCipher, POSTMART_MAX_BATCH, POSTMART_RATE_LIMIT_PER_SECOND, secretHint } from '@htx/marketplace';
import { loadConfig } from '@htx/shared';
import { dataSourceOptions, ensureDatabase, runMigrations } from '../../apps/api/src/infra/database';
import { seedIdentity } from '../../apps/api/src/seed/identity.seed';
// The simulator is an app of its own; the benchmark drives it directly.
import { startPostmartSimulator } from '../../apps/postmart-sim/src/simulator';
import { cleanUpBench } from '../lib/cleanup';

const ROOT = path.resolve(__dirname, '../..');
const PRODUCTS = Number(process.env.PRODUCTS ?? 10_000);
const MERCHANT = { merchantId: 'BENCH-THIENAN', secret: 'bench-postmart-secret-0123456789', shopName: 'HTX Thiên An (bench)' };

function startProcess(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) resolve({ child, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${output.slice(-2000)}`)));
  });
}

/** PRODUCTS products with one variant each and 100 in stock, set-based (bench fixture, not the ledger). */
async function seedProducts(ds: DataSource, coop: string): Promise<void> {
  await ds.transaction(async (tx) => {
    await tx.query(
      `WITH p AS (
         INSERT INTO products (cooperative_id, slug, name_vi, description_vi, status)
         SELECT $1, 'bench-sync-' || g, 'Trà thảo dược thử tải ' || g, 'Sản phẩm thử tải đồng bộ Postmart', 'active' FROM generate_series(1, $2) AS g
         RETURNING id, slug),
       v AS (
         INSERT INTO product_variants (product_id, cooperative_id, sku, name_vi, weight_grams, price_vnd, gtin)
         SELECT p.id, $1, 'BS-' || substr(p.slug, 12), 'Gói 100 g', 100, 50000 + (substr(p.slug, 12)::int % 40) * 1000,
                '0893' || lpad(substr(p.slug, 12), 9, '0') || '0'
           FROM p RETURNING id)
       INSERT INTO inventory_stock (variant_id, cooperative_id, on_hand) SELECT v.id, $1, 100 FROM v`,
      [coop, PRODUCTS],
    );
  });
}

async function main(): Promise<void> {
  const { dbName, url, redisUrl, redisPrefix, env } = benchSetup('sync', 3900 + (process.pid % 90), {
    // Only the manager's "sync now" starts the work; the periodic jobs stay out of the measurement.
    MARKETPLACE_RECONCILE_MS: '3600000',
    MARKETPLACE_ORDER_POLL_MS: '3600000',
  });
  const children: ChildProcess[] = [];
  const config = loadConfig({ ...process.env, ...env });
  const sim = await startPostmartSimulator({ merchants: [MERCHANT] });
  try {
    process.stdout.write(`preparing ${dbName} with ${PRODUCTS} listed products…\n`);
    await ensureDatabase(url);
    await runMigrations(config);
    const ds = new DataSource(dataSourceOptions(config));
    await ds.initialize();
    const coops = await ds.transaction((tx) => seedIdentity(tx, config));
    await seedProducts(ds, coops.thienAn);
    const cipher = CredentialCipher.fromConfig(config);
    const [conn] = await ds.query(
      `INSERT INTO channel_connections (cooperative_id, channel, base_url, merchant_id, secret_enc, secret_hint, enabled)
       VALUES ($1, 'postmart', $2, $3, $4, $5, true) RETURNING id`,
      [coops.thienAn, sim.url, MERCHANT.merchantId, cipher.encrypt(MERCHANT.secret), secretHint(MERCHANT.secret)],
    );
    await ds.query(
      `INSERT INTO channel_products (connection_id, product_id, listed, category_id, category_name, commission_rate)
       SELECT $1, id, true, 782, 'Thực Phẩm - Đặc sản', 6.5 FROM products WHERE cooperative_id = $2`,
      [conn.id, coops.thienAn],
    );
    await ds.query('ANALYZE');

    const api = await startProcess(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/main.ts'], env, /listening on/);
    children.push(api.child);
    const base = `http://127.0.0.1:${env.API_PORT}`;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'thienan@htxso.test', password: config.DEMO_PASSWORD }) });
    const { accessToken } = (await login.json()) as { accessToken: string };

    const load0 = os.loadavg()[0];
    const started = Date.now();
    const res = await fetch(`${base}/api/manage/channels/${conn.id}/sync`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
    if (res.status !== 202) throw new Error(`sync now answered ${res.status}: ${await res.text()}`);
    let firstAt = 0;
    for (;;) {
      const n = sim.products(MERCHANT.merchantId).length;
      if (n > 0 && !firstAt) firstAt = Date.now();
      if (n >= PRODUCTS) break;
      if (Date.now() - started > 30 * 60_000) throw new Error('gave up after 30 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const doneAt = Date.now();
    const elapsed = (doneAt - started) / 1000;
    const batches = Math.ceil(PRODUCTS / POSTMART_MAX_BATCH);
    const floor = batches / POSTMART_RATE_LIMIT_PER_SECOND;
    const [status] = await ds.query(`SELECT count(*) FILTER (WHERE status = 'in_sync')::int AS in_sync, count(*)::int AS total FROM channel_listings WHERE connection_id = $1`, [conn.id]);
    await ds.destroy();
    const c = sim.counters;
    const lines = [
      `products listed:        ${sim.products(MERCHANT.merchantId).length} (${status.in_sync} of ${status.total} in_sync in the database)`,
      `elapsed:                ${elapsed.toFixed(1)} s`,
      `floor (rate limit):     ${batches} batch requests / ${POSTMART_RATE_LIMIT_PER_SECOND} req/s = ${floor.toFixed(1)} s`,
      `ratio elapsed / floor:  ${(elapsed / floor).toFixed(3)}`,
      `first listing after:    ${((firstAt - started) / 1000).toFixed(1)} s (queue pick-up, diff of ${PRODUCTS} listings); batches then took ${((doneAt - firstAt) / 1000).toFixed(1)} s`,
      `requests to Postmart:   ${c.requests} (429 answers: ${c.rateLimited}, replays: ${c.replays}, products created: ${c.productsCreated}, updated: ${c.productsUpdated})`,
      `load average at start:  ${load0.toFixed(2)} (${os.cpus().length} cores)`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
  } finally {
    await sim.close();
    await cleanUpBench({ children, adminUrl: pgUrl('postgres'), dbName, redisUrl, redisPrefix });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
