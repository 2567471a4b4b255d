import type { EntityManager } from 'typeorm';
import { gtin13, toGtin14, type AppConfig } from '@htx/shared';
import type { SeedContext } from './seed';

export interface SeededVariant {
  id: string;
  productId: string;
  cooperativeId: string;
  sku: string;
  gtin: string;
  priceVnd: number;
}

export interface SeededCatalog {
  categoriesBySlug: Record<string, string>;
  productsBySlug: Record<string, { id: string; cooperativeId: string }>;
  variantsBySku: Record<string, SeededVariant>;
}

type CooperativeKey = 'thienAn' | 'namTy';
interface SeedCertificate {
  kind: 'vietgap' | 'organic' | 'ocop' | 'other';
  name: string;
  issuer: string;
  number: string;
  stars?: number;
  validFrom: string;
  validTo: string;
}
interface SeedProduct {
  coop: CooperativeKey;
  slug: string;
  category: string;
  nameVi: string;
  nameEn: string;
  descriptionVi: string;
  descriptionEn: string;
  brand: string;
  shelfLifeDays: number;
  variants: Array<{ sku: string; nameVi: string; nameEn: string; grams: number; price: number; item: string }>;
  certificates: SeedCertificate[];
}

export const DEMO_CATEGORIES = [
  { slug: 'tra', nameVi: 'Trà', nameEn: 'Tea', sortOrder: 1 },
  { slug: 'thao-duoc', nameVi: 'Thảo dược', nameEn: 'Herbal products', sortOrder: 2 },
  { slug: 'la-tam-la-xong', nameVi: 'Lá tắm, lá xông', nameEn: 'Herbal bath and steam leaves', sortOrder: 3 },
  { slug: 'tinh-bot-gia-vi', nameVi: 'Tinh bột và gia vị', nameEn: 'Starches and spices', sortOrder: 4 },
];

/** GS1 Vietnam company prefixes (893 + company number) of the two demo cooperatives. */
const COMPANY_PREFIX: Record<CooperativeKey, string> = { thienAn: '89385120', namTy: '89385340' };

const VIETGAP_TA: SeedCertificate = {
  kind: 'vietgap',
  name: 'Chứng nhận VietGAP trồng trọt',
  issuer: 'Trung tâm Kiểm nghiệm và Chứng nhận chất lượng TQC',
  number: 'VietGAP-TT-24-03-06-0117',
  validFrom: '2024-03-15',
  validTo: '2027-03-14',
};
const OCOP_BK = (stars: number, number: string, validFrom = '2023-06-20', validTo = '2026-06-19'): SeedCertificate => ({
  kind: 'ocop',
  name: `Sản phẩm OCOP ${stars} sao`,
  issuer: 'UBND tỉnh Bắc Kạn',
  number,
  stars,
  validFrom,
  validTo,
});
const OCOP_HG = (stars: number, number: string): SeedCertificate => ({
  kind: 'ocop',
  name: `Sản phẩm OCOP ${stars} sao`,
  issuer: 'UBND tỉnh Hà Giang',
  number,
  stars,
  validFrom: '2024-09-10',
  validTo: '2027-09-09',
});
const ORGANIC = (issuer: string, number: string): SeedCertificate => ({
  kind: 'organic',
  name: 'Chứng nhận hữu cơ TCVN 11041-2:2017',
  issuer,
  number,
  validFrom: '2025-01-10',
  validTo: '2028-01-09',
});

