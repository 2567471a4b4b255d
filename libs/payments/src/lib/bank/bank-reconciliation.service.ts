import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { parse } from 'csv-parse/sync';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Cooperative } from '@htx/identity';
import { AppConfig, AuthUser, badRequest, conflict, notFound, Page, PageQuery, toPage, unprocessable } from '@htx/shared';
import { BankTransaction, MatchStatus, PaymentIntent } from '../entities/payment.entities';
import { OPEN_STATUSES, PaymentsService } from '../payments.service';

/** One incoming transfer, whatever its source. */
export interface IncomingTransfer {
  bankRef: string;
  amountVnd: number;
  description: string;
  occurredAt: Date | null;
  accountNumber: string | null;
  raw: Record<string, unknown>;
}

export interface TransferOutcome {
  bankRef: string;
  amountVnd: number;
  status: MatchStatus | 'already_imported';
  orderCodes: string[];
  expectedAmountVnd: number | null;
  line?: number;
}

export interface StatementImportResult {
  rows: number;
  matched: number;
  underpaid: number;
  overpaid: number;
  unmatched: number;
  duplicatePayments: number;
  latePayments: number;
  alreadyImported: number;
  skipped: { line: number; reason: string }[];
  outcomes: TransferOutcome[];
}

export interface MismatchView {
  id: string;
  cooperativeId: string;
  source: 'statement' | 'webhook';
  bankRef: string;
  amountVnd: number;
  expectedAmountVnd: number | null;
  differenceVnd: number | null;
  description: string;
  matchStatus: MatchStatus;
  paymentId: string | null;
  orderCodes: string[];
  occurredAt: string | null;
  createdAt: string;
}

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const COLUMN_NAMES: Record<'bankRef' | 'amount' | 'description' | 'date' | 'account' | 'debit', string[]> = {
  bankRef: ['reference', 'ref', 'bank ref', 'transaction id', 'transaction no', 'ma giao dich', 'ma gd', 'so tham chieu', 'so but toan', 'so gd'],
  amount: ['amount', 'credit', 'credit amount', 'so tien', 'so tien ghi co', 'ghi co', 'so tien vao', 'tien vao'],
  description: ['description', 'content', 'narrative', 'noi dung', 'dien giai', 'mo ta', 'noi dung chuyen khoan', 'noi dung giao dich'],
  date: ['date', 'transaction date', 'value date', 'ngay', 'ngay giao dich', 'thoi gian', 'ngay gd'],
  account: ['account', 'account number', 'so tai khoan', 'tai khoan'],
  debit: ['debit', 'ghi no', 'so tien ghi no', 'tien ra'],
};

