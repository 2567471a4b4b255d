import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Database extensions every domain relies on: uuid generation, accent-insensitive search (Vietnamese
 * shoppers often type without diacritics) and trigram indexes.
 */
export class PlatformExtensions1763800000000 implements MigrationInterface {
  name = 'PlatformExtensions1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // unaccent() is STABLE (it reads a dictionary); index expressions need IMMUTABLE. Pinning the
    // dictionary makes this wrapper safe to index. Vietnamese đ/Đ are not decomposable, so map them too.
    await q.query(`
      CREATE OR REPLACE FUNCTION unaccent_immutable(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT lower(translate(public.unaccent('public.unaccent'::regdictionary, $1), 'đĐ', 'dD')) $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS unaccent_immutable(text)`);
  }
}

export const SHARED_MIGRATIONS = [PlatformExtensions1763800000000];
