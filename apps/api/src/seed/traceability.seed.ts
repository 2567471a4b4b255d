import type { EntityManager } from 'typeorm';
import type { AppConfig } from '@htx/shared';
import { appendTraceEvent, buildStepEvent, mapPoint, type LotQuantity, type StepEventInput } from '@htx/traceability';
import type { SeedContext } from './seed';
import type { SeededCatalog } from './catalog.seed';
import type { SeededInventory, SeededLot } from './inventory.seed';

type Coop = 'thienAn' | 'namTy';

const PRODUCERS: Array<{ coop: Coop; name: string; village: string; ethnicGroup: string; phone: string; consent: boolean; memberEmail?: string }> = [
  { coop: 'thienAn', name: 'Triệu Thị Mai', village: 'Thôn Nà Lẹng', ethnicGroup: 'Dao', phone: '0912000101', consent: true, memberEmail: 'member.thienan@htxso.test' },
  { coop: 'thienAn', name: 'Bàn Văn Sơn', village: 'Thôn Khuổi Ha', ethnicGroup: 'Dao', phone: '0912000102', consent: false },
  { coop: 'thienAn', name: 'Hoàng Thị Hoa', village: 'Thôn Bản Cuôn', ethnicGroup: 'Tày', phone: '0912000103', consent: true },
  { coop: 'namTy', name: 'Lý Seo Chứ', village: 'Thôn Nậm Tỵ', ethnicGroup: 'Mông', phone: '0913000201', consent: true, memberEmail: 'member.namty@htxso.test' },
  { coop: 'namTy', name: 'Phàn Văn Lở', village: 'Thôn Nậm Lỵ', ethnicGroup: 'Dao', phone: '0913000202', consent: false },
];

/** Plots: [coop, producer, name, area m², crop, geometry]. Near Phủ Thông (22.27N 105.88E) and Nậm Dịch (22.6N 104.6E). */
const PLOTS: Array<[Coop, string, string, number, string, Record<string, unknown>]> = [
  ['thienAn', 'Triệu Thị Mai', 'Vườn lá tắm Nà Lẹng', 1800, 'Lá tắm người Dao', { type: 'Point', coordinates: [105.8812, 22.2731] }],
  ['thienAn', 'Bàn Văn Sơn', 'Nương giảo cổ lam Khuổi Ha', 3200, 'Giảo cổ lam', {
    type: 'Polygon',
    coordinates: [[[105.872, 22.281], [105.8745, 22.281], [105.8745, 22.2828], [105.872, 22.2828], [105.872, 22.281]]],
  }],
  ['thienAn', 'Hoàng Thị Hoa', 'Ruộng nghệ Bản Cuôn', 2500, 'Nghệ vàng, nghệ đen', { type: 'Point', coordinates: [105.8905, 22.2649] }],
  ['namTy', 'Lý Seo Chứ', 'Đồi chè Shan tuyết cổ thụ Nậm Tỵ', 6000, 'Chè Shan tuyết', { type: 'Point', coordinates: [104.6032, 22.6018] }],
  ['namTy', 'Phàn Văn Lở', 'Đồi chè Nậm Lỵ', 4200, 'Chè Shan tuyết', {
    type: 'Polygon',
    coordinates: [[[104.591, 22.611], [104.5938, 22.611], [104.5938, 22.6131], [104.591, 22.6131], [104.591, 22.611]]],
  }],
];

const VIETGAP = (n: string) => ({ kind: 'vietgap', name: 'VietGAP trồng trọt', number: n, validFrom: '2024-06-01', validTo: '2027-05-31' });

/** Which plot each seeded lot's crop comes from (by the product's SKU prefix). */
const PLOT_OF_SKU: Array<[RegExp, string]> = [
  [/^TA-(LTD|LXD|XPTD)/, 'Vườn lá tắm Nà Lẹng'],
  [/^TA-(GCL|CGCL)/, 'Nương giảo cổ lam Khuổi Ha'],
  [/^TA-(TBN|NDK)/, 'Ruộng nghệ Bản Cuôn'],
  [/^NT-(STCT|HT|BT)/, 'Đồi chè Shan tuyết cổ thụ Nậm Tỵ'],
  [/^NT-/, 'Đồi chè Nậm Lỵ'],
];

/** The blended product: Dao herbal soap made from a lot of bath leaves and a lot of turmeric. */
const BLEND = { lot: 'XPTD2509', inputs: ['LTD2509', 'TBN2508'] };

const addDays = (date: string, days: number, hour: number) => new Date(Date.parse(`${date}T00:00:00+07:00`) + days * 86_400_000 + hour * 3_600_000);

/**
 * Demo traceability data: producer households, plots with coordinates, locations, and for each seeded lot a
 * harvest → drying → packing chain (the herbal soap lot is a TransformationEvent from two harvest lots).
 * Idempotent: upserts on natural keys, and a lot whose chain already has events is left alone.
 */
