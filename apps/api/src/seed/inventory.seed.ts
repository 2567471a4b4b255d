import type { EntityManager } from 'typeorm';
import type { AppConfig } from '@htx/shared';
import { receiveLot } from '@htx/inventory';
import type { SeedContext } from './seed';
import type { SeededCatalog } from './catalog.seed';

export interface SeededLot {
  id: string;
  variantId: string;
  sku: string;
  lotCode: string;
  harvestDate: string;
  expiryDate: string | null;
}

export interface SeededInventory {
  lotsByCode: Record<string, SeededLot>;
}

/**
 * Lots of the demo products: [sku, lot code, harvest (days before the first seed), expiry (days after harvest, or
 * null), quantity]. Dates are relative to the day of the first seed so the demo always has one lot near expiry
 * (TA-LTD-200 lot LTD2501, 10 days left) and one expired lot (TA-TBN-100 lot TBN2401, expired 5 days ago).
 */
const DEMO_LOTS: Array<[string, string, number, number | null, number]> = [
  ['TA-LTD-200', 'LTD2501', 355, 365, 20],
  ['TA-LTD-200', 'LTD2509', 60, 365, 150],
  ['TA-LTD-500', 'LTD2509L', 60, 365, 80],
  ['TA-GCL-100', 'GCL2507', 120, 540, 120],
  ['TA-GCL-100', 'GCL2510', 30, 540, 200],
  ['TA-GCL-250', 'GCL2510H', 30, 540, 60],
  ['TA-GCLT-25', 'GCLT2510', 30, 540, 100],
  ['TA-TBN-100', 'TBN2401', 735, 730, 12],
  ['TA-TBN-100', 'TBN2508', 90, 730, 90],
  ['TA-TBN-500', 'TBN2508L', 90, 730, 25],
  ['TA-NDK-200', 'NDK2509', 70, 365, 40],
  ['TA-LXD-300', 'LXD2510', 40, 365, 70],
  ['TA-CGCL-100', 'CGCL2506', 150, 730, 8],
  ['TA-XPTD-100', 'XPTD2509', 60, 730, 100],
  ['NT-STCT-100', 'STCT2504', 210, 730, 150],
  ['NT-STCT-100', 'STCT2509', 60, 730, 100],
  ['NT-STCT-250', 'STCT2509H', 60, 730, 50],
  ['NT-HT-100', 'HT2505', 180, 1095, 60],
  ['NT-BT-50', 'BT2504', 200, 1095, 30],
  ['NT-TX-200', 'TX2509', 55, 540, 120],
  ['NT-TX-500', 'TX2509L', 55, 540, 40],
  ['NT-EB-357', 'EB2503', 240, null, 25],
];

/** Demo lots with stock; a lot that already exists (same variant and code) is left as it is. */
export async function seedInventory(tx: EntityManager, _config: AppConfig, ctx: SeedContext): Promise<void> {
  const catalog = ctx.catalog as SeededCatalog;
  const out: SeededInventory = { lotsByCode: {} };
  const [{ today }] = await tx.query(`SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date::text AS today`);
  const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  for (const [sku, lotCode, harvestAgo, shelfLife, quantity] of DEMO_LOTS) {
    const variant = catalog.variantsBySku[sku];
    const [existing] = await tx.query(
      `SELECT id, harvest_date::text AS "harvestDate", expiry_date::text AS "expiryDate" FROM inventory_lots WHERE variant_id = $1 AND lot_code = $2`,
      [variant.id, lotCode],
    );
    let lot: { id: string; harvestDate: string | null; expiryDate: string | null } = existing;
    if (!existing) {
      const harvestDate = day(-harvestAgo);
      const expiryDate = shelfLife === null ? null : day(-harvestAgo + shelfLife);
      lot = await receiveLot(tx, {
        cooperativeId: variant.cooperativeId,
        variantId: variant.id,
        lotCode,
        harvestDate,
        expiryDate,
        quantity,
        note: 'Nhập kho ban đầu / opening stock',
      });
    }
    out.lotsByCode[lotCode] = { id: lot.id, variantId: variant.id, sku, lotCode, harvestDate: lot.harvestDate ?? '', expiryDate: lot.expiryDate };
  }
  ctx.inventory = out;
}
