import { BankTransaction, PaymentEvent, PaymentIntent } from './lib/entities/payment.entities';
import { PaymentsInit1764400000000 } from './lib/migrations/1764400000000-payments-init';

export { PaymentsModule, PaymentsProcessor, PAYMENTS_QUEUE, RECONCILE_JOB } from './lib/payments.module';
export { PaymentsService, OPEN_STATUSES, toPaymentView } from './lib/payments.service';
export type { CheckoutSettlement, IpnAnswer, VnpayReturnResult, PaymentView, PaymentEventView } from './lib/payments.service';
export { BankReconciliationService, parseVndAmount, parseBankDate } from './lib/bank/bank-reconciliation.service';
export type { IncomingTransfer, TransferOutcome, StatementImportResult, MismatchView } from './lib/bank/bank-reconciliation.service';
export { CodProvider, VnpayProvider, VietQrProvider } from './lib/providers';
export type { StartPaymentInput, PaymentStep, PaymentProvider, ProviderReport, ProviderQueryResult, ProviderRefundResult } from './lib/providers';
export { PAYMENT_METHODS, INTENT_STATUSES, MATCH_STATUSES, PaymentIntent, PaymentEvent, BankTransaction } from './lib/entities/payment.entities';
export type { PaymentMethod, IntentStatus, MatchStatus } from './lib/entities/payment.entities';
export { encodeVietQr, decodeVietQr, reencodeVietQr, crc16CcittFalse, parseTlv, VietQrError } from './lib/vietqr/vietqr';
export type { VietQrPayload, VietQrTransfer } from './lib/vietqr/vietqr';
export { vietQrSvg, vietQrPng } from './lib/vietqr/vietqr-image';

export const PAYMENTS_ENTITIES = [PaymentIntent, PaymentEvent, BankTransaction];
export const PAYMENTS_MIGRATIONS = [PaymentsInit1764400000000];
