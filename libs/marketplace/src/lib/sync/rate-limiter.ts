import type Redis from 'ioredis';
import { ChannelError } from '../channel';

// A token bucket per merchant in Redis, so every API process and worker shares one budget. Redis's own clock
// (TIME) is used, so processes on different machines agree. `blocked` holds a Retry-After the marketplace gave.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'blocked')
local tokens = tonumber(s[1]) or cap
local ts = tonumber(s[2]) or now
local blocked = tonumber(s[3]) or 0
if blocked > now then return blocked - now end
tokens = math.min(cap, tokens + (now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 120000)
return wait
`;

const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'blocked')) or 0
if untilMs > cur then redis.call('HSET', KEYS[1], 'blocked', tostring(untilMs)) end
redis.call('PEXPIRE', KEYS[1], 120000)
return untilMs
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SharedRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(bucket: string) {
    return `${this.prefix}:channel-rate:${bucket}`;
  }

  /** 0 when a token was taken, else milliseconds until one may be. */
  async take(bucket: string, ratePerSecond: number, capacity = ratePerSecond): Promise<number> {
    return Number(await this.redis.eval(TAKE, 1, this.key(bucket), String(ratePerSecond), String(capacity)));
  }

  /** Honour a Retry-After for everyone sending to this merchant. */
  async block(bucket: string, ms: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, this.key(bucket), String(Math.max(0, Math.ceil(ms))));
  }

  /** Waits for a token, up to `maxWaitMs`; beyond that throws rate_limited so the job is handed back delayed. */
  throttle(bucket: string, ratePerSecond: number, maxWaitMs: number): () => Promise<void> {
    // A small bucket on our side (a fifth of a second's worth): we pace evenly instead of bursting, so the jitter of
    // the network cannot bunch our requests into a burst the marketplace's own bucket refuses.
    const capacity = Math.max(1, Math.floor(ratePerSecond / 5));
    return async () => {
      for (;;) {
        const wait = await this.take(bucket, ratePerSecond, capacity);
        if (wait <= 0) return;
        if (wait > maxWaitMs) throw new ChannelError('rate_limited', `local rate limit: next slot in ${wait} ms`, null, wait, 'LOCAL_RATE_LIMIT');
        await sleep(wait);
      }
    };
  }
}
