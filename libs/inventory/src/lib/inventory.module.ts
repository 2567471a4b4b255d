import { Global, Module } from '@nestjs/common';
import { STOCK_AVAILABILITY } from '@htx/catalog';
import { ManageInventoryController } from './inventory.controllers';
import { InventoryService } from './inventory.service';

/**
 * Lot-based inventory. Global so that the catalog (which inventory depends on, not the reverse) can show
 * availability through the STOCK_AVAILABILITY token.
 */
@Global()
@Module({
  controllers: [ManageInventoryController],
  providers: [InventoryService, { provide: STOCK_AVAILABILITY, useExisting: InventoryService }],
  exports: [InventoryService, STOCK_AVAILABILITY],
})
export class InventoryModule {}
