import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, AuthUser, badRequest } from '@htx/shared';
import { requireCooperative } from '@htx/identity';
import { CatalogService } from '@htx/catalog';
import { InventoryService } from '@htx/inventory';
import { DOCUMENT_CONTEXT, epcisQueryDocument, JsonObject, lotOfUri, validateEpcis } from './epcis/document';
import { eventHash } from './epcis/event-hash';
import type { EventQueryDto } from './dto';
import { AppendInput, TraceabilityService } from './traceability.service';

const SUBJECT_LISTS = ['epcList', 'childEPCs'];
const SUBJECT_QTY = ['quantityList', 'childQuantityList'];

export interface CaptureEventReport {
  index: number;
  eventID?: string;
  status: 'stored' | 'duplicate' | 'rejected';
  errors?: string[];
  lots?: string[];
}

/** EPCIS 2.0 capture (atomic: every event is stored, or none) and SimpleEventQuery-style queries. */
@Injectable()
export class EpcisService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly trace: TraceabilityService,
  ) {}

  /** The lots (of the capturing cooperative) an event names, with their role; unknown foreign GTINs are ignored. */
  private async lotsOf(event: JsonObject, coop: string): Promise<{ lots: AppendInput['lots']; errors: string[] }> {
    const refs: Array<{ uri: string; role: 'subject' | 'input' | 'output' }> = [];
    const add = (value: unknown, role: 'subject' | 'input' | 'output') => {
      if (typeof value === 'string') refs.push({ uri: value, role });
    };
    for (const k of SUBJECT_LISTS) for (const v of (event[k] as unknown[]) ?? []) add(v, 'subject');
    add(event['parentID'], 'subject');
    for (const k of SUBJECT_QTY) for (const q of (event[k] as JsonObject[]) ?? []) add(q?.['epcClass'], 'subject');
    for (const v of (event['inputEPCList'] as unknown[]) ?? []) add(v, 'input');
    for (const q of (event['inputQuantityList'] as JsonObject[]) ?? []) add(q?.['epcClass'], 'input');
    for (const v of (event['outputEPCList'] as unknown[]) ?? []) add(v, 'output');
    for (const q of (event['outputQuantityList'] as JsonObject[]) ?? []) add(q?.['epcClass'], 'output');
    const lots = new Map<string, 'subject' | 'input' | 'output'>();
    const errors: string[] = [];
    for (const ref of refs) {
      const key = lotOfUri(ref.uri);
      if (!key) continue;
      const variant = await this.catalog.findVariantByGtin(key.gtin);
      if (!variant) continue; // someone else's product: stored, but chained to no lot of ours
      if (variant.cooperativeId !== coop) {
        errors.push(`${ref.uri}: GTIN ${key.gtin} belongs to another cooperative`);
        continue;
      }
      const lot = await this.inventory.findLot(variant.variantId, key.lotCode);
      if (!lot) {
        errors.push(`${ref.uri}: no lot "${key.lotCode}" of GTIN ${key.gtin}; create the lot in stock first`);
        continue;
      }
      if (!lots.has(lot.id) || ref.role !== 'subject') lots.set(lot.id, lots.get(lot.id) === 'input' ? 'input' : ref.role);
    }
    return { lots: [...lots.entries()].map(([lotId, role]) => ({ lotId, role })), errors };
  }

  async capture(user: AuthUser, body: unknown, requestedCooperativeId?: string) {
    const coop = requireCooperative(user, requestedCooperativeId);
    if (!body || typeof body !== 'object' || Array.isArray(body) || (body as JsonObject)['type'] !== 'EPCISDocument') {
      throw badRequest('Cần một EPCISDocument / The body must be an EPCIS 2.0 JSON-LD document with "type": "EPCISDocument"');
    }
    const doc = body as JsonObject;
    const problems = validateEpcis(doc);
    const eventList = ((doc['epcisBody'] as JsonObject | undefined)?.['eventList'] ?? []) as JsonObject[];
    const documentProblems = problems.filter((p) => !/^\/epcisBody\/eventList\/\d+/.test(p));
    if (documentProblems.length || !Array.isArray(eventList)) {
      throw badRequest(`Tài liệu EPCIS không hợp lệ / The EPCIS document does not match the EPCIS 2.0 schema: ${documentProblems.join('; ')}`, { problems: documentProblems });
    }
    if (eventList.length === 0) throw badRequest('eventList is empty: nothing to capture');
    if (eventList.length > 500) throw badRequest('At most 500 events per capture; split the document');
    const reports: CaptureEventReport[] = eventList.map((_, index) => ({ index, status: 'stored' }));
    for (const p of problems) {
      const m = /^\/epcisBody\/eventList\/(\d+)(.*)$/.exec(p);
      if (!m) continue;
      const r = reports[Number(m[1])];
      r.status = 'rejected';
      (r.errors ??= []).push(`${m[2] || '(event)'}`.trim());
    }
    const context = doc['@context'];
    const sameContext = JSON.stringify(context) === JSON.stringify(DOCUMENT_CONTEXT);
    const prepared: Array<{ event: JsonObject; lots: AppendInput['lots'] }> = [];
    for (const [i, raw] of eventList.entries()) {
      if (reports[i].status === 'rejected') continue;
      const { eventID: _given, ...rest } = raw;
      const computed = eventHash(rest, context).eventId;
      const event: JsonObject = { ...(sameContext || rest['@context'] ? {} : { '@context': context }), ...rest, eventID: computed };
      const { lots, errors } = await this.lotsOf(event, coop);
      reports[i].eventID = computed;
      if (errors.length) {
        reports[i].status = 'rejected';
        reports[i].errors = errors;
        continue;
      }
      reports[i].lots = lots.map((l) => l.lotId);
      prepared.push({ event, lots });
    }
    const rejected = reports.filter((r) => r.status === 'rejected');
    if (rejected.length) {
      throw new AppError(400, `${rejected.length} sự kiện không hợp lệ, không lưu gì / ${rejected.length} of ${reports.length} events are invalid; nothing was stored`, { events: reports });
    }
    const captureId = await this.ds.transaction(async (tx) => {
      const [capture] = await tx.query(
        `INSERT INTO trace_captures (cooperative_id, user_id, status, event_count, stored_count, duplicate_count) VALUES ($1, $2, 'accepted', $3, 0, 0) RETURNING id`,
        [coop, user.userId, reports.length],
      );
      let stored = 0;
      for (const [n, p] of prepared.entries()) {
        const result = await this.trace.appendEvent(tx, { cooperativeId: coop, event: p.event, lots: p.lots, captureId: capture.id, userId: user.userId });
        const report = reports.filter((r) => r.status !== 'rejected')[n];
        if (result.duplicate) report.status = 'duplicate';
        else stored++;
      }
      // trace_captures is not append-only: the counts are filled in once the events are in.
      await tx.query(`UPDATE trace_captures SET stored_count = $2, duplicate_count = $3 WHERE id = $1`, [capture.id, stored, reports.length - stored]);
      return capture.id as string;
    });
    await this.trace.invalidateLots(prepared.flatMap((p) => p.lots.map((l) => l.lotId)));
    return {
      captureId,
      stored: reports.filter((r) => r.status === 'stored').length,
      duplicates: reports.filter((r) => r.status === 'duplicate').length,
      events: reports,
    };
  }

  async getCapture(user: AuthUser, id: string) {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.ds.query(
          `SELECT id AS "captureId", cooperative_id AS "cooperativeId", status, event_count AS "eventCount", stored_count AS "storedCount",
                  duplicate_count AS "duplicateCount", created_at AS "createdAt" FROM trace_captures WHERE id = $1`,
          [id],
        )
      : [];
    if (!row || (user.role !== 'platform_admin' && row.cooperativeId !== user.cooperativeId)) throw new AppError(404, `Không tìm thấy lần gửi / No capture ${id}`);
    return row;
  }

  /** Events of a cooperative (or of one lot), filtered like an EPCIS SimpleEventQuery, oldest first. */
  async query(scope: string | null, q: EventQueryDto): Promise<{ document: JsonObject; hasMore: boolean }> {
    let lotId: string | null = q.lotId ?? null;
    let textMatch: string | null = null;
    if (q.MATCH_anyEPCClass) {
      const key = lotOfUri(q.MATCH_anyEPCClass);
      const variant = key ? await this.catalog.findVariantByGtin(key.gtin) : null;
      const lot = key && variant ? await this.inventory.findLot(variant.variantId, key.lotCode) : null;
      if (lot) lotId = lot.id;
      else textMatch = q.MATCH_anyEPCClass.replace(/[\\%_]/g, (c) => `\\${c}`);
    }
    const bizStep = q.EQ_bizStep?.replace(/^https:\/\/ref\.gs1\.org\/cbv\/BizStep-/, '') ?? null;
    const rows: { event: JsonObject }[] = await this.ds.query(
      `SELECT e.event FROM trace_events e
        WHERE ($1::uuid IS NULL OR e.cooperative_id = $1)
          AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM trace_chain c WHERE c.event_pk = e.id AND c.lot_id = $2))
          AND ($3::text IS NULL OR e.biz_step = $3)
          AND ($4::timestamptz IS NULL OR e.event_time >= $4)
          AND ($5::timestamptz IS NULL OR e.event_time < $5)
          AND ($6::text IS NULL OR e.event::text LIKE '%' || $6 || '%')
        ORDER BY e.event_time, e.id LIMIT $7 OFFSET $8`,
      [scope, lotId, bizStep, q.GE_eventTime ?? null, q.LT_eventTime ?? null, textMatch, q.pageSize + 1, q.offset],
    );
    const hasMore = rows.length > q.pageSize;
    return { document: epcisQueryDocument(rows.slice(0, q.pageSize).map((r) => r.event)), hasMore };
  }
}
