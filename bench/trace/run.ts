/**
 * Public trace document benchmark. Seeds the demo data plus 1,000 lots (each with harvest → drying → packing
 * events) into a throwaway database, starts the API in its own process, warms the trace cache, then runs
 * GET /api/trace/01/{gtin}/10/{lot} at 50 connections rotating over the 1,000 lots with autocannon; then does the
 * same against a bare node:http server (own process) answering a JSON body of the same size, alternating short
 * rounds of each (the machine is shared), and prints req/s, p50/p99 latency and the ratio.
 *
 *   node -r ./scripts/register.js bench/trace/run.ts   [env: LOTS=1000 DURATION=10 CONNECTIONS=50 TEST_PG_URL TEST_REDIS_URL]
 */
import { cleanUpBench } from '../lib/cleanup';
import { benchSetup, pgUrl } from '../lib/setup';
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { loadConfig } from '@htx/shared';
import { appendTraceEvent, buildStepEvent } from '@htx/traceability';
import { dataSourceOptions, ensureDatabase, runMigrations } from '../../apps/api/src/infra/database';
import { runSeed } from '../../apps/api/src/seed/seed';

const ROOT = path.resolve(__dirname, '../..');
const LOTS = Number(process.env.LOTS ?? 1000);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

/** 1,000 lots of one seeded variant, each with a harvest, a drying and a packing event in its hash chain. */
async function seedLots(ds: DataSource): Promise<Array<{ gtin: string; lotCode: string }>> {
  const [variant] = await ds.query(`SELECT v.id, v.gtin, v.cooperative_id AS "coop" FROM product_variants v WHERE v.sku = 'TA-GCL-100'`);
  const [plot] = await ds.query(`SELECT p.id, p.producer_id AS "producerId", l.id AS "loc" FROM trace_plots p JOIN trace_locations l ON l.plot_id = p.id WHERE p.name = 'Nương giảo cổ lam Khuổi Ha'`);
  const out: Array<{ gtin: string; lotCode: string }> = [];
  for (let start = 0; start < LOTS; start += 100) {
    await ds.transaction(async (tx) => {
      for (let i = start; i < Math.min(LOTS, start + 100); i++) {
        const lotCode = `BENCH${String(i).padStart(5, '0')}`;
        const harvest = new Date(Date.UTC(2025, 0, 1) + (i % 300) * 86_400_000);
        const day = harvest.toISOString().slice(0, 10);
        const [lot] = await tx.query(
          `INSERT INTO inventory_lots (cooperative_id, variant_id, lot_code, harvest_date, expiry_date, quantity_received, on_hand)
           VALUES ($1, $2, $3, $4, ($4::date + 540), 100, 100) RETURNING id`,
          [variant.coop, variant.id, lotCode, day],
        );
        await tx.query(`INSERT INTO trace_lot_origins (lot_id, plot_id, producer_id) VALUES ($1, $2, $3)`, [lot.id, plot.id, plot.producerId]);
        const q = (quantity: number, uom: 'KGM' | 'H87') => ({ gtin: variant.gtin, lotCode, quantity, uom });
        const loc = `https://htxso.vn/api/trace/locations/${plot.loc}`;
        const events = [
          buildStepEvent({ kind: 'harvest', eventTime: harvest, lots: [q(40, 'KGM')], readPointUri: loc, ilmd: { lotNumber: lotCode, harvestDate: day, farmList: [loc] } }),
          buildStepEvent({ kind: 'drying', eventTime: new Date(harvest.getTime() + 2 * 86_400_000), inputs: [q(40, 'KGM')], outputs: [q(10, 'KGM')], readPointUri: loc }),
          buildStepEvent({ kind: 'packing', eventTime: new Date(harvest.getTime() + 4 * 86_400_000), lots: [q(100, 'H87')], readPointUri: loc }),
        ];
        for (const [n, event] of events.entries()) {
          await appendTraceEvent(tx, { cooperativeId: variant.coop, event, lots: [{ lotId: lot.id, role: n === 1 ? 'input' : 'subject' }] });
        }
        out.push({ gtin: variant.gtin, lotCode });
      }
    });
  }
  await ds.query('ANALYZE');
  return out;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

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

async function main(): Promise<void> {
  const { dbName, url, redisUrl, redisPrefix, env } = benchSetup('trace', 3800 + (process.pid % 90), { PUBLIC_BASE_URL: 'https://htxso.vn' });
  const children: ChildProcess[] = [];
  const config = loadConfig({ ...process.env, ...env });
  try {
    process.stdout.write(`seeding demo data and ${LOTS} traced lots into ${dbName}…\n`);
    await ensureDatabase(url);
    await runMigrations(config);
    await runSeed(config);
    const ds = new DataSource(dataSourceOptions(config));
    await ds.initialize();
    const lots = await seedLots(ds);
    await ds.destroy();

    const profile = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
    const api = await startProcess(process.execPath, [...profile, '-r', './scripts/register.js', 'apps/api/src/main.ts'], env, /listening on/);
    children.push(api.child);
    const base = `http://127.0.0.1:${env.API_PORT}`;
    const paths = lots.map((l) => `/api/trace/01/${l.gtin}/10/${l.lotCode}`);
    // Prime the cache (a cold document costs a few queries; the hot path is the cached one).
    const sizes: number[] = [];
    for (let i = 0; i < paths.length; i += 25) {
      const texts = await Promise.all(paths.slice(i, i + 25).map(async (p) => {
        const res = await fetch(base + p);
        if (res.status !== 200) throw new Error(`${p} answered ${res.status}`);
        return res.text();
      }));
      sizes.push(...texts.map((t) => Buffer.byteLength(t)));
    }
    const avg = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
    let n = 0;
    const rotating: autocannon.Request[] = [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[n++ % paths.length] }) }];
    // The baseline answers a JSON body of exactly the average document size.
    const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, avg - 10)) });
    const bare = await startProcess(process.execPath, ['bench/trace/baseline-server.js'], { BODY_JSON: body, PORT: '0' }, /listening (\d+)/);
    children.push(bare.child);
    const port = /listening (\d+)/.exec(bare.output)?.[1];
    process.stdout.write(`API: ${paths.length} lots, documents ${Math.min(...sizes)}-${Math.max(...sizes)} bytes (avg ${avg}); baseline ${Buffer.byteLength(body)} bytes\n`);
    // The machine is shared: alternate short rounds of API and baseline so both see the same background load.
    const rounds: Array<{ api: autocannon.Result; bare: autocannon.Result; apiCpuUs: number; bareCpuUs: number }> = [];
    await autocannon({ url: `${base}${paths[0]}`, connections: CONNECTIONS, duration: 2, requests: rotating }); // warm-up
    await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: 2 });
    for (let r = 0; r < ROUNDS; r++) {
      process.stdout.write(`round ${r + 1}/${ROUNDS}: ${DURATION}s each at ${CONNECTIONS} connections…\n`);
      // CPU time per request of each server process: a comparison that background load does not skew.
      const a0 = cpuSeconds(api.child.pid);
      const apiRound = await autocannon({ url: `${base}${paths[0]}`, connections: CONNECTIONS, duration: DURATION, requests: rotating });
      const a1 = cpuSeconds(api.child.pid);
      const b0 = cpuSeconds(bare.child.pid);
      const bareRound = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: DURATION });
      const b1 = cpuSeconds(bare.child.pid);
      rounds.push({
        api: apiRound,
        bare: bareRound,
        apiCpuUs: Math.round(((a1 - a0) * 1e6) / apiRound.requests.total),
        bareCpuUs: Math.round(((b1 - b0) * 1e6) / bareRound.requests.total),
      });
    }
    const exited = new Promise((r) => {
      api.child.once('exit', r);
      setTimeout(r, 10_000);
    });
    api.child.kill('SIGTERM');
    await exited; // lets a --cpu-prof profile be written
    const row = (name: string, r: autocannon.Result) => ({
      name,
      reqPerSec: Math.round(r.requests.average),
      p50ms: r.latency.p50,
      p99ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
    });
    const summary = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`,
      lots: LOTS,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      documentBytesAvg: avg,
      rounds: rounds.map((r) => ({
        api: row('GET /api/trace/01/{gtin}/10/{lot} (rotating over lots)', r.api),
        baseline: row('bare node:http, same-size JSON', r.bare),
        ratio: Number((r.api.requests.average / r.bare.requests.average).toFixed(4)),
        cpuMicrosecondsPerRequest: { api: r.apiCpuUs, baseline: r.bareCpuUs, ratio: Number((r.bareCpuUs / r.apiCpuUs).toFixed(4)) },
      })),
      apiReqPerSecMean: Math.round(rounds.reduce((a, r) => a + r.api.requests.average, 0) / rounds.length),
      baselineReqPerSecMean: Math.round(rounds.reduce((a, r) => a + r.bare.requests.average, 0) / rounds.length),
      apiP99msWorst: Math.max(...rounds.map((r) => r.api.latency.p99)),
      ratio: Number((rounds.reduce((a, r) => a + r.api.requests.average, 0) / rounds.reduce((a, r) => a + r.bare.requests.average, 0)).toFixed(4)),
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
