import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '@htx/shared';

export const PAYMENT_METHODS = ['cod', 'vnpay', 'vietqr'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const INTENT_STATUSES = ['requires_payment_method', 'requires_action', 'processing', 'succeeded', 'canceled', 'refunded', 'partially_refunded'] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

/** A payment for one checkout, in integer VND, modelled on Stripe's PaymentIntent. */
@Entity({ name: 'payment_intents' })
export class PaymentIntent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'checkout_id', type: 'uuid' })
  checkoutId!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** The cooperative that receives the money (null when a checkout spans several). */
  @Column({ name: 'cooperative_id', type: 'uuid', nullable: true })
  cooperativeId!: string | null;

  @Column({ type: 'text' })
  method!: PaymentMethod;

  @Column({ type: 'text' })
  status!: IntentStatus;

  @Column({ type: 'text' })
  currency!: 'VND';

  @Column({ name: 'amount_vnd', type: 'bigint', transformer: bigintToNumber })
  amountVnd!: number;

  @Column({ name: 'amount_received_vnd', type: 'bigint', transformer: bigintToNumber })
  amountReceivedVnd!: number;

  @Column({ name: 'amount_refunded_vnd', type: 'bigint', transformer: bigintToNumber })
  amountRefundedVnd!: number;

  @Column({ name: 'order_codes', type: 'text', array: true })
  orderCodes!: string[];

  @Column({ type: 'text' })
  reference!: string;

  @Column({ name: 'provider_txn_ref', type: 'text', nullable: true })
  providerTxnRef!: string | null;

  @Column({ name: 'provider_transaction_no', type: 'text', nullable: true })
  providerTransactionNo!: string | null;

  @Column({ name: 'provider_data', type: 'jsonb' })
  providerData!: Record<string, unknown>;

  @Column({ name: 'next_action', type: 'jsonb', nullable: true })
  nextAction!: Record<string, unknown> | null;

  @Column({ name: 'return_url', type: 'text', nullable: true })
  returnUrl!: string | null;

  @Column({ name: 'client_ip', type: 'text', nullable: true })
  clientIp!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'succeeded_at', type: 'timestamptz', nullable: true })
  succeededAt!: Date | null;

  @Column({ name: 'canceled_at', type: 'timestamptz', nullable: true })
  canceledAt!: Date | null;

  @Column({ name: 'cancellation_reason', type: 'text', nullable: true })
  cancellationReason!: string | null;

  /** Why a manager must look at this payment (money received for orders that can no longer be paid…). */
  @Column({ type: 'text', nullable: true })
  attention!: string | null;

  @Column({ name: 'attention_resolved_at', type: 'timestamptz', nullable: true })
  attentionResolvedAt!: Date | null;

  @Column({ name: 'attention_resolution', type: 'text', nullable: true })
  attentionResolution!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** What a provider (or a person) said about a payment, raw and as verified. Never updated or deleted. */
@Entity({ name: 'payment_events' })
export class PaymentEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'intent_id', type: 'uuid', nullable: true })
  intentId!: string | null;

  @Column({ type: 'text' })
  provider!: PaymentMethod;

  @Column({ type: 'text' })
  kind!: 'created' | 'observation' | 'settlement' | 'rejection' | 'refund' | 'cancellation';

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'provider_txn_ref', type: 'text', nullable: true })
  providerTxnRef!: string | null;

  @Column({ name: 'provider_transaction_no', type: 'text', nullable: true })
  providerTransactionNo!: string | null;

  @Column({ type: 'boolean' })
  verified!: boolean;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ name: 'amount_vnd', type: 'bigint', nullable: true, transformer: bigintToNumber })
  amountVnd!: number | null;

  @Column({ name: 'status_before', type: 'text', nullable: true })
  statusBefore!: string | null;

  @Column({ name: 'status_after', type: 'text', nullable: true })
  statusAfter!: string | null;

  @Column({ type: 'jsonb' })
  raw!: unknown;

  @Column({ name: 'verified_payload', type: 'jsonb', nullable: true })
  verifiedPayload!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export const MATCH_STATUSES = ['matched', 'underpaid', 'overpaid', 'unmatched', 'duplicate_payment', 'late_payment'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

/** One incoming bank transfer (from a statement or a bank notification), and how it matched a VietQR payment. */
@Entity({ name: 'bank_transactions' })
export class BankTransaction {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id!: string;

  @Column({ name: 'cooperative_id', type: 'uuid' })
  cooperativeId!: string;

  @Column({ type: 'text' })
  source!: 'statement' | 'webhook';

  @Column({ name: 'bank_ref', type: 'text' })
  bankRef!: string;

  @Column({ name: 'account_number', type: 'text', nullable: true })
  accountNumber!: string | null;

  @Column({ name: 'amount_vnd', type: 'bigint', transformer: bigintToNumber })
  amountVnd!: number;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', nullable: true })
  occurredAt!: Date | null;

  @Column({ name: 'intent_id', type: 'uuid', nullable: true })
  intentId!: string | null;

  @Column({ name: 'match_status', type: 'text' })
  matchStatus!: MatchStatus;

  @Column({ name: 'expected_amount_vnd', type: 'bigint', nullable: true, transformer: bigintToNumber })
  expectedAmountVnd!: number | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy!: string | null;

  @Column({ type: 'text', nullable: true })
  resolution!: string | null;

  @Column({ type: 'jsonb' })
  raw!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
