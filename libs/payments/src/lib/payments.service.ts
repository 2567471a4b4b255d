import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, In, LessThanOrEqual } from 'typeorm';
import { canSee } from '@htx/identity';
import { assertVnd, AuthUser, badRequest, conflict, notFound, Page, PageQuery, toPage, unprocessable } from '@htx/shared';
import { IntentStatus, PaymentEvent, PaymentIntent, PaymentMethod } from './entities/payment.entities';
import { CodProvider, PaymentProvider, PaymentStep, ProviderReport, StartPaymentInput, VietQrProvider, VnpayProvider } from './providers';

/**
 * How payments reach the orders of a checkout. The orders lib implements it (OrdersService has exactly
 * these methods) and registers itself with `PaymentsService.useCheckoutSettlement(this)`; payments never
 * imports the orders lib, so there is no dependency cycle.
 */
export interface CheckoutSettlement {
  /** Orders of the checkout → paid, stock allocated, in the caller's transaction; idempotent. */
  markCheckoutPaid(tx: EntityManager, checkoutId: string, note: string): Promise<void>;
  /** Unpaid orders → cancelled, reservations released; idempotent. */
  expireCheckout(tx: EntityManager, checkoutId: string, reason: string): Promise<void>;
}

/** VNPay's IPN answers. */
export interface IpnAnswer {
  RspCode: '00' | '01' | '02' | '04' | '97' | '99';
  Message: string;
}

export interface VnpayReturnResult {
  verified: boolean;
  success: boolean;
  message: string;
  status: IntentStatus | null;
  orderCodes: string[];
  amountVnd: number | null;
}

export interface PaymentView {
  id: string;
  checkoutId: string;
  cooperativeId: string | null;
  method: PaymentMethod;
  status: IntentStatus;
  currency: 'VND';
  amountVnd: number;
  amountReceivedVnd: number;
  amountRefundedVnd: number;
  orderCodes: string[];
  reference: string;
  providerTxnRef: string | null;
  providerTransactionNo: string | null;
  expiresAt: string | null;
  succeededAt: string | null;
  canceledAt: string | null;
  attention: string | null;
  createdAt: string;
}

export interface PaymentEventView {
  id: string;
  kind: string;
  source: string;
  outcome: string;
  verified: boolean;
  amountVnd: number | null;
  statusBefore: string | null;
  statusAfter: string | null;
  createdAt: string;
}

export const OPEN_STATUSES: IntentStatus[] = ['requires_payment_method', 'requires_action', 'processing'];
const DEFAULT_PAYMENT_WINDOW_MS = 30 * 60_000;

export function toPaymentView(i: PaymentIntent): PaymentView {
  return {
    id: i.id,
    checkoutId: i.checkoutId,
    cooperativeId: i.cooperativeId,
    method: i.method,
    status: i.status,
    currency: 'VND',
    amountVnd: i.amountVnd,
    amountReceivedVnd: i.amountReceivedVnd,
    amountRefundedVnd: i.amountRefundedVnd,
    orderCodes: i.orderCodes,
    reference: i.reference,
    providerTxnRef: i.providerTxnRef,
    providerTransactionNo: i.providerTransactionNo,
    expiresAt: i.expiresAt?.toISOString() ?? null,
    succeededAt: i.succeededAt?.toISOString() ?? null,
    canceledAt: i.canceledAt?.toISOString() ?? null,
    attention: i.attentionResolvedAt ? null : i.attention,
    createdAt: i.createdAt.toISOString(),
  };
}

interface EventInput {
  intent: PaymentIntent | null;
  provider: PaymentMethod;
  kind: PaymentEvent['kind'];
  source: string;
  txnRef?: string | null;
  transactionNo?: string | null;
  verified: boolean;
  outcome: string;
  amountVnd?: number | null;
  statusAfter?: IntentStatus | null;
  raw: unknown;
  verifiedPayload?: unknown;
}

/**
 * PaymentIntents: created with a checkout, moved only by verified provider reports (VNPay IPN or query,
 * matched bank transfers, cash recorded by a manager), each applied exactly once in the same transaction
 * as the event that proved it and as the orders it pays.
 */
/**
 * PostgreSQL text and jsonb cannot hold U+0000; callbacks are logged as received, so a NUL someone put in a
 * query string (keys included) is replaced by U+FFFD instead of failing the insert (which would be a 500).
 */
