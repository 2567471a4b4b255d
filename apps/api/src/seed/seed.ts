import { DataSource } from 'typeorm';
import type { AppConfig } from '@htx/shared';
import { dataSourceOptions } from '../infra/database';
import { seedIdentity, SeededCooperatives } from './identity.seed';
import { seedCatalog } from './catalog.seed';
import { seedInventory } from './inventory.seed';
import { seedOrders } from './orders.seed';
import { seedTraceability } from './traceability.seed';
import { seedMarketplace } from './marketplace.seed';

/** What earlier seed steps created, for later steps to build on. Each step may add its own keys. */
export interface SeedContext {
  cooperatives: SeededCooperatives;
  [key: string]: unknown;
}

export interface SeedSummary {
  cooperatives: number;
  users: number;
}

/**
 * Loads the demo data. Idempotent: every step upserts on a natural key, and the whole seed runs in one
 * transaction under an advisory lock, so two concurrent runs cannot interleave.
 */
export async function runSeed(config: AppConfig): Promise<SeedSummary> {
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  try {
    await ds.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(727275)');
      const ctx: SeedContext = { cooperatives: await seedIdentity(tx, config) };
      await seedCatalog(tx, config, ctx);
      await seedInventory(tx, config, ctx);
      await seedTraceability(tx, config, ctx);
      await seedOrders(tx, config, ctx);
      await seedMarketplace(tx, config, ctx);
    });
    const [{ cooperatives, users }] = await ds.query(
      `SELECT (SELECT count(*) FROM cooperatives)::int AS cooperatives, (SELECT count(*) FROM users)::int AS users`,
    );
    return { cooperatives, users };
  } finally {
    await ds.destroy();
  }
}
