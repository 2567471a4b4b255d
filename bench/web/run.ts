/**
 * Storefront weight and speed benchmark. Seeds the demo data into a throwaway database through the CLI, starts the
 * API (production, own port) and the built storefront (`next start`, own port), then measures:
 *   1. transferred bytes by resource type (HTML, CSS, JS, other) for the QR trace page /01/{gtin}/10/{lot} and the
 *      product page /san-pham/tra-giao-co-lam, loaded in Debian's Chromium through playwright-core (with and
 *      without JavaScript), the gzip size of each page's HTML, and the same figures for the API's trace JSON;
 *   2. req/s, latency and time to first byte at CONNECTIONS connections for the trace page HTML beside the API's
 *      trace JSON, alternating in the same run (the machine is shared), and the ratio;
 *   3. Lighthouse (mobile, default simulated throttling) performance score of both pages, run with Debian's
 *      Chromium through chrome-launcher (CHROME_PATH), never a downloaded browser.
 * Prints a JSON summary; drops its database and Redis keys at the end (KEEP_DB=1 keeps the database).
 *
 *   node -r ./scripts/register.js bench/web/run.ts
 *     [env: DURATION=10 CONNECTIONS=20 ROUNDS=3 TTFB_SECONDS=5 SKIP_LIGHTHOUSE=1 PROFILE=<dir> KEEP_DB=1 TEST_PG_URL TEST_REDIS_URL]
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import { cleanUpBench } from '../lib/cleanup';
import { pgUrl } from '../lib/setup';

const ROOT = path.resolve(__dirname, '../..');
const STOREFRONT = path.join(ROOT, 'apps/storefront');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TTFB_SECONDS = Number(process.env.TTFB_SECONDS ?? 5);
const PRODUCT_PATH = '/san-pham/tra-giao-co-lam';
const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function start(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code) => {
    if (code) process.stderr.write(`${path.basename(cmd)} ${args.at(-1)} exited with ${code}: ${tail}\n`);
  });
  return child;
}

async function waitFor(url: string, child: ChildProcess, what: string): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not answer ${url} within 120 s`);
}

interface Weight {
  url: string;
  requests: number;
  bytes: { html: number; css: number; js: number; other: number; total: number };
  htmlRawBytes: number;
  htmlGzipBytes: number;
  /** Bytes of inline <style> text inside the (uncompressed) HTML. */
  inlineCssRawBytes: number;
  resources: Array<{ path: string; type: string; bytes: number }>;
}

type Browser = Awaited<ReturnType<typeof chromium.launch>>;

/** Loads url in a fresh phone-sized context; sums the transferred (encoded body + headers) bytes by resource type. */
async function weigh(browser: Browser, url: string, javaScriptEnabled: boolean): Promise<Weight> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled, serviceWorkers: 'block' });
  const page = await context.newPage();
  const pending: Array<Promise<void>> = [];
  const bytes = { html: 0, css: 0, js: 0, other: 0, total: 0 };
  let requests = 0;
  const resources: Weight['resources'] = [];
  page.on('requestfinished', (req) => {
    pending.push(
      req.sizes().then((s) => {
        const n = s.responseBodySize + s.responseHeadersSize;
        const type = req.resourceType();
        const key = type === 'document' ? 'html' : type === 'stylesheet' ? 'css' : type === 'script' ? 'js' : 'other';
        bytes[key] += n;
        bytes.total += n;
        requests++;
        const u = new URL(req.url());
        resources.push({ path: u.pathname + u.search, type, bytes: n });
      }),
    );
  });
  const res = await page.goto(url, { waitUntil: 'networkidle' });
  if (!res || res.status() !== 200) throw new Error(`${url} answered ${res?.status()}`);
  await page.waitForTimeout(300);
  await Promise.all(pending);
  await context.close();
  const raw = Buffer.from(await (await fetch(url)).arrayBuffer());
  const inlineCssRawBytes = [...raw.toString('utf8').matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].reduce((a, m) => a + Buffer.byteLength(m[1]), 0);
  return { url, requests, bytes, htmlRawBytes: raw.length, htmlGzipBytes: gzipSync(raw, { level: 6 }).length, inlineCssRawBytes, resources };
}

/** CPU seconds (user + system) used so far by a process and its direct children, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  const one = (p: string) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return 0;
    }
  };
  let kids: string[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    /* no children file */
  }
  return one(String(pid)) + kids.reduce((a, k) => a + one(k), 0);
}

