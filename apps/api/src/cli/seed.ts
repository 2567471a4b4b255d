import { existsSync } from 'node:fs';
import { ConfigValidationError, loadConfig } from '@htx/shared';
import { ensureDatabase, runMigrations } from '../infra/database';
import { runSeed } from '../seed/seed';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  await ensureDatabase(config.DATABASE_URL);
  await runMigrations(config);
  const summary = await runSeed(config);
  process.stdout.write(`Demo data loaded: ${JSON.stringify(summary)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof ConfigValidationError ? e.message : e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
