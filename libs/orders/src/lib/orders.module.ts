import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CatalogModule } from '@htx/catalog';
import { InventoryModule } from '@htx/inventory';
import { PaymentsModule } from '@htx/payments';
import { ORDER_EXPIRY_QUEUE } from './constants';
import { OrderExpiryProcessor } from './expiry.processor';
import { AdminUnitsController, ManageOrdersController, OrdersController } from './orders.controllers';
import { OrdersManageService } from './orders-manage.service';
import { OrdersService } from './orders.service';

@Module({
  imports: [CatalogModule, InventoryModule, PaymentsModule, BullModule.registerQueue({ name: ORDER_EXPIRY_QUEUE })],
  controllers: [AdminUnitsController, OrdersController, ManageOrdersController],
  providers: [OrdersService, OrdersManageService, OrderExpiryProcessor],
  exports: [OrdersService],
})
export class OrdersModule {}