/** Time to first byte (response headers) with `connections` keep-alive workers for `seconds`. */
async function ttfb(url: string, connections: number, seconds: number): Promise<{ requests: number; p50ms: number; p90ms: number; p99ms: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const times: number[] = [];
  const until = Date.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.get(url, { agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
    });
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) await one();
  }));
  agent.destroy();
  times.sort((a, b) => a - b);
  const q = (p: number) => Number(times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2));
  return { requests: times.length, p50ms: q(0.5), p90ms: q(0.9), p99ms: q(0.99) };
}

function lighthouse(url: string, outDir: string, name: string): Record<string, number | null> {
  const out = path.join(outDir, `${name}.json`);
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/lighthouse'),
    [url, '--quiet', '--only-categories=performance', '--output=json', `--output-path=${out}`, `--chrome-flags=${CHROME_FLAGS.join(' ')}`],
    { cwd: ROOT, env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 },
  );
  const lhr = JSON.parse(readFileSync(out, 'utf8')) as {
    lighthouseVersion: string;
    categories: { performance: { score: number | null } };
    audits: Record<string, { numericValue?: number }>;
  };
  const ms = (id: string) => (lhr.audits[id]?.numericValue === undefined ? null : Math.round(lhr.audits[id].numericValue as number));
  return {
    score: lhr.categories.performance.score === null ? null : Math.round(lhr.categories.performance.score * 100),
    firstContentfulPaintMs: ms('first-contentful-paint'),
    largestContentfulPaintMs: ms('largest-contentful-paint'),
    speedIndexMs: ms('speed-index'),
    totalBlockingTimeMs: ms('total-blocking-time'),
    cumulativeLayoutShift: lhr.audits['cumulative-layout-shift']?.numericValue ?? null,
    totalByteWeight: ms('total-byte-weight'),
  };
}

