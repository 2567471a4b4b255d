/** Every status an order can be in. */
export const ORDER_STATUSES = ['placed', 'awaiting_payment', 'paid', 'confirmed', 'packed', 'shipped', 'delivered', 'cancelled', 'returned'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * THE order state machine: from each status, the statuses it may move to. Nothing else decides
 * which transitions are legal.
 *
 * - placed: just created; cash on delivery moves on to confirmed, online payment to awaiting_payment.
 * - awaiting_payment → paid (payment provider or a reconciled transfer) or cancelled (expiry, shopper).
 * - paid / confirmed: stock is allocated from lots (FEFO); then packed → shipped → delivered.
 * - cancelled gives reserved or allocated stock back; returned (after shipping) gives allocated stock back.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  placed: ['awaiting_payment', 'confirmed', 'cancelled'],
  awaiting_payment: ['paid', 'cancelled'],
  paid: ['packed', 'cancelled'],
  confirmed: ['packed', 'cancelled'],
  packed: ['shipped', 'cancelled'],
  shipped: ['delivered', 'returned'],
  delivered: ['returned'],
  cancelled: [],
  returned: [],
};

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** What moving into a status does to stock. */
export function stockEffect(to: OrderStatus): 'allocate' | 'release' | 'return' | null {
  if (to === 'paid' || to === 'confirmed') return 'allocate';
  if (to === 'cancelled') return 'release';
  if (to === 'returned') return 'return';
  return null;
}
