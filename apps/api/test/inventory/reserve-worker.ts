/**
 * A separate OS process for the concurrency test: fires `count` concurrent single-unit reservations for one variant,
 * each in its own transaction on its own connection pool, and prints how many succeeded or were refused.
 *   node -r ./scripts/register.js apps/api/test/inventory/reserve-worker.ts <databaseUrl> <variantId> <count>
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { reserve } from '@htx/inventory';
import { AppError } from '@htx/shared';

async function main(): Promise<void> {
  const [url, variantId, count] = process.argv.slice(2);
  const ds = new DataSource({ type: 'postgres', url, extra: { max: 8, application_name: 'htx-reserve-worker' } });
  await ds.initialize();
  try {
    const results = await Promise.allSettled(
      Array.from({ length: Number(count) }, () => ds.transaction((tx) => reserve(tx, randomUUID(), [{ variantId, quantity: 1 }]))),
    );
    const out = { ok: 0, conflict: 0, other: [] as string[] };
    for (const r of results) {
      if (r.status === 'fulfilled') out.ok++;
      else if (r.reason instanceof AppError && r.reason.getStatus() === 409) out.conflict++;
      else out.other.push(String(r.reason));
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
