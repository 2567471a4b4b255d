export { GoogleFeedModule } from './google-feed.module';
export { GoogleFeedService, feedGtin, absoluteUrl } from './google-feed.service';
export { GoogleFeedController, GOOGLE_FEED_CACHE_CONTROL } from './google-feed.controller';
export { renderGoogleFeed, googlePrice, GOOGLE_NS } from './render';
export { xmlText, truncate } from './xml';
export type { GoogleFeed, GoogleFeedItem, GoogleFeedChannel } from './google-feed.types';