function withoutNul<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD') as T;
  if (!value || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) return value.map((v) => withoutNul(v, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v, depth + 1)])) as T;
}

@Injectable()
export class PaymentsService {
  private readonly logger = new Logger('Payments');
  private settlement: CheckoutSettlement | null = null;
  private readonly providers: Record<PaymentMethod, PaymentProvider>;

  constructor(
    private readonly ds: DataSource,
    cod: CodProvider,
    readonly vnpay: VnpayProvider,
    vietqr: VietQrProvider,
  ) {
    this.providers = { cod, vnpay, vietqr };
  }

  /** Called once by the orders lib (OrdersService) so that payments can pay and expire checkouts. */
  useCheckoutSettlement(settlement: CheckoutSettlement): void {
    this.settlement = settlement;
  }

  private requireSettlement(): CheckoutSettlement {
    if (!this.settlement) throw new Error('No checkout settlement registered: OrdersService must call PaymentsService.useCheckoutSettlement(this)');
    return this.settlement;
  }

  /** Payment methods offered at checkout (VNPay only when configured). */
  availableMethods(): PaymentMethod[] {
    return (Object.values(this.providers) as PaymentProvider[]).filter((p) => p.available()).map((p) => p.method);
  }

  provider(method: PaymentMethod): PaymentProvider {
    const p = this.providers[method];
    if (!p) throw badRequest(`Unknown payment method ${method}`);
    return p;
  }

