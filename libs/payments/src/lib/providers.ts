import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { HashAlgorithm, ReturnQueryFromVNPay, VNPay, VnpLocale } from 'vnpay';
import { Cooperative } from '@htx/identity';
import { AppConfig, unprocessable } from '@htx/shared';
import type { IntentStatus, PaymentIntent, PaymentMethod } from './entities/payment.entities';
import { encodeVietQr } from './vietqr/vietqr';
import { vietQrSvg } from './vietqr/vietqr-image';

export interface StartPaymentInput {
  checkoutId: string;
  idempotencyKey: string;
  method: PaymentMethod;
  amountVnd: number;
  orderCodes: string[];
  /** Where VNPay sends the shopper back; defaults to this API's /api/payments/vnpay/return on PUBLIC_BASE_URL. */
  returnUrl?: string;
  clientIp?: string;
  /** The cooperatives whose orders the checkout holds; VietQR needs exactly one (its bank account receives the transfer). */
  cooperativeIds?: string[];
  /** When an unpaid payment lapses (the checkout's payment deadline); default 30 minutes from now. */
  expiresAt?: Date;
}

export type PaymentStep =
  | { step: 'redirect'; provider: 'vnpay'; url: string; expiresAt: string | null }
  | {
      step: 'show_qr';
      provider: 'vietqr';
      payload: string;
      svg: string;
      bank: { bin: string; accountNumber: string; accountName: string };
      amount: number;
      purpose: string;
      expiresAt: string | null;
    }
  | { step: 'none'; provider: 'cod' };

export interface ProviderCreation {
  status: IntentStatus;
  providerTxnRef: string | null;
  providerData: Record<string, unknown>;
  /** Stored with the intent (the SVG of a QR code is re-rendered from its payload when shown again). */
  nextAction: Record<string, unknown>;
}

/** A provider's report about one payment (a return, a notification), after checking its signature. */
export interface ProviderReport {
  verified: boolean;
  /** Set when the report could not even be read (e.g. a non-numeric amount). */
  malformed?: string;
  txnRef: string | null;
  transactionNo: string | null;
  amountVnd: number | null;
  succeeded: boolean;
  responseCode: string | null;
  message: string;
  payload: Record<string, unknown>;
}

export interface ProviderQueryResult {
  verified: boolean;
  state: 'succeeded' | 'failed' | 'pending' | 'not_found' | 'unknown';
  transactionNo: string | null;
  amountVnd: number | null;
  payload: Record<string, unknown>;
}

export interface ProviderRefundResult {
  ok: boolean;
  verified: boolean;
  message: string;
  transactionNo: string | null;
  payload: Record<string, unknown>;
}

/** What every payment method implements; checkout and the payment service know only this. */
export interface PaymentProvider {
  readonly method: PaymentMethod;
  available(): boolean;
  create(tx: EntityManager, intentId: string, input: StartPaymentInput, expiresAt: Date): Promise<ProviderCreation>;
  /** The step the shopper must take, rebuilt from a stored intent (idempotent replays of checkout). */
  present(intent: PaymentIntent): Promise<PaymentStep>;
  handleReturn?(query: Record<string, unknown>): ProviderReport;
  handleNotification?(payload: Record<string, unknown>): ProviderReport;
  query?(intent: PaymentIntent): Promise<ProviderQueryResult>;
  refund?(intent: PaymentIntent, amountVnd: number, actor: string): Promise<ProviderRefundResult>;
  /** Provider-side cancellation, where the provider has one (a VNPay URL or a QR code simply lapses). */
  cancel(intent: PaymentIntent): Promise<void>;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** yyyyMMddHHmmss in Vietnam's time (GMT+7), as a number, as VNPay expects; independent of the server's time zone. */
export function vnpDateNumber(at: Date): number {
  const d = new Date(at.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return Number(`${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`);
}

/** VNPay wants plain ASCII order info; keep letters, digits and a few separators. */
export function asciiOrderInfo(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9 .,:_-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 255);
}

@Injectable()
export class CodProvider implements PaymentProvider {
  readonly method = 'cod' as const;
  available() {
    return true;
  }
  async create(): Promise<ProviderCreation> {
    // Nothing to do now: the cash is collected on delivery, when the manager records it.
    return { status: 'requires_payment_method', providerTxnRef: null, providerData: {}, nextAction: { step: 'none', provider: 'cod' } };
  }
  async present(): Promise<PaymentStep> {
    return { step: 'none', provider: 'cod' };
  }
  async cancel() {
    /* nothing held at a provider */
  }
}

@Injectable()
export class VnpayProvider implements PaymentProvider {
  readonly method = 'vnpay' as const;
  private readonly client: VNPay | null;

