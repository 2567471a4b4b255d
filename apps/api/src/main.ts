import { existsSync } from 'node:fs';
import { ConfigValidationError, loadConfig } from '@htx/shared';
import { createApp, createWorker } from './bootstrap';
import { ensureDatabase, runMigrations } from './infra/database';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations(config);
  if (config.PROCESS_ROLE === 'worker') {
    // Same entry, no HTTP listener: the process only runs background jobs (see worker.ts).
    await createWorker(config);
    process.stdout.write(`HTX Số worker running background jobs (pid ${process.pid})\n`);
    return;
  }
  const app = await createApp(config);
  await app.listen({ port: config.API_PORT, host: '0.0.0.0' });
  const jobs = config.PROCESS_ROLE === 'api' ? 'background jobs run elsewhere (PROCESS_ROLE=api)' : 'running background jobs';
  process.stdout.write(`HTX Số API listening on http://localhost:${config.API_PORT}/api (docs: /api/docs); ${jobs}\n`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigValidationError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`API failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
