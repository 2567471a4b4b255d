import { execFileSync } from 'node:child_process';
import { platformEnv, POSTMART_MERCHANT_ID, POSTMART_MERCHANT_SECRET, POSTMART_SIM_PORT, ROOT } from './env';
import { privatePostgres, privateRedis, sql, TEMPLATE_DB } from './services';

/**
 * Starts the private PostgreSQL (initdb into /tmp, port 9432) and Redis (AOF, port 9479) the fault tests may restart
 * and kill, and builds the template database every test file clones: migrated and seeded by the real CLIs.
 */
export default async function globalSetup(): Promise<void> {
  await privatePostgres.init();
  await privateRedis.init();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...platformEnv(TEMPLATE_DB),
    POSTMART_BASE_URL: `http://127.0.0.1:${POSTMART_SIM_PORT}`,
    POSTMART_MERCHANT_ID,
    POSTMART_MERCHANT_SECRET,
  };
  execFileSync(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/cli/seed.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  // The seeded Postmart connection stays off unless a test starts the simulator and turns it on (no test talks to a
  // marketplace it did not start).
  await sql(TEMPLATE_DB, `UPDATE channel_connections SET enabled = false`);
}
