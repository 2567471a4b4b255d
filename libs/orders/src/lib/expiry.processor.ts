import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { ORDER_EXPIRY_QUEUE, type ExpireCheckoutJob } from './constants';
import { OrdersService } from './orders.service';
import { PaymentsService } from '@htx/payments';

/**
 * Cancels the unpaid orders of a checkout once its payment time is up. The delayed job lives in Redis
 * (job id = checkout id, so it is queued once), survives API restarts, and is idempotent: it only
 * touches orders still awaiting payment.
 */
@Processor(ORDER_EXPIRY_QUEUE, { concurrency: 4 })
export class OrderExpiryProcessor extends WorkerHost {
  private readonly logger = new Logger(OrderExpiryProcessor.name);

  constructor(
    private readonly ds: DataSource,
    private readonly orders: OrdersService,
    private readonly payments: PaymentsService,
  ) {
    super();
  }

  async process(job: Job<ExpireCheckoutJob>): Promise<void> {
    const reason = 'Quá hạn thanh toán / payment not received in time';
    await this.ds.transaction(async (tx) => {
      // Locks are always taken payment → orders (the IPN path's order), so expiry and a late IPN cannot deadlock.
      await this.payments.cancelForCheckout(tx, job.data.checkoutId, reason);
      await this.orders.expireCheckout(tx, job.data.checkoutId, reason);
    });
    this.logger.log(`payment window of checkout ${job.data.checkoutId} closed`);
  }
}
