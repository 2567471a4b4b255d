import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '@htx/shared';

export type DeviceClass = 'mobile' | 'tablet' | 'desktop' | 'bot' | 'other';

/** A serial scanned more than this many times in 24 hours is flagged (a printed pack is scanned a handful of times). */
export const SCAN_RATE_THRESHOLD = 20;
/** A serial scanned from more than this many distinct network addresses in 24 hours is flagged (copied label). */
export const SCAN_PLACES_THRESHOLD = 5;
const FLUSH_INTERVAL_MS = 1000;
const FLUSH_AT = 2000;
const MAX_BUFFER = 50_000;

interface PendingScan {
  lotId: string;
  cooperativeId: string;
  serial: string | null;
  at: Date;
  device: DeviceClass;
  ipHash: string;
}

/** Coarse device class from a User-Agent: no model, no version, nothing that identifies a person. */
export function deviceClass(userAgent: string | undefined): DeviceClass {
  const ua = userAgent ?? '';
  if (!ua) return 'other';
  if (/bot|crawler|spider|curl|wget|python|autocannon|httpclient|okhttp|node-fetch|axios/i.test(ua)) return 'bot';
  if (/ipad|tablet|kindle|silk|(android(?!.*mobile))/i.test(ua)) return 'tablet';
  if (/mobi|iphone|ipod|android|zalo|fban|fbav|windows phone/i.test(ua)) return 'mobile';
  if (/windows|macintosh|x11|linux|cros/i.test(ua)) return 'desktop';
  return 'other';
}

/**
 * Records every trace request as a scan without slowing the request: scans are buffered in memory and
 * written once a second in one multi-row INSERT (each API process flushes its own buffer; at most a second of
 * scans is lost if a process dies). IP addresses are stored only as a keyed hash (HMAC with a secret derived
 * from JWT_SECRET), never in clear. After each flush, serials in the batch are checked for abnormal patterns.
 */
@Injectable()
export class ScanService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ScanService.name);
  private buffer: PendingScan[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly ipKey: Buffer;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    config: AppConfig,
  ) {
    this.ipKey = createHmac('sha256', config.JWT_SECRET).update('htx:scan-ip-salt').digest();
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private readonly ipHashes = new Map<string, string>();

  /** Keyed hash of a client address (memoised: the hot path sees the same addresses again and again). */
  hashIp(ip: string): string {
    let hash = this.ipHashes.get(ip);
    if (hash === undefined) {
      if (this.ipHashes.size >= 10_000) this.ipHashes.clear();
      hash = createHmac('sha256', this.ipKey).update(ip).digest('hex').slice(0, 32);
      this.ipHashes.set(ip, hash);
    }
    return hash;
  }

  record(lotId: string, cooperativeId: string, serial: string | null, ip: string, userAgent: string | undefined): void {
    if (this.buffer.length >= MAX_BUFFER) return; // shed load rather than grow without bound
    this.buffer.push({ lotId, cooperativeId, serial, at: new Date(), device: deviceClass(userAgent), ipHash: this.hashIp(ip) });
    if (this.buffer.length === FLUSH_AT) void this.flush();
  }

  /** Writes buffered scans and flags anomalies; safe to call at any time (calls are serialised). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.doFlush()).catch((e) => this.logger.warn(`scan flush failed: ${(e as Error).message}`));
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    if (!this.buffer.length) return;
    const batch = this.buffer;
    this.buffer = [];
    await this.ds.query(
      `INSERT INTO trace_scans (lot_id, serial, scanned_at, device_class, ip_hash)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])`,
      [batch.map((s) => s.lotId), batch.map((s) => s.serial), batch.map((s) => s.at), batch.map((s) => s.device), batch.map((s) => s.ipHash)],
    );
    const serials = new Map<string, PendingScan>();
    for (const s of batch) if (s.serial) serials.set(`${s.lotId}\n${s.serial}`, s);
    if (!serials.size) return;
    const list = [...serials.values()];
    await this.ds.query(
      `WITH stats AS (
         SELECT s.lot_id, s.serial, k.cooperative_id, count(*)::int AS scans, count(DISTINCT s.ip_hash)::int AS places
           FROM trace_scans s JOIN unnest($1::uuid[], $2::text[], $3::uuid[]) AS k(lot_id, serial, cooperative_id)
             ON s.lot_id = k.lot_id AND s.serial = k.serial
          WHERE s.scanned_at > now() - interval '24 hours'
          GROUP BY s.lot_id, s.serial, k.cooperative_id),
       flags AS (
         SELECT cooperative_id, lot_id, serial, 'high_scan_rate' AS kind, scans, places FROM stats WHERE scans > $4
         UNION ALL
         SELECT cooperative_id, lot_id, serial, 'many_places', scans, places FROM stats WHERE places > $5)
       INSERT INTO trace_anomalies (cooperative_id, lot_id, serial, kind, scans, places)
       SELECT * FROM flags
       ON CONFLICT (lot_id, serial, kind) DO UPDATE SET scans = EXCLUDED.scans, places = EXCLUDED.places, last_flagged_at = now()`,
      [list.map((s) => s.lotId), list.map((s) => s.serial), list.map((s) => s.cooperativeId), SCAN_RATE_THRESHOLD, SCAN_PLACES_THRESHOLD],
    );
  }
}
