import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  for (const child of globalThis.__HTX_E2E_CHILDREN__ ?? []) child.kill('SIGTERM');
  const db = process.env.HTX_E2E_DB;
  if (!db) return;
  const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
