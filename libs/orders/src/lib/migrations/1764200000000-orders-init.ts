import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders: checkouts (one per Idempotency-Key), one order per cooperative of a checkout, order lines,
 * the audited state machine transitions, per-cooperative-per-day order code counters, and each
 * cooperative's shipping terms and order code prefix.
 */
export class OrdersInit1764200000000 implements MigrationInterface {
  name = 'OrdersInit1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE cooperatives
        ADD COLUMN shipping_flat_fee_vnd bigint NOT NULL DEFAULT 30000 CHECK (shipping_flat_fee_vnd >= 0),
        ADD COLUMN free_shipping_threshold_vnd bigint DEFAULT 500000 CHECK (free_shipping_threshold_vnd >= 0),
        ADD COLUMN order_code_prefix text UNIQUE CHECK (order_code_prefix ~ '^[A-Z][A-Z0-9]{1,5}$')`);
    await q.query(`
      CREATE TABLE checkouts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 8 AND 200),
        request_hash text NOT NULL,
        payment_method text NOT NULL CHECK (payment_method IN ('cod', 'vnpay', 'vietqr')),
        total_vnd bigint NOT NULL DEFAULT 0 CHECK (total_vnd >= 0),
        response jsonb,
        payment_due_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        checkout_id uuid REFERENCES checkouts(id) ON DELETE RESTRICT,
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        channel text NOT NULL DEFAULT 'shop' CHECK (channel IN ('shop', 'postmart')),
        external_ref text,
        status text NOT NULL CHECK (status IN ('placed', 'awaiting_payment', 'paid', 'confirmed', 'packed', 'shipped', 'delivered', 'cancelled', 'returned')),
        payment_method text NOT NULL CHECK (payment_method IN ('cod', 'vnpay', 'vietqr', 'marketplace')),
        customer_name text NOT NULL CHECK (length(customer_name) BETWEEN 1 AND 200),
        customer_phone text NOT NULL CHECK (customer_phone ~ '^0[0-9]{9}$'),
        customer_email text,
        province_code text NOT NULL,
        province_name text NOT NULL,
        commune_code text NOT NULL,
        commune_name text NOT NULL,
        address_line text NOT NULL,
        note text,
        subtotal_vnd bigint NOT NULL CHECK (subtotal_vnd >= 0),
        shipping_fee_vnd bigint NOT NULL CHECK (shipping_fee_vnd >= 0),
        total_vnd bigint NOT NULL CHECK (total_vnd >= 0),
        placed_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_total_adds_up CHECK (total_vnd = subtotal_vnd + shipping_fee_vnd),
        CONSTRAINT orders_external_ref_unique UNIQUE (channel, cooperative_id, external_ref)
      )`);
    await q.query(`CREATE INDEX orders_cooperative_placed_idx ON orders (cooperative_id, placed_at DESC)`);
    await q.query(`CREATE INDEX orders_checkout_idx ON orders (checkout_id)`);
    await q.query(`CREATE INDEX orders_phone_idx ON orders (customer_phone)`);
    await q.query(`CREATE INDEX orders_status_idx ON orders (cooperative_id, status)`);
    await q.query(`
      CREATE TABLE order_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        variant_id uuid NOT NULL REFERENCES product_variants(id) ON DELETE RESTRICT,
        product_id uuid NOT NULL,
        sku text NOT NULL,
        product_name_vi text NOT NULL,
        variant_name_vi text NOT NULL,
        unit_price_vnd bigint NOT NULL CHECK (unit_price_vnd >= 0),
        quantity integer NOT NULL CHECK (quantity > 0),
        line_total_vnd bigint NOT NULL CHECK (line_total_vnd >= 0),
        lots jsonb NOT NULL DEFAULT '[]'::jsonb,
        CONSTRAINT order_lines_total_adds_up CHECK (line_total_vnd = unit_price_vnd * quantity),
        CONSTRAINT order_lines_one_per_variant UNIQUE (order_id, variant_id)
      )`);
    await q.query(`CREATE INDEX order_lines_variant_idx ON order_lines (variant_id)`);
    await q.query(`
      CREATE TABLE order_transitions (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        from_status text,
        to_status text NOT NULL,
        actor_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        actor text NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX order_transitions_order_idx ON order_transitions (order_id, id)`);
    await q.query(`
      CREATE TABLE order_code_counters (
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE CASCADE,
        day date NOT NULL,
        last_value integer NOT NULL CHECK (last_value > 0),
        PRIMARY KEY (cooperative_id, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE order_code_counters`);
    await q.query(`DROP TABLE order_transitions`);
    await q.query(`DROP TABLE order_lines`);
    await q.query(`DROP TABLE orders`);
    await q.query(`DROP TABLE checkouts`);
    await q.query(`ALTER TABLE cooperatives DROP COLUMN order_code_prefix, DROP COLUMN free_shipping_threshold_vnd, DROP COLUMN shipping_flat_fee_vnd`);
  }
}
