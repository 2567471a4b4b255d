import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig, notFound } from '@htx/shared';
import { CatalogService, CertificateView, VariantForSale } from '@htx/catalog';
import { InventoryService, LotView } from '@htx/inventory';
import { IdentityService } from '@htx/identity';
import { buildDigitalLink, digitalLinkPath, gtinMessage, aiValueProblem } from './gs1/digital-link';
import { epcisQueryDocument, JsonObject, lotOfUri } from './epcis/document';
import { ChainEntry, verifyChain } from './chain';
import { CachedTrace, TraceCache } from './trace-cache';
import { TraceabilityService } from './traceability.service';
import { toGtin14 } from '@htx/shared';

const STEP_LABELS: Record<string, [string, string]> = {
  commissioning: ['Thu hoạch / Sơ chế', 'Harvest / processing'],
  packing: ['Đóng gói', 'Packing'],
  shipping: ['Xuất hàng', 'Shipping'],
  receiving: ['Nhận hàng', 'Receiving'],
  inspecting: ['Kiểm tra chất lượng', 'Inspection'],
  storing: ['Lưu kho', 'Storage'],
};

const dateVn = (d: string | null) => (d ? `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}` : null);

interface StageView {
  seq: number;
  role: string;
  eventID: string;
  eventType: string;
  bizStep: string | null;
  kind: string;
  labelVi: string;
  labelEn: string;
  time: string;
  disposition: string | null;
  quantities: Array<{ gtin: string; lotCode: string; quantity: number | null; uom: string | null; direction: 'in' | 'out' | 'lot' }>;
  location: { id: string; name: string; latitude: number | null; longitude: number | null } | null;
  corrects: string | null;
  note: string | null;
}

/**
 * The public trace document of a lot (what a shopper sees after scanning a pack): Circular 02/2024/TT-BKHCN
 * minimum data (product, images, producer cooperative and address, stages with times, trace code, brand,
 * GTIN, shelf life, standards applied) plus consenting households, plots with their map point, certificates
 * with validity, recall status, scan count and the lot's hash chain. Served from the Redis cache.
 */