export const DEMO_PRODUCTS: SeedProduct[] = [
  {
    coop: 'thienAn',
    slug: 'la-tam-nguoi-dao',
    category: 'la-tam-la-xong',
    nameVi: 'Lá tắm người Dao',
    nameEn: 'Dao herbal bath leaves',
    descriptionVi: 'Hỗn hợp hơn 20 loại lá thuốc người Dao đỏ hái trên núi Vi Hương, phơi khô; đun nước tắm giúp thư giãn, phục hồi sức khoẻ sau sinh.',
    descriptionEn: 'More than 20 medicinal leaves picked by Red Dao women on the Vi Hương hills and sun-dried; boiled for a relaxing bath, traditionally after childbirth.',
    brand: 'Thiên An',
    shelfLifeDays: 365,
    variants: [
      { sku: 'TA-LTD-200', nameVi: 'Gói 200 g', nameEn: '200 g pack', grams: 200, price: 45000, item: '0011' },
      { sku: 'TA-LTD-500', nameVi: 'Gói 500 g', nameEn: '500 g pack', grams: 500, price: 95000, item: '0012' },
    ],
    certificates: [OCOP_BK(4, 'OCOP-BK-2023-041'), VIETGAP_TA],
  },
  {
    coop: 'thienAn',
    slug: 'tra-giao-co-lam',
    category: 'tra',
    nameVi: 'Trà giảo cổ lam',
    nameEn: 'Jiaogulan tea',
    descriptionVi: 'Giảo cổ lam 5 lá trồng dưới tán rừng Vi Hương, sao khô thủ công; vị đắng nhẹ rồi ngọt hậu.',
    descriptionEn: 'Five-leaf jiaogulan grown under the forest canopy of Vi Hương and roasted by hand; lightly bitter with a sweet finish.',
    brand: 'Thiên An',
    shelfLifeDays: 540,
    variants: [
      { sku: 'TA-GCL-100', nameVi: 'Túi 100 g', nameEn: '100 g bag', grams: 100, price: 85000, item: '0021' },
      { sku: 'TA-GCL-250', nameVi: 'Hộp 250 g', nameEn: '250 g box', grams: 250, price: 190000, item: '0022' },
    ],
    certificates: [OCOP_BK(4, 'OCOP-BK-2023-042'), ORGANIC('Hệ thống đảm bảo cùng tham gia PGS Bắc Kạn', 'PGS-BK-0319')],
  },
  {
    coop: 'thienAn',
    slug: 'tra-giao-co-lam-tui-loc',
    category: 'tra',
    nameVi: 'Trà giảo cổ lam túi lọc',
    nameEn: 'Jiaogulan tea bags',
    descriptionVi: 'Giảo cổ lam nghiền vừa, đóng túi lọc 2 g tiện pha.',
    descriptionEn: 'Medium-ground jiaogulan in convenient 2 g tea bags.',
    brand: 'Thiên An',
    shelfLifeDays: 540,
    variants: [{ sku: 'TA-GCLT-25', nameVi: 'Hộp 25 túi', nameEn: 'Box of 25 bags', grams: 50, price: 65000, item: '0023' }],
    certificates: [OCOP_BK(3, 'OCOP-BK-2024-015', '2024-08-01', '2027-07-31')],
  },
  {
    coop: 'thienAn',
    slug: 'tinh-bot-nghe',
    category: 'tinh-bot-gia-vi',
    nameVi: 'Tinh bột nghệ',
    nameEn: 'Turmeric starch',
    descriptionVi: 'Tinh bột nghệ vàng lọc nhiều lần, đã tách tinh dầu; dùng pha uống với mật ong hoặc làm đẹp da.',
    descriptionEn: 'Yellow turmeric starch, washed and filtered several times with the oil removed; taken with honey or used for skin care.',
    brand: 'Thiên An',
    shelfLifeDays: 730,
    variants: [
      { sku: 'TA-TBN-100', nameVi: 'Lọ 100 g', nameEn: '100 g jar', grams: 100, price: 120000, item: '0031' },
      { sku: 'TA-TBN-500', nameVi: 'Túi 500 g', nameEn: '500 g bag', grams: 500, price: 520000, item: '0032' },
    ],
    certificates: [
      OCOP_BK(3, 'OCOP-BK-2022-007', '2022-05-10', '2025-05-09'),
      { ...VIETGAP_TA, number: 'VietGAP-TT-24-03-06-0118' },
    ],
  },
  {
    coop: 'thienAn',
    slug: 'nghe-den-kho',
    category: 'thao-duoc',
    nameVi: 'Nghệ đen thái lát khô',
    nameEn: 'Dried sliced black turmeric',
    descriptionVi: 'Củ nghệ đen (nga truật) thái lát, sấy lạnh.',
    descriptionEn: 'Black turmeric (zedoary) rhizome, sliced and cold-dried.',
    brand: 'Thiên An',
    shelfLifeDays: 365,
    variants: [{ sku: 'TA-NDK-200', nameVi: 'Túi 200 g', nameEn: '200 g bag', grams: 200, price: 90000, item: '0041' }],
    certificates: [],
  },
  {
    coop: 'thienAn',
    slug: 'la-xong-nguoi-dao',
    category: 'la-tam-la-xong',
    nameVi: 'Lá xông người Dao',
    nameEn: 'Dao herbal steam leaves',
    descriptionVi: 'Lá xông giải cảm: sả, bưởi, hương nhu, lá tre… theo bài thuốc người Dao.',
    descriptionEn: 'Steam-bath leaves for colds (lemongrass, pomelo, basil, bamboo…) after a Dao recipe.',
    brand: 'Thiên An',
    shelfLifeDays: 365,
    variants: [{ sku: 'TA-LXD-300', nameVi: 'Gói 300 g', nameEn: '300 g pack', grams: 300, price: 60000, item: '0051' }],
    certificates: [VIETGAP_TA],
  },
  {
    coop: 'thienAn',
    slug: 'cao-giao-co-lam',
    category: 'thao-duoc',
    nameVi: 'Cao giảo cổ lam',
    nameEn: 'Jiaogulan extract',
    descriptionVi: 'Cao đặc giảo cổ lam cô từ lá tươi.',
    descriptionEn: 'Thick jiaogulan extract reduced from fresh leaves.',
    brand: 'Thiên An',
    shelfLifeDays: 730,
    variants: [{ sku: 'TA-CGCL-100', nameVi: 'Hũ 100 g', nameEn: '100 g pot', grams: 100, price: 250000, item: '0061' }],
    certificates: [],
  },
  {
    coop: 'thienAn',
    slug: 'xa-phong-thao-duoc',
    category: 'thao-duoc',
    nameVi: 'Xà phòng thảo dược lá tắm Dao',
    nameEn: 'Dao herbal bath-leaf soap',
    descriptionVi: 'Xà phòng thủ công nấu từ nước lá tắm người Dao và dầu dừa.',
    descriptionEn: 'Handmade soap from Dao bath-leaf infusion and coconut oil.',
    brand: 'Thiên An',
    shelfLifeDays: 730,
    variants: [{ sku: 'TA-XPTD-100', nameVi: 'Bánh 100 g', nameEn: '100 g bar', grams: 100, price: 45000, item: '0071' }],
    certificates: [],
  },
  {
    coop: 'namTy',
    slug: 'tra-shan-tuyet-co-thu',
    category: 'tra',
    nameVi: 'Trà Shan tuyết cổ thụ Nậm Tỵ',
    nameEn: 'Nậm Tỵ ancient Shan tuyết tea',
    descriptionVi: 'Búp chè từ những cây Shan tuyết trăm tuổi trên độ cao 1.200 m, người Dao đỏ hái tay, sao chảo gang.',
    descriptionEn: 'Buds from century-old Shan tuyết trees at 1,200 m, hand-picked by Red Dao households and pan-fired in cast iron.',
    brand: 'Nậm Tỵ',
    shelfLifeDays: 730,
    variants: [
      { sku: 'NT-STCT-100', nameVi: 'Túi 100 g', nameEn: '100 g bag', grams: 100, price: 180000, item: '0011' },
      { sku: 'NT-STCT-250', nameVi: 'Hộp 250 g', nameEn: '250 g box', grams: 250, price: 420000, item: '0012' },
    ],
    certificates: [OCOP_HG(4, 'OCOP-HG-2024-088'), ORGANIC('Control Union Việt Nam', 'CU-VN-ORG-2025-1142')],
  },
  {
    coop: 'namTy',
    slug: 'hong-tra-shan-tuyet',
    category: 'tra',
    nameVi: 'Hồng trà Shan tuyết',
    nameEn: 'Shan tuyết black tea',
    descriptionVi: 'Chè Shan tuyết lên men hoàn toàn, nước đỏ hổ phách, hương mật ong.',
    descriptionEn: 'Fully oxidised Shan tuyết tea: amber liquor, honey aroma.',
    brand: 'Nậm Tỵ',
    shelfLifeDays: 1095,
    variants: [{ sku: 'NT-HT-100', nameVi: 'Hộp 100 g', nameEn: '100 g box', grams: 100, price: 220000, item: '0021' }],
    certificates: [OCOP_HG(3, 'OCOP-HG-2024-089')],
  },
  {
    coop: 'namTy',
    slug: 'bach-tra-shan-tuyet',
    category: 'tra',
    nameVi: 'Bạch trà Shan tuyết',
    nameEn: 'Shan tuyết white tea',
    descriptionVi: 'Chỉ một tôm phủ lông tuyết trắng, phơi héo tự nhiên.',
    descriptionEn: 'Single downy white buds, naturally withered.',
    brand: 'Nậm Tỵ',
    shelfLifeDays: 1095,
    variants: [{ sku: 'NT-BT-50', nameVi: 'Hộp 50 g', nameEn: '50 g box', grams: 50, price: 350000, item: '0031' }],
    certificates: [ORGANIC('Control Union Việt Nam', 'CU-VN-ORG-2025-1143')],
  },
  {
    coop: 'namTy',
    slug: 'tra-xanh-shan-tuyet',
    category: 'tra',
    nameVi: 'Trà xanh Shan tuyết',
    nameEn: 'Shan tuyết green tea',
    descriptionVi: 'Trà xanh một tôm hai lá, vị chát dịu, hậu ngọt sâu.',
    descriptionEn: 'Green tea of one bud and two leaves: gentle astringency, deep sweet finish.',
    brand: 'Nậm Tỵ',
    shelfLifeDays: 540,
    variants: [
      { sku: 'NT-TX-200', nameVi: 'Túi 200 g', nameEn: '200 g bag', grams: 200, price: 150000, item: '0041' },
      { sku: 'NT-TX-500', nameVi: 'Túi 500 g', nameEn: '500 g bag', grams: 500, price: 350000, item: '0042' },
    ],
    certificates: [
      { kind: 'vietgap', name: 'Chứng nhận VietGAP trồng trọt', issuer: 'Công ty CP Chứng nhận và Giám định VinaCert', number: 'VICB-VG-24-0912', validFrom: '2024-11-01', validTo: '2027-10-31' },
    ],
  },
  {
    coop: 'namTy',
    slug: 'tra-shan-tuyet-ep-banh',
    category: 'tra',
    nameVi: 'Trà Shan tuyết ép bánh',
    nameEn: 'Pressed Shan tuyết tea cake',
    descriptionVi: 'Bánh trà 357 g ép từ lá Shan tuyết cổ thụ, để càng lâu càng dịu.',
    descriptionEn: 'A 357 g cake pressed from ancient Shan tuyết leaves; mellows with age.',
    brand: 'Nậm Tỵ',
    shelfLifeDays: 3650,
    variants: [{ sku: 'NT-EB-357', nameVi: 'Bánh 357 g', nameEn: '357 g cake', grams: 357, price: 650000, item: '0051' }],
    certificates: [OCOP_HG(3, 'OCOP-HG-2024-090')],
  },
];