export async function seedTraceability(tx: EntityManager, config: AppConfig, ctx: SeedContext): Promise<void> {
  const catalog = ctx.catalog as SeededCatalog | undefined;
  const inventory = ctx.inventory as SeededInventory | undefined;
  const coops: Record<Coop, string> = { thienAn: ctx.cooperatives.thienAn, namTy: ctx.cooperatives.namTy };
  const locUri = (id: string) => `${config.publicBaseUrl}/api/trace/locations/${id}`;

  const producerIds = new Map<string, string>();
  for (const p of PRODUCERS) {
    const [user] = p.memberEmail ? await tx.query(`SELECT id FROM users WHERE email = $1`, [p.memberEmail]) : [];
    const [row] = await tx.query(
      `INSERT INTO trace_producers (cooperative_id, user_id, name, village, ethnic_group, phone, consent_public_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT ON CONSTRAINT trace_producers_natural_key DO UPDATE SET ethnic_group = EXCLUDED.ethnic_group, phone = EXCLUDED.phone,
         consent_public_name = EXCLUDED.consent_public_name, user_id = COALESCE(EXCLUDED.user_id, trace_producers.user_id), updated_at = now()
       RETURNING id`,
      [coops[p.coop], user?.id ?? null, p.name, p.village, p.ethnicGroup, p.phone, p.consent],
    );
    producerIds.set(p.name, row.id);
  }

  const plots = new Map<string, { id: string; producerId: string; locationId: string; coop: Coop }>();
  for (const [coop, producer, name, area, crop, geometry] of PLOTS) {
    const [lng, lat] = mapPoint(geometry);
    const producerId = producerIds.get(producer);
    if (!producerId) continue;
    const [plot] = await tx.query(
      `INSERT INTO trace_plots (cooperative_id, producer_id, name, area_m2, crop, geometry, latitude, longitude, certificates)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ON CONSTRAINT trace_plots_natural_key DO UPDATE SET area_m2 = EXCLUDED.area_m2, crop = EXCLUDED.crop, geometry = EXCLUDED.geometry,
         latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, certificates = EXCLUDED.certificates
       RETURNING id`,
      [coops[coop], producerId, name, area, crop, JSON.stringify(geometry), lat, lng, JSON.stringify([VIETGAP(`VG-${coop === 'thienAn' ? 'TN' : 'TQ'}-${name.length}`)])],
    );
    const [loc] = await tx.query(
      `INSERT INTO trace_locations (cooperative_id, kind, name, plot_id, latitude, longitude) VALUES ($1, 'plot', $2, $3, $4, $5)
       ON CONFLICT (plot_id) DO UPDATE SET latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude RETURNING id`,
      [coops[coop], `Lô đất / Plot: ${name}`, plot.id, lat, lng],
    );
    plots.set(name, { id: plot.id, producerId, locationId: loc.id, coop });
  }

  const facilities: Record<Coop, { coop: string; dryer: string }> = { thienAn: { coop: '', dryer: '' }, namTy: { coop: '', dryer: '' } };
  const FACILITIES: Array<[Coop, 'cooperative' | 'facility', string, string, number, number]> = [
    ['thienAn', 'cooperative', 'Trụ sở HTX Thiên An', 'Thôn Nà Lẹng, Xã Phủ Thông, Tỉnh Thái Nguyên', 22.2702, 105.8838],
    ['thienAn', 'facility', 'Xưởng sấy và đóng gói Thiên An', 'Thôn Nà Lẹng, Xã Phủ Thông, Tỉnh Thái Nguyên', 22.2698, 105.8846],
    ['namTy', 'cooperative', 'Trụ sở HTX Chè Shan tuyết Nậm Tỵ', 'Thôn Nậm Tỵ, Xã Nậm Dịch, Tỉnh Tuyên Quang', 22.5991, 104.6057],
    ['namTy', 'facility', 'Xưởng chế biến chè Nậm Tỵ', 'Thôn Nậm Tỵ, Xã Nậm Dịch, Tỉnh Tuyên Quang', 22.5987, 104.6063],
  ];
  for (const [coop, kind, name, address, lat, lng] of FACILITIES) {
    const [row] = await tx.query(
      `INSERT INTO trace_locations (cooperative_id, kind, name, address, latitude, longitude) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT trace_locations_natural_key DO UPDATE SET address = EXCLUDED.address, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude
       RETURNING id`,
      [coops[coop], kind, name, address, lat, lng],
    );
    if (kind === 'cooperative') facilities[coop].coop = row.id;
    else facilities[coop].dryer = row.id;
  }

  if (!catalog || !inventory) return;
  const gtinOfSku = (sku: string) => catalog.variantsBySku[sku]?.gtin;
  const hasChain = async (lotId: string) => {
    const [row] = await tx.query(`SELECT seq FROM trace_lot_heads WHERE lot_id = $1`, [lotId]);
    return (row?.seq ?? 0) > 0;
  };
  const append = async (coop: string, input: StepEventInput, lots: Array<{ lotId: string; role: 'subject' | 'input' | 'output' }>) => {
    await appendTraceEvent(tx, { cooperativeId: coop, event: buildStepEvent(input), lots });
  };
  const lotQty = (lot: SeededLot, quantity: number, uom: LotQuantity['uom']): LotQuantity => ({ gtin: gtinOfSku(lot.sku) ?? '', lotCode: lot.lotCode, quantity, uom });

  for (const lot of Object.values(inventory.lotsByCode)) {
    if (lot.lotCode === BLEND.lot || !gtinOfSku(lot.sku) || !lot.harvestDate) continue;
    const plotName = PLOT_OF_SKU.find(([re]) => re.test(lot.sku))?.[1];
    const plot = plotName ? plots.get(plotName) : undefined;
    if (!plot) continue;
    await tx.query(`INSERT INTO trace_lot_origins (lot_id, plot_id, producer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [lot.id, plot.id, plot.producerId]);
    if (await hasChain(lot.id)) continue;
    const coop = coops[plot.coop];
    const f = facilities[plot.coop];
    const [{ received }] = await tx.query(`SELECT quantity_received AS received FROM inventory_lots WHERE id = $1`, [lot.id]);
    const [{ grams }] = await tx.query(`SELECT weight_grams AS grams FROM product_variants WHERE id = $1`, [lot.variantId]);
    const dryKg = Math.round((received * grams) / 10) / 100;
    const freshKg = Math.round(dryKg * 4 * 100) / 100;
    const subject = [{ lotId: lot.id, role: 'subject' as const }];
    await append(coop, {
      kind: 'harvest',
      eventTime: addDays(lot.harvestDate, 0, 7),
      lots: [lotQty(lot, freshKg, 'KGM')],
      readPointUri: locUri(plot.locationId),
      bizLocationUri: locUri(plot.locationId),
      ilmd: { lotNumber: lot.lotCode, harvestDate: lot.harvestDate, bestBeforeDate: lot.expiryDate, farmList: [locUri(plot.locationId)] },
    }, subject);
    await append(coop, {
      kind: 'drying',
      eventTime: addDays(lot.harvestDate, 2, 9),
      inputs: [lotQty(lot, freshKg, 'KGM')],
      outputs: [lotQty(lot, dryKg, 'KGM')],
      readPointUri: locUri(f.dryer),
      bizLocationUri: locUri(f.dryer),
    }, [{ lotId: lot.id, role: 'input' }]);
    await append(coop, {
      kind: 'packing',
      eventTime: addDays(lot.harvestDate, 5, 10),
      lots: [lotQty(lot, received, 'H87')],
      readPointUri: locUri(f.dryer),
      bizLocationUri: locUri(f.dryer),
    }, subject);
  }

  // The blended lot: one TransformationEvent taking two harvest lots, then packing.
  const blend = inventory.lotsByCode[BLEND.lot];
  const inputs = BLEND.inputs.map((c) => inventory.lotsByCode[c]).filter((l): l is SeededLot => !!l);
  if (blend && inputs.length === 2 && gtinOfSku(blend.sku) && blend.harvestDate && !(await hasChain(blend.id))) {
    const coop = coops.thienAn;
    const f = facilities.thienAn;
    const [{ received }] = await tx.query(`SELECT quantity_received AS received FROM inventory_lots WHERE id = $1`, [blend.id]);
    await append(
      coop,
      {
        kind: 'processing',
        eventTime: addDays(blend.harvestDate, 7, 9),
        inputs: [lotQty(inputs[0], 6, 'KGM'), lotQty(inputs[1], 1.5, 'KGM')],
        outputs: [lotQty(blend, received, 'H87')],
        readPointUri: locUri(f.dryer),
        bizLocationUri: locUri(f.dryer),
        note: 'Nấu xà phòng từ lá tắm Dao và tinh bột nghệ / Soap made from Dao bath leaves and turmeric starch',
      },
      [...inputs.map((l) => ({ lotId: l.id, role: 'input' as const })), { lotId: blend.id, role: 'output' as const }],
    );
    await tx.query(
      `INSERT INTO trace_lot_origins (lot_id, plot_id, producer_id) SELECT $1, plot_id, producer_id FROM trace_lot_origins WHERE lot_id = ANY($2::uuid[]) ON CONFLICT DO NOTHING`,
      [blend.id, inputs.map((l) => l.id)],
    );
    await append(coop, { kind: 'packing', eventTime: addDays(blend.harvestDate, 9, 10), lots: [lotQty(blend, received, 'H87')], readPointUri: locUri(f.dryer), bizLocationUri: locUri(f.dryer) }, [
      { lotId: blend.id, role: 'subject' },
    ]);
  }
}