  constructor(private readonly config: AppConfig) {
    this.client =
      config.VNPAY_TMN_CODE && config.VNPAY_SECURE_SECRET
        ? new VNPay({
            tmnCode: config.VNPAY_TMN_CODE,
            secureSecret: config.VNPAY_SECURE_SECRET,
            // The SDK defaults to the sandbox; never rely on that.
            vnpayHost: config.VNPAY_HOST ?? 'https://sandbox.vnpayment.vn',
            queryDrAndRefundHost: config.VNPAY_HOST ?? 'https://sandbox.vnpayment.vn',
            hashAlgorithm: HashAlgorithm.SHA512,
            vnp_Locale: VnpLocale.VN,
            enableLog: false,
          })
        : null;
  }

  available() {
    return this.client !== null;
  }

  private sdk(): VNPay {
    if (!this.client) throw unprocessable('VNPay chưa được cấu hình / VNPay is not offered on this platform');
    return this.client;
  }

  async create(_tx: EntityManager, _intentId: string, input: StartPaymentInput, expiresAt: Date): Promise<ProviderCreation> {
    const sdk = this.sdk();
    const now = new Date();
    const createDate = vnpDateNumber(now);
    // Unique forever (and so per day, as VNPay requires); the database's unique key backs it.
    const txnRef = `${String(createDate).slice(2, 8)}${randomBytes(6).toString('hex').toUpperCase()}`;
    const returnUrl = input.returnUrl ?? this.config.VNPAY_RETURN_URL ?? `${this.config.publicBaseUrl}/api/payments/vnpay/return`;
    const url = sdk.buildPaymentUrl({
      vnp_Amount: input.amountVnd, // in đồng: the SDK multiplies by 100 itself
      vnp_IpAddr: input.clientIp || '127.0.0.1',
      vnp_OrderInfo: asciiOrderInfo(`Thanh toan don hang ${input.orderCodes.join(' ')}`),
      vnp_ReturnUrl: returnUrl,
      vnp_TxnRef: txnRef,
      vnp_CreateDate: createDate,
      vnp_ExpireDate: vnpDateNumber(expiresAt),
      vnp_Locale: VnpLocale.VN,
    });
    return {
      status: 'requires_action',
      providerTxnRef: txnRef,
      providerData: { createDate, orderInfo: asciiOrderInfo(`Thanh toan don hang ${input.orderCodes.join(' ')}`) },
      nextAction: { step: 'redirect', provider: 'vnpay', url, expiresAt: expiresAt.toISOString() },
    };
  }

  async present(intent: PaymentIntent): Promise<PaymentStep> {
    const a = intent.nextAction ?? {};
    return { step: 'redirect', provider: 'vnpay', url: String(a['url']), expiresAt: iso(intent.expiresAt) };
  }

  private report(query: Record<string, unknown>, kind: 'return' | 'ipn'): ProviderReport {
    const payload = { ...query };
    const base = {
      txnRef: typeof query['vnp_TxnRef'] === 'string' ? query['vnp_TxnRef'] : null,
      transactionNo: query['vnp_TransactionNo'] === undefined ? null : String(query['vnp_TransactionNo']),
      responseCode: query['vnp_ResponseCode'] === undefined ? null : String(query['vnp_ResponseCode']),
      payload,
    };
    let v;
    try {
      const q = query as unknown as ReturnQueryFromVNPay;
      v = kind === 'ipn' ? this.sdk().verifyIpnCall(q) : this.sdk().verifyReturnUrl(q);
    } catch (e) {
      // The SDK throws on a non-numeric vnp_Amount (and on a missing configuration).
      return { ...base, verified: false, malformed: (e as Error).message, amountVnd: null, succeeded: false, message: (e as Error).message };
    }
    // isSuccess is computed from the response code alone, whether or not the signature verified: never trust it alone.
    const amount = Number(v.vnp_Amount);
    return {
      ...base,
      verified: v.isVerified,
      amountVnd: Number.isFinite(amount) ? amount : null,
      succeeded: v.isVerified && v.isSuccess && String(query['vnp_TransactionStatus'] ?? '00') === '00',
      message: v.message,
    };
  }

  handleReturn(query: Record<string, unknown>): ProviderReport {
    return this.report(query, 'return');
  }

  handleNotification(query: Record<string, unknown>): ProviderReport {
    return this.report(query, 'ipn');
  }

