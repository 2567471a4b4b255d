import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { AppConfig } from '@htx/shared';

export const CHANNEL_LISTINGS_QUEUE = 'channel-listings';
export const CHANNEL_STOCK_QUEUE = 'channel-stock';
export const CHANNEL_ORDERS_QUEUE = 'channel-orders';
export const CHANNEL_QUEUES = [CHANNEL_LISTINGS_QUEUE, CHANNEL_STOCK_QUEUE, CHANNEL_ORDERS_QUEUE] as const;

export interface ConnectionJob {
  connectionId: string;
  cooperativeId: string;
}

export interface ImportOrderJob extends ConnectionJob {
  /** The order as the webhook carried it (the Postmart wire JSON). */
  order: unknown;
}

/** Tunables, from the environment (defaults suit production; tests and the bench shorten them). */
export interface MarketplaceSettings {
  /** Debounce of a change-triggered sync: changes within this window go out in one job. */
  debounceMs: number;
  /** Repeating reconcile of listings and stock (what the NOTIFY trigger missed, expiry crossing midnight). */
  reconcileMs: number;
  /** Repeating poll of Postmart's orders (the webhook makes it fast; the poll makes it certain). */
  orderPollMs: number;
  /** First retry delay of a failed call (exponential with jitter from there). */
  backoffMs: number;
  attempts: number;
  /** Longest a worker waits in-process for a rate-limit token before handing the job back to the queue delayed. */
  maxThrottleWaitMs: number;
  /** A marketplace call without an answer after this long is abandoned and retried (same idempotency key). */
  httpTimeoutMs: number;
}

/** The marketplace tunables of the validated configuration (a bad value stops start-up with a clear message). */
export function marketplaceSettings(config: AppConfig): MarketplaceSettings {
  return {
    debounceMs: config.MARKETPLACE_DEBOUNCE_MS,
    reconcileMs: config.MARKETPLACE_RECONCILE_MS,
    orderPollMs: config.MARKETPLACE_ORDER_POLL_MS,
    backoffMs: config.MARKETPLACE_BACKOFF_MS,
    attempts: config.MARKETPLACE_ATTEMPTS,
    maxThrottleWaitMs: config.MARKETPLACE_MAX_THROTTLE_WAIT_MS,
    httpTimeoutMs: config.MARKETPLACE_HTTP_TIMEOUT_MS,
  };
}

/**
 * Channel credentials are stored encrypted (AES-256-GCM). The key is CHANNEL_CREDENTIALS_KEY, or else derived
 * from JWT_SECRET (HKDF): either way it comes from the environment and never sits in the database.
 */
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(secretMaterial: string) {
    this.key = Buffer.from(hkdfSync('sha256', secretMaterial, 'htx-channel-credentials', 'aes-256-gcm', 32));
  }

  static fromConfig(config: AppConfig): CredentialCipher {
    return new CredentialCipher(config.CHANNEL_CREDENTIALS_KEY || config.JWT_SECRET);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  decrypt(stored: string): string {
    const [v, iv, tag, ct] = stored.split(':');
    if (v !== 'v1' || !iv || !tag || !ct) throw new Error('unreadable stored credential');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
  }
}

/** What a manager sees of a secret: its last four characters. */
export const secretHint = (secret: string) => `••••${secret.slice(-4)}`;
