import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { adminUrl, templateDatabaseName } from './test-env';

/**
 * Once per test run: a freshly created database migrated from scratch by the real `npm run migrate` CLI,
 * used as the template from which every test file clones its own database (CREATE DATABASE … TEMPLATE).
 */
export default async function globalSetup(): Promise<void> {
  process.env.HTX_TEST_RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const root = path.resolve(__dirname, '../../../..');
  execFileSync(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/cli/migrate.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: adminUrl(templateDatabaseName()), LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
