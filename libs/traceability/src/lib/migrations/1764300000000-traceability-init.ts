import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Traceability: producer households, plots, locations, lot origins, EPCIS events with a per-lot hash chain,
 * captures, scans and scan anomalies. Lots are inventory lots (inventory_lots, owned by libs/inventory).
 *
 * trace_events and trace_chain are append-only (a trigger refuses UPDATE and DELETE); corrections are new
 * events that name the corrected event. A direct edit with the trigger disabled is caught by verification,
 * which recomputes every chain hash from the stored event JSON.
 */
export class TraceabilityInit1764300000000 implements MigrationInterface {
  name = 'TraceabilityInit1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trace_producers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        user_id uuid UNIQUE REFERENCES users(id) ON DELETE SET NULL,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 120),
        village text NOT NULL CHECK (length(btrim(village)) BETWEEN 1 AND 120),
        ethnic_group text CHECK (ethnic_group IS NULL OR length(ethnic_group) <= 60),
        phone text CHECK (phone IS NULL OR phone ~ '^0[0-9]{9}$'),
        consent_public_name boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT trace_producers_natural_key UNIQUE (cooperative_id, name, village)
      )`);
    await q.query(`
      CREATE TABLE trace_plots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        producer_id uuid NOT NULL REFERENCES trace_producers(id) ON DELETE RESTRICT,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
        area_m2 numeric(12, 2) NOT NULL CHECK (area_m2 > 0),
        crop text NOT NULL CHECK (length(btrim(crop)) BETWEEN 1 AND 120),
        geometry jsonb NOT NULL CHECK (geometry->>'type' IN ('Point', 'Polygon')),
        latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
        longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
        certificates jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(certificates) = 'array'),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT trace_plots_natural_key UNIQUE (cooperative_id, name)
      )`);
    await q.query(`CREATE INDEX trace_plots_producer_idx ON trace_plots (producer_id)`);
    await q.query(`
      CREATE TABLE trace_locations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        kind text NOT NULL CHECK (kind IN ('cooperative', 'plot', 'facility')),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 160),
        plot_id uuid UNIQUE REFERENCES trace_plots(id) ON DELETE RESTRICT,
        address text NOT NULL DEFAULT '',
        latitude double precision CHECK (latitude BETWEEN -90 AND 90),
        longitude double precision CHECK (longitude BETWEEN -180 AND 180),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT trace_locations_natural_key UNIQUE (cooperative_id, name),
        CONSTRAINT trace_locations_plot CHECK ((kind = 'plot') = (plot_id IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE trace_lot_origins (
        lot_id uuid NOT NULL REFERENCES inventory_lots(id) ON DELETE RESTRICT,
        plot_id uuid NOT NULL REFERENCES trace_plots(id) ON DELETE RESTRICT,
        producer_id uuid NOT NULL REFERENCES trace_producers(id) ON DELETE RESTRICT,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (lot_id, plot_id)
      )`);
    await q.query(`CREATE INDEX trace_lot_origins_producer_idx ON trace_lot_origins (producer_id)`);
    await q.query(`
      CREATE TABLE trace_captures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid REFERENCES cooperatives(id) ON DELETE RESTRICT,
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        status text NOT NULL CHECK (status IN ('accepted', 'partial', 'rejected')),
        event_count int NOT NULL CHECK (event_count >= 0),
        stored_count int NOT NULL CHECK (stored_count >= 0),
        duplicate_count int NOT NULL CHECK (duplicate_count >= 0),
        errors jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE trace_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id text NOT NULL UNIQUE CHECK (event_id ~ '^ni:///sha-256;[0-9a-f]{64}\\?ver=CBV2\\.0$'),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        event_type text NOT NULL CHECK (event_type IN ('ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent')),
        biz_step text,
        event_time timestamptz NOT NULL,
        event jsonb NOT NULL,
        corrects_event_id text REFERENCES trace_events(event_id) ON DELETE RESTRICT,
        capture_id uuid REFERENCES trace_captures(id) ON DELETE RESTRICT,
        recorded_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX trace_events_cooperative_time_idx ON trace_events (cooperative_id, event_time, id)`);
    await q.query(`CREATE INDEX trace_events_biz_step_idx ON trace_events (biz_step, event_time)`);
    await q.query(`
      CREATE TABLE trace_chain (
        lot_id uuid NOT NULL REFERENCES inventory_lots(id) ON DELETE RESTRICT,
        seq int NOT NULL CHECK (seq >= 1),
        event_pk bigint NOT NULL REFERENCES trace_events(id) ON DELETE RESTRICT,
        role text NOT NULL CHECK (role IN ('subject', 'input', 'output')),
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        chain_hash text NOT NULL CHECK (chain_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (lot_id, seq),
        CONSTRAINT trace_chain_event_once UNIQUE (lot_id, event_pk)
      )`);
    await q.query(`CREATE INDEX trace_chain_event_idx ON trace_chain (event_pk)`);
    await q.query(`
      CREATE TABLE trace_lot_heads (
        lot_id uuid PRIMARY KEY REFERENCES inventory_lots(id) ON DELETE RESTRICT,
        seq int NOT NULL DEFAULT 0 CHECK (seq >= 0),
        head_hash text NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION trace_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: record a correcting event instead', TG_TABLE_NAME
          USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
      END $$`);
    for (const table of ['trace_events', 'trace_chain']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION trace_append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION trace_append_only()`);
    }
    await q.query(`
      CREATE TABLE trace_scans (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        lot_id uuid NOT NULL REFERENCES inventory_lots(id) ON DELETE RESTRICT,
        serial text,
        scanned_at timestamptz NOT NULL,
        device_class text NOT NULL CHECK (device_class IN ('mobile', 'tablet', 'desktop', 'bot', 'other')),
        ip_hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX trace_scans_lot_idx ON trace_scans (lot_id, scanned_at)`);
    await q.query(`CREATE INDEX trace_scans_serial_idx ON trace_scans (lot_id, serial, scanned_at) WHERE serial IS NOT NULL`);
    await q.query(`
      CREATE TABLE trace_anomalies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        lot_id uuid NOT NULL REFERENCES inventory_lots(id) ON DELETE RESTRICT,
        serial text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('high_scan_rate', 'many_places')),
        scans int NOT NULL,
        places int NOT NULL,
        first_flagged_at timestamptz NOT NULL DEFAULT now(),
        last_flagged_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT trace_anomalies_key UNIQUE (lot_id, serial, kind)
      )`);
    await q.query(`CREATE INDEX trace_anomalies_cooperative_idx ON trace_anomalies (cooperative_id, last_flagged_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trace_anomalies`);
    await q.query(`DROP TABLE trace_scans`);
    await q.query(`DROP TABLE trace_lot_heads`);
    await q.query(`DROP TABLE trace_chain`);
    await q.query(`DROP TABLE trace_events`);
    await q.query(`DROP FUNCTION trace_append_only()`);
    await q.query(`DROP TABLE trace_captures`);
    await q.query(`DROP TABLE trace_lot_origins`);
    await q.query(`DROP TABLE trace_locations`);
    await q.query(`DROP TABLE trace_plots`);
    await q.query(`DROP TABLE trace_producers`);
  }
}
