import { Module } from '@nestjs/common';
import { InventoryModule } from '@htx/inventory';
import { GoogleFeedController } from './google-feed.controller';
import { GoogleFeedService } from './google-feed.service';

/** GET /api/feeds/:cooperative/google.xml — the Google Merchant Center feed (public, rate limited by the global guard). */
@Module({
  imports: [InventoryModule],
  controllers: [GoogleFeedController],
  providers: [GoogleFeedService],
  exports: [GoogleFeedService],
})
export class GoogleFeedModule {}
