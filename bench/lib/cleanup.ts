import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { Client } from 'pg';

export interface BenchResources {
  children: ChildProcess[];
  /** URL of the server's maintenance database (postgres) used to drop the throwaway one. */
  adminUrl: string;
  dbName: string;
  redisUrl: string;
  redisPrefix: string;
}

/** Stops the benchmark's processes and drops its throwaway database and Redis keys (KEEP_DB=1 keeps the database). */
export async function cleanUpBench(r: BenchResources): Promise<void> {
  for (const c of r.children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const admin = new Client({ connectionString: r.adminUrl });
  await admin.connect();
  if (process.env.KEEP_DB) process.stdout.write(`kept database ${r.dbName}\n`);
  else await admin.query(`DROP DATABASE IF EXISTS "${r.dbName}" WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  const redis = new Redis(r.redisUrl, { maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${r.redisPrefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}
