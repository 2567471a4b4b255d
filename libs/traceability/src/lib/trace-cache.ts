import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig, REDIS_CLIENT } from '@htx/shared';

/** A cached public trace document: what the hot path sends without touching PostgreSQL. */
export interface CachedTrace {
  etag: string;
  lotId: string;
  cooperativeId: string;
  body: string;
}

/**
 * Two-level cache of public trace documents, keyed by GTIN-14 + lot code:
 * - Redis (shared by every API process), entries live TRACE_CACHE_TTL_SECONDS (5 minutes, so the scan
 *   count a document shows is at most that old);
 * - a small in-process copy in front of it (MEMORY_TTL_MS), so the hottest read usually costs no round trip.
 * Recording an event for a lot, recalling it, or changing a lot it was made from deletes the Redis entry and
 * publishes the key on a Redis channel; every process drops its in-memory copy on that message. If Redis is
 * unreachable the in-memory copy is at most MEMORY_TTL_MS stale; Redis being down otherwise only costs speed.
 */
export const TRACE_CACHE_TTL_SECONDS = 300;
const MEMORY_TTL_MS = 10_000;
const MEMORY_MAX = 5_000;

@Injectable()
export class TraceCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TraceCache.name);
  private readonly memory = new Map<string, { entry: CachedTrace; until: number }>();
  private subscriber: Redis | null = null;
  /** When each key was last invalidated (here or by another process): a document built before that is not cached. */
  private readonly invalidatedAt = new Map<string, number>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private get channel(): string {
    return `${this.config.REDIS_PREFIX}:trace:invalidate`;
  }

  async onModuleInit(): Promise<void> {
    try {
      const sub = this.redis.duplicate({ connectionName: 'htx-trace-invalidation', lazyConnect: true, maxRetriesPerRequest: null });
      sub.on('error', () => undefined);
      sub.on('message', (_channel: string, message: string) => {
        for (const key of message.split('\n')) this.forget(key);
      });
      this.subscriber = sub;
      await sub.connect();
      await sub.subscribe(this.channel);
    } catch (e) {
      this.logger.warn(`trace cache invalidation channel unavailable: ${(e as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber?.disconnect();
  }

  private forget(key: string): void {
    this.memory.delete(key);
    if (this.invalidatedAt.size >= MEMORY_MAX) this.invalidatedAt.clear();
    this.invalidatedAt.set(key, Date.now());
  }

  /** Stored form: etag \n lotId \n cooperativeId \n body. */
  static parse(raw: string): CachedTrace {
    const a = raw.indexOf('\n');
    const b = raw.indexOf('\n', a + 1);
    const c = raw.indexOf('\n', b + 1);
    return { etag: raw.slice(0, a), lotId: raw.slice(a + 1, b), cooperativeId: raw.slice(b + 1, c), body: raw.slice(c + 1) };
  }

  key(gtin14: string, lotCode: string): string {
    return `${this.config.REDIS_PREFIX}:trace:doc:${gtin14}:${lotCode}`;
  }

  /** The in-process copy, if fresh. */
  peek(gtin14: string, lotCode: string): CachedTrace | null {
    const key = this.key(gtin14, lotCode);
    const hit = this.memory.get(key);
    if (!hit) return null;
    if (hit.until < Date.now()) {
      this.memory.delete(key);
      return null;
    }
    return hit.entry;
  }

  private remember(key: string, entry: CachedTrace): void {
    if (this.memory.size >= MEMORY_MAX) {
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) this.memory.delete(oldest);
    }
    this.memory.set(key, { entry, until: Date.now() + MEMORY_TTL_MS });
  }

  async get(gtin14: string, lotCode: string): Promise<CachedTrace | null> {
    const local = this.peek(gtin14, lotCode);
    if (local) return local;
    try {
      const key = this.key(gtin14, lotCode);
      const raw = await this.redis.get(key);
      if (!raw) return null;
      const entry = TraceCache.parse(raw);
      this.remember(key, entry);
      return entry;
    } catch (e) {
      this.logger.warn(`trace cache read failed: ${(e as Error).message}`);
      return null;
    }
  }

  /** Caches a document built from data read at `builtAt` (ms), unless the lot changed since. */
  async set(gtin14: string, lotCode: string, entry: CachedTrace, builtAt: number): Promise<void> {
    const key = this.key(gtin14, lotCode);
    if ((this.invalidatedAt.get(key) ?? 0) >= builtAt) return;
    this.remember(key, entry);
    try {
      await this.redis.set(key, `${entry.etag}\n${entry.lotId}\n${entry.cooperativeId}\n${entry.body}`, 'EX', TRACE_CACHE_TTL_SECONDS);
    } catch (e) {
      this.logger.warn(`trace cache write failed: ${(e as Error).message}`);
    }
  }

  async delete(keys: Array<{ gtin: string; lotCode: string }>): Promise<void> {
    if (!keys.length) return;
    const names = keys.map((k) => this.key(k.gtin, k.lotCode));
    for (const n of names) this.forget(n);
    try {
      await this.redis.del(...names);
      await this.redis.publish(this.channel, names.join('\n'));
    } catch (e) {
      this.logger.warn(`trace cache invalidation failed: ${(e as Error).message}`);
    }
  }
}
