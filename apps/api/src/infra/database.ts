import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@htx/shared';
import { SHARED_MIGRATIONS } from '@htx/shared';
import { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from '@htx/identity';
import { CATALOG_ENTITIES, CATALOG_MIGRATIONS } from '@htx/catalog';
import { INVENTORY_ENTITIES, INVENTORY_MIGRATIONS } from '@htx/inventory';
import { ORDERS_ENTITIES, ORDERS_MIGRATIONS } from '@htx/orders';
import { TRACEABILITY_ENTITIES, TRACEABILITY_MIGRATIONS } from '@htx/traceability';
import { PAYMENTS_ENTITIES, PAYMENTS_MIGRATIONS } from '@htx/payments';
import { MARKETPLACE_ENTITIES, MARKETPLACE_MIGRATIONS } from '@htx/marketplace';

/** Every entity of every domain lib; the API wires them, the libs own them. */
export const ALL_ENTITIES = [...IDENTITY_ENTITIES, ...CATALOG_ENTITIES, ...INVENTORY_ENTITIES, ...ORDERS_ENTITIES, ...TRACEABILITY_ENTITIES, ...PAYMENTS_ENTITIES, ...MARKETPLACE_ENTITIES];

/** Every migration, in timestamp order (TypeORM sorts them by the number in the class name). */
export const ALL_MIGRATIONS = [
  ...SHARED_MIGRATIONS,
  ...IDENTITY_MIGRATIONS,
  ...CATALOG_MIGRATIONS,
  ...INVENTORY_MIGRATIONS,
  ...ORDERS_MIGRATIONS,
  ...TRACEABILITY_MIGRATIONS,
  ...PAYMENTS_MIGRATIONS,
  ...MARKETPLACE_MIGRATIONS,
];

export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: config.DB_POOL_SIZE, application_name: 'htx-api', connectionTimeoutMillis: 5000 },
  };
}

/** Creates the database named in DATABASE_URL if it does not exist yet (connecting to the server's `postgres` database). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`DATABASE_URL names an unusable database "${name}"`);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (e) {
      if ((e as { code?: string }).code !== '42P04') throw e; // created concurrently by another process
    }
    return true;
  } finally {
    await client.end();
  }
}

/** Applies pending migrations; safe to run from several processes at once (an advisory lock serialises them). */
export async function runMigrations(config: AppConfig): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(727274)');
    const applied = await ds.runMigrations({ transaction: 'each' });
    await ds.query('SELECT pg_advisory_unlock(727274)');
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
