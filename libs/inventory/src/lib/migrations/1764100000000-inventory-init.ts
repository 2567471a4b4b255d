import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lot-based stock with an append-only movement ledger and cached counters guarded by CHECK constraints.
 *
 * Counters and the ledger they must equal (tested):
 *   inventory_lots.on_hand        = Σ quantity of the lot's receipt/adjustment/allocation/return movements
 *   inventory_stock.on_hand       = Σ inventory_lots.on_hand of the variant
 *   inventory_stock.blocked       = Σ inventory_lots.on_hand of the variant's recalled lots
 *   inventory_stock.reserved      = Σ quantity of the variant's reservation/release/allocation movements
 *   inventory_reservations.*      = the same per order, inventory_allocations = allocation movements per order and lot
 * Movement quantities are signed deltas: receipt +, allocation − (on_hand and reserved), return +, reservation +,
 * release −, adjustment ±; a recall movement records the quantity withdrawn from sale and changes no sum.
 */
export class InventoryInit1764100000000 implements MigrationInterface {
  name = 'InventoryInit1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inventory_lots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        variant_id uuid NOT NULL REFERENCES product_variants(id) ON DELETE RESTRICT,
        lot_code text NOT NULL CHECK (lot_code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$'),
        harvest_date date,
        expiry_date date,
        quantity_received int NOT NULL CHECK (quantity_received > 0),
        on_hand int NOT NULL CHECK (on_hand >= 0),
        note text NOT NULL DEFAULT '',
        recalled_at timestamptz,
        recall_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inventory_lots_variant_code_key UNIQUE (variant_id, lot_code),
        CONSTRAINT inventory_lots_dates CHECK (expiry_date IS NULL OR harvest_date IS NULL OR expiry_date >= harvest_date),
        CONSTRAINT inventory_lots_recall CHECK ((recalled_at IS NULL) = (recall_reason IS NULL))
      )`);
    await q.query(`CREATE INDEX inventory_lots_fefo_idx ON inventory_lots (variant_id, expiry_date NULLS LAST, created_at) WHERE recalled_at IS NULL`);
    await q.query(`CREATE INDEX inventory_lots_cooperative_expiry_idx ON inventory_lots (cooperative_id, expiry_date)`);
    await q.query(`
      CREATE TABLE inventory_stock (
        variant_id uuid PRIMARY KEY REFERENCES product_variants(id) ON DELETE RESTRICT,
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        on_hand int NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
        blocked int NOT NULL DEFAULT 0 CHECK (blocked >= 0),
        reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inventory_stock_blocked_le_on_hand CHECK (blocked <= on_hand),
        CONSTRAINT inventory_stock_reserved_le_on_hand CHECK (reserved <= on_hand)
      )`);
    await q.query(`CREATE INDEX inventory_stock_cooperative_idx ON inventory_stock (cooperative_id)`);
    await q.query(`
      CREATE TABLE inventory_reservations (
        order_id uuid NOT NULL,
        variant_id uuid NOT NULL REFERENCES product_variants(id) ON DELETE RESTRICT,
        reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        allocated int NOT NULL DEFAULT 0 CHECK (allocated >= 0),
        released int NOT NULL DEFAULT 0 CHECK (released >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, variant_id)
      )`);
    await q.query(`
      CREATE TABLE inventory_allocations (
        order_id uuid NOT NULL,
        lot_id uuid NOT NULL REFERENCES inventory_lots(id) ON DELETE RESTRICT,
        variant_id uuid NOT NULL REFERENCES product_variants(id) ON DELETE RESTRICT,
        quantity int NOT NULL CHECK (quantity > 0),
        returned int NOT NULL DEFAULT 0 CHECK (returned >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, lot_id),
        CONSTRAINT inventory_allocations_returned_le_quantity CHECK (returned <= quantity)
      )`);
    await q.query(`CREATE INDEX inventory_allocations_lot_idx ON inventory_allocations (lot_id)`);
    await q.query(`
      CREATE TABLE inventory_movements (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        variant_id uuid NOT NULL REFERENCES product_variants(id) ON DELETE RESTRICT,
        lot_id uuid REFERENCES inventory_lots(id) ON DELETE RESTRICT,
        order_id uuid,
        kind text NOT NULL CHECK (kind IN ('receipt', 'reservation', 'allocation', 'release', 'adjustment', 'return', 'recall')),
        quantity int NOT NULL,
        reason text,
        actor_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inventory_movements_sign CHECK (
          (kind IN ('receipt', 'reservation', 'return') AND quantity > 0) OR
          (kind IN ('allocation', 'release') AND quantity < 0) OR
          (kind = 'adjustment' AND quantity <> 0 AND reason IS NOT NULL) OR
          (kind = 'recall' AND quantity >= 0 AND reason IS NOT NULL)),
        CONSTRAINT inventory_movements_lot CHECK ((lot_id IS NULL) = (kind IN ('reservation', 'release'))),
        CONSTRAINT inventory_movements_order CHECK ((order_id IS NOT NULL) OR kind IN ('receipt', 'adjustment', 'recall'))
      )`);
    await q.query(`CREATE INDEX inventory_movements_variant_idx ON inventory_movements (variant_id, id)`);
    await q.query(`CREATE INDEX inventory_movements_lot_idx ON inventory_movements (lot_id, id) WHERE lot_id IS NOT NULL`);
    await q.query(`CREATE INDEX inventory_movements_order_idx ON inventory_movements (order_id) WHERE order_id IS NOT NULL`);
    // The ledger is append-only: refuse UPDATE and DELETE at the database.
    await q.query(`
      CREATE FUNCTION inventory_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'inventory_movements is append-only' USING ERRCODE = 'check_violation', CONSTRAINT = 'inventory_movements_append_only';
      END $$`);
    await q.query(`
      CREATE TRIGGER inventory_movements_append_only BEFORE UPDATE OR DELETE ON inventory_movements
      FOR EACH ROW EXECUTE FUNCTION inventory_movements_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inventory_movements`);
    await q.query(`DROP FUNCTION inventory_movements_append_only()`);
    await q.query(`DROP TABLE inventory_allocations`);
    await q.query(`DROP TABLE inventory_reservations`);
    await q.query(`DROP TABLE inventory_stock`);
    await q.query(`DROP TABLE inventory_lots`);
  }
}
