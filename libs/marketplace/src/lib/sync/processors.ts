import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { ChannelError } from '../channel';
import { fromPmOrder, isPmOrder } from '../postmart/wire';
import { CHANNEL_LISTINGS_QUEUE, CHANNEL_ORDERS_QUEUE, CHANNEL_STOCK_QUEUE, type ConnectionJob, type ImportOrderJob } from '../settings';
import { ChannelSyncService, ConnectionBusyError } from './channel-sync.service';

/**
 * What a failed call means for its job: a 429 (or our own limiter) hands the job back delayed by Retry-After
 * (plus jitter), without using up an attempt, and blocks the merchant's shared bucket meanwhile; another worker
 * holding the connection means "come back shortly"; a permanent refusal fails the job at once (the manager sees
 * it in the failed list and can retry it); anything else is retried with exponential backoff and jitter.
 */
async function handleFailure(sync: ChannelSyncService, job: Job, token: string | undefined, e: unknown, bucket: string | null): Promise<never> {
  if (e instanceof ChannelError && e.kind === 'rate_limited') {
    const wait = e.retryAfterMs ?? 1000;
    if (e.status === 429 && bucket) await (await sync.limiter()).block(bucket, wait);
    await job.moveToDelayed(Date.now() + wait + Math.floor(Math.random() * 250), token);
    throw new DelayedError();
  }
  if (e instanceof ConnectionBusyError) {
    await job.moveToDelayed(Date.now() + 200 + Math.floor(Math.random() * 400), token);
    throw new DelayedError();
  }
  if (e instanceof ChannelError && e.kind === 'permanent') throw new UnrecoverableError(e.message);
  throw e;
}

async function bucketOf(sync: ChannelSyncService, connectionId: string | undefined): Promise<string | null> {
  if (!connectionId) return null;
  const conn = await sync.connection(connectionId);
  return conn ? sync.rateBucket(conn) : null;
}

@Processor(CHANNEL_LISTINGS_QUEUE, { concurrency: 4 })
export class ChannelListingsProcessor extends WorkerHost {
  constructor(private readonly sync: ChannelSyncService) {
    super();
  }

  async process(job: Job<ConnectionJob>, token?: string): Promise<{ pushed: number }> {
    try {
      return { pushed: await this.sync.syncListings(job.data.connectionId) };
    } catch (e) {
      return handleFailure(this.sync, job, token, e, await bucketOf(this.sync, job.data.connectionId));
    }
  }
}

@Processor(CHANNEL_STOCK_QUEUE, { concurrency: 4 })
export class ChannelStockProcessor extends WorkerHost {
  private readonly logger = new Logger(ChannelStockProcessor.name);

  constructor(private readonly sync: ChannelSyncService) {
    super();
  }

  async process(job: Job<ConnectionJob>, token?: string): Promise<unknown> {
    if (job.name === 'reconcile') {
      // The poll that makes it certain: whatever a NOTIFY missed (or a day turning, which expires lots) is caught here.
      for (const conn of await this.sync.enabledConnections()) {
        await this.sync.enqueueListings(conn);
        await this.sync.enqueueStock(conn);
      }
      return { ok: true };
    }
    try {
      return { sent: await this.sync.syncStock(job.data.connectionId) };
    } catch (e) {
      if (!(e instanceof ConnectionBusyError)) this.logger.warn(`stock sync of ${job.data.connectionId}: ${(e as Error).message}`);
      return handleFailure(this.sync, job, token, e, await bucketOf(this.sync, job.data.connectionId));
    }
  }
}

@Processor(CHANNEL_ORDERS_QUEUE, { concurrency: 4 })
export class ChannelOrdersProcessor extends WorkerHost {
  constructor(private readonly sync: ChannelSyncService) {
    super();
  }

  async process(job: Job<ConnectionJob | ImportOrderJob>, token?: string): Promise<unknown> {
    if (job.name === 'poll-all') {
      for (const conn of await this.sync.enabledConnections()) await this.sync.enqueueOrderPoll(conn);
      return { ok: true };
    }
    try {
      if (job.name === 'import-order') {
        const data = job.data as ImportOrderJob;
        const conn = await this.sync.connection(data.connectionId);
        if (!conn?.enabled) return { skipped: true };
        if (!isPmOrder(data.order)) throw new UnrecoverableError('the queued order is not a Postmart order');
        return { outcome: await this.sync.importOrder(conn, fromPmOrder(data.order)) };
      }
      if (job.name === 'push-status') return { pushed: await this.sync.pushStatuses(job.data.connectionId) };
      return await this.sync.pollOrders(job.data.connectionId);
    } catch (e) {
      return handleFailure(this.sync, job, token, e, await bucketOf(this.sync, job.data.connectionId));
    }
  }
}
