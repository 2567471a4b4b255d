import { existsSync } from 'node:fs';
import { ConfigValidationError, loadConfig } from '@htx/shared';
import { ensureDatabase, runMigrations } from '../infra/database';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const created = await ensureDatabase(config.DATABASE_URL);
  if (created) process.stdout.write(`Created database ${new URL(config.DATABASE_URL).pathname.slice(1)}\n`);
  const applied = await runMigrations(config);
  process.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database schema is up to date\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof ConfigValidationError ? e.message : e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
