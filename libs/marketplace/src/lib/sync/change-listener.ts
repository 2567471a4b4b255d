import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig, keepJobScheduler } from '@htx/shared';
import { ChannelSyncService } from './channel-sync.service';

export const CHANNEL_SYNC_NOTIFY = 'htx_channel_sync';

/**
 * Turns database changes into debounced sync jobs. Triggers (migration ChannelsInit) NOTIFY `kind:cooperative`
 * when stock, a product or a marketplace order changes; Postgres delivers a notification only after its
 * transaction commits and folds duplicates of one transaction. Notifications are gathered for a moment here,
 * then each (kind, cooperative) enqueues one job per enabled connection, deduplicated in BullMQ for the debounce
 * window. A lost notification (listener reconnecting) is caught by the repeating reconcile job.
 *
 * Also installs the repeating jobs (reconcile, order poll) when the app starts.
 */
@Injectable()
export class ChannelChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChannelChangeListener.name);
  private client: Client | null = null;
  private stopping = false;
  private pending = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly sync: ChannelSyncService,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.sync.settings;
    // Not awaited: with Redis down the commands would wait for it, and the API must start (and report Redis down) anyway.
    const opts = { removeOnComplete: 10, removeOnFail: 50 };
    const data = { connectionId: '', cooperativeId: '' };
    // Registered again whenever Redis reconnects, in case it came back empty.
    keepJobScheduler(this.sync.stockQueue, () => this.sync.stockQueue.upsertJobScheduler('reconcile', { every: s.reconcileMs }, { name: 'reconcile', data, opts }), this.logger);
    keepJobScheduler(this.sync.ordersQueue, () => this.sync.ordersQueue.upsertJobScheduler('poll-all', { every: s.orderPollMs }, { name: 'poll-all', data, opts }), this.logger);
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'htx-channel-listener' });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL_SYNC_NOTIFY || !msg.payload) return;
      this.pending.add(msg.payload);
      this.flushTimer ??= setTimeout(() => void this.flush(), 100).unref();
    });
    client.on('error', (e) => {
      this.logger.warn(`change listener lost its connection: ${e.message}`);
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL_SYNC_NOTIFY}`);
      this.client = client;
    } catch (e) {
      this.logger.warn(`change listener cannot connect: ${(e as Error).message}`);
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    const old = this.client;
    this.client = null;
    void old?.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, 1000).unref();
  }

  private async flush(): Promise<void> {
    this.flushTimer = null;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      const byCoop = new Map<string, Set<string>>();
      for (const p of batch) {
        const [kind, coop] = p.split(':');
        if (!kind || !coop) continue;
        byCoop.set(coop, (byCoop.get(coop) ?? new Set()).add(kind));
      }
      for (const [coop, kinds] of byCoop) {
        for (const conn of await this.sync.enabledConnections(coop)) {
          if (kinds.has('stock') || kinds.has('listing')) await this.sync.enqueueStock(conn);
          if (kinds.has('listing')) await this.sync.enqueueListings(conn);
          if (kinds.has('order')) await this.sync.enqueueStatusPush(conn);
        }
      }
    } catch (e) {
      if (!this.stopping) this.logger.warn(`cannot enqueue channel sync: ${(e as Error).message}`);
    }
  }
}
