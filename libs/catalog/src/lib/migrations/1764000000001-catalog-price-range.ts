import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cached price range of each product (its active variants' lowest and highest price), kept by a trigger so that
 * listings sorted by price read an indexed column instead of aggregating variants for every matching product.
 * Writers of one product's variants serialise on the product row (CatalogService locks it FOR UPDATE), so the
 * trigger's aggregate always sees the other writers' rows.
 */
export class CatalogPriceRange1764000000001 implements MigrationInterface {
  name = 'CatalogPriceRange1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE products ADD COLUMN price_min_vnd bigint, ADD COLUMN price_max_vnd bigint`);
    await q.query(`
      CREATE FUNCTION products_refresh_price_range(pid uuid) RETURNS void LANGUAGE sql AS $$
        UPDATE products p SET price_min_vnd = r.mn, price_max_vnd = r.mx
          FROM (SELECT min(price_vnd) AS mn, max(price_vnd) AS mx FROM product_variants WHERE product_id = pid AND active) r
         WHERE p.id = pid AND (p.price_min_vnd IS DISTINCT FROM r.mn OR p.price_max_vnd IS DISTINCT FROM r.mx)
      $$`);
    await q.query(`
      CREATE FUNCTION product_variants_price_range_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM products_refresh_price_range(OLD.product_id); END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.product_id IS DISTINCT FROM OLD.product_id
            OR NEW.price_vnd IS DISTINCT FROM OLD.price_vnd OR NEW.active IS DISTINCT FROM OLD.active) THEN
          PERFORM products_refresh_price_range(NEW.product_id);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER product_variants_price_range AFTER INSERT OR UPDATE OR DELETE ON product_variants
      FOR EACH ROW EXECUTE FUNCTION product_variants_price_range_trigger()`);
    await q.query(`
      UPDATE products p SET price_min_vnd = r.mn, price_max_vnd = r.mx
        FROM (SELECT product_id, min(price_vnd) AS mn, max(price_vnd) AS mx FROM product_variants WHERE active GROUP BY product_id) r
       WHERE r.product_id = p.id`);
    await q.query(`CREATE INDEX products_price_min_idx ON products (status, price_min_vnd, created_at DESC)`);
    await q.query(`CREATE INDEX products_price_max_idx ON products (status, price_max_vnd DESC, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER product_variants_price_range ON product_variants`);
    await q.query(`DROP FUNCTION product_variants_price_range_trigger()`);
    await q.query(`DROP FUNCTION products_refresh_price_range(uuid)`);
    await q.query(`ALTER TABLE products DROP COLUMN price_min_vnd, DROP COLUMN price_max_vnd`);
  }
}