async function main(): Promise<void> {
  const stamp = `${Date.now().toString(36)}${process.pid}`;
  const dbName = `htx_bench_web_${stamp}`;
  const url = pgUrl(dbName);
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `bench-web-${stamp}`;
  const apiPort = 3700 + (process.pid % 90);
  const webPort = 4700 + (process.pid % 90);
  const api = `http://127.0.0.1:${apiPort}`;
  const web = `http://127.0.0.1:${webPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    CHECKOUT_RATE_LIMIT_PER_MINUTE: '100000000',
    TRACKING_RATE_LIMIT_PER_MINUTE: '100000000',
    TRACE_RATE_LIMIT_PER_MINUTE: '100000000',
    API_PORT: String(apiPort),
    PUBLIC_BASE_URL: web,
    API_URL: api,
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const children: ChildProcess[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'htx-bench-web-'));
  let browser: Browser | undefined;
  try {
    process.stdout.write(`migrating and seeding ${dbName} through the CLI…\n`);
    execFileSync(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/cli/seed.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (!existsSync(path.join(STOREFRONT, '.next/BUILD_ID'))) {
      process.stdout.write('building the storefront (next build)…\n');
      execFileSync(path.join(ROOT, 'node_modules/.bin/next'), ['build'], { cwd: STOREFRONT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const db = new Client({ connectionString: url });
    await db.connect();
    const { rows } = await db.query<{ gtin: string; lot_code: string }>(
      'SELECT v.gtin, l.lot_code FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id JOIN trace_chain c ON c.lot_id = l.id LIMIT 1',
    );
    await db.end();
    if (!rows[0]) throw new Error('no traced lot in the seed');
    const tracePath = `/01/${rows[0].gtin}/10/${rows[0].lot_code}`;

    const apiChild = start(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/main.ts'], ROOT, env);
    children.push(apiChild);
    // PROFILE=<dir> writes a CPU profile of the storefront process (read it in Chrome DevTools) when it stops.
    const prof = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.PROFILE)}`] : [];
    const nextBin = path.join(ROOT, 'node_modules/next/dist/bin/next');
    const webChild = start(process.execPath, [...prof, nextBin, 'start', '-p', String(webPort), '-H', '127.0.0.1'], STOREFRONT, env);
    children.push(webChild);
    await waitFor(`${api}/api/health`, apiChild, 'The API');
    await waitFor(`${web}/`, webChild, 'The storefront');
    const traceUrl = `${web}${tracePath}`;
    const apiTraceUrl = `${api}/api/trace${tracePath}`;
    for (const u of [traceUrl, `${web}${PRODUCT_PATH}`, apiTraceUrl]) {
      const res = await fetch(u); // warm caches (API trace cache, Next's first render)
      if (res.status !== 200) throw new Error(`${u} answered ${res.status}`);
      await res.arrayBuffer();
    }

    process.stdout.write(`weighing ${tracePath}, ${PRODUCT_PATH} and the API's trace JSON in Chromium…\n`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    const weights = {
      tracePage: await weigh(browser, traceUrl, true),
      tracePageNoJs: await weigh(browser, traceUrl, false),
      productPage: await weigh(browser, `${web}${PRODUCT_PATH}`, true),
      productPageNoJs: await weigh(browser, `${web}${PRODUCT_PATH}`, false),
      apiTraceJson: await weigh(browser, apiTraceUrl, true),
    };
    await browser.close();
    browser = undefined;

    process.stdout.write(`load: ${ROUNDS} alternating rounds of ${DURATION}s at ${CONNECTIONS} connections…\n`);
    const headers = { 'accept-encoding': 'gzip' };
    await autocannon({ url: traceUrl, connections: CONNECTIONS, duration: 2, headers });
    await autocannon({ url: apiTraceUrl, connections: CONNECTIONS, duration: 2, headers });
    const row = (r: autocannon.Result) => ({ reqPerSec: Math.round(r.requests.average), p50ms: r.latency.p50, p99ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
    // CPU per request from /proc: a comparison that the shared machine's background load does not skew. A trace page
    // request costs the storefront's render plus the API request it makes.
    const cpu = () => ({ web: cpuSeconds(webChild.pid), api: cpuSeconds(apiChild.pid) });
    const us = (sec: number, n: number) => Math.round((sec * 1e6) / n);
    const rounds: Array<{
      page: ReturnType<typeof row>;
      api: ReturnType<typeof row>;
      ratio: number;
      cpuMicrosecondsPerRequest: { pageStorefront: number; pageApi: number; apiJson: number };
    }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const c0 = cpu();
      const page = await autocannon({ url: traceUrl, connections: CONNECTIONS, duration: DURATION, headers });
      const c1 = cpu();
      const json = await autocannon({ url: apiTraceUrl, connections: CONNECTIONS, duration: DURATION, headers });
      const c2 = cpu();
      rounds.push({
        page: row(page),
        api: row(json),
        ratio: Number((page.requests.average / json.requests.average).toFixed(4)),
        cpuMicrosecondsPerRequest: {
          pageStorefront: us(c1.web - c0.web, page.requests.total),
          pageApi: us(c1.api - c0.api, page.requests.total),
          apiJson: us(c2.api - c1.api, json.requests.total),
        },
      });
    }
    process.stdout.write(`time to first byte: ${TTFB_SECONDS}s each at ${CONNECTIONS} connections…\n`);
    const firstByte = { tracePage: await ttfb(traceUrl, CONNECTIONS, TTFB_SECONDS), apiTraceJson: await ttfb(apiTraceUrl, CONNECTIONS, TTFB_SECONDS) };

    process.stdout.write('Lighthouse (mobile) on both pages…\n');
    const skipLh = Boolean(process.env.SKIP_LIGHTHOUSE);
    const lh = skipLh ? null : { tracePage: lighthouse(traceUrl, tmp, 'trace'), productPage: lighthouse(`${web}${PRODUCT_PATH}`, tmp, 'product') };
    const lhVersion = skipLh ? null : (JSON.parse(readFileSync(path.join(tmp, 'trace.json'), 'utf8')) as { lighthouseVersion: string }).lighthouseVersion;

    const mean = (f: (r: (typeof rounds)[number]) => number) => Math.round(rounds.reduce((a, r) => a + f(r), 0) / rounds.length);
    const summary = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      chromium: execFileSync(CHROMIUM, ['--version']).toString().trim(),
      lighthouse: lhVersion,
      tracePath,
      productPath: PRODUCT_PATH,
      weights,
      traceHtmlPlusCssNoJsBytes: weights.tracePageNoJs.bytes.html + weights.tracePageNoJs.bytes.css,
      load: {
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        rounds,
        tracePageReqPerSecMean: mean((r) => r.page.reqPerSec),
        apiTraceJsonReqPerSecMean: mean((r) => r.api.reqPerSec),
        ratio: Number((mean((r) => r.page.reqPerSec) / mean((r) => r.api.reqPerSec)).toFixed(4)),
        timeToFirstByte: firstByte,
      },
      lighthouseMobile: lh,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await browser?.close().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
    await cleanUpBench({ children, adminUrl: pgUrl('postgres'), dbName, redisUrl, redisPrefix });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
