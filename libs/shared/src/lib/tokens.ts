/** Injection token of the shared ioredis connection (rate limits, counters, caches). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
