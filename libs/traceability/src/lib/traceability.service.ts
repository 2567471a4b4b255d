import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, AuthUser, badRequest, conflict, forbidden, notFound, Page, toPage } from '@htx/shared';
import { cooperativeScope, requireCooperative } from '@htx/identity';
import { CatalogService, VariantForSale } from '@htx/catalog';
import { InventoryService, LotView } from '@htx/inventory';
import { chainHash, ChainEntry, GENESIS_HASH, verifyChain, ChainVerification } from './chain';
import { buildStepEvent, JsonObject, LotQuantity, StepEventInput } from './epcis/document';
import type { CreateLocationDto, CreatePlotDto, CreateProducerDto, RecordEventDto } from './dto';
import { geometryProblem, mapPoint } from './geo';
import { TraceCache } from './trace-cache';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface LotContext {
  lot: LotView;
  variant: VariantForSale;
}

export interface AppendInput {
  cooperativeId: string;
  event: JsonObject;
  lots: Array<{ lotId: string; role: 'subject' | 'input' | 'output' }>;
  captureId?: string | null;
  userId?: string | null;
  correctsEventId?: string | null;
}

export interface AppendResult {
  duplicate: boolean;
  eventPk: string | null;
  chain: Array<{ lotId: string; seq: number; chainHash: string }>;
}

/**
 * Stores one event and appends it to the chain of every lot it touches, inside the caller's transaction.
 * A repeat of a stored event (same CBV 2.0 eventID) is reported as a duplicate and changes nothing.
 * The chain heads are locked in lot-id order, so concurrent appends never deadlock or fork a chain.
 */
