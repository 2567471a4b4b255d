export { OrdersModule } from './lib/orders.module';
export {
  OrdersService,
  SYSTEM_ACTOR,
  actorOf,
  type Actor,
  type OrderForRecall,
  type CheckoutResponse,
  type CheckoutResult,
  type CheckoutOrderSummary,
  type PaymentStep,
  type PreparedCheckout,
  type PlaceOptions,
  type ExternalPricing,
} from './lib/orders.service';
export { OrdersManageService, SALE_STATUSES } from './lib/orders-manage.service';
export { ORDER_STATUSES, ORDER_TRANSITIONS, canTransition, isOrderStatus, type OrderStatus } from './lib/state-machine';
export { normaliseVietnameseMobile, maskPhone } from './lib/phone';
export { formatOrderCode, vietnamDay, ORDER_CODE_PATTERN } from './lib/order-code';
export { ORDER_EXPIRY_QUEUE, SWEEP_OVERDUE_JOB } from './lib/constants';
export { CheckoutDto, PAYMENT_METHODS, type PaymentMethod } from './lib/dto';
export { Checkout, Order, OrderLine, OrderTransition, OrderCodeCounter, type OrderLineLot } from './lib/entities/order.entities';
import { Checkout, Order, OrderCodeCounter, OrderLine, OrderTransition } from './lib/entities/order.entities';
import { OrdersInit1764200000000 } from './lib/migrations/1764200000000-orders-init';
import { OrdersUnpaidIndex1764210000000 } from './lib/migrations/1764210000000-orders-unpaid-index';

export const ORDERS_ENTITIES = [Checkout, Order, OrderLine, OrderTransition, OrderCodeCounter];
export const ORDERS_MIGRATIONS = [OrdersInit1764200000000, OrdersUnpaidIndex1764210000000];
