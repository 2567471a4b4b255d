import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdentityInit1763900000000 implements MigrationInterface {
  name = 'IdentityInit1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cooperatives (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 60),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
        name_en text,
        province_code text NOT NULL,
        province_name text NOT NULL,
        commune_code text NOT NULL,
        commune_name text NOT NULL,
        address_line text NOT NULL DEFAULT '',
        description_vi text NOT NULL DEFAULT '',
        description_en text NOT NULL DEFAULT '',
        contact_phone text,
        contact_email text,
        bank_bin text CHECK (bank_bin ~ '^[0-9]{6}$'),
        bank_account_number text CHECK (bank_account_number ~ '^[0-9A-Za-z]{4,19}$'),
        bank_account_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE CHECK (email = lower(email) AND position('@' in email) > 1),
        phone text,
        full_name text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('platform_admin', 'coop_manager', 'coop_member')),
        cooperative_id uuid REFERENCES cooperatives(id) ON DELETE RESTRICT,
        active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_tenant_role CHECK ((role = 'platform_admin') = (cooperative_id IS NULL))
      )`);
    await q.query(`CREATE INDEX users_cooperative_idx ON users (cooperative_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE cooperatives`);
  }
}
