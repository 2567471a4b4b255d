/** Where the tests find PostgreSQL and Redis (the machine's own by default; override with TEST_PG_URL / TEST_REDIS_URL). */
export function adminUrl(database: string): string {
  const base = new URL(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/${database}`;
  return base.toString();
}

export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

export function runId(): string {
  const id = process.env.HTX_TEST_RUN;
  if (!id) throw new Error('HTX_TEST_RUN is not set: run the tests through jest (globalSetup creates the template database)');
  return id;
}

export function templateDatabaseName(): string {
  return `htx_test_${runId()}_tpl`;
}