/** Demo categories, products, variants (GS1 Vietnam GTINs) and certificates; upserts on natural keys. */
export async function seedCatalog(tx: EntityManager, _config: AppConfig, ctx: SeedContext): Promise<void> {
  const out: SeededCatalog = { categoriesBySlug: {}, productsBySlug: {}, variantsBySku: {} };
  for (const c of DEMO_CATEGORIES) {
    const [row] = await tx.query(
      `INSERT INTO categories (slug, name_vi, name_en, sort_order) VALUES ($1, $2, $3, $4)
       ON CONFLICT (slug) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, sort_order = EXCLUDED.sort_order RETURNING id`,
      [c.slug, c.nameVi, c.nameEn, c.sortOrder],
    );
    out.categoriesBySlug[c.slug] = row.id;
  }
  for (const p of DEMO_PRODUCTS) {
    const cooperativeId = ctx.cooperatives[p.coop];
    const [row] = await tx.query(
      `INSERT INTO products (cooperative_id, category_id, slug, name_vi, name_en, description_vi, description_en, brand, image_urls, shelf_life_days, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active')
       ON CONFLICT (slug) DO UPDATE SET category_id = EXCLUDED.category_id, name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en,
         description_vi = EXCLUDED.description_vi, description_en = EXCLUDED.description_en, brand = EXCLUDED.brand,
         image_urls = EXCLUDED.image_urls, shelf_life_days = EXCLUDED.shelf_life_days, status = 'active', updated_at = now()
       RETURNING id, cooperative_id AS "cooperativeId"`,
      [cooperativeId, out.categoriesBySlug[p.category], p.slug, p.nameVi, p.nameEn, p.descriptionVi, p.descriptionEn, p.brand, [`/images/products/${p.slug}.svg`], p.shelfLifeDays],
    );
    out.productsBySlug[p.slug] = { id: row.id, cooperativeId: row.cooperativeId };
    for (const [i, v] of p.variants.entries()) {
      const gtin = toGtin14(gtin13(COMPANY_PREFIX[p.coop] + v.item));
      const [vr] = await tx.query(
        `INSERT INTO product_variants (product_id, cooperative_id, sku, name_vi, name_en, weight_grams, price_vnd, gtin, active, sort_order)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9)
         ON CONFLICT ON CONSTRAINT product_variants_sku_key DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en,
           weight_grams = EXCLUDED.weight_grams, price_vnd = EXCLUDED.price_vnd, gtin = EXCLUDED.gtin, active = true,
           sort_order = EXCLUDED.sort_order, updated_at = now()
         RETURNING id`,
        [row.id, cooperativeId, v.sku, v.nameVi, v.nameEn, v.grams, v.price, gtin, i],
      );
      out.variantsBySku[v.sku] = { id: vr.id, productId: row.id, cooperativeId, sku: v.sku, gtin, priceVnd: v.price };
    }
    for (const c of p.certificates) {
      await tx.query(
        `INSERT INTO product_certificates (product_id, kind, name, issuer, number, stars, valid_from, valid_to)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8
          WHERE NOT EXISTS (SELECT 1 FROM product_certificates WHERE product_id = $1 AND kind = $2 AND number = $5)`,
        [row.id, c.kind, c.name, c.issuer, c.number, c.stars ?? null, c.validFrom, c.validTo],
      );
    }
  }
  ctx.catalog = out;
}
