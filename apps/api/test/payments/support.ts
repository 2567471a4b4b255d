import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CheckoutSettlement, PaymentsService, PaymentStep, StartPaymentInput } from '@htx/payments';
import { conflict } from '@htx/shared';
import { startTestApp, TestApp } from '../support/test-app';
// The simulator is an app of its own; tests may reach into it to drive it.
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests drive the simulator app directly
import { startVnpaySimulator, VnpaySimulator } from '../../../vnpay-sim/src/simulator';

export const TMN_CODE = 'HTXTEST1';
export const SECURE_SECRET = 'TESTSECRETTESTSECRETTESTSECRET42';
export const WEBHOOK_SECRET = 'bank-webhook-secret-for-tests-0001';

/**
 * Until the orders lib registers itself, tests stand in for it: every call is written through the
 * caller's transaction into a table of the test database, so a rolled-back payment leaves no trace.
 */
export class RecordingSettlement implements CheckoutSettlement {
  failFor = new Set<string>();
  /** Checkouts whose orders were cancelled meanwhile: the orders lib answers 409, as OrdersService does. */
  cancelledCheckouts = new Set<string>();
  async markCheckoutPaid(tx: EntityManager, checkoutId: string, note: string): Promise<void> {
    if (this.failFor.has(checkoutId)) throw new Error(`orders refused checkout ${checkoutId}`);
    // Written before refusing, to prove the refusal is rolled back to the savepoint.
    await tx.query(`INSERT INTO test_settlement_calls (checkout_id, kind, note) VALUES ($1, 'paid', $2)`, [checkoutId, note]);
    if (this.cancelledCheckouts.has(checkoutId)) throw conflict('orders already cancelled, the payment must be refunded');
  }
  async expireCheckout(tx: EntityManager, checkoutId: string, reason: string): Promise<void> {
    await tx.query(`INSERT INTO test_settlement_calls (checkout_id, kind, note) VALUES ($1, 'expired', $2)`, [checkoutId, reason]);
  }
}

export interface PaymentsHarness {
  t: TestApp;
  sim: VnpaySimulator;
  payments: PaymentsService;
  settlement: RecordingSettlement;
  ds: DataSource;
  coops: Record<'thien-an' | 'nam-ty', string>;
  start(input: Partial<StartPaymentInput> & Pick<StartPaymentInput, 'method' | 'amountVnd'>): Promise<{ checkoutId: string; step: PaymentStep }>;
  calls(checkoutId: string): Promise<{ kind: string; note: string }[]>;
  intent(checkoutId: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

let codeCounter = 0;
export function orderCode(prefix = 'TA'): string {
  codeCounter++;
  return `${prefix}-261123-${String(1000 + codeCounter + Math.floor(Math.random() * 8000)).padStart(4, '0')}`;
}

/** `realOrders`: keep the app's own wiring (the orders lib pays and expires checkouts) instead of the recording stand-in. */
export async function startPaymentsHarness(options: { realOrders?: boolean } = {}): Promise<PaymentsHarness> {
  const sim = await startVnpaySimulator({ tmnCode: TMN_CODE, secureSecret: SECURE_SECRET });
  const t = await startTestApp({
    seed: true,
    env: { VNPAY_TMN_CODE: TMN_CODE, VNPAY_SECURE_SECRET: SECURE_SECRET, VNPAY_HOST: sim.url, BANK_WEBHOOK_SECRET: WEBHOOK_SECRET },
  });
  await t.app.listen(0, '127.0.0.1');
  const apiUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  sim.setIpnUrl(`${apiUrl}/api/payments/vnpay/ipn`);
  await t.sql(`CREATE TABLE test_settlement_calls (id bigserial PRIMARY KEY, checkout_id uuid NOT NULL, kind text NOT NULL, note text NOT NULL)`);
  const payments = t.app.get(PaymentsService);
  const settlement = new RecordingSettlement();
  if (!options.realOrders) payments.useCheckoutSettlement(settlement);
  const ds = t.app.get(DataSource);
  const rows = await t.sql<{ id: string; slug: 'thien-an' | 'nam-ty' }>(`SELECT id, slug FROM cooperatives WHERE slug IN ('thien-an', 'nam-ty')`);
  const coops = Object.fromEntries(rows.map((r) => [r.slug, r.id])) as Record<'thien-an' | 'nam-ty', string>;
  return {
    t,
    sim,
    payments,
    settlement,
    ds,
    coops,
    start: async (input) => {
      const checkoutId = input.checkoutId ?? randomUUID();
      const step = await ds.transaction((tx) =>
        payments.startPayment(tx, {
          checkoutId,
          idempotencyKey: input.idempotencyKey ?? `key-${checkoutId}`,
          orderCodes: input.orderCodes ?? [orderCode()],
          cooperativeIds: input.cooperativeIds ?? [coops['thien-an']],
          returnUrl: input.returnUrl ?? `${apiUrl}/api/payments/vnpay/return`,
          clientIp: '203.0.113.7',
          ...input,
        }),
      );
      return { checkoutId, step };
    },
    calls: (checkoutId) => t.sql(`SELECT kind, note FROM test_settlement_calls WHERE checkout_id = $1 ORDER BY id`, [checkoutId]),
    intent: async (checkoutId) => (await t.sql(`SELECT * FROM payment_intents WHERE checkout_id = $1`, [checkoutId]))[0],
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}
