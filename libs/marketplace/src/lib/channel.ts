/**
 * The channel adapter: what the sync engine needs from any marketplace, in channel-neutral terms. A new
 * marketplace is one more implementation of ChannelAdapter; queues, stock sharing, order import and the
 * manager's screens stay the same.
 */

export const CHANNELS = ['postmart'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface ChannelCategory {
  id: number;
  name: string;
  parentId: number;
  /** Commission the marketplace takes, percent of the price. */
  commissionRate: number;
}

/** One listing as we want it on the marketplace (one per product variant, keyed by our SKU). */
export interface ListingInput {
  sku: string;
  name: string;
  description: string;
  categoryId: number;
  priceVnd: number;
  stock: number;
  weightGrams: number;
  images: string[];
  barcode: string | null;
  active: boolean;
}

export interface ItemResult {
  sku: string;
  ok: boolean;
  externalId?: string;
  error?: string;
}

export type ChannelOrderStatus = 'new' | 'confirmed' | 'shipped' | 'delivered' | 'cancelled';

export interface ChannelOrder {
  externalId: string;
  code: string;
  status: ChannelOrderStatus;
  version: number;
  buyer: { name: string; phone: string; email: string | null };
  address: { provinceCode: string; communeCode: string; line: string };
  items: Array<{ sku: string; quantity: number; unitPriceVnd: number }>;
  itemsTotalVnd: number;
  paymentMethod: 'cod' | 'prepaid';
  note: string | null;
  raw: unknown;
}

export interface OrderPage {
  orders: ChannelOrder[];
  nextCursor: string | null;
  hasMore: boolean;
}

export type FulfilmentStatus = 'shipped' | 'delivered' | 'cancelled';

/** A signed webhook, once verified. */
export interface ChannelWebhook {
  eventId: string;
  merchantId: string;
  order: ChannelOrder;
}

export interface ChannelAdapter {
  readonly channel: ChannelName;
  categories(): Promise<ChannelCategory[]>;
  /** Creates or updates listings (at most `maxBatch`), the whole batch under one idempotency key. */
  upsertListings(items: ListingInput[], idempotencyKey: string): Promise<ItemResult[]>;
  setStock(items: Array<{ sku: string; stock: number }>, idempotencyKey: string): Promise<ItemResult[]>;
  pullOrders(cursor: string | null): Promise<OrderPage>;
  acknowledgeOrder(externalId: string, idempotencyKey: string): Promise<void>;
  pushFulfilment(externalId: string, status: FulfilmentStatus, idempotencyKey: string, reason?: string | null): Promise<void>;
  /** Receives a webhook: checks its signature over the raw body (throws ChannelError with status 401) and reads it. */
  receiveWebhook(headers: Record<string, string | string[] | undefined>, method: string, pathWithQuery: string, rawBody: Buffer | string): ChannelWebhook;
  readonly maxBatch: number;
}

/** Why a call failed, which decides what the queue does: wait and retry, back off and retry, or give up. */
export type ChannelErrorKind = 'rate_limited' | 'transient' | 'permanent';

export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** Price on the channel: our price with the connection's rule (+N %), rounded to whole đồng (half up). */
export function channelPrice(priceVnd: number, percent: number): number {
  return Math.floor((priceVnd * (100 + percent) + 50) / 100);
}
