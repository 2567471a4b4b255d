export const ORDER_EXPIRY_QUEUE = 'orders-payment-expiry';
export const EXPIRE_CHECKOUT_JOB = 'expire-checkout';
export interface ExpireCheckoutJob {
  checkoutId: string;
}
/** Repeating job that expires checkouts whose payment time is up but whose delayed job never ran (Redis lost it, or was down at checkout). */
export const SWEEP_OVERDUE_JOB = 'sweep-overdue-checkouts';
/** How often the sweep runs, and how long after the deadline it steps in (the delayed job normally comes first). */
export const SWEEP_EVERY_MS = 60_000;
export const SWEEP_GRACE_SECONDS = 30;