export async function appendTraceEvent(tx: EntityManager, input: AppendInput): Promise<AppendResult> {
  const event = input.event;
  const eventId = String(event['eventID']);
  const time = new Date(String(event['eventTime']));
  const bizStep = typeof event['bizStep'] === 'string' ? (event['bizStep'] as string).replace(/^https:\/\/ref\.gs1\.org\/cbv\/BizStep-/, '') : null;
  const [row] = await tx.query(
    `INSERT INTO trace_events (event_id, cooperative_id, event_type, biz_step, event_time, event, corrects_event_id, capture_id, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
    [eventId, input.cooperativeId, event['type'], bizStep, time, JSON.stringify(event), input.correctsEventId ?? null, input.captureId ?? null, input.userId ?? null],
  );
  if (!row) return { duplicate: true, eventPk: null, chain: [] };
  const chain: Array<{ lotId: string; seq: number; chainHash: string }> = [];
  const sorted = [...input.lots].sort((a, b) => a.lotId.localeCompare(b.lotId));
  for (const { lotId, role } of sorted) {
    await tx.query(`INSERT INTO trace_lot_heads (lot_id) VALUES ($1) ON CONFLICT DO NOTHING`, [lotId]);
    const [head] = await tx.query(`SELECT seq, head_hash AS "headHash" FROM trace_lot_heads WHERE lot_id = $1 FOR UPDATE`, [lotId]);
    const seq = head.seq + 1;
    const prev = head.headHash ?? GENESIS_HASH;
    const hash = chainHash(prev, event);
    await tx.query(`INSERT INTO trace_chain (lot_id, seq, event_pk, role, prev_hash, chain_hash) VALUES ($1, $2, $3, $4, $5, $6)`, [lotId, seq, row.id, role, prev, hash]);
    await tx.query(`UPDATE trace_lot_heads SET seq = $2, head_hash = $3, updated_at = now() WHERE lot_id = $1`, [lotId, seq, hash]);
    chain.push({ lotId, seq, chainHash: hash });
  }
  return { duplicate: false, eventPk: String(row.id), chain };
}

/**
 * Producers, plots, locations, lot origins and the recording of EPCIS events into per-lot hash chains.
 * Every write runs in one transaction; chain appends lock the lots' chain heads (in id order, so two
 * events touching the same lots never deadlock) so concurrent recorders from several API processes
 * build one unbroken chain.
 */
@Injectable()
export class TraceabilityService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly cache: TraceCache,
    private readonly config: AppConfig,
  ) {}

  locationUri(id: string): string {
    return `${this.config.publicBaseUrl}/api/trace/locations/${id}`;
  }

  // ------------------------------------------------------------------ lots

  /** A lot with its variant, visible to the user (another cooperative's lot answers 404). */
  async loadLot(user: AuthUser | null, lotId: string): Promise<LotContext> {
    const lot = UUID.test(lotId) ? await this.inventory.getLot(lotId) : null;
    if (!lot || (user && user.role !== 'platform_admin' && user.cooperativeId !== lot.cooperativeId)) {
      throw notFound(`Không tìm thấy lô / No lot ${lotId} in your cooperative`);
    }
    const [variant] = await this.catalog.getVariantsForSale([lot.variantId]);
    if (!variant) throw notFound(`Lô ${lot.lotCode} không có sản phẩm / The lot's product variant no longer exists`);
    return { lot, variant };
  }

  /** Cache keys (GTIN + lot code) of the lots and of the lots made from them (their pages show these lots). */
  async invalidateLots(lotIds: string[]): Promise<void> {
    const ids = [...new Set(lotIds)];
    if (!ids.length) return;
    const downstream: { lotId: string }[] = await this.ds.query(
      `SELECT DISTINCT o.lot_id AS "lotId" FROM trace_chain i JOIN trace_chain o ON o.event_pk = i.event_pk AND o.role = 'output'
        WHERE i.lot_id = ANY($1::uuid[]) AND i.role = 'input'`,
      [ids],
    );
    const all = [...new Set([...ids, ...downstream.map((d) => d.lotId)])];
    const keys: Array<{ gtin: string; lotCode: string }> = [];
    for (const id of all) {
      const lot = await this.inventory.getLot(id);
      if (!lot) continue;
      const [variant] = await this.catalog.getVariantsForSale([lot.variantId]);
      if (variant) keys.push({ gtin: variant.gtin, lotCode: lot.lotCode });
    }
    await this.cache.delete(keys);
  }

  // ------------------------------------------------------------------ producers, plots, locations

  async createProducer(user: AuthUser, dto: CreateProducerDto) {
    const coop = requireCooperative(user, dto.cooperativeId);
    if (dto.userId) {
      const [member] = await this.ds.query(`SELECT role, cooperative_id AS "cooperativeId" FROM users WHERE id = $1`, [dto.userId]);
      if (!member || member.cooperativeId !== coop || member.role !== 'coop_member') {
        throw badRequest('userId phải là thành viên của hợp tác xã / userId must be a coop_member account of this cooperative');
      }
    }
    const [row] = await this.ds.query(
      `INSERT INTO trace_producers (cooperative_id, user_id, name, village, ethnic_group, phone, consent_public_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [coop, dto.userId ?? null, dto.name.trim(), dto.village.trim(), dto.ethnicGroup?.trim() || null, dto.phone ?? null, dto.consentPublicName ?? false],
    );
    return this.getProducer(user, row.id);
  }

  async getProducer(user: AuthUser, id: string) {
    const [row] = UUID.test(id)
      ? await this.ds.query(
          `SELECT id, cooperative_id AS "cooperativeId", user_id AS "userId", name, village, ethnic_group AS "ethnicGroup", phone,
                  consent_public_name AS "consentPublicName", created_at AS "createdAt"
             FROM trace_producers WHERE id = $1`,
          [id],
        )
      : [];
    if (!row || (user.role !== 'platform_admin' && row.cooperativeId !== user.cooperativeId)) throw notFound(`Không tìm thấy hộ sản xuất / No producer ${id}`);
    return row;
  }

  async listProducers(user: AuthUser, q: { page: number; pageSize: number; offset: number; cooperativeId?: string }): Promise<Page<unknown>> {
    const scope = cooperativeScope(user, q.cooperativeId);
    const rows = await this.ds.query(
      `SELECT id, cooperative_id AS "cooperativeId", user_id AS "userId", name, village, ethnic_group AS "ethnicGroup", phone,
              consent_public_name AS "consentPublicName", count(*) OVER()::int AS total
         FROM trace_producers WHERE ($1::uuid IS NULL OR cooperative_id = $1) ORDER BY name, id LIMIT $2 OFFSET $3`,
      [scope, q.pageSize, q.offset],
    );
    return toPage(rows.map(({ total: _t, ...r }: { total: number }) => r), rows[0]?.total ?? 0, q);
  }

  async createPlot(user: AuthUser, dto: CreatePlotDto) {
    const coop = requireCooperative(user, dto.cooperativeId);
    const problem = geometryProblem(dto.geometry);
    if (problem) throw badRequest(`geometry: ${problem}`);
    const producer = await this.getProducer(user, dto.producerId);
    if (producer.cooperativeId !== coop) throw notFound(`Không tìm thấy hộ sản xuất / No producer ${dto.producerId}`);
    const [lng, lat] = mapPoint(dto.geometry);
    return this.ds.transaction(async (tx) => {
      const [plot] = await tx.query(
        `INSERT INTO trace_plots (cooperative_id, producer_id, name, area_m2, crop, geometry, latitude, longitude, certificates)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [coop, dto.producerId, dto.name.trim(), dto.areaM2, dto.crop.trim(), JSON.stringify(dto.geometry), lat, lng, JSON.stringify(dto.certificates ?? [])],
      );
      const [loc] = await tx.query(
        `INSERT INTO trace_locations (cooperative_id, kind, name, plot_id, latitude, longitude) VALUES ($1, 'plot', $2, $3, $4, $5) RETURNING id`,
        [coop, `Lô đất / Plot: ${dto.name.trim()}`, plot.id, lat, lng],
      );
      return { id: plot.id, locationId: loc.id, locationUri: this.locationUri(loc.id), latitude: lat, longitude: lng };
    });
  }

  async listPlots(user: AuthUser, q: { page: number; pageSize: number; offset: number; cooperativeId?: string }) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const rows = await this.ds.query(
      `SELECT p.id, p.cooperative_id AS "cooperativeId", p.producer_id AS "producerId", p.name, p.area_m2::float8 AS "areaM2", p.crop,
              p.geometry, p.latitude, p.longitude, p.certificates, l.id AS "locationId", count(*) OVER()::int AS total
         FROM trace_plots p LEFT JOIN trace_locations l ON l.plot_id = p.id
        WHERE ($1::uuid IS NULL OR p.cooperative_id = $1) ORDER BY p.name, p.id LIMIT $2 OFFSET $3`,
      [scope, q.pageSize, q.offset],
    );
    return toPage(rows.map(({ total: _t, ...r }: { total: number }) => r), rows[0]?.total ?? 0, q);
  }

  async createLocation(user: AuthUser, dto: CreateLocationDto) {
    const coop = requireCooperative(user, dto.cooperativeId);
    if ((dto.latitude === undefined) !== (dto.longitude === undefined)) throw badRequest('latitude and longitude go together: give both or neither');
    const [row] = await this.ds.query(
      `INSERT INTO trace_locations (cooperative_id, kind, name, address, latitude, longitude) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [coop, dto.kind, dto.name.trim(), dto.address ?? '', dto.latitude ?? null, dto.longitude ?? null],
    );
    return { id: row.id, uri: this.locationUri(row.id) };
  }

  /** Public view of a location (the target of readPoint / bizLocation URIs). */
  async publicLocation(id: string) {
    const [row] = UUID.test(id)
      ? await this.ds.query(
          `SELECT l.id, l.kind, l.name, l.address, l.latitude, l.longitude, c.name AS "cooperativeName", p.crop, p.area_m2::float8 AS "areaM2"
             FROM trace_locations l JOIN cooperatives c ON c.id = l.cooperative_id LEFT JOIN trace_plots p ON p.id = l.plot_id WHERE l.id = $1`,
          [id],
        )
      : [];
    if (!row) throw notFound(`Không tìm thấy địa điểm / No location ${id}`);
    return { ...row, uri: this.locationUri(row.id) };
  }

  // ------------------------------------------------------------------ recording steps

  private async producerOf(user: AuthUser): Promise<string> {
    const [row] = await this.ds.query(`SELECT id FROM trace_producers WHERE user_id = $1 AND cooperative_id = $2`, [user.userId, user.cooperativeId]);
    if (!row) throw forbidden('Tài khoản chưa gắn với hộ sản xuất nào / Your account is not linked to a producer household; ask your manager');
    return row.id;
  }

  /** Members may only record events for lots that come from their own plots. */
  private async assertMemberOwnsLots(user: AuthUser, lotIds: string[]): Promise<void> {
    if (user.role !== 'coop_member') return;
    const producerId = await this.producerOf(user);
    const rows: { lotId: string }[] = await this.ds.query(
      `SELECT DISTINCT lot_id AS "lotId" FROM trace_lot_origins WHERE lot_id = ANY($1::uuid[]) AND producer_id = $2`,
      [lotIds, producerId],
    );
    const owned = new Set(rows.map((r) => r.lotId));
    const foreign = lotIds.filter((id) => !owned.has(id));
    if (foreign.length) throw forbidden(`Bạn chỉ ghi được sự kiện cho lô từ lô đất của mình / You can only record events for lots from your own plots (not: ${foreign.join(', ')})`);
  }

  private async loadLocation(coop: string, id: string): Promise<string> {
    const [row] = await this.ds.query(`SELECT id FROM trace_locations WHERE id = $1 AND cooperative_id = $2`, [id, coop]);
    if (!row) throw notFound(`Không tìm thấy địa điểm / No location ${id} in your cooperative`);
    return this.locationUri(row.id);
  }

  private async cooperativeLocation(coop: string): Promise<string | undefined> {
    const [row] = await this.ds.query(`SELECT id FROM trace_locations WHERE cooperative_id = $1 AND kind = 'cooperative' ORDER BY created_at LIMIT 1`, [coop]);
    return row ? this.locationUri(row.id) : undefined;
  }

  async recordStep(user: AuthUser, dto: RecordEventDto) {
    const coop = requireCooperative(user, dto.cooperativeId);
    const eventTime = dto.eventTime ? new Date(dto.eventTime) : new Date();
    if (eventTime.getTime() > Date.now() + 10 * 60_000) throw badRequest('eventTime lies in the future / Thời điểm nằm ở tương lai');
    const transformation = dto.kind === 'drying' || dto.kind === 'processing';
    const input: StepEventInput = { kind: dto.kind, eventTime, disposition: dto.disposition, certificationInfo: dto.certificationInfo, note: dto.note };
    const lots: AppendInput['lots'] = [];
    const plotIds: string[] = [];
    const own = async (lotId: string) => {
      const ctx = await this.loadLot(user, lotId);
      if (ctx.lot.cooperativeId !== coop) throw notFound(`Không tìm thấy lô / No lot ${lotId} in your cooperative`);
      return ctx;
    };
    const quantities = async (list: { lotId: string; quantity: number; uom: LotQuantity['uom'] }[]) =>
      Promise.all(list.map(async (l) => ({ ...(await own(l.lotId)), quantity: l.quantity, uom: l.uom })));

    if (transformation) {
      if (!dto.inputs?.length || !dto.outputs?.length) throw badRequest(`${dto.kind} needs inputs and outputs (lots with quantities)`);
      if (dto.lotId || dto.plotIds) throw badRequest(`${dto.kind} takes inputs and outputs, not lotId or plotIds`);
      const ins = await quantities(dto.inputs);
      const outs = await quantities(dto.outputs);
      const inIds = ins.map((i) => i.lot.id);
      if (new Set(inIds).size !== inIds.length || new Set(outs.map((o) => o.lot.id)).size !== outs.length) throw badRequest('a lot appears twice in inputs or outputs');
      await this.assertMemberOwnsLots(user, inIds);
      input.inputs = ins.map((i) => ({ gtin: i.variant.gtin, lotCode: i.lot.lotCode, quantity: i.quantity, uom: i.uom }));
      input.outputs = outs.map((o) => ({ gtin: o.variant.gtin, lotCode: o.lot.lotCode, quantity: o.quantity, uom: o.uom }));
      lots.push(...ins.map((i) => ({ lotId: i.lot.id, role: 'input' as const })), ...outs.filter((o) => !inIds.includes(o.lot.id)).map((o) => ({ lotId: o.lot.id, role: 'output' as const })));
    } else {
      if (!dto.lotId || dto.quantity === undefined) throw badRequest(`${dto.kind} needs lotId and quantity`);
      if (dto.inputs || dto.outputs) throw badRequest(`${dto.kind} takes lotId and quantity, not inputs/outputs`);
      const ctx = await own(dto.lotId);
      const uom = dto.uom ?? (dto.kind === 'harvest' ? 'KGM' : 'H87');
      input.lots = [{ gtin: ctx.variant.gtin, lotCode: ctx.lot.lotCode, quantity: dto.quantity, uom }];
      lots.push({ lotId: ctx.lot.id, role: 'subject' });
      if (dto.kind === 'harvest') {
        if (!dto.plotIds?.length) throw badRequest('harvest needs plotIds: the plots the crop came from');
        const plots: { id: string; producerId: string; userId: string | null; locationId: string | null; certificates: { kind: string; name: string; number?: string }[] }[] = await this.ds.query(
          `SELECT p.id, p.producer_id AS "producerId", pr.user_id AS "userId", l.id AS "locationId", p.certificates
             FROM trace_plots p JOIN trace_producers pr ON pr.id = p.producer_id LEFT JOIN trace_locations l ON l.plot_id = p.id
            WHERE p.id = ANY($1::uuid[]) AND p.cooperative_id = $2`,
          [dto.plotIds, coop],
        );
        const missing = dto.plotIds.filter((id) => !plots.some((p) => p.id === id));
        if (missing.length) throw notFound(`Không tìm thấy lô đất / No plot ${missing.join(', ')} in your cooperative`);
        if (user.role === 'coop_member') {
          const producerId = await this.producerOf(user);
          if (plots.some((p) => p.producerId !== producerId)) throw forbidden('Bạn chỉ ghi được thu hoạch từ lô đất của mình / You can only record harvests from your own plots');
        }
        plotIds.push(...plots.map((p) => p.id));
        const farms = plots.flatMap((p) => (p.locationId ? [this.locationUri(p.locationId)] : []));
        input.ilmd = { lotNumber: ctx.lot.lotCode, harvestDate: ctx.lot.harvestDate, bestBeforeDate: ctx.lot.expiryDate, farmList: farms };
        if (!dto.locationId && farms.length) input.readPointUri = input.bizLocationUri = farms[0];
      } else {
        await this.assertMemberOwnsLots(user, [ctx.lot.id]);
      }
    }
    if (dto.locationId) input.readPointUri = input.bizLocationUri = await this.loadLocation(coop, dto.locationId);
    if (!input.readPointUri) input.readPointUri = input.bizLocationUri = await this.cooperativeLocation(coop);
    if (dto.destination) input.destinationUri = dto.destination;
    if (dto.correctsEventId) {
      const [corrected] = await this.ds.query(`SELECT cooperative_id AS "cooperativeId" FROM trace_events WHERE event_id = $1`, [dto.correctsEventId]);
      if (!corrected || corrected.cooperativeId !== coop) throw notFound(`Không tìm thấy sự kiện cần sửa / No event ${dto.correctsEventId} to correct`);
      input.corrects = dto.correctsEventId;
    }
    const event = buildStepEvent(input);
    const result = await this.ds.transaction(async (tx) => {
      if (plotIds.length) {
        await tx.query(
          `INSERT INTO trace_lot_origins (lot_id, plot_id, producer_id)
           SELECT $1, p.id, p.producer_id FROM trace_plots p WHERE p.id = ANY($2::uuid[]) ON CONFLICT DO NOTHING`,
          [lots[0].lotId, plotIds],
        );
      }
      if (transformation) {
        // Output lots come from the plots of their inputs.
        await tx.query(
          `INSERT INTO trace_lot_origins (lot_id, plot_id, producer_id)
           SELECT o.lot_id, i.plot_id, i.producer_id FROM unnest($1::uuid[]) AS o(lot_id) CROSS JOIN trace_lot_origins i
            WHERE i.lot_id = ANY($2::uuid[]) ON CONFLICT DO NOTHING`,
          [lots.filter((l) => l.role === 'output').map((l) => l.lotId), lots.filter((l) => l.role === 'input').map((l) => l.lotId)],
        );
      }
      const appended = await this.appendEvent(tx, { cooperativeId: coop, event, lots, userId: user.userId, correctsEventId: input.corrects ?? null });
      if (appended.duplicate) throw conflict(`Sự kiện này đã được ghi / This event was already recorded (eventID ${event['eventID']})`, { eventID: event['eventID'] });
      return appended;
    });
    await this.invalidateLots(lots.map((l) => l.lotId));
    return { eventID: event['eventID'], chain: result.chain, event };
  }

  /** Stores one event and appends it to the chain of every lot it touches (see appendTraceEvent). */
  appendEvent(tx: EntityManager, input: AppendInput): Promise<AppendResult> {
    return appendTraceEvent(tx, input);
  }

  // ------------------------------------------------------------------ chain

  async chainEntries(lotId: string): Promise<{ entries: ChainEntry[]; storedHead: string | null }> {
    const rows: Array<{ seq: number; role: ChainEntry['role']; prevHash: string; chainHash: string; eventId: string; event: Record<string, unknown> }> = await this.ds.query(
      `SELECT c.seq, c.role, c.prev_hash AS "prevHash", c.chain_hash AS "chainHash", e.event_id AS "eventId", e.event
         FROM trace_chain c JOIN trace_events e ON e.id = c.event_pk WHERE c.lot_id = $1 ORDER BY c.seq`,
      [lotId],
    );
    const [head] = await this.ds.query(`SELECT head_hash AS "headHash" FROM trace_lot_heads WHERE lot_id = $1`, [lotId]);
    return { entries: rows, storedHead: head?.headHash ?? null };
  }

  async verifyLot(lotId: string): Promise<ChainVerification> {
    const { entries, storedHead } = await this.chainEntries(lotId);
    return verifyChain(entries, storedHead);
  }
}
