import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { AllExceptionsFilter, AppConfig } from '@htx/shared';
import { IdentityModule } from '@htx/identity';
import { CatalogModule } from '@htx/catalog';
import { InventoryModule } from '@htx/inventory';
import { OrdersModule } from '@htx/orders';
import { TraceabilityModule } from '@htx/traceability';
import { PaymentsModule } from '@htx/payments';
import { GoogleFeedModule } from '@htx/marketplace';
import { MarketplaceModule } from '@htx/marketplace';
import { HealthController } from './health/health.controller';
import { dataSourceOptions } from './infra/database';
import { PaymentsWiring } from './infra/payments-wiring';
import type Redis from 'ioredis';
import { RedisModule, THROTTLER_REDIS } from './infra/redis.module';
import { ResilientThrottlerStorage } from './infra/throttler-storage';

@Global()
@Module({})
class ConfigHolderModule {
  static with(config: AppConfig): DynamicModule {
    return { module: ConfigHolderModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}

function redisConnection(config: AppConfig) {
  const url = new URL(config.REDIS_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

/**
 * The API process: wires the domain modules to PostgreSQL, Redis, logging, rate limits and health checks.
 * Built from a validated AppConfig so that tests can run several differently-configured instances at once.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigHolderModule.with(config),
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...config })] }),
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.LOG_LEVEL,
            // Fastify assigns the request id (from X-Request-Id or a new UUID) before middleware runs.
            genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'], censor: '[redacted]' },
            serializers: {
              // Query strings can carry phone numbers (order tracking): log only the path.
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url?.split('?')[0] }),
              // The status is what operators read; every response's security headers in every log line are noise.
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/api/health' },
          },
        }),
        TypeOrmModule.forRootAsync({ useFactory: () => ({ ...dataSourceOptions(config), autoLoadEntities: false }) }),
        RedisModule,
        // An `api` process queues jobs but runs no BullMQ worker (manualRegistration: the explorer that starts the
        // @Processor workers is never called); `worker` and `all` processes run them.
        BullModule.forRoot({
          connection: redisConnection(config),
          prefix: `${config.REDIS_PREFIX}:bull`,
          extraOptions: { manualRegistration: config.PROCESS_ROLE === 'api' },
        }),
        ThrottlerModule.forRootAsync({
          inject: [THROTTLER_REDIS],
          useFactory: (redis: Redis) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE }],
            storage: new ResilientThrottlerStorage(new ThrottlerStorageRedisService(redis), config.REDIS_PREFIX),
          }),
        }),
        TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false }),
        IdentityModule,
        CatalogModule,
        InventoryModule,
        OrdersModule,
        TraceabilityModule,
        PaymentsModule,
        GoogleFeedModule,
        MarketplaceModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        PaymentsWiring,
      ],
    };
  }
}
