import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { API, E2E_API_PORT, E2E_POSTMART_PORT, E2E_VNPAY_PORT, E2E_WEB_PORT, VNPAY, WEB } from './platform';

const ROOT = path.resolve(__dirname, '../../../..');
const STOREFRONT = path.join(ROOT, 'apps/storefront');

declare global {
  var __HTX_E2E_CHILDREN__: ChildProcess[] | undefined;
}

async function waitFor(url: string, what: string, child: ChildProcess, seconds = 90): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}; see test-output/e2e-*.log`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${seconds} s`);
}

/** The simulator answers only its own paths; any HTTP answer means it is listening. */
async function waitForPort(port: number, what: string, child: ChildProcess, seconds = 30): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}; see test-output/e2e-*.err.log`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not listen on port ${port} within ${seconds} s`);
}

function newestMtime(dir: string): number {
  const out = execFileSync('find', [dir, '-path', `${dir}/.next`, '-prune', '-o', '-path', `${dir}/node_modules`, '-prune', '-o', '-type', 'f', '-printf', '%T@\n']);
  return Math.max(...out.toString().trim().split('\n').map(Number)) * 1000;
}

export default async function globalSetup(): Promise<void> {
  if (!existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH) {
    throw new Error('Browser tests need Debian’s Chromium: apt-get install -y chromium (.ci/run installs it)');
  }
  const db = `htx_e2e_${Date.now().toString(36)}${process.pid.toString(36)}`;
  process.env.HTX_E2E_DB = db;
  const outDir = path.join(ROOT, 'test-output');
  mkdirSync(outDir, { recursive: true });
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
    REDIS_PREFIX: `e2e-${db}`,
    API_PORT: String(E2E_API_PORT),
    WEB_PORT: String(E2E_WEB_PORT),
    PUBLIC_BASE_URL: WEB,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
    CHECKOUT_RATE_LIMIT_PER_MINUTE: '100000',
    TRACKING_RATE_LIMIT_PER_MINUTE: '100000',
    TRACE_RATE_LIMIT_PER_MINUTE: '100000',
    API_URL: API,
    NEXT_TELEMETRY_DISABLED: '1',
    // VNPay through the local simulator; the shopper comes back to the storefront's result page.
    VNPAY_TMN_CODE: 'HTXE2E01',
    VNPAY_SECURE_SECRET: 'E2ESECRETE2ESECRETE2ESECRET12345',
    VNPAY_HOST: VNPAY,
    VNPAY_RETURN_URL: `${WEB}/thanh-toan/vnpay`,
    // The seed points Thiên An's Postmart connection at this port; the simulator there knows the demo merchant.
    POSTMART_SIM_PORT: String(E2E_POSTMART_PORT),
    POSTMART_CALLBACK_URL: `${API}/api/channels/postmart/webhook`,
    // The API runs as in production (https only); managers may point a connection at the local simulator.
    CHANNEL_ALLOWED_HOSTS: `127.0.0.1:${E2E_POSTMART_PORT}`,
  };
  execFileSync(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/cli/seed.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });

  const buildId = path.join(STOREFRONT, '.next/BUILD_ID');
  if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestMtime(STOREFRONT)) {
    execFileSync(path.join(ROOT, 'node_modules/.bin/next'), ['build'], { cwd: STOREFRONT, env, stdio: ['ignore', openSync(path.join(outDir, 'e2e-next-build.log'), 'w'), 'inherit'] });
  }
  // The simulators first: the API starts syncing the seeded Postmart connection at once.
  const vnpay = spawn(process.execPath, ['-r', './scripts/register.js', 'apps/vnpay-sim/src/main.ts'], {
    cwd: ROOT,
    env: { ...env, VNPAY_SIM_PORT: String(E2E_VNPAY_PORT), VNPAY_IPN_URL: `${API}/api/payments/vnpay/ipn` },
    stdio: ['ignore', openSync(path.join(outDir, 'e2e-vnpay.log'), 'w'), openSync(path.join(outDir, 'e2e-vnpay.err.log'), 'w')],
  });
  const postmart = spawn(process.execPath, ['-r', './scripts/register.js', 'apps/postmart-sim/src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', openSync(path.join(outDir, 'e2e-postmart.log'), 'w'), openSync(path.join(outDir, 'e2e-postmart.err.log'), 'w')],
  });
  const api = spawn(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', openSync(path.join(outDir, 'e2e-api.log'), 'w'), openSync(path.join(outDir, 'e2e-api.err.log'), 'w')],
  });
  const web = spawn(path.join(ROOT, 'node_modules/.bin/next'), ['start', '-p', String(E2E_WEB_PORT), '-H', '127.0.0.1'], {
    cwd: STOREFRONT,
    env,
    stdio: ['ignore', openSync(path.join(outDir, 'e2e-web.log'), 'w'), openSync(path.join(outDir, 'e2e-web.err.log'), 'w')],
  });
  globalThis.__HTX_E2E_CHILDREN__ = [api, web, vnpay, postmart];
  await waitForPort(E2E_VNPAY_PORT, 'The VNPay simulator', vnpay);
  await waitForPort(E2E_POSTMART_PORT, 'The Postmart simulator', postmart);
  await waitFor(`${API}/api/health`, 'The API', api);
  await waitFor(`${WEB}/`, 'The storefront', web);
}
