import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/**
 * Rate-limit counters live in Redis so that every API process shares them. If Redis is unreachable the
 * limiter falls back to per-process memory instead of failing every request: availability over precision.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage {
  private readonly fallback = new ThrottlerStorageService();

  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly prefix: string,
    private readonly timeoutMs = 300,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      return await Promise.race([
        this.shared.increment(`${this.prefix}:throttle:${key}`, ttl, limit, blockDuration, throttlerName),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('rate-limit store timeout')), this.timeoutMs).unref()),
      ]);
    } catch {
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.fallback.onApplicationShutdown();
  }
}
