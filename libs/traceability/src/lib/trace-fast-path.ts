import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig, REDIS_CLIENT } from '@htx/shared';
import { aiValueProblem } from './gs1/digital-link';
import { ScanService } from './scans.service';
import { TracePublicService } from './trace-public.service';
import { TraceCache } from './trace-cache';

export const TRACE_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=120';

/** What helmet sends on every other answer (its hook runs after this one, so the fast path sets them itself). */
const SECURITY_HEADERS: Array<[string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
];

const PATH = /^\/api\/trace\/01\/(\d{14})\/10\/([^/?#]+)(?:\/21\/([^/?#]+))?\/?(?:\?.*)?$/;

interface RawRequest {
  method: string;
  url: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}
interface RawReply {
  header(name: string, value: string): RawReply;
  status(code: number): RawReply;
  send(body?: unknown): RawReply;
}
export interface HookHost {
  addHook(name: 'onRequest', hook: (req: RawRequest, reply: RawReply) => Promise<unknown>): void;
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/**
 * The hot path of the platform: a cached trace document answered from a Fastify onRequest hook, before the
 * Nest pipeline, usually from the in-process copy of the cache (else one Redis GET). Anything it cannot answer
 * from the cache (cold documents, linksets, malformed or unknown identifiers) falls through to the Nest
 * controller, which builds, caches and explains. Trace scans have a limit of their own, applied here to every GET
 * under /api/trace/ (documents, the resolver's linkset, verify, EPCIS, locations) before anything else: a fixed
 * one-minute window per client address with TRACE_RATE_LIMIT_PER_MINUTE (never above RATE_LIMIT_PER_MINUTE),
 * counted in process and summed across processes in Redis every 250 ms (so a client may overshoot by what it
 * sends in 250 ms). Batching keeps a Redis round trip off each scan (measured in bench/trace); if Redis is down
 * the sums stop arriving and each process limits on its own count (fails open, per process).
 */
@Injectable()
export class TraceFastPath {
  private readonly logger = new Logger(TraceFastPath.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly cache: TraceCache,
    private readonly publicTrace: TracePublicService,
    private readonly scans: ScanService,
    private readonly config: AppConfig,
  ) {}

  /** Requests per client address in the current minute: counted here, summed across processes in Redis every 250 ms. */
  private window = 0;
  private readonly pending = new Map<string, number>();
  private readonly totals = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  private overLimit(ip: string): boolean {
    const window = Math.floor(Date.now() / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.pending.clear();
      this.totals.clear();
    }
    const mine = (this.pending.get(ip) ?? 0) + 1;
    this.pending.set(ip, mine);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.syncCounts(), 250);
      this.timer.unref();
    }
    return (this.totals.get(ip) ?? 0) + mine > Math.min(this.config.TRACE_RATE_LIMIT_PER_MINUTE, this.config.RATE_LIMIT_PER_MINUTE);
  }

  private async syncCounts(): Promise<void> {
    this.timer = null;
    const window = this.window;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    if (!batch.length) return;
    try {
      const pipe = this.redis.pipeline();
      for (const [ip, n] of batch) {
        const key = `${this.config.REDIS_PREFIX}:trace:rl:${ip}:${window}`;
        pipe.incrby(key, n).expire(key, 61);
      }
      const res = (await pipe.exec()) ?? [];
      if (window !== this.window) return;
      batch.forEach(([ip], i) => {
        const total = res[i * 2]?.[1];
        if (typeof total === 'number') this.totals.set(ip, total);
      });
    } catch (e) {
      this.logger.warn(`trace rate-limit sync failed: ${(e as Error).message}`);
    }
  }

  install(host: HookHost): void {
    host.addHook('onRequest', async (req, reply) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url.startsWith('/api/trace/')) return;
      for (const [name, value] of SECURITY_HEADERS) reply.header(name, value);
      if (this.overLimit(req.ip)) {
        reply
          .status(429)
          .header('retry-after', String(60 - Math.floor((Date.now() / 1000) % 60)))
          .header('content-type', 'application/json; charset=utf-8')
          .send(JSON.stringify({ statusCode: 429, error: 'Too Many Requests', message: 'Quá nhiều yêu cầu, vui lòng thử lại sau / Too many requests, please try again later' }));
        return reply;
      }
      if (req.method !== 'GET') return;
      const m = PATH.exec(req.url);
      if (!m) return;
      const accept = req.headers['accept'];
      if (typeof accept === 'string' && accept.includes('application/linkset+json')) return;
      const lot = decode(m[2]);
      const serial = m[3] === undefined ? undefined : decode(m[3]);
      if (lot === null || serial === null || aiValueProblem('10', lot) || (serial !== undefined && aiValueProblem('21', serial))) return;
      const gtin = m[1];
      const cached = this.cache.peek(gtin, lot) ?? (await this.cache.get(gtin, lot));
      if (!cached) return;
      const doc = this.publicTrace.fromCached(cached, gtin, lot, serial);
      this.scans.record(doc.lotId, doc.cooperativeId, serial ?? null, req.ip, req.headers['user-agent'] as string | undefined);
      reply.header('etag', doc.etag).header('cache-control', TRACE_CACHE_CONTROL).header('vary', 'Accept').header('x-trace-cache', 'hit');
      const inm = req.headers['if-none-match'];
      if (typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === doc.etag)) {
        reply.status(304).send();
        return reply;
      }
      reply.header('content-type', 'application/json; charset=utf-8').send(doc.body);
      return reply;
    });
  }
}