@Injectable()
export class TracePublicService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly identity: IdentityService,
    private readonly trace: TraceabilityService,
    private readonly cache: TraceCache,
    private readonly config: AppConfig,
  ) {}

  /** Checks the identifiers of a trace path; a 404 that says what is wrong with them. */
  normaliseKey(gtin: string, lot: string, serial?: string): { gtin: string; lot: string; serial?: string } {
    const gtinErr = gtinMessage(gtin);
    if (gtinErr) throw notFound(`Không tìm thấy mã truy xuất / Unknown trace code: ${gtinErr}`);
    const lotErr = aiValueProblem('10', lot);
    if (lotErr) throw notFound(`Không tìm thấy mã truy xuất / Unknown trace code: ${lotErr}`);
    if (serial !== undefined) {
      const serialErr = aiValueProblem('21', serial);
      if (serialErr) throw notFound(`Không tìm thấy mã truy xuất / Unknown trace code: ${serialErr}`);
    }
    return { gtin: toGtin14(gtin), lot, serial };
  }

  async resolve(gtin14: string, lotCode: string): Promise<{ variant: VariantForSale; lot: LotView }> {
    const variant = await this.catalog.findVariantByGtin(gtin14);
    if (!variant) {
      throw notFound(`Không có sản phẩm mang mã GTIN ${gtin14} / No product with GTIN ${gtin14} is traced here; check the number under the barcode`);
    }
    const lot = await this.inventory.findLot(variant.variantId, lotCode);
    if (!lot) {
      throw notFound(`Không tìm thấy lô "${lotCode}" của ${variant.productNameVi} / No lot "${lotCode}" of ${variant.productNameEn ?? variant.productNameVi} (GTIN ${gtin14}); check the lot number printed on the pack`);
    }
    return { variant, lot };
  }

  /** Cached document of a lot (built and cached on a miss). */
  async getCached(gtin14: string, lotCode: string): Promise<CachedTrace> {
    const hit = await this.cache.get(gtin14, lotCode);
    if (hit) return hit;
    const builtAt = Date.now();
    const { variant, lot } = await this.resolve(gtin14, lotCode);
    const doc = await this.buildDocument(variant, lot);
    const body = JSON.stringify(doc);
    const entry: CachedTrace = { etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, lotId: lot.id, cooperativeId: lot.cooperativeId, body };
    await this.cache.set(gtin14, lotCode, entry, builtAt);
    return entry;
  }

  /** Body + ETag for the lot, or for a serialised pack of it (the serial is added to the lot's document). */
  async response(gtin14: string, lotCode: string, serial?: string): Promise<CachedTrace> {
    return this.fromCached(await this.getCached(gtin14, lotCode), gtin14, lotCode, serial);
  }

  /** The answer for a lot or one serialised pack of it, from the lot's cached document. */
  fromCached(base: CachedTrace, gtin14: string, lotCode: string, serial?: string): CachedTrace {
    if (serial === undefined) return base;
    const traceCode = buildDigitalLink(this.config.publicBaseUrl, { gtin: gtin14, lot: lotCode, serial });
    const body = `${base.body.slice(0, -1)},"serial":${JSON.stringify(serial)},"serialTraceCode":${JSON.stringify(traceCode)}}`;
    return { ...base, etag: `"${createHash('sha256').update(base.etag + serial).digest('base64url').slice(0, 27)}"`, body };
  }

  private async lotStages(lotId: string): Promise<{ stages: StageView[]; events: JsonObject[]; raw: ChainEntry[]; chain: Array<{ seq: number; eventID: string; role: string; prevHash: string; chainHash: string }>; head: string | null }> {
    const { entries, storedHead } = await this.trace.chainEntries(lotId);
    const locIds = new Set<string>();
    for (const e of entries) {
      const id = (e.event['readPoint'] as { id?: string } | undefined)?.id;
      const m = id ? /\/api\/trace\/locations\/([0-9a-f-]{36})$/.exec(id) : null;
      if (m) locIds.add(m[1]);
    }
    const locRows: Array<{ id: string; name: string; latitude: number | null; longitude: number | null }> = locIds.size
      ? await this.ds.query(`SELECT id, name, latitude, longitude FROM trace_locations WHERE id = ANY($1::uuid[])`, [[...locIds]])
      : [];
    const locations = new Map(locRows.map((l) => [l.id, l]));
    const stages: StageView[] = entries.map((e) => {
      const ev = e.event;
      const bizStep = typeof ev['bizStep'] === 'string' ? (ev['bizStep'] as string).replace(/^https:\/\/ref\.gs1\.org\/cbv\/BizStep-/, '') : null;
      const transformation = ev['type'] === 'TransformationEvent';
      const isHarvest = ev['type'] === 'ObjectEvent' && ev['action'] === 'ADD' && bizStep === 'commissioning';
      const kind = transformation ? 'transformation' : isHarvest ? 'harvest' : (bizStep ?? 'other');
      const [labelVi, labelEn] = isHarvest ? ['Thu hoạch', 'Harvest'] : transformation ? ['Sơ chế / sấy / chế biến', 'Drying / processing'] : (STEP_LABELS[bizStep ?? ''] ?? [bizStep ?? 'Sự kiện', bizStep ?? 'Event']);
      const quantities: StageView['quantities'] = [];
      const push = (list: unknown, direction: 'in' | 'out' | 'lot') => {
        for (const q of (list as JsonObject[]) ?? []) {
          const key = typeof q?.['epcClass'] === 'string' ? lotOfUri(q['epcClass'] as string) : null;
          if (key) quantities.push({ gtin: key.gtin, lotCode: key.lotCode, quantity: typeof q['quantity'] === 'number' ? (q['quantity'] as number) : null, uom: (q['uom'] as string) ?? null, direction });
        }
      };
      push(ev['quantityList'], 'lot');
      push(ev['inputQuantityList'], 'in');
      push(ev['outputQuantityList'], 'out');
      const locId = /\/api\/trace\/locations\/([0-9a-f-]{36})$/.exec((ev['readPoint'] as { id?: string } | undefined)?.id ?? '')?.[1];
      const loc = locId ? locations.get(locId) : undefined;
      return {
        seq: e.seq,
        role: e.role,
        eventID: e.eventId,
        eventType: String(ev['type']),
        bizStep,
        kind,
        labelVi,
        labelEn,
        time: String(ev['eventTime']),
        disposition: typeof ev['disposition'] === 'string' ? (ev['disposition'] as string).replace(/^https:\/\/ref\.gs1\.org\/cbv\/Disp-/, '') : null,
        quantities,
        location: loc ? { id: loc.id, name: loc.name, latitude: loc.latitude, longitude: loc.longitude } : null,
        corrects: (ev['htx:corrects'] as string) ?? null,
        note: (ev['htx:note'] as string) ?? null,
      };
    });
    return {
      stages,
      events: entries.map((e) => e.event),
      raw: entries,
      chain: entries.map((e) => ({ seq: e.seq, eventID: e.eventId, role: e.role, prevHash: e.prevHash, chainHash: e.chainHash })),
      head: storedHead,
    };
  }

  private async origins(lotIds: string[]) {
    const rows: Array<{ plotId: string; plotName: string; crop: string; areaM2: number; latitude: number; longitude: number; geometry: unknown; certificates: Array<{ kind: string; name: string; number?: string; validFrom?: string; validTo?: string }>; producerId: string; producerName: string; village: string; ethnicGroup: string | null; consent: boolean }> =
      await this.ds.query(
        `SELECT DISTINCT ON (p.id) p.id AS "plotId", p.name AS "plotName", p.crop, p.area_m2::float8 AS "areaM2", p.latitude, p.longitude, p.geometry, p.certificates,
                pr.id AS "producerId", pr.name AS "producerName", pr.village, pr.ethnic_group AS "ethnicGroup", pr.consent_public_name AS consent
           FROM trace_lot_origins o JOIN trace_plots p ON p.id = o.plot_id JOIN trace_producers pr ON pr.id = o.producer_id
          WHERE o.lot_id = ANY($1::uuid[]) ORDER BY p.id`,
        [lotIds],
      );
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const plots = rows.map((r) => ({
      name: r.plotName,
      crop: r.crop,
      areaM2: r.areaM2,
      mapPoint: { latitude: r.latitude, longitude: r.longitude },
      geometry: r.geometry,
      village: r.village,
      certificates: (r.certificates ?? []).map((c) => ({ ...c, valid: (!c.validFrom || c.validFrom <= today) && (!c.validTo || c.validTo >= today) })),
    }));
    const byProducer = new Map<string, (typeof rows)[number]>();
    for (const r of rows) byProducer.set(r.producerId, r);
    const households = [...byProducer.values()].filter((r) => r.consent).map((r) => ({ name: r.producerName, village: r.village, ethnicGroup: r.ethnicGroup }));
    return { plots, households, householdCount: byProducer.size };
  }

  async buildDocument(variant: VariantForSale, lot: LotView): Promise<JsonObject> {
    const [product, coop, own, [{ scans }]] = await Promise.all([
      this.catalog.getProductTraceInfo(variant.productId),
      this.identity.findCooperativeById(lot.cooperativeId),
      this.lotStages(lot.id),
      this.ds.query(`SELECT count(*)::int AS scans FROM trace_scans WHERE lot_id = $1`, [lot.id]) as Promise<Array<{ scans: number }>>,
    ]);
    // Lots this one was made from (TransformationEvents where it is an output), with their own stories.
    const sourceKeys = new Map<string, { gtin: string; lotCode: string }>();
    for (const s of own.stages) {
      if (s.role !== 'output') continue;
      for (const q of s.quantities) if (q.direction === 'in' && !(q.gtin === variant.gtin && q.lotCode === lot.lotCode)) sourceKeys.set(`${q.gtin}/${q.lotCode}`, q);
    }
    const sourceLots: JsonObject[] = [];
    const sourceIds: string[] = [];
    for (const key of sourceKeys.values()) {
      const v = await this.catalog.findVariantByGtin(key.gtin);
      const l = v ? await this.inventory.findLot(v.variantId, key.lotCode) : null;
      if (!v || !l) continue;
      sourceIds.push(l.id);
      const st = await this.lotStages(l.id);
      const or = await this.origins([l.id]);
      sourceLots.push({
        gtin: key.gtin,
        lotCode: key.lotCode,
        traceCode: buildDigitalLink(this.config.publicBaseUrl, { gtin: key.gtin, lot: key.lotCode }),
        productNameVi: v.productNameVi,
        productNameEn: v.productNameEn,
        harvestDate: l.harvestDate,
        recalled: l.recalledAt !== null,
        stages: st.stages,
        plots: or.plots,
        households: or.households,
      });
    }
    const origins = await this.origins([lot.id, ...sourceIds]);
    const certificates: Array<CertificateView & { source: string }> = (product?.certificates ?? []).map((c) => ({ ...c, source: 'product' }));
    const ocop = certificates.find((c) => c.kind === 'ocop' && c.valid && (c.stars ?? 0) >= 3) ?? null;
    const traceCode = buildDigitalLink(this.config.publicBaseUrl, { gtin: variant.gtin, lot: lot.lotCode });
    const path = digitalLinkPath({ gtin: variant.gtin, lot: lot.lotCode });
    const base = this.config.publicBaseUrl;
    const verification = verifyChain(own.raw, own.head);
    const address = coop ? [coop.addressLine, coop.communeName, coop.provinceName].filter(Boolean).join(', ') : null;
    return {
      traceCode,
      gtin: variant.gtin,
      lotCode: lot.lotCode,
      product: {
        nameVi: product?.nameVi ?? variant.productNameVi,
        nameEn: product?.nameEn ?? variant.productNameEn,
        variantNameVi: variant.variantNameVi,
        variantNameEn: variant.variantNameEn,
        brand: product?.brand ?? coop?.name ?? null,
        category: product?.categoryNameVi ?? null,
        descriptionVi: product?.descriptionVi ?? '',
        descriptionEn: product?.descriptionEn ?? '',
        images: product?.imageUrls ?? (variant.imageUrl ? [variant.imageUrl] : []),
        slug: variant.productSlug,
        shelfLifeDays: product?.shelfLifeDays ?? null,
      },
      cooperative: coop
        ? { name: coop.name, nameEn: coop.nameEn, slug: coop.slug, address, phone: coop.contactPhone, email: coop.contactEmail }
        : null,
      lot: {
        harvestDate: lot.harvestDate,
        expiryDate: lot.expiryDate,
        harvestDateVi: dateVn(lot.harvestDate),
        expiryDateVi: dateVn(lot.expiryDate),
        shelfLifeDays: product?.shelfLifeDays ?? null,
        quantityReceived: lot.quantityReceived,
      },
      recall: lot.recalledAt
        ? {
            recalled: true,
            at: lot.recalledAt,
            reason: lot.recallReason,
            messageVi: 'CẢNH BÁO: Lô hàng này đã bị thu hồi. Vui lòng không sử dụng và liên hệ hợp tác xã.',
            messageEn: 'WARNING: this lot has been recalled. Do not use it; contact the cooperative.',
          }
        : { recalled: false },
      standards: {
        certificates,
        ocopMark: ocop ? { stars: ocop.stars, validTo: ocop.validTo } : null,
        plotCertificates: origins.plots.flatMap((p) => p.certificates.map((c) => ({ ...c, plot: p.name }))),
        traceability: ['TCVN 12850:2019', 'GS1 EPCIS 2.0 / CBV 2.0', 'GS1 Digital Link'],
      },
      stages: own.stages,
      sourceLots,
      households: origins.households,
      householdCount: origins.householdCount,
      plots: origins.plots,
      scanCount: scans,
      chain: {
        algorithm: 'chainHash = sha256_hex(prevHash + RFC8785_canonical_json(event)); the first prevHash is 64 zeros',
        head: own.head,
        length: own.chain.length,
        valid: verification.valid,
        entries: own.chain,
        verifyUrl: `${base}/api/trace${path}/verify`,
      },
      epcis: { events: own.events },
      links: {
        self: traceCode,
        pip: `${base}/san-pham/${variant.productSlug}`,
        epcis: `${base}/api/trace${path}/epcis`,
      },
      generatedAt: new Date().toISOString(),
    };
  }

  /** GS1 resolver linkset (RFC 9264) for the lot. */
  async linkset(gtin14: string, lotCode: string, serial?: string): Promise<JsonObject> {
    const { variant, lot } = await this.resolve(gtin14, lotCode);
    const base = this.config.publicBaseUrl;
    const path = digitalLinkPath({ gtin: variant.gtin, lot: lot.lotCode, serial });
    const anchor = `${base}${path}`;
    const lotPath = digitalLinkPath({ gtin: variant.gtin, lot: lot.lotCode });
    return {
      linkset: [
        {
          anchor,
          'https://gs1.org/voc/defaultLink': [{ href: `${base}/trace${path}`, title: `Truy xuất nguồn gốc ${variant.productNameVi}`, type: 'text/html', hreflang: ['vi'] }],
          'https://gs1.org/voc/traceability': [
            { href: `${base}/trace${path}`, title: `Truy xuất nguồn gốc / Traceability: ${variant.productNameVi}`, type: 'text/html', hreflang: ['vi', 'en'] },
            { href: `${base}/api/trace${path}`, title: 'Trace document (JSON)', type: 'application/json' },
          ],
          'https://gs1.org/voc/pip': [{ href: `${base}/san-pham/${variant.productSlug}`, title: variant.productNameVi, type: 'text/html', hreflang: ['vi'] }],
          'https://gs1.org/voc/epcis': [{ href: `${base}/api/trace${lotPath}/epcis`, title: 'EPCIS 2.0 events of this lot', type: 'application/ld+json' }],
        },
      ],
    };
  }

  async epcis(gtin14: string, lotCode: string): Promise<JsonObject> {
    const { lot } = await this.resolve(gtin14, lotCode);
    const { entries } = await this.trace.chainEntries(lot.id);
    return epcisQueryDocument(entries.map((e) => e.event));
  }

  async verify(gtin14: string, lotCode: string) {
    const { lot } = await this.resolve(gtin14, lotCode);
    const result = await this.trace.verifyLot(lot.id);
    return {
      traceCode: buildDigitalLink(this.config.publicBaseUrl, { gtin: gtin14, lot: lotCode }),
      ...result,
      messageVi: result.valid ? 'Lịch sử lô hàng nguyên vẹn.' : 'Lịch sử lô hàng đã bị thay đổi sau khi ghi nhận!',
      messageEn: result.valid ? 'The lot’s history is intact.' : 'The lot’s history was altered after it was recorded!',
    };
  }
}