  /**
   * Creates the checkout's PaymentIntent (idempotent on the checkout id: a replay gets the same step back)
   * and answers what the shopper must do next. Runs in the checkout's transaction.
   */
  async startPayment(tx: EntityManager, input: StartPaymentInput): Promise<PaymentStep> {
    assertVnd(input.amountVnd, 'amountVnd');
    if (input.amountVnd <= 0) throw unprocessable('Số tiền thanh toán phải lớn hơn 0 / The amount to pay must be positive');
    if (!input.orderCodes.length) throw badRequest('orderCodes must name at least one order');
    const provider = this.provider(input.method);
    if (!provider.available()) throw unprocessable(`Phương thức thanh toán ${input.method} hiện không dùng được / Payment method ${input.method} is not offered`);

    const existing = await tx.getRepository(PaymentIntent).findOne({ where: { checkoutId: input.checkoutId } });
    if (existing) return this.providers[existing.method].present(existing);

    const expiresAt = input.expiresAt ?? new Date(Date.now() + DEFAULT_PAYMENT_WINDOW_MS);
    const coops = [...new Set(input.cooperativeIds ?? [])];
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO payment_intents (checkout_id, idempotency_key, cooperative_id, method, status, amount_vnd, order_codes, reference, return_url, client_ip, expires_at)
       VALUES ($1, $2, $3, $4, 'requires_payment_method', $5, $6, $7, $8, $9, $10)
       ON CONFLICT (checkout_id) DO NOTHING RETURNING id`,
      [input.checkoutId, input.idempotencyKey, coops.length === 1 ? coops[0] : null, input.method, input.amountVnd, input.orderCodes, input.orderCodes.join(' '), input.returnUrl ?? null, input.clientIp ?? null, expiresAt],
    );
    const id = inserted[0]?.id;
    if (!id) {
      // Created concurrently by a replay of the same checkout.
      const again = await tx.getRepository(PaymentIntent).findOneOrFail({ where: { checkoutId: input.checkoutId } });
      return this.providers[again.method].present(again);
    }
    const created = await provider.create(tx, id, input, expiresAt);
    await tx.query(
      `UPDATE payment_intents SET status = $2, provider_txn_ref = $3, provider_data = $4, next_action = $5, updated_at = now() WHERE id = $1`,
      [id, created.status, created.providerTxnRef, created.providerData, created.nextAction],
    );
    const intent = await tx.getRepository(PaymentIntent).findOneOrFail({ where: { id } });
    await this.recordEvent(tx, { intent, provider: input.method, kind: 'created', source: 'checkout', txnRef: created.providerTxnRef, verified: true, outcome: created.status, amountVnd: input.amountVnd, statusAfter: created.status, raw: { orderCodes: input.orderCodes, method: input.method } }, 'requires_payment_method');
    return provider.present(intent);
  }

  async findByCheckout(checkoutId: string): Promise<PaymentIntent | null> {
    return this.ds.getRepository(PaymentIntent).findOne({ where: { checkoutId } });
  }

  /** The payment step of a checkout again (e.g. to show the QR code on the order page); null when none. */
  async paymentStepForCheckout(checkoutId: string): Promise<PaymentStep | null> {
    const intent = await this.findByCheckout(checkoutId);
    if (!intent || !OPEN_STATUSES.includes(intent.status)) return null;
    return this.providers[intent.method].present(intent);
  }

  async recordEvent(tx: EntityManager, e: EventInput, statusBefore?: IntentStatus | null): Promise<string | null> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO payment_events (intent_id, provider, kind, source, provider_txn_ref, provider_transaction_no, verified, outcome, amount_vnd, status_before, status_after, raw, verified_payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (provider, provider_txn_ref, provider_transaction_no) WHERE kind = 'settlement' DO NOTHING
       RETURNING id`,
      [
        e.intent?.id ?? null,
        e.provider,
        e.kind,
        e.source,
        e.txnRef == null ? null : withoutNul(e.txnRef),
        e.transactionNo == null ? null : withoutNul(e.transactionNo),
        e.verified,
        e.outcome,
        e.amountVnd ?? null,
        statusBefore === undefined ? (e.intent?.status ?? null) : statusBefore,
        e.statusAfter ?? e.intent?.status ?? null,
        JSON.stringify(withoutNul(e.raw ?? {})),
        e.verifiedPayload === undefined ? null : JSON.stringify(withoutNul(e.verifiedPayload)),
      ],
    );
    return rows[0]?.id ?? null;
  }

  private lockIntent(tx: EntityManager, where: { id?: string; checkoutId?: string; providerTxnRef?: string; method?: PaymentMethod }): Promise<PaymentIntent | null> {
    return tx.getRepository(PaymentIntent).findOne({ where, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Applies a verified success to a locked, open intent: the settlement event (unique per provider
   * transaction), the intent, and the checkout's orders, all in `tx`. Returns false when this provider
   * transaction was already applied.
   */
  async settleSucceeded(
    tx: EntityManager,
    intent: PaymentIntent,
    s: { source: string; txnRef: string; transactionNo: string; amountVnd: number; raw: unknown; verifiedPayload?: unknown; note: string },
  ): Promise<boolean> {
    const eventId = await this.recordEvent(tx, {
      intent,
      provider: intent.method,
      kind: 'settlement',
      source: s.source,
      txnRef: s.txnRef,
      transactionNo: s.transactionNo,
      verified: true,
      outcome: 'succeeded',
      amountVnd: s.amountVnd,
      statusAfter: 'succeeded',
      raw: s.raw,
      verifiedPayload: s.verifiedPayload,
    });
    if (!eventId) return false;
    const [, changed]: [unknown, number] = await tx.query(
      `UPDATE payment_intents SET status = 'succeeded', amount_received_vnd = amount_received_vnd + $2, provider_transaction_no = COALESCE($3, provider_transaction_no),
              succeeded_at = now(), updated_at = now()
        WHERE id = $1 AND status = ANY($4)`,
      [intent.id, s.amountVnd, s.transactionNo, OPEN_STATUSES],
    );
    // The caller holds the intent's row lock and checked it was open; anything else is a bug, and rolls back.
    if (changed !== 1) throw conflict('Thanh toán đã được xử lý / This payment was already settled');
    if (intent.method !== 'cod') await this.payCheckout(tx, intent, s.note);
    return true;
  }

  /**
   * Pays the checkout's orders in `tx`. When the orders lib refuses with a conflict (typically: the orders
   * were cancelled because the payment came too late) the money is still recorded and the payment is
   * flagged for the manager to refund, instead of failing the provider's notification forever.
   */
  private async payCheckout(tx: EntityManager, intent: PaymentIntent, note: string): Promise<void> {
    const settlement = this.requireSettlement();
    await tx.query('SAVEPOINT pay_checkout');
    try {
      await settlement.markCheckoutPaid(tx, intent.checkoutId, note);
      await tx.query('RELEASE SAVEPOINT pay_checkout');
    } catch (e) {
      if (!(e instanceof HttpException) || e.getStatus() !== HttpStatus.CONFLICT) throw e;
      await tx.query('ROLLBACK TO SAVEPOINT pay_checkout');
      await this.flagForAttention(tx, intent, `Đã nhận tiền nhưng không ghi nhận được cho đơn hàng (${e.message}); cần hoàn tiền cho khách / Money received but the orders could not be paid: refund the shopper`, { message: e.message, response: e.getResponse() });
    }
  }

  private async flagForAttention(tx: EntityManager, intent: PaymentIntent, reason: string, raw: unknown): Promise<void> {
    await tx.query(`UPDATE payment_intents SET attention = $2, attention_resolved_at = NULL, updated_at = now() WHERE id = $1`, [intent.id, reason]);
    await this.recordEvent(tx, { intent, provider: intent.method, kind: 'observation', source: 'payments', verified: true, outcome: 'needs_attention', raw: { reason, detail: raw } }, intent.status);
    this.logger.warn(`Payment ${intent.id} needs attention: ${reason}`);
  }

  /**
   * A verified success for an intent already canceled (the checkout expired first): the money is real, so
   * the intent records it (canceled → succeeded, once per provider transaction) and is flagged for a refund.
   */
  private async settleLate(tx: EntityManager, intent: PaymentIntent, s: { source: string; txnRef: string; transactionNo: string; amountVnd: number; raw: unknown }): Promise<boolean> {
    const eventId = await this.recordEvent(tx, { intent, provider: intent.method, kind: 'settlement', source: s.source, txnRef: s.txnRef, transactionNo: s.transactionNo, verified: true, outcome: 'succeeded_after_cancel', amountVnd: s.amountVnd, statusAfter: 'succeeded', raw: s.raw, verifiedPayload: s.raw });
    if (!eventId) return false;
    await tx.query(
      `UPDATE payment_intents SET status = 'succeeded', amount_received_vnd = amount_received_vnd + $2, provider_transaction_no = $3, succeeded_at = now(), updated_at = now() WHERE id = $1 AND status = 'canceled'`,
      [intent.id, s.amountVnd, s.transactionNo],
    );
    await this.flagForAttention(tx, { ...intent, status: 'succeeded' }, 'Khách đã trả tiền sau khi đơn bị hủy; cần hoàn tiền / Paid after the orders were cancelled: refund the shopper', s.raw);
    return true;
  }

  /** A verified failure (or lapse): the intent is canceled and the checkout's unpaid orders expire, releasing their stock. */
  async settleFailed(tx: EntityManager, intent: PaymentIntent, f: { source: string; txnRef: string | null; transactionNo: string | null; reason: string; raw: unknown; verifiedPayload?: unknown }): Promise<boolean> {
    const eventId = await this.recordEvent(tx, {
      intent,
      provider: intent.method,
      kind: f.transactionNo ? 'settlement' : 'cancellation',
      source: f.source,
      txnRef: f.txnRef,
      transactionNo: f.transactionNo,
      verified: true,
      outcome: 'failed',
      statusAfter: 'canceled',
      raw: f.raw,
      verifiedPayload: f.verifiedPayload,
    });
    if (!eventId) return false;
    await tx.query(
      `UPDATE payment_intents SET status = 'canceled', canceled_at = now(), cancellation_reason = $2, updated_at = now() WHERE id = $1 AND status = ANY($3)`,
      [intent.id, f.reason, OPEN_STATUSES],
    );
    await this.requireSettlement().expireCheckout(tx, intent.checkoutId, f.reason);
    return true;
  }

  /** VNPay's server-to-server call: verify, find, check the amount, apply once, answer in VNPay's codes. */
  async handleVnpayIpn(query: Record<string, unknown>): Promise<IpnAnswer> {
    try {
      if (!this.vnpay.available()) return { RspCode: '99', Message: 'VNPay is not configured' };
      const r = this.vnpay.handleNotification(query);
      if (r.malformed) {
        await this.logUnapplied(r, 'ipn', 'malformed');
        return { RspCode: '99', Message: 'Unknown error' };
      }
      if (!r.verified) {
        await this.logUnapplied(r, 'ipn', 'invalid_signature');
        return { RspCode: '97', Message: 'Fail checksum' };
      }
      return await this.ds.transaction(async (tx) => {
        const intent = r.txnRef ? await this.lockIntent(tx, { method: 'vnpay', providerTxnRef: r.txnRef }) : null;
        if (!intent) {
          await this.recordEvent(tx, this.reportEvent(null, r, 'ipn', 'unknown_reference'));
          return { RspCode: '01', Message: 'Order not found' } as IpnAnswer;
        }
        if (r.amountVnd !== intent.amountVnd) {
          await this.recordEvent(tx, this.reportEvent(intent, r, 'ipn', 'invalid_amount'));
          return { RspCode: '04', Message: 'Invalid amount' } as IpnAnswer;
        }
        if (r.succeeded && intent.status === 'canceled') {
          const applied = await this.settleLate(tx, intent, { source: 'ipn', txnRef: r.txnRef ?? '', transactionNo: r.transactionNo ?? '', amountVnd: r.amountVnd ?? 0, raw: query });
          return (applied ? { RspCode: '00', Message: 'Confirm Success' } : { RspCode: '02', Message: 'Order already confirmed' }) as IpnAnswer;
        }
        if (!OPEN_STATUSES.includes(intent.status)) {
          await this.recordEvent(tx, this.reportEvent(intent, r, 'ipn', 'already_confirmed', 'observation'));
          return { RspCode: '02', Message: 'Order already confirmed' } as IpnAnswer;
        }
        const applied = r.succeeded
          ? await this.settleSucceeded(tx, intent, {
              source: 'ipn',
              txnRef: r.txnRef ?? '',
              transactionNo: r.transactionNo ?? '',
              amountVnd: r.amountVnd ?? 0,
              raw: query,
              verifiedPayload: r.payload,
              note: `VNPay ${r.txnRef}/${r.transactionNo}`,
            })
          : await this.settleFailed(tx, intent, {
              source: 'ipn',
              txnRef: r.txnRef,
              transactionNo: r.transactionNo ?? '0',
              reason: `Thanh toán VNPay không thành công (mã ${r.responseCode}) / VNPay payment failed (code ${r.responseCode})`,
              raw: query,
              verifiedPayload: r.payload,
            });
        return (applied ? { RspCode: '00', Message: 'Confirm Success' } : { RspCode: '02', Message: 'Order already confirmed' }) as IpnAnswer;
      });
    } catch (e) {
      this.logger.error(`VNPay IPN failed: ${(e as Error).stack ?? e}`);
      return { RspCode: '99', Message: 'Unknown error' };
    }
  }

  private reportEvent(intent: PaymentIntent | null, r: ProviderReport, source: string, outcome: string, kind: PaymentEvent['kind'] = 'rejection'): EventInput {
    return {
      intent,
      provider: 'vnpay',
      kind,
      source,
      txnRef: r.txnRef,
      transactionNo: r.transactionNo,
      verified: r.verified,
      outcome,
      amountVnd: r.amountVnd,
      raw: r.payload,
      verifiedPayload: r.verified ? r.payload : undefined,
    };
  }

  private async logUnapplied(r: ProviderReport, source: string, outcome: string): Promise<void> {
    await this.ds.transaction((tx) => this.recordEvent(tx, this.reportEvent(null, r, source, outcome)));
  }

  /**
   * The shopper's return from VNPay: verified, recorded, shown. It never pays anything by itself (only the
   * IPN or a query does); a verified success only moves the intent to `processing`.
   */
  async handleVnpayReturn(query: Record<string, unknown>): Promise<VnpayReturnResult> {
    if (!this.vnpay.available()) return { verified: false, success: false, message: 'VNPay chưa được cấu hình / VNPay is not configured', status: null, orderCodes: [], amountVnd: null };
    const r = this.vnpay.handleReturn(query);
    if (!r.verified) {
      await this.logUnapplied(r, 'return', r.malformed ? 'malformed' : 'invalid_signature');
      return { verified: false, success: false, message: 'Dữ liệu trả về không hợp lệ / The payment result could not be verified', status: null, orderCodes: [], amountVnd: null };
    }
    return this.ds.transaction(async (tx) => {
      const intent = r.txnRef ? await this.lockIntent(tx, { method: 'vnpay', providerTxnRef: r.txnRef }) : null;
      if (!intent) {
        await this.recordEvent(tx, this.reportEvent(null, r, 'return', 'unknown_reference', 'observation'));
        return { verified: true, success: false, message: 'Không tìm thấy giao dịch / Unknown payment', status: null, orderCodes: [], amountVnd: r.amountVnd };
      }
      let status = intent.status;
      if (r.succeeded && intent.status === 'requires_action' && r.amountVnd === intent.amountVnd) {
        await tx.query(`UPDATE payment_intents SET status = 'processing', updated_at = now() WHERE id = $1 AND status = 'requires_action'`, [intent.id]);
        status = 'processing';
      }
      await this.recordEvent(tx, { ...this.reportEvent(intent, r, 'return', r.succeeded ? 'shopper_says_paid' : 'shopper_says_failed', 'observation'), statusAfter: status });
      return { verified: true, success: r.succeeded, message: r.message, status, orderCodes: intent.orderCodes, amountVnd: intent.amountVnd };
    });
  }

  /**
   * The periodic query job: VNPay intents still open after their expiry are asked about (querydr) and
   * settled — paid if VNPay says so (a lost IPN), canceled with their orders expired otherwise.
   */
  async reconcileExpiredVnpay(now = new Date(), limit = 100): Promise<{ checked: number; settled: number; canceled: number; unresolved: number }> {
    const out = { checked: 0, settled: 0, canceled: 0, unresolved: 0 };
    if (!this.vnpay.available()) return out;
    const due = await this.ds.getRepository(PaymentIntent).find({
      where: { method: 'vnpay', status: In(['requires_action', 'processing']), expiresAt: LessThanOrEqual(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
    for (const candidate of due) {
      out.checked++;
      try {
        const q = await this.vnpay.query(candidate);
        const result = await this.ds.transaction(async (tx) => {
          const intent = await this.lockIntent(tx, { id: candidate.id });
          if (!intent || !OPEN_STATUSES.includes(intent.status)) return 'skipped';
          const base = { intent, provider: 'vnpay' as const, source: 'querydr', txnRef: intent.providerTxnRef, transactionNo: q.transactionNo, raw: q.payload };
          if (!q.verified) {
            await this.recordEvent(tx, { ...base, kind: 'rejection', verified: false, outcome: 'invalid_signature' });
            return 'unresolved';
          }
          if (q.state === 'succeeded') {
            if (q.amountVnd !== intent.amountVnd) {
              await this.recordEvent(tx, { ...base, kind: 'rejection', verified: true, outcome: 'invalid_amount', amountVnd: q.amountVnd });
              return 'unresolved';
            }
            const applied = await this.settleSucceeded(tx, intent, {
              source: 'querydr',
              txnRef: intent.providerTxnRef ?? '',
              transactionNo: q.transactionNo ?? '',
              amountVnd: intent.amountVnd,
              raw: q.payload,
              verifiedPayload: q.payload,
              note: `VNPay querydr ${intent.providerTxnRef}/${q.transactionNo}`,
            });
            return applied ? 'settled' : 'skipped';
          }
          if (q.state === 'failed' || q.state === 'not_found' || (q.state === 'pending' && intent.status === 'requires_action')) {
            await this.settleFailed(tx, intent, {
              source: 'querydr',
              txnRef: intent.providerTxnRef,
              transactionNo: q.state === 'failed' ? q.transactionNo : null,
              reason: 'Hết hạn thanh toán VNPay / VNPay payment not completed before it expired',
              raw: q.payload,
              verifiedPayload: q.payload,
            });
            return 'canceled';
          }
          await this.recordEvent(tx, { ...base, kind: 'observation', verified: true, outcome: `query_${q.state}` });
          return 'unresolved';
        });
        if (result === 'settled') out.settled++;
        else if (result === 'canceled') out.canceled++;
        else if (result === 'unresolved') out.unresolved++;
      } catch (e) {
        out.unresolved++;
        this.logger.warn(`VNPay query of ${candidate.providerTxnRef} failed: ${(e as Error).message}`);
      }
    }
    return out;
  }

  /**
   * VietQR payments not paid by their expiry are canceled with their checkout (a transfer arriving later is
   * flagged as a late payment for the manager, never applied to cancelled orders).
   */
  async expireUnpaidTransfers(now = new Date(), limit = 100): Promise<number> {
    const due: { id: string }[] = await this.ds.query(
      `SELECT id FROM payment_intents WHERE method = 'vietqr' AND status = ANY($1) AND expires_at <= $2 ORDER BY expires_at LIMIT $3`,
      [OPEN_STATUSES, now, limit],
    );
    let canceled = 0;
    for (const { id } of due) {
      const done = await this.ds.transaction(async (tx) => {
        const intent = await this.lockIntent(tx, { id });
        if (!intent || !OPEN_STATUSES.includes(intent.status)) return false;
        return this.settleFailed(tx, intent, { source: 'job', txnRef: null, transactionNo: null, reason: 'Quá hạn chuyển khoản / bank transfer not received in time', raw: { expiresAt: intent.expiresAt } });
      });
      if (done) canceled++;
    }
    return canceled;
  }

  private async visibleIntent(user: AuthUser, id: string): Promise<PaymentIntent> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Không tìm thấy thanh toán / Payment not found');
    const intent = await this.ds.getRepository(PaymentIntent).findOne({ where: { id } });
    if (!intent || !(intent.cooperativeId ? canSee(user, intent.cooperativeId) : user.role === 'platform_admin')) {
      throw notFound('Không tìm thấy thanh toán / Payment not found');
    }
    return intent;
  }

  async getPayment(user: AuthUser, id: string): Promise<{ payment: PaymentView; events: PaymentEventView[] }> {
    const intent = await this.visibleIntent(user, id);
    const events = await this.ds.getRepository(PaymentEvent).find({ where: { intentId: id }, order: { id: 'ASC' } });
    return {
      payment: toPaymentView(intent),
      events: events.map((e) => ({
        id: String(e.id),
        kind: e.kind,
        source: e.source,
        outcome: e.outcome,
        verified: e.verified,
        amountVnd: e.amountVnd,
        statusBefore: e.statusBefore,
        statusAfter: e.statusAfter,
        createdAt: e.createdAt.toISOString(),
      })),
    };
  }

  /** Payments of a cooperative (all for an admin naming none), newest first. */
  async listPayments(scope: string | null, q: PageQuery & { status?: IntentStatus; method?: PaymentMethod; orderCode?: string }): Promise<Page<PaymentView>> {
    const qb = this.ds.getRepository(PaymentIntent).createQueryBuilder('i').orderBy('i.created_at', 'DESC').addOrderBy('i.id', 'ASC');
    if (scope) qb.andWhere('i.cooperative_id = :scope', { scope });
    if (q.status) qb.andWhere('i.status = :status', { status: q.status });
    if (q.method) qb.andWhere('i.method = :method', { method: q.method });
    if (q.orderCode) qb.andWhere(':code = ANY(i.order_codes)', { code: q.orderCode.trim().toUpperCase() });
    const [rows, total] = await qb.skip(q.offset).take(q.pageSize).getManyAndCount();
    return toPage(rows.map(toPaymentView), total, q);
  }

  /** Payments a manager must look at (money received for orders that could not be paid…), newest first. */
  async listAttention(scope: string | null, page: PageQuery): Promise<Page<PaymentView>> {
    const qb = this.ds
      .getRepository(PaymentIntent)
      .createQueryBuilder('i')
      .where('i.attention IS NOT NULL AND i.attention_resolved_at IS NULL')
      .orderBy('i.updated_at', 'DESC')
      .addOrderBy('i.id', 'ASC');
    if (scope) qb.andWhere('i.cooperative_id = :scope', { scope });
    const [rows, total] = await qb.skip(page.offset).take(page.pageSize).getManyAndCount();
    return toPage(rows.map(toPaymentView), total, page);
  }

  async resolveAttention(user: AuthUser, id: string, note: string): Promise<PaymentView> {
    await this.visibleIntent(user, id);
    return this.ds.transaction(async (tx) => {
      const intent = await this.lockIntent(tx, { id });
      if (!intent?.attention || intent.attentionResolvedAt) throw conflict('Thanh toán này không cần xử lý / This payment needs no attention');
      await tx.query(`UPDATE payment_intents SET attention_resolved_at = now(), attention_resolution = $2, updated_at = now() WHERE id = $1`, [id, note]);
      await this.recordEvent(tx, { intent, provider: intent.method, kind: 'observation', source: 'manager', verified: true, outcome: 'attention_resolved', raw: { note, by: user.email } });
      return toPaymentView(await tx.getRepository(PaymentIntent).findOneOrFail({ where: { id } }));
    });
  }

  /** Refunds (all that remains, or part of it) through the provider's refund call; one refund at a time per payment. */
  async refund(user: AuthUser, id: string, amountVnd: number | undefined, reason: string): Promise<PaymentView> {
    const visible = await this.visibleIntent(user, id);
    const provider = this.providers[visible.method];
    const refundAt = provider.refund?.bind(provider);
    if (!refundAt) {
      throw unprocessable('Thanh toán này không hoàn tiền tự động được; hãy hoàn tiền trực tiếp cho khách / This payment cannot be refunded automatically; refund the shopper directly');
    }
    const failure: { message: string | null } = { message: null };
    const view = await this.ds.transaction(async (tx) => {
      // The row lock is held across the provider call, so two refunds can never both pass the check.
      const intent = await this.lockIntent(tx, { id });
      if (!intent) throw notFound('Không tìm thấy thanh toán / Payment not found');
      if (intent.status !== 'succeeded' && intent.status !== 'partially_refunded') {
        throw conflict(`Chỉ hoàn tiền được khoản đã thanh toán / Only a paid payment can be refunded (this one is ${intent.status})`);
      }
      const remaining = intent.amountReceivedVnd - intent.amountRefundedVnd;
      const amount = amountVnd ?? remaining;
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount > remaining) {
        throw unprocessable(`Số tiền hoàn phải từ 1 đến ${remaining} đồng / The refund must be between 1 and ${remaining} đồng`);
      }
      const r = await refundAt(intent, amount, user.email);
      if (!r.ok) {
        await this.recordEvent(tx, { intent, provider: intent.method, kind: 'rejection', source: 'refund', txnRef: intent.providerTxnRef, verified: r.verified, outcome: 'refund_refused', amountVnd: amount, raw: { reason, response: r.payload } });
        failure.message = r.message || 'refused';
        return toPaymentView(intent);
      }
      const status: IntentStatus = amount === remaining ? 'refunded' : 'partially_refunded';
      await tx.query(`UPDATE payment_intents SET amount_refunded_vnd = amount_refunded_vnd + $2, status = $3, updated_at = now() WHERE id = $1`, [id, amount, status]);
      await this.recordEvent(tx, { intent, provider: intent.method, kind: 'refund', source: 'manager', txnRef: intent.providerTxnRef, transactionNo: r.transactionNo, verified: r.verified, outcome: status, amountVnd: amount, statusAfter: status, raw: { reason, by: user.email }, verifiedPayload: r.payload });
      return toPaymentView((await tx.getRepository(PaymentIntent).findOneOrFail({ where: { id } })));
    });
    if (failure.message) throw conflict(`Cổng thanh toán từ chối hoàn tiền / The provider refused the refund: ${failure.message}`);
    return view;
  }

  /** Cash on delivery: the manager recorded the cash; the intent succeeds. Called by the orders lib in its transaction; idempotent. */
  async recordCashCollected(tx: EntityManager, checkoutId: string, note: string): Promise<boolean> {
    const intent = await this.lockIntent(tx, { checkoutId });
    if (!intent || intent.method !== 'cod' || !OPEN_STATUSES.includes(intent.status)) return false;
    return this.settleSucceeded(tx, intent, { source: 'manager', txnRef: checkoutId, transactionNo: 'cash', amountVnd: intent.amountVnd, raw: { note }, note });
  }

  /**
   * The checkout is cancelled or expired by the orders lib: its open intent is canceled (in the caller's
   * transaction; call it before touching the orders, so locks are always taken intent → orders). Idempotent.
   */
  async cancelForCheckout(tx: EntityManager, checkoutId: string, reason: string): Promise<boolean> {
    const intent = await this.lockIntent(tx, { checkoutId });
    if (!intent || !OPEN_STATUSES.includes(intent.status)) return false;
    await this.providers[intent.method].cancel(intent);
    await tx.query(`UPDATE payment_intents SET status = 'canceled', canceled_at = now(), cancellation_reason = $2, updated_at = now() WHERE id = $1`, [intent.id, reason]);
    await this.recordEvent(tx, { intent, provider: intent.method, kind: 'cancellation', source: 'orders', verified: true, outcome: 'canceled', statusAfter: 'canceled', raw: { reason } });
    return true;
  }
}
