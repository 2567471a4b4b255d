import { Controller, Get, HttpStatus, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { AppError, REDIS_CLIENT } from '@htx/shared';

@ApiTags('platform')
@Controller('health')
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  @Get()
  @ApiOperation({ summary: 'State of the database and Redis' })
  @ApiOkResponse({ description: 'Both are up' })
  @ApiServiceUnavailableResponse({ description: 'One of them is down; the body names which' })
  async check() {
    try {
      const result = await this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.redisCheck()]);
      return { status: result.status, database: result.details['database'], redis: result.details['redis'] };
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      const body = e.getResponse() as { details?: Record<string, { status: string; message?: string }> };
      const details = body.details ?? {};
      const down = Object.entries(details)
        .filter(([, v]) => v.status !== 'up')
        .map(([k]) => k);
      throw new AppError(HttpStatus.SERVICE_UNAVAILABLE, `Không khả dụng / Unavailable: ${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} down`, {
        status: 'error',
        database: details['database'],
        redis: details['redis'],
      });
    }
  }

  private async redisCheck() {
    const session = this.indicators.check('redis');
    try {
      const pong = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1000 ms')), 1000).unref()),
      ]);
      return pong === 'PONG' ? session.up() : session.down({ message: `unexpected answer ${pong}` });
    } catch (e) {
      return session.down({ message: (e as Error).message });
    }
  }
}
