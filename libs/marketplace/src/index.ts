// Public API of @htx/marketplace: channel connections (Postmart), sync queues, the Google Merchant feed.
export {};
export * from './lib/google-feed';
export { MarketplaceModule } from './lib/marketplace.module';
export * from './lib/channel';
export * from './lib/postmart';
export { ChannelSyncService, type ConnectionRow, type ListingState, type ImportOutcome } from './lib/sync/channel-sync.service';
export { SharedRateLimiter } from './lib/sync/rate-limiter';
export { CHANNEL_SYNC_NOTIFY } from './lib/sync/change-listener';
export { CHANNEL_LISTINGS_QUEUE, CHANNEL_STOCK_QUEUE, CHANNEL_ORDERS_QUEUE, CHANNEL_QUEUES, CredentialCipher, marketplaceSettings, secretHint, type MarketplaceSettings } from './lib/settings';
export { POSTMART_WEBHOOK_PATH } from './lib/http/channels.controllers';
import { ChannelsInit1764500000000 } from './lib/migrations/1764500000000-channels-init';
/** The marketplace tables are written with SQL (no TypeORM entities). */
export const MARKETPLACE_ENTITIES: Array<new () => unknown> = [];
export const MARKETPLACE_MIGRATIONS: Array<new () => unknown> = [ChannelsInit1764500000000];
