import { applyDecorators, CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type Redis from 'ioredis';
import { AppConfig } from './config';
import { REDIS_CLIENT } from './tokens';

export const TOO_MANY_REQUESTS_MESSAGE = 'Quá nhiều yêu cầu, vui lòng thử lại sau / Too many requests, please try again later';

/** The configuration variables that hold a per-route limit (requests a minute per client address). */
export type RouteLimitSetting = 'CHECKOUT_RATE_LIMIT_PER_MINUTE' | 'TRACKING_RATE_LIMIT_PER_MINUTE' | 'TRACE_RATE_LIMIT_PER_MINUTE';

export interface LimitDecision {
  allowed: boolean;
  /** Whole seconds until the current window ends (what Retry-After says). */
  retryAfterSeconds: number;
}

/**
 * A fixed one-minute window per (bucket, client address), counted in Redis so that every API process shares it:
 * one INCR + PEXPIRE round trip per request. If Redis is slow or down the request is let through (fail open):
 * the platform's availability matters more than an exact count.
 */
export async function hitFixedWindow(redis: Redis, prefix: string, bucket: string, client: string, limit: number, timeoutMs = 300): Promise<LimitDecision> {
  const windowMs = 60_000;
  const now = Date.now();
  const window = Math.floor(now / windowMs);
  const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
  const key = `${prefix}:rl:${bucket}:${client}:${window}`;
  try {
    const res = await Promise.race([
      redis.multi().incr(key).pexpire(key, windowMs + 1000).exec(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs).unref()),
    ]);
    const count = res?.[0]?.[1];
    if (typeof count !== 'number') return { allowed: true, retryAfterSeconds };
    return { allowed: count <= limit, retryAfterSeconds };
  } catch {
    return { allowed: true, retryAfterSeconds };
  }
}

const ROUTE_LIMIT_KEY = 'htx:route-limit';

interface RouteLimit {
  bucket: string;
  setting: RouteLimitSetting;
}

interface RequestLike {
  ip?: string;
}
interface ReplyLike {
  header(name: string, value: string): unknown;
}

/** Applies the route's own limit (see @RouteRateLimit); answers 429 with Retry-After once a client address exceeds it. */
@Injectable()
export class RouteRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<RouteLimit | undefined>(ROUTE_LIMIT_KEY, [context.getHandler(), context.getClass()]);
    if (!rule) return true;
    const http = context.switchToHttp();
    const ip = (http.getRequest<RequestLike>().ip ?? 'unknown').slice(0, 64);
    const decision = await hitFixedWindow(this.redis, this.config.REDIS_PREFIX, rule.bucket, ip, this.config[rule.setting]);
    if (decision.allowed) return true;
    http.getResponse<ReplyLike>().header('retry-after', String(decision.retryAfterSeconds));
    throw new HttpException({ message: TOO_MANY_REQUESTS_MESSAGE, details: { retryAfterSeconds: decision.retryAfterSeconds } }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * A limit of its own for one route (checkout, order tracking…), per client address and minute, read from the named
 * configuration variable; it applies on top of the platform-wide RATE_LIMIT_PER_MINUTE.
 */
export function RouteRateLimit(bucket: string, setting: RouteLimitSetting) {
  return applyDecorators(SetMetadata(ROUTE_LIMIT_KEY, { bucket, setting } satisfies RouteLimit), UseGuards(RouteRateLimitGuard));
}
