import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marketplace channels: a cooperative's connection to a marketplace (Postmart), the manager's choices per
 * product (listed or not, the marketplace category), the sync state of each variant's listing (what was last
 * pushed, when, and the last error), and the marketplace orders imported (or flagged) per connection.
 *
 * Triggers send a NOTIFY (channel `htx_channel_sync`, payload `kind:cooperative_id`) when stock, a product or a
 * marketplace order changes, so the API enqueues a debounced sync job at once; Postgres folds identical
 * notifications of one transaction into one, and a repeating reconcile job makes up for any lost one.
 */
export class ChannelsInit1764500000000 implements MigrationInterface {
  name = 'ChannelsInit1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channel_connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        channel text NOT NULL CHECK (channel IN ('postmart')),
        base_url text NOT NULL CHECK (base_url ~ '^https?://[^\\s]+$'),
        merchant_id text NOT NULL CHECK (length(merchant_id) BETWEEN 1 AND 100),
        secret_enc text NOT NULL,
        secret_hint text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        price_rule_percent int NOT NULL DEFAULT 0 CHECK (price_rule_percent BETWEEN -50 AND 300),
        order_cursor text,
        orders_polled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT channel_connections_coop_channel_key UNIQUE (cooperative_id, channel),
        CONSTRAINT channel_connections_merchant_key UNIQUE (channel, merchant_id)
      )`);
    await q.query(`
      CREATE TABLE channel_products (
        connection_id uuid NOT NULL REFERENCES channel_connections(id) ON DELETE CASCADE,
        product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        listed boolean NOT NULL DEFAULT false,
        category_id int,
        category_name text,
        commission_rate numeric(5,2),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connection_id, product_id),
        CONSTRAINT channel_products_listed_needs_category CHECK (NOT listed OR category_id IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE channel_listings (
        connection_id uuid NOT NULL REFERENCES channel_connections(id) ON DELETE CASCADE,
        variant_id uuid NOT NULL REFERENCES product_variants(id) ON DELETE CASCADE,
        product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        external_id text,
        pushed_hash text,
        pushed_price bigint,
        pushed_stock int,
        pushed_status text CHECK (pushed_status IN ('active', 'inactive')),
        push_seq int NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_sync', 'failed')),
        last_error text,
        last_synced_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connection_id, variant_id)
      )`);
    await q.query(`CREATE INDEX channel_listings_product_idx ON channel_listings (connection_id, product_id)`);
    await q.query(`
      CREATE TABLE channel_orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES channel_connections(id) ON DELETE RESTRICT,
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        external_id text NOT NULL,
        external_code text NOT NULL,
        external_version int NOT NULL DEFAULT 0,
        state text NOT NULL CHECK (state IN ('imported', 'flagged', 'dismissed')),
        order_id uuid REFERENCES orders(id) ON DELETE RESTRICT,
        flag_reason text,
        payload jsonb NOT NULL,
        acknowledged_at timestamptz,
        pushed_status text,
        push_error text,
        duplicates int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT channel_orders_external_key UNIQUE (connection_id, external_id),
        CONSTRAINT channel_orders_imported_has_order CHECK (state <> 'imported' OR order_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX channel_orders_coop_idx ON channel_orders (cooperative_id, state, created_at DESC)`);
    await q.query(`CREATE INDEX channel_orders_order_idx ON channel_orders (order_id)`);

    await q.query(`
      CREATE FUNCTION channel_sync_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Only cooperatives with an enabled channel pay for a NOTIFY (committing a NOTIFY takes a database-wide lock).
        IF EXISTS (SELECT 1 FROM channel_connections WHERE cooperative_id = NEW.cooperative_id AND enabled) THEN
          PERFORM pg_notify('htx_channel_sync', TG_ARGV[0] || ':' || NEW.cooperative_id::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER inventory_stock_channel_sync_insert AFTER INSERT ON inventory_stock
      FOR EACH ROW EXECUTE FUNCTION channel_sync_notify('stock')`);
    // Only when what can be sold changes (allocating a reservation moves on_hand and reserved together: no change).
    await q.query(`
      CREATE TRIGGER inventory_stock_channel_sync AFTER UPDATE ON inventory_stock
      FOR EACH ROW WHEN (OLD.on_hand - OLD.blocked - OLD.reserved IS DISTINCT FROM NEW.on_hand - NEW.blocked - NEW.reserved)
      EXECUTE FUNCTION channel_sync_notify('stock')`);
    await q.query(`
      CREATE TRIGGER inventory_lots_channel_sync AFTER UPDATE OF recalled_at, expiry_date ON inventory_lots
      FOR EACH ROW EXECUTE FUNCTION channel_sync_notify('stock')`);
    await q.query(`
      CREATE TRIGGER products_channel_sync AFTER INSERT OR UPDATE ON products
      FOR EACH ROW EXECUTE FUNCTION channel_sync_notify('listing')`);
    await q.query(`
      CREATE TRIGGER product_variants_channel_sync AFTER INSERT OR UPDATE ON product_variants
      FOR EACH ROW EXECUTE FUNCTION channel_sync_notify('listing')`);
    await q.query(`
      CREATE TRIGGER orders_channel_sync AFTER UPDATE OF status ON orders
      FOR EACH ROW WHEN (NEW.channel = 'postmart' AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION channel_sync_notify('order')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER orders_channel_sync ON orders`);
    await q.query(`DROP TRIGGER product_variants_channel_sync ON product_variants`);
    await q.query(`DROP TRIGGER products_channel_sync ON products`);
    await q.query(`DROP TRIGGER inventory_lots_channel_sync ON inventory_lots`);
    await q.query(`DROP TRIGGER inventory_stock_channel_sync ON inventory_stock`);
    await q.query(`DROP TRIGGER inventory_stock_channel_sync_insert ON inventory_stock`);
    await q.query(`DROP FUNCTION channel_sync_notify()`);
    await q.query(`DROP TABLE channel_orders`);
    await q.query(`DROP TABLE channel_listings`);
    await q.query(`DROP TABLE channel_products`);
    await q.query(`DROP TABLE channel_connections`);
  }
}
