import { BullModule, InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import { keepJobScheduler } from '@htx/shared';
import { BankReconciliationService } from './bank/bank-reconciliation.service';
import { BankTransaction, PaymentEvent, PaymentIntent } from './entities/payment.entities';
import { ManagePaymentsController, PaymentsController } from './http/payments.controllers';
import { PaymentsService } from './payments.service';
import { CodProvider, VietQrProvider, VnpayProvider } from './providers';

export const PAYMENTS_QUEUE = 'payments';
export const RECONCILE_JOB = 'reconcile-expired';
const RECONCILE_EVERY_MS = 60_000;

/** The periodic job: VNPay payments still open after expiry are queried (querydr) and settled; unpaid VietQR transfers expire. */
@Processor(PAYMENTS_QUEUE)
export class PaymentsProcessor extends WorkerHost {
  constructor(private readonly payments: PaymentsService) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== RECONCILE_JOB) return null;
    const vnpay = await this.payments.reconcileExpiredVnpay();
    const transfersExpired = await this.payments.expireUnpaidTransfers();
    return { vnpay, transfersExpired };
  }
}

@Injectable()
class PaymentsBootstrap implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Payments');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly payments: PaymentsService,
    @InjectQueue(PAYMENTS_QUEUE) private readonly queue: Queue,
  ) {}

  onModuleInit() {
    // Bank statements may be posted as text/csv.
    const instance = this.adapterHost.httpAdapter?.getInstance?.() as
      | { hasContentTypeParser?(t: string): boolean; addContentTypeParser?(t: string[], o: object, fn: (req: unknown, body: string, done: (e: Error | null, b?: unknown) => void) => void): void }
      | undefined;
    if (instance?.addContentTypeParser && !instance.hasContentTypeParser?.('text/csv')) {
      instance.addContentTypeParser(['text/csv'], { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    }
  }

  onApplicationBootstrap() {
    // Not awaited: with Redis down the command would wait for it, and the API must start (and report Redis down) anyway.
    // Registered again whenever Redis reconnects, in case it came back empty.
    keepJobScheduler(
      this.queue,
      () => this.queue.upsertJobScheduler(RECONCILE_JOB, { every: RECONCILE_EVERY_MS }, { name: RECONCILE_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } }),
      this.logger,
    );
  }
}

/**
 * Payments: PaymentIntents with cash on delivery, VNPay (through the `vnpay` SDK) and VietQR transfers,
 * the VNPay IPN/return endpoints, the bank webhook, statement import and the manager's mismatch list.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PaymentIntent, PaymentEvent, BankTransaction]), BullModule.registerQueue({ name: PAYMENTS_QUEUE })],
  controllers: [PaymentsController, ManagePaymentsController],
  providers: [PaymentsService, BankReconciliationService, CodProvider, VnpayProvider, VietQrProvider, PaymentsProcessor, PaymentsBootstrap],
  exports: [PaymentsService, BankReconciliationService],
})
export class PaymentsModule {}
