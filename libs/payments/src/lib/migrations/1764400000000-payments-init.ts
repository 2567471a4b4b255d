import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments: one PaymentIntent per checkout (Stripe's model), an append-only log of everything a provider
 * told us (with a unique key that lets each provider transaction settle an intent exactly once), and the
 * bank transactions (statement lines, bank notifications) matched against VietQR transfers.
 */
export class PaymentsInit1764400000000 implements MigrationInterface {
  name = 'PaymentsInit1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_intents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        checkout_id uuid NOT NULL,
        idempotency_key text NOT NULL,
        cooperative_id uuid REFERENCES cooperatives(id) ON DELETE RESTRICT,
        method text NOT NULL CHECK (method IN ('cod', 'vnpay', 'vietqr')),
        status text NOT NULL CHECK (status IN ('requires_payment_method', 'requires_action', 'processing', 'succeeded', 'canceled', 'refunded', 'partially_refunded')),
        currency text NOT NULL DEFAULT 'VND' CHECK (currency = 'VND'),
        amount_vnd bigint NOT NULL CHECK (amount_vnd > 0),
        amount_received_vnd bigint NOT NULL DEFAULT 0 CHECK (amount_received_vnd >= 0),
        amount_refunded_vnd bigint NOT NULL DEFAULT 0 CHECK (amount_refunded_vnd >= 0),
        order_codes text[] NOT NULL CHECK (cardinality(order_codes) > 0),
        reference text NOT NULL,
        provider_txn_ref text,
        provider_transaction_no text,
        provider_data jsonb NOT NULL DEFAULT '{}'::jsonb,
        next_action jsonb,
        return_url text,
        client_ip text,
        expires_at timestamptz,
        succeeded_at timestamptz,
        canceled_at timestamptz,
        cancellation_reason text,
        attention text,
        attention_resolved_at timestamptz,
        attention_resolution text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_intents_one_per_checkout UNIQUE (checkout_id),
        CONSTRAINT payment_intents_provider_ref_unique UNIQUE (method, provider_txn_ref),
        CONSTRAINT payment_intents_refund_le_received CHECK (amount_refunded_vnd <= amount_received_vnd),
        CONSTRAINT payment_intents_succeeded_has_time CHECK (status <> 'succeeded' OR succeeded_at IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX payment_intents_open_idx ON payment_intents (method, expires_at) WHERE status IN ('requires_action', 'processing')`);
    await q.query(`CREATE INDEX payment_intents_coop_idx ON payment_intents (cooperative_id, created_at DESC)`);
    await q.query(`CREATE INDEX payment_intents_codes_idx ON payment_intents USING gin (order_codes)`);
    await q.query(`CREATE INDEX payment_intents_attention_idx ON payment_intents (cooperative_id, updated_at DESC) WHERE attention IS NOT NULL AND attention_resolved_at IS NULL`);

    await q.query(`
      CREATE TABLE payment_events (
        id bigserial PRIMARY KEY,
        intent_id uuid REFERENCES payment_intents(id) ON DELETE RESTRICT,
        provider text NOT NULL CHECK (provider IN ('cod', 'vnpay', 'vietqr')),
        kind text NOT NULL CHECK (kind IN ('created', 'observation', 'settlement', 'rejection', 'refund', 'cancellation')),
        source text NOT NULL,
        provider_txn_ref text,
        provider_transaction_no text,
        verified boolean NOT NULL,
        outcome text NOT NULL,
        amount_vnd bigint,
        status_before text,
        status_after text,
        raw jsonb NOT NULL,
        verified_payload jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // Exactly once: a provider transaction settles at most one intent, once, whichever channel (IPN, query, statement) reports it first.
    await q.query(`
      CREATE UNIQUE INDEX payment_events_settle_once ON payment_events (provider, provider_txn_ref, provider_transaction_no)
      WHERE kind = 'settlement'`);
    await q.query(`CREATE INDEX payment_events_intent_idx ON payment_events (intent_id, id)`);
    await q.query(`
      CREATE FUNCTION payment_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'payment_events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER payment_events_no_rewrite BEFORE UPDATE OR DELETE ON payment_events
      FOR EACH ROW EXECUTE FUNCTION payment_events_append_only()`);

    await q.query(`
      CREATE TABLE bank_transactions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cooperative_id uuid NOT NULL REFERENCES cooperatives(id) ON DELETE RESTRICT,
        source text NOT NULL CHECK (source IN ('statement', 'webhook')),
        bank_ref text NOT NULL CHECK (length(bank_ref) BETWEEN 1 AND 200),
        account_number text,
        amount_vnd bigint NOT NULL CHECK (amount_vnd > 0),
        description text NOT NULL,
        occurred_at timestamptz,
        intent_id uuid REFERENCES payment_intents(id) ON DELETE RESTRICT,
        match_status text NOT NULL CHECK (match_status IN ('matched', 'underpaid', 'overpaid', 'unmatched', 'duplicate_payment', 'late_payment')),
        expected_amount_vnd bigint,
        resolved_at timestamptz,
        resolved_by uuid REFERENCES users(id) ON DELETE SET NULL,
        resolution text,
        raw jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bank_transactions_once UNIQUE (cooperative_id, bank_ref)
      )`);
    await q.query(`
      CREATE INDEX bank_transactions_open_mismatch_idx ON bank_transactions (cooperative_id, created_at DESC)
      WHERE match_status <> 'matched' AND resolved_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bank_transactions`);
    await q.query(`DROP TABLE payment_events`);
    await q.query(`DROP FUNCTION payment_events_append_only()`);
    await q.query(`DROP TABLE payment_intents`);
  }
}
