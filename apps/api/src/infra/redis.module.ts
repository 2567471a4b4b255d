import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig, REDIS_CLIENT } from '@htx/shared';

export function createRedis(config: AppConfig, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(config.REDIS_URL, {
    connectionName: `htx-${name}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let lastLog = 0;
  client.on('error', (e) => {
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      logger.warn(`Redis unreachable: ${e.message}`);
    }
  });
  return client;
}

/** A second connection used only by the rate limiter (its Lua script must not queue behind slow commands). */
export const THROTTLER_REDIS = Symbol('THROTTLER_REDIS');

/** The one shared Redis connection for counters, caches and rate limits (queues get their own through BullMQ). */
@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [AppConfig], useFactory: (config: AppConfig) => createRedis(config, 'shared') },
    { provide: THROTTLER_REDIS, inject: [AppConfig], useFactory: (config: AppConfig) => createRedis(config, 'throttler') },
  ],
  exports: [REDIS_CLIENT, THROTTLER_REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(THROTTLER_REDIS) private readonly throttlerRedis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    this.throttlerRedis.disconnect();
  }
}
