import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CatalogModule } from '@htx/catalog';
import { InventoryModule } from '@htx/inventory';
import { OrdersModule } from '@htx/orders';
import { EpcisService } from './epcis.service';
import { TraceManageService } from './manage.service';
import { ScanService } from './scans.service';
import { TraceCache } from './trace-cache';
import { HookHost, TraceFastPath } from './trace-fast-path';
import { TracePublicService } from './trace-public.service';
import { EpcisController, ManageTraceController, PublicTraceController } from './traceability.controllers';
import { TraceabilityService } from './traceability.service';

interface FastifyLike {
  hasContentTypeParser(type: string): boolean;
  addContentTypeParser(type: string, opts: { parseAs: 'string' }, parser: (req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => void): void;
}

/**
 * Traceability: producers, plots, lots' EPCIS 2.0 events and hash chains, EPCIS capture/query, public trace
 * documents (GS1 Digital Link paths), QR labels, scans and anomalies, recall.
 */
@Module({
  imports: [CatalogModule, InventoryModule, OrdersModule],
  controllers: [PublicTraceController, ManageTraceController, EpcisController],
  providers: [TraceabilityService, EpcisService, TracePublicService, TraceManageService, ScanService, TraceCache, TraceFastPath],
  exports: [TraceabilityService, TracePublicService, TraceFastPath],
})
export class TraceabilityModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** EPCIS documents arrive as application/ld+json: parse them like JSON (same body limit, 400 on bad JSON). */
  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance?.() as (FastifyLike & HookHost) | undefined;
    if (!instance || typeof instance.addContentTypeParser !== 'function') return;
    if (instance.hasContentTypeParser('application/ld+json')) return;
    instance.addContentTypeParser('application/ld+json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, body.length ? JSON.parse(body) : {});
      } catch (e) {
        const err = new Error(`Nội dung JSON không hợp lệ / The request body is not valid JSON: ${(e as Error).message}`) as Error & { statusCode: number };
        err.statusCode = 400;
        done(err);
      }
    });
  }
}
