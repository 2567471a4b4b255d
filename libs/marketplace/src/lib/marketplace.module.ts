import { BullModule } from '@nestjs/bullmq';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Readable } from 'node:stream';
import { OrdersModule } from '@htx/orders';
import { ChannelsManageService } from './http/channels-manage.service';
import { ManageChannelsController, POSTMART_WEBHOOK_PATH, PostmartWebhookController } from './http/channels.controllers';
import { CHANNEL_LISTINGS_QUEUE, CHANNEL_ORDERS_QUEUE, CHANNEL_STOCK_QUEUE } from './settings';
import { ChannelChangeListener } from './sync/change-listener';
import { ChannelSyncService } from './sync/channel-sync.service';
import { ChannelListingsProcessor, ChannelOrdersProcessor, ChannelStockProcessor } from './sync/processors';

type PreParsingHook = (req: { url: string; rawBody?: Buffer }, reply: unknown, payload: Readable) => Promise<Readable>;

/** Keeps the raw bytes of webhook requests: their signature is over the body exactly as sent. */
@Injectable()
class RawBodyForWebhooks implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit() {
    const instance = this.adapterHost.httpAdapter?.getInstance?.() as { addHook?(name: 'preParsing', hook: PreParsingHook): void } | undefined;
    instance?.addHook?.('preParsing', async (req, _reply, payload) => {
      if (!req.url.startsWith(POSTMART_WEBHOOK_PATH)) return payload;
      const chunks: Buffer[] = [];
      for await (const c of payload) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
      req.rawBody = Buffer.concat(chunks);
      return Readable.from([req.rawBody]);
    });
  }
}

/**
 * Marketplace channels: connections (Postmart), listing and stock sync, order import and status push, all
 * through BullMQ queues; the manager's endpoints under /api/manage/channels; the signed Postmart webhook.
 */
@Module({
  imports: [
    OrdersModule,
    BullModule.registerQueue({ name: CHANNEL_LISTINGS_QUEUE }, { name: CHANNEL_STOCK_QUEUE }, { name: CHANNEL_ORDERS_QUEUE }),
  ],
  controllers: [PostmartWebhookController, ManageChannelsController],
  providers: [ChannelSyncService, ChannelsManageService, ChannelChangeListener, ChannelListingsProcessor, ChannelStockProcessor, ChannelOrdersProcessor, RawBodyForWebhooks],
  exports: [ChannelSyncService],
})
export class MarketplaceModule {}
