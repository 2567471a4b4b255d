import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { gtin13 } from '@htx/shared';
import { DEMO_PASSWORD, OUT_DIR, POSTMART_MERCHANT_ID, POSTMART_MERCHANT_SECRET, ROOT, SECURE_SECRET, TMN_CODE } from './env';

export * from './env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child process of the platform (API, worker, simulator) with its output kept (and written to test-output/). */
export class PlatformProcess {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly url: string | null,
  ) {
    mkdirSync(OUT_DIR, { recursive: true });
    const file = createWriteStream(path.join(OUT_DIR, `faults-${name}.log`));
    const keep = (d: Buffer) => {
      this.output += d.toString();
      file.write(d);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.on('exit', (code) => {
      file.end();
      resolve(code);
    }));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until the output matches (the process is up), failing early if it exits. */
  async waitFor(pattern: RegExp, seconds = 90): Promise<void> {
    for (let i = 0; i < seconds * 10; i++) {
      if (pattern.test(this.output)) return;
      if (!this.alive) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}): ${this.output.slice(-3000)}`);
      await sleep(100);
    }
    throw new Error(`${this.name} did not print ${pattern} within ${seconds} s: ${this.output.slice(-3000)}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (this.alive) this.child.kill('SIGKILL');
  }
}

function node(name: string, script: string, env: Record<string, string>, url: string | null, nodeArgs: string[] = []): PlatformProcess {
  const child = spawn(process.execPath, [...nodeArgs, '-r', './scripts/register.js', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new PlatformProcess(name, child, url);
}

/** `node -r ./scripts/register.js apps/api/src/main.ts` on the port, in the role; resolves once it listens. */
export async function startApi(name: string, port: number, env: Record<string, string>, nodeArgs: string[] = []): Promise<PlatformProcess> {
  const p = node(name, 'apps/api/src/main.ts', { ...env, API_PORT: String(port) }, `http://127.0.0.1:${port}`, nodeArgs);
  await p.waitFor(/HTX Số API listening on/);
  return p;
}

/** `apps/api/src/worker.ts`: background jobs, no HTTP. */
export async function startWorker(name: string, env: Record<string, string>): Promise<PlatformProcess> {
  const p = node(name, 'apps/api/src/worker.ts', env, null);
  await p.waitFor(/worker running background jobs/);
  return p;
}

/** The VNPay simulator (apps/vnpay-sim) as its own process, sending IPNs to `ipnUrl`. */
export async function startVnpaySim(name: string, port: number, ipnUrl: string): Promise<PlatformProcess> {
  const p = node(name, 'apps/vnpay-sim/src/main.ts', { VNPAY_SIM_PORT: String(port), VNPAY_TMN_CODE: TMN_CODE, VNPAY_SECURE_SECRET: SECURE_SECRET, VNPAY_IPN_URL: ipnUrl }, `http://127.0.0.1:${port}`);
  await p.waitFor(/VNPay simulator listening/);
  return p;
}

/** The Postmart simulator (apps/postmart-sim) as its own process, knowing the seeded merchant, webhooks to `callbackUrl`. */
export async function startPostmartSim(name: string, port: number, callbackUrl: string): Promise<PlatformProcess> {
  const p = node(name, 'apps/postmart-sim/src/main.ts', {
    POSTMART_SIM_PORT: String(port), POSTMART_MERCHANT_ID, POSTMART_MERCHANT_SECRET, POSTMART_CALLBACK_URL: callbackUrl,
  }, `http://127.0.0.1:${port}`);
  await p.waitFor(/Postmart simulator listening/);
  return p;
}

export interface HttpResult {
  status: number;
  body: unknown;
  headers: Headers;
}

/** One HTTP call; a connection failure (process killed, restarting) is status 0 rather than a throw. */
export async function call(base: string, method: string, url: string, opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpResult> {
  try {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers };
  } catch (e) {
    return { status: 0, body: (e as Error).message, headers: new Headers() };
  }
}

export async function waitHealthy(base: string, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if ((await call(base, 'GET', '/api/health', { timeoutMs: 3000 })).status === 200) return;
    await sleep(250);
  }
  throw new Error(`${base}/api/health did not answer 200 within ${seconds} s`);
}

export async function login(base: string, email: string): Promise<string> {
  const res = await call(base, 'POST', '/api/auth/login', { body: { email, password: DEMO_PASSWORD } });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { accessToken: string }).accessToken;
}

let n = 0;
const unique = () => `${Date.now().toString(36).slice(-5)}${process.pid.toString(36)}${(++n).toString(36)}`;

/** A published product of the manager's cooperative with ample stock in one lot, through the manage API; returns the variant id. */
export async function stockedVariant(base: string, token: string, priceVnd: number, quantity: number): Promise<string> {
  const u = unique();
  const product = await call(base, 'POST', '/api/manage/products', {
    headers: { authorization: `Bearer ${token}` },
    body: {
      slug: `fault-${u}`,
      nameVi: `Trà thử lỗi ${u}`,
      status: 'active',
      variants: [{ sku: `F-${u}`, nameVi: 'Gói 200g', weightGrams: 200, priceVnd, gtin: gtin13(`893${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`) }],
    },
  });
  if (product.status !== 201) throw new Error(`create product: ${product.status} ${JSON.stringify(product.body)}`);
  const variantId = (product.body as { variants: Array<{ id: string }> }).variants[0].id;
  const lot = await call(base, 'POST', '/api/manage/lots', {
    headers: { authorization: `Bearer ${token}` },
    body: { variantId, lotCode: `L${u}`.slice(0, 20), quantity, expiryDate: new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10) },
  });
  if (lot.status !== 201) throw new Error(`receive lot: ${lot.status} ${JSON.stringify(lot.body)}`);
  return variantId;
}

export function cart(items: Array<{ variantId: string; quantity: number }>, paymentMethod: 'cod' | 'vnpay' | 'vietqr' = 'cod') {
  return {
    items,
    customer: { name: 'Nguyễn Thị Lan', phone: '0912345678' },
    shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Thôn Nà Lẹng, số 12' },
    paymentMethod,
  };
}

export const idempotencyKey = () => `fault-${randomUUID()}`;

export interface CheckoutBody {
  checkoutId: string;
  orders: Array<{ id: string; code: string; status: string }>;
  payment: { step: string; url?: string };
}

/** POST /api/orders with the key; `Idempotent-Replayed` tells a replay from a first placement. */
export function checkout(base: string, key: string, body: unknown, timeoutMs = 60_000): Promise<HttpResult> {
  return call(base, 'POST', '/api/orders', { body, headers: { 'idempotency-key': key }, timeoutMs });
}

/** Runs `fn` over the items, `size` at a time, keeping their order. */
export async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** Figures of a fault run, appended to test-output/faults-summary.log (for the report; nothing asserts on them). */
export function summary(test: string, figures: Record<string, unknown>): void {
  mkdirSync(OUT_DIR, { recursive: true });
  appendFileSync(path.join(OUT_DIR, 'faults-summary.log'), `${new Date().toISOString()} ${test} ${JSON.stringify(figures)}\n`);
}
