/** A database URL on the benchmark's PostgreSQL server (TEST_PG_URL, default the machine's own). */
export function pgUrl(db: string): string {
  const u = new URL(process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  u.pathname = `/${db}`;
  return u.toString();
}

export interface BenchSetup {
  stamp: string;
  dbName: string;
  url: string;
  redisUrl: string;
  redisPrefix: string;
  /** Environment of the API process under test: production mode, quiet logs, rate limits out of the way. */
  env: Record<string, string>;
}

/** Names a throwaway database and Redis prefix for one run of benchmark `name`, and the API's environment. */
export function benchSetup(name: string, apiPort: number, extraEnv: Record<string, string> = {}): BenchSetup {
  const stamp = `${Date.now().toString(36)}${process.pid}`;
  const dbName = `htx_bench_${name}_${stamp}`;
  const url = pgUrl(dbName);
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `bench-${name}-${stamp}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    CHECKOUT_RATE_LIMIT_PER_MINUTE: '100000000',
    TRACKING_RATE_LIMIT_PER_MINUTE: '100000000',
    TRACE_RATE_LIMIT_PER_MINUTE: '100000000',
    DB_POOL_SIZE: '20',
    API_PORT: String(apiPort),
    JWT_SECRET: 'bench-only-secret-0123456789abcdef',
    ...extraEnv,
  };
  return { stamp, dbName, url, redisUrl, redisPrefix, env };
}