  async query(intent: PaymentIntent): Promise<ProviderQueryResult> {
    const createDate = Number(intent.providerData['createDate']);
    const r = await this.sdk().queryDr({
      vnp_RequestId: randomBytes(8).toString('hex'),
      vnp_TxnRef: intent.providerTxnRef ?? '',
      vnp_TransactionNo: 0,
      vnp_TransactionDate: createDate,
      vnp_CreateDate: vnpDateNumber(new Date()),
      vnp_IpAddr: '127.0.0.1',
      vnp_OrderInfo: asciiOrderInfo(`Truy van ${intent.providerTxnRef ?? ''}`),
    });
    const payload = { ...r } as Record<string, unknown>;
    if (!r.isVerified) return { verified: false, state: 'unknown', transactionNo: null, amountVnd: null, payload };
    const code = String(r.vnp_ResponseCode);
    if (code === '91') return { verified: true, state: 'not_found', transactionNo: null, amountVnd: null, payload };
    if (code !== '00') return { verified: true, state: 'unknown', transactionNo: null, amountVnd: null, payload };
    // querydr answers the amount as VNPay carries it (đồng × 100); the SDK does not convert it here.
    const amountVnd = Number(r.vnp_Amount) / 100;
    const status = String(r.vnp_TransactionStatus);
    const state = status === '00' ? 'succeeded' : status === '01' ? 'pending' : 'failed';
    return { verified: true, state, transactionNo: r.vnp_TransactionNo === undefined ? null : String(r.vnp_TransactionNo), amountVnd: Number.isFinite(amountVnd) ? amountVnd : null, payload };
  }

  async refund(intent: PaymentIntent, amountVnd: number, actor: string): Promise<ProviderRefundResult> {
    const r = await this.sdk().refund({
      vnp_RequestId: randomBytes(8).toString('hex'),
      vnp_TxnRef: intent.providerTxnRef ?? '',
      vnp_Amount: amountVnd, // in đồng: the SDK multiplies by 100 itself
      vnp_TransactionType: amountVnd === intent.amountReceivedVnd && intent.amountRefundedVnd === 0 ? '02' : '03',
      vnp_TransactionNo: intent.providerTransactionNo ? Number(intent.providerTransactionNo) : undefined,
      vnp_TransactionDate: Number(intent.providerData['createDate']),
      vnp_CreateDate: vnpDateNumber(new Date()),
      vnp_CreateBy: asciiOrderInfo(actor).slice(0, 50) || 'manager',
      vnp_IpAddr: '127.0.0.1',
      vnp_OrderInfo: asciiOrderInfo(`Hoan tien ${intent.reference}`),
    });
    const payload = { ...r } as Record<string, unknown>;
    return {
      ok: r.isVerified && r.isSuccess,
      verified: r.isVerified,
      message: String(r.message ?? ''),
      transactionNo: r.vnp_TransactionNo === undefined ? null : String(r.vnp_TransactionNo),
      payload,
    };
  }

  async cancel() {
    /* a VNPay payment URL lapses at vnp_ExpireDate; nothing to call */
  }
}

@Injectable()
export class VietQrProvider implements PaymentProvider {
  readonly method = 'vietqr' as const;

  available() {
    return true;
  }

  async create(tx: EntityManager, _intentId: string, input: StartPaymentInput, expiresAt: Date): Promise<ProviderCreation> {
    const coopIds = [...new Set(input.cooperativeIds ?? [])];
    if (coopIds.length !== 1) {
      throw unprocessable(
        'Chuyển khoản VietQR chỉ dùng cho đơn của một hợp tác xã; hãy chọn VNPay hoặc COD / VietQR transfer works for orders from one cooperative only; choose VNPay or cash on delivery',
      );
    }
    const coop = await tx.getRepository(Cooperative).findOne({ where: { id: coopIds[0] } });
    if (!coop?.bankBin || !coop.bankAccountNumber) {
      throw unprocessable('Hợp tác xã chưa khai báo tài khoản ngân hàng; hãy chọn cách thanh toán khác / This cooperative has no bank account for VietQR; choose another payment method');
    }
    const purpose = input.orderCodes.join(' ');
    const payload = encodeVietQr({ bin: coop.bankBin, accountNumber: coop.bankAccountNumber, amount: input.amountVnd, purpose, dynamic: true });
    return {
      status: 'requires_action',
      providerTxnRef: null,
      providerData: { bin: coop.bankBin, accountNumber: coop.bankAccountNumber, accountName: coop.bankAccountName ?? coop.name },
      nextAction: {
        step: 'show_qr',
        provider: 'vietqr',
        payload,
        bank: { bin: coop.bankBin, accountNumber: coop.bankAccountNumber, accountName: coop.bankAccountName ?? coop.name },
        amount: input.amountVnd,
        purpose,
        expiresAt: expiresAt.toISOString(),
      },
    };
  }

  async present(intent: PaymentIntent): Promise<PaymentStep> {
    const a = intent.nextAction ?? {};
    const payload = String(a['payload']);
    return {
      step: 'show_qr',
      provider: 'vietqr',
      payload,
      svg: await vietQrSvg(payload),
      bank: a['bank'] as { bin: string; accountNumber: string; accountName: string },
      amount: intent.amountVnd,
      purpose: String(a['purpose']),
      expiresAt: iso(intent.expiresAt),
    };
  }

  async cancel() {
    /* a QR code cannot be withdrawn; late transfers are flagged for the manager */
  }
}
