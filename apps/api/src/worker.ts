import { existsSync } from 'node:fs';
import { ConfigValidationError, loadConfig } from '@htx/shared';
import { createWorker } from './bootstrap';
import { ensureDatabase, runMigrations } from './infra/database';

/**
 * The background-jobs process: `npm run worker` (PROCESS_ROLE is forced to `worker`). Run it beside API processes
 * started with PROCESS_ROLE=api so that those only serve HTTP; all of them share the database and Redis.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env, { PROCESS_ROLE: 'worker' });
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations(config);
  await createWorker(config);
  process.stdout.write(`HTX Số worker running background jobs (pid ${process.pid})\n`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigValidationError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`Worker failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
