import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Categories, products (owned by a cooperative), variants (pack sizes with SKU, price in VND and a GTIN-14) and
 * certificates. Search runs on `search_text`, an unaccented generated column with a trigram GIN index, so
 * `tra giao co lam` finds `Trà giảo cổ lam` without scanning in the application.
 */
export class CatalogInit1764000000000 implements MigrationInterface {
  name = 'CatalogInit1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE categories (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
        name_vi text NOT NULL CHECK (length(name_vi) BETWEEN 2 AND 120),
        name_en text,
        sort_order int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        category_id uuid REFERENCES categories(id) ON DELETE SET NULL,
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
        name_vi text NOT NULL CHECK (length(name_vi) BETWEEN 2 AND 200),
        name_en text CHECK (name_en IS NULL OR length(name_en) <= 200),
        description_vi text NOT NULL DEFAULT '',
        description_en text NOT NULL DEFAULT '',
        brand text NOT NULL DEFAULT '',
        image_urls text[] NOT NULL DEFAULT '{}' CHECK (cardinality(image_urls) <= 20),
        shelf_life_days int CHECK (shelf_life_days IS NULL OR shelf_life_days BETWEEN 1 AND 3650),
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('active', 'draft', 'archived')),
        search_text text GENERATED ALWAYS AS (
          unaccent_immutable(name_vi || ' ' || coalesce(name_en, '') || ' ' || brand)
        ) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT products_id_cooperative_key UNIQUE (id, cooperative_id)
      )`);
    await q.query(`CREATE INDEX products_search_trgm_idx ON products USING gin (search_text gin_trgm_ops)`);
    await q.query(`CREATE INDEX products_cooperative_idx ON products (cooperative_id, status, created_at DESC)`);
    await q.query(`CREATE INDEX products_category_idx ON products (category_id)`);
    await q.query(`CREATE INDEX products_status_created_idx ON products (status, created_at DESC, id)`);
    await q.query(`
      CREATE TABLE product_variants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        product_id uuid NOT NULL,
        cooperative_id uuid NOT NULL,
        sku text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        name_vi text NOT NULL CHECK (length(name_vi) BETWEEN 1 AND 120),
        name_en text,
        weight_grams int NOT NULL CHECK (weight_grams > 0 AND weight_grams <= 1000000),
        price_vnd bigint NOT NULL CHECK (price_vnd > 0 AND price_vnd <= 1000000000),
        gtin text NOT NULL CHECK (gtin ~ '^[0-9]{14}$'),
        active boolean NOT NULL DEFAULT true,
        sort_order int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT product_variants_product_fk FOREIGN KEY (product_id, cooperative_id) REFERENCES products (id, cooperative_id) ON DELETE RESTRICT,
        CONSTRAINT product_variants_sku_key UNIQUE (cooperative_id, sku),
        CONSTRAINT product_variants_gtin_key UNIQUE (gtin)
      )`);
    await q.query(`CREATE INDEX product_variants_product_idx ON product_variants (product_id, active, price_vnd)`);
    await q.query(`
      CREATE TABLE product_certificates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('vietgap', 'organic', 'ocop', 'other')),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
        issuer text NOT NULL CHECK (length(issuer) BETWEEN 2 AND 200),
        number text,
        stars int CHECK (stars BETWEEN 1 AND 5),
        valid_from date,
        valid_to date,
        document_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT product_certificates_ocop_stars CHECK ((kind = 'ocop') = (stars IS NOT NULL)),
        CONSTRAINT product_certificates_dates CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`CREATE INDEX product_certificates_product_idx ON product_certificates (product_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE product_certificates`);
    await q.query(`DROP TABLE product_variants`);
    await q.query(`DROP TABLE products`);
    await q.query(`DROP TABLE categories`);
  }
}
