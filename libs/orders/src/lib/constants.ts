export const ORDER_EXPIRY_QUEUE = 'orders-payment-expiry';
export const EXPIRE_CHECKOUT_JOB = 'expire-checkout';
export interface ExpireCheckoutJob {
  checkoutId: string;
}