/** `1.250.000`, `1,250,000`, `1250000 VND`, `1.250.000,00` → 1250000; anything else → null. */
export function parseVndAmount(text: string): number | null {
  let t = text.replace(/\s|₫|vnd|đ/gi, '');
  if (!t) return null;
  t = t.replace(/[.,]00$/, '');
  if (!/^\d{1,3}([.,]\d{3})*$|^\d+$/.test(t)) return null;
  const n = Number(t.replace(/[.,]/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** `2026-11-23 14:02:37`, `23/11/2026 14:02`, ISO… read in Vietnam's time when no offset is given. */
export function parseBankDate(text: string): Date | null {
  const t = text.trim();
  if (!t) return null;
  let m = t.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/);
  if (m) return new Date(Date.UTC(+m[3], +m[2] - 1, +m[1], +(m[4] ?? 0) - 7, +(m[5] ?? 0), +(m[6] ?? 0)));
  m = t.match(/^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0) - 7, +(m[5] ?? 0), +(m[6] ?? 0)));
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * VietQR reconciliation: incoming bank transfers (uploaded statements, signed bank notifications) are matched
 * to open VietQR payments by order code and amount. An exact amount pays the checkout; anything else is
 * flagged for the manager and never silently accepted. Each bank transaction is applied once.
 */
@Injectable()
export class BankReconciliationService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly payments: PaymentsService,
  ) {}

  /** Applies one transfer in `tx`: recorded once per (cooperative, bank reference), then matched. */
  async applyTransfer(tx: EntityManager, cooperativeId: string, source: 'statement' | 'webhook', t: IncomingTransfer): Promise<TransferOutcome> {
    const normalized = fold(t.description).toUpperCase();
    const intents: PaymentIntent[] = await tx
      .getRepository(PaymentIntent)
      .createQueryBuilder('i')
      .where(`i.method = 'vietqr' AND i.cooperative_id = :coop`, { coop: cooperativeId })
      // An order code inside the description; banks often drop or change the dashes.
      .andWhere(`EXISTS (SELECT 1 FROM unnest(i.order_codes) c WHERE :text ~ ('(^|[^A-Z0-9])' || replace(c, '-', '[- _.]?') || '($|[^0-9])'))`, { text: normalized })
      .orderBy('i.created_at', 'DESC')
      .setLock('pessimistic_write')
      .getMany();
    const intent = intents.find((i) => OPEN_STATUSES.includes(i.status)) ?? intents[0] ?? null;

    let status: MatchStatus;
    let expected: number | null = null;
    if (!intent) status = 'unmatched';
    else if (intent.status === 'canceled') status = 'late_payment';
    else if (!OPEN_STATUSES.includes(intent.status)) status = 'duplicate_payment';
    else {
      expected = intent.amountVnd - intent.amountReceivedVnd;
      status = t.amountVnd === expected ? 'matched' : t.amountVnd < expected ? 'underpaid' : 'overpaid';
    }
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO bank_transactions (cooperative_id, source, bank_ref, account_number, amount_vnd, description, occurred_at, intent_id, match_status, expected_amount_vnd, raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (cooperative_id, bank_ref) DO NOTHING RETURNING id`,
      [cooperativeId, source, t.bankRef, t.accountNumber, t.amountVnd, t.description, t.occurredAt, intent?.id ?? null, status, expected, JSON.stringify(t.raw)],
    );
    const orderCodes = intent?.orderCodes ?? [];
    if (!inserted.length) return { bankRef: t.bankRef, amountVnd: t.amountVnd, status: 'already_imported', orderCodes, expectedAmountVnd: expected };
    if (!intent) return { bankRef: t.bankRef, amountVnd: t.amountVnd, status, orderCodes, expectedAmountVnd: null };

    const raw = { source, bankRef: t.bankRef, description: t.description, amountVnd: t.amountVnd, transfer: t.raw };
    if (status === 'matched' || status === 'overpaid') {
      // Paid in full (an overpayment is also flagged, for the manager to return the difference).
      await this.payments.settleSucceeded(tx, intent, {
        source,
        txnRef: intent.reference,
        transactionNo: t.bankRef,
        amountVnd: t.amountVnd,
        raw,
        verifiedPayload: raw,
        note: `Chuyển khoản VietQR ${t.bankRef} / VietQR transfer ${t.bankRef}`,
      });
    } else if (status === 'underpaid') {
      await tx.query(`UPDATE payment_intents SET amount_received_vnd = amount_received_vnd + $2, updated_at = now() WHERE id = $1`, [intent.id, t.amountVnd]);
      await this.payments.recordEvent(tx, { intent, provider: 'vietqr', kind: 'observation', source, txnRef: intent.reference, transactionNo: t.bankRef, verified: true, outcome: 'underpaid', amountVnd: t.amountVnd, raw });
    } else {
      await this.payments.recordEvent(tx, { intent, provider: 'vietqr', kind: 'observation', source, txnRef: intent.reference, transactionNo: t.bankRef, verified: true, outcome: 'payment_after_close', amountVnd: t.amountVnd, raw });
    }
    return { bankRef: t.bankRef, amountVnd: t.amountVnd, status, orderCodes, expectedAmountVnd: expected };
  }

  /** Reads a bank statement CSV (header row; Vietnamese or English column names); credits only. */
  parseStatement(csv: string): { transfers: (IncomingTransfer & { line: number })[]; skipped: { line: number; reason: string }[] } {
    let records: string[][];
    try {
      records = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true, delimiter: [',', ';', '\t'] }) as string[][];
    } catch (e) {
      throw badRequest(`Tệp sao kê không đọc được / The statement is not valid CSV: ${(e as Error).message}`);
    }
    if (records.length < 2) throw badRequest('Sao kê trống / The statement has no transactions (a header row and at least one line are needed)');
    const header = records[0].map(fold);
    const col = (k: keyof typeof COLUMN_NAMES) => header.findIndex((h) => COLUMN_NAMES[k].includes(h));
    const idx = { bankRef: col('bankRef'), amount: col('amount'), description: col('description'), date: col('date'), account: col('account'), debit: col('debit') };
    const missing = (['bankRef', 'amount', 'description'] as const).filter((k) => idx[k] < 0);
    if (missing.length) {
      throw badRequest(
        `Sao kê thiếu cột / The statement lacks columns: ${missing.map((k) => COLUMN_NAMES[k].slice(0, 3).join(' | ')).join('; ')}. Found: ${records[0].join(', ')}`,
      );
    }
    const transfers: (IncomingTransfer & { line: number })[] = [];
    const skipped: { line: number; reason: string }[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    records.slice(1).forEach((r, i) => {
      const line = i + 2;
      const cell = (j: number) => (j >= 0 ? (r[j] ?? '').trim() : '');
      const amountText = cell(idx.amount);
      if (!amountText || /^0+$/.test(amountText)) {
        skipped.push({ line, reason: cell(idx.debit) ? 'debit (money out)' : 'no credit amount' });
        return;
      }
      const amount = parseVndAmount(amountText);
      if (amount === null || amount <= 0) {
        problems.push(`line ${line}: amount "${amountText}" is not a whole number of đồng`);
        return;
      }
      const bankRef = cell(idx.bankRef);
      if (!bankRef) {
        problems.push(`line ${line}: the transaction reference is empty`);
        return;
      }
      if (seen.has(bankRef)) {
        problems.push(`line ${line}: reference ${bankRef} appears twice`);
        return;
      }
      seen.add(bankRef);
      const dateText = cell(idx.date);
      const occurredAt = dateText ? parseBankDate(dateText) : null;
      if (dateText && !occurredAt) {
        problems.push(`line ${line}: date "${dateText}" is not a date (use DD/MM/YYYY or YYYY-MM-DD)`);
        return;
      }
      transfers.push({ line, bankRef, amountVnd: amount, description: cell(idx.description), occurredAt, accountNumber: cell(idx.account) || null, raw: Object.fromEntries(records[0].map((h, j) => [h, r[j] ?? ''])) });
    });
    if (problems.length) throw badRequest(`Sao kê có dòng không hợp lệ, chưa nhập gì / The statement has invalid lines, nothing was imported: ${problems.slice(0, 20).join('; ')}`, problems);
    return { transfers, skipped };
  }

  /** Imports a statement for one cooperative, all or nothing. */
  async importStatement(cooperativeId: string, csv: string): Promise<StatementImportResult> {
    if (!csv || !csv.trim()) throw badRequest('Hãy gửi nội dung sao kê CSV / Send the statement as CSV (text/csv body or {"csv": "..."})');
    const { transfers, skipped } = this.parseStatement(csv);
    const outcomes = await this.ds.transaction(async (tx) => {
      const out: TransferOutcome[] = [];
      for (const t of transfers) out.push({ ...(await this.applyTransfer(tx, cooperativeId, 'statement', t)), line: t.line });
      return out;
    });
    const count = (s: TransferOutcome['status']) => outcomes.filter((o) => o.status === s).length;
    return {
      rows: transfers.length + skipped.length,
      matched: count('matched'),
      underpaid: count('underpaid'),
      overpaid: count('overpaid'),
      unmatched: count('unmatched'),
      duplicatePayments: count('duplicate_payment'),
      latePayments: count('late_payment'),
      alreadyImported: count('already_imported'),
      skipped,
      outcomes,
    };
  }

  /** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<RFC 8785 canonical JSON of the body>">` */
  signWebhook(body: unknown, timestamp: number, secret: string): string {
    const mac = createHmac('sha256', secret).update(`${timestamp}.${canonicalize(body)}`).digest('hex');
    return `t=${timestamp},v1=${mac}`;
  }

  private verifyWebhookSignature(header: string | undefined, body: unknown): void {
    const secret = this.config.BANK_WEBHOOK_SECRET;
    if (!secret) throw unprocessable('Webhook ngân hàng chưa được cấu hình / The bank webhook is not configured (BANK_WEBHOOK_SECRET)');
    const m = header?.match(/^t=(\d{9,11}),v1=([0-9a-f]{64})$/);
    if (!m) throw new WebhookSignatureError('Thiếu hoặc sai định dạng chữ ký / Missing or malformed X-Signature header (t=<unix>,v1=<hex>)');
    const ts = Number(m[1]);
    if (Math.abs(Date.now() / 1000 - ts) > 300) throw new WebhookSignatureError('Chữ ký đã quá hạn / The signature timestamp is more than 5 minutes away from now');
    const expected = Buffer.from(this.signWebhook(body, ts, secret).split('v1=')[1], 'hex');
    const given = Buffer.from(m[2], 'hex');
    if (!timingSafeEqual(expected, given)) throw new WebhookSignatureError('Chữ ký không hợp lệ / Invalid signature');
  }

  /**
   * A bank-transaction notification (the shape Vietnamese bank-notification services such as SePay post:
   * id, gateway, transactionDate, accountNumber, content, transferType, transferAmount, referenceCode).
   */
  async handleWebhook(signature: string | undefined, body: unknown): Promise<{ success: true; status: TransferOutcome['status'] | 'ignored' }> {
    this.verifyWebhookSignature(signature, body);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a JSON object');
    const b = body as Record<string, unknown>;
    const problems: string[] = [];
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : typeof b[k] === 'number' ? String(b[k]) : '');
    const accountNumber = str('accountNumber');
    if (!accountNumber) problems.push('accountNumber is required');
    if (b['transferType'] !== 'in' && b['transferType'] !== 'out') problems.push('transferType must be "in" or "out"');
    const amount = b['transferAmount'];
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) problems.push('transferAmount must be a positive whole number of đồng');
    const bankRef = str('referenceCode') || str('id');
    if (!bankRef) problems.push('referenceCode (or id) is required');
    if (problems.length) throw badRequest(problems.join('; '), problems);
    if (b['transferType'] === 'out') return { success: true, status: 'ignored' };
    const coop = await this.ds.getRepository(Cooperative).findOne({ where: { bankAccountNumber: accountNumber } });
    if (!coop) throw notFound(`Không có hợp tác xã nào dùng tài khoản ${accountNumber} / No cooperative uses account ${accountNumber}`);
    const occurredAt = str('transactionDate') ? parseBankDate(str('transactionDate')) : null;
    const outcome = await this.ds.transaction((tx) =>
      this.applyTransfer(tx, coop.id, 'webhook', {
        bankRef,
        amountVnd: amount as number,
        description: `${str('content')} ${str('description')}`.trim(),
        occurredAt,
        accountNumber,
        raw: b,
      }),
    );
    return { success: true, status: outcome.status };
  }

  async listMismatches(scope: string | null, page: PageQuery): Promise<Page<MismatchView>> {
    const qb = this.ds
      .getRepository(BankTransaction)
      .createQueryBuilder('b')
      .where(`b.match_status <> 'matched' AND b.resolved_at IS NULL`)
      .orderBy('b.created_at', 'DESC')
      .addOrderBy('b.id', 'ASC');
    if (scope) qb.andWhere('b.cooperative_id = :scope', { scope });
    const [rows, total] = await qb.skip(page.offset).take(page.pageSize).getManyAndCount();
    const intentIds = rows.map((r) => r.intentId).filter((x): x is string => !!x);
    const intents = intentIds.length ? await this.ds.getRepository(PaymentIntent).findByIds(intentIds) : [];
    const codes = new Map(intents.map((i) => [i.id, i.orderCodes]));
    return toPage(
      rows.map((r) => ({
        id: r.id,
        cooperativeId: r.cooperativeId,
        source: r.source,
        bankRef: r.bankRef,
        amountVnd: r.amountVnd,
        expectedAmountVnd: r.expectedAmountVnd,
        differenceVnd: r.expectedAmountVnd === null ? null : r.amountVnd - r.expectedAmountVnd,
        description: r.description,
        matchStatus: r.matchStatus,
        paymentId: r.intentId,
        orderCodes: r.intentId ? (codes.get(r.intentId) ?? []) : [],
        occurredAt: r.occurredAt?.toISOString() ?? null,
        createdAt: r.createdAt.toISOString(),
      })),
      total,
      page,
    );
  }

  /** The manager dealt with a flagged transfer (refunded the difference, called the shopper…). */
  async resolveMismatch(user: AuthUser, scope: string | null, id: string, note: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Không tìm thấy giao dịch / Bank transaction not found');
    const [, changed]: [unknown, number] = await this.ds.query(
      `UPDATE bank_transactions SET resolved_at = now(), resolved_by = $2, resolution = $3
        WHERE id = $1 AND ($4::uuid IS NULL OR cooperative_id = $4) AND match_status <> 'matched' AND resolved_at IS NULL`,
      [id, user.userId, note, scope],
    );
    if (changed === 1) return;
    const exists = await this.ds.getRepository(BankTransaction).findOne({ where: { id } });
    if (!exists || (scope && exists.cooperativeId !== scope)) throw notFound('Không tìm thấy giao dịch / Bank transaction not found');
    throw conflict('Giao dịch này đã được xử lý / This transaction needs no resolution (matched or already resolved)');
  }
}

export class WebhookSignatureError extends Error {}
