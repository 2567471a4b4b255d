import { Injectable, OnModuleInit } from '@nestjs/common';
import { OrdersService } from '@htx/orders';
import { PaymentsService } from '@htx/payments';

/**
 * Lets payments pay and expire checkouts through the orders lib (OrdersService implements
 * CheckoutSettlement) without payments depending on orders. Registering twice (if OrdersService also
 * registers itself) is harmless.
 */
@Injectable()
export class PaymentsWiring implements OnModuleInit {
  constructor(
    private readonly payments: PaymentsService,
    private readonly orders: OrdersService,
  ) {}

  onModuleInit(): void {
    this.payments.useCheckoutSettlement(this.orders);
  }
}
