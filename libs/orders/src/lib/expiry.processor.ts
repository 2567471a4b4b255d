import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ORDER_EXPIRY_QUEUE, SWEEP_EVERY_MS, SWEEP_GRACE_SECONDS, SWEEP_OVERDUE_JOB, type ExpireCheckoutJob } from './constants';
import { OrdersService } from './orders.service';
import { PaymentsService } from '@htx/payments';
import { keepJobScheduler } from '@htx/shared';

/**
 * Cancels the unpaid orders of a checkout once its payment time is up. The delayed job lives in Redis
 * (job id = checkout id, so it is queued once), survives API restarts, and is idempotent: it only
 * touches orders still awaiting payment. A repeating sweep (every minute) expires, from PostgreSQL, any checkout
 * whose delayed job was lost (Redis wiped, restored from a backup, or down when the order was placed).
 */
@Processor(ORDER_EXPIRY_QUEUE, { concurrency: 4 })
export class OrderExpiryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(OrderExpiryProcessor.name);

  constructor(
    private readonly ds: DataSource,
    private readonly orders: OrdersService,
    private readonly payments: PaymentsService,
    @InjectQueue(ORDER_EXPIRY_QUEUE) private readonly queue: Queue<ExpireCheckoutJob | Record<string, never>>,
  ) {
    super();
  }

  /** Registers the repeating sweep; idempotent across processes and restarts (one scheduler id). */
  onApplicationBootstrap(): void {
    keepJobScheduler(
      this.queue,
      () => this.queue.upsertJobScheduler(SWEEP_OVERDUE_JOB, { every: SWEEP_EVERY_MS }, { name: SWEEP_OVERDUE_JOB, data: {}, opts: { removeOnComplete: 10, removeOnFail: 50 } }),
      this.logger,
    );
  }

  async process(job: Job<ExpireCheckoutJob | Record<string, never>>): Promise<void> {
    if (job.name === SWEEP_OVERDUE_JOB) {
      const ids = await this.orders.overdueCheckoutIds(SWEEP_GRACE_SECONDS);
      for (const id of ids) await this.expire(id);
      if (ids.length) this.logger.warn(`overdue sweep expired ${ids.length} checkout(s) whose delayed job had not run`);
      return;
    }
    await this.expire((job.data as ExpireCheckoutJob).checkoutId);
    this.logger.log(`payment window of checkout ${(job.data as ExpireCheckoutJob).checkoutId} closed`);
  }

  private async expire(checkoutId: string): Promise<void> {
    const reason = 'Quá hạn thanh toán / payment not received in time';
    await this.ds.transaction(async (tx) => {
      // Locks are always taken payment → orders (the IPN path's order), so expiry and a late IPN cannot deadlock.
      await this.payments.cancelForCheckout(tx, checkoutId, reason);
      await this.orders.expireCheckout(tx, checkoutId, reason);
    });
  }
}
