import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuthUser, badRequest, conflict, notFound, Page, toPage, toGtin14 } from '@htx/shared';
import { cooperativeScope, requireCooperative } from '@htx/identity';
import type { CreateCertificateDto, CreateProductDto, CreateVariantDto, ManageProductListQuery, ProductListQuery, UpdateProductDto, UpdateVariantDto } from './dto';
import { CertificateView, ProductTraceInfo, STOCK_AVAILABILITY, StockAvailability, VariantForSale } from './catalog.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TODAY_VN = `(now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;

/** GTIN-13 or GTIN-14 with a valid check digit → GTIN-14, or a 400 that says what is wrong. */
export function normaliseGtin(value: string, field = 'gtin'): string {
  if (!/^\d{13,14}$/.test(value)) {
    throw badRequest(`${field} phải gồm 13 hoặc 14 chữ số / ${field} "${value}" must be a GTIN-13 or GTIN-14 (13 or 14 digits)`);
  }
  try {
    return toGtin14(value);
  } catch (e) {
    throw badRequest(`${field} không hợp lệ / ${(e as Error).message}`);
  }
}

/** Splits a search string into LIKE patterns (escaped), at most 8 words. */
export function searchWords(q: string): string[] {
  return q
    .split(/[\s,.;:/()"'+]+/)
    .map((w) => w.trim())
    .filter((w) => w.length > 0)
    .slice(0, 8)
    .map((w) => w.replace(/[\\%_]/g, (c) => `\\${c}`));
}

const VARIANT_FOR_SALE_SQL = `
  SELECT v.id AS "variantId", v.product_id AS "productId", v.cooperative_id AS "cooperativeId", p.slug AS "productSlug",
         v.sku, v.gtin, p.name_vi AS "productNameVi", p.name_en AS "productNameEn", v.name_vi AS "variantNameVi",
         v.name_en AS "variantNameEn", v.price_vnd AS "priceVnd", v.weight_grams AS "weightGrams",
         (v.active AND p.status = 'active') AS active, p.image_urls[1] AS "imageUrl"
    FROM product_variants v JOIN products p ON p.id = v.product_id`;

type VariantRow = Omit<VariantForSale, 'priceVnd'> & { priceVnd: string | number };
const toVariantForSale = (r: VariantRow): VariantForSale => ({ ...r, priceVnd: Number(r.priceVnd), imageUrl: r.imageUrl ?? null });

const CERT_SQL = `
  SELECT id, product_id AS "productId", kind, name, issuer, number, stars, valid_from::text AS "validFrom", valid_to::text AS "validTo",
         document_url AS "documentUrl",
         ((valid_from IS NULL OR valid_from <= ${TODAY_VN}) AND (valid_to IS NULL OR valid_to >= ${TODAY_VN})) AS valid
    FROM product_certificates`;

type CertRow = CertificateView & { id: string; productId: string; documentUrl: string | null };
const toCertificateView = (c: CertRow): CertificateView => ({
  kind: c.kind,
  name: c.name,
  issuer: c.issuer,
  number: c.number,
  stars: c.stars,
  validFrom: c.validFrom,
  validTo: c.validTo,
  valid: c.valid,
});

interface ProductRow {
  id: string;
  cooperativeId: string;
  categoryId: string | null;
  slug: string;
  nameVi: string;
  nameEn: string | null;
  descriptionVi: string;
  descriptionEn: string;
  brand: string;
  imageUrls: string[];
  shelfLifeDays: number | null;
  status: string;
  createdAt: Date;
  updatedAt: Date;
}

const PRODUCT_COLUMNS = `p.id, p.cooperative_id AS "cooperativeId", p.category_id AS "categoryId", p.slug, p.name_vi AS "nameVi", p.name_en AS "nameEn",
  p.description_vi AS "descriptionVi", p.description_en AS "descriptionEn", p.brand, p.image_urls AS "imageUrls",
  p.shelf_life_days AS "shelfLifeDays", p.status, p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

const VARIANT_COLUMNS = `v.id, v.product_id AS "productId", v.sku, v.name_vi AS "nameVi", v.name_en AS "nameEn", v.weight_grams AS "weightGrams",
  v.price_vnd AS "priceVnd", v.gtin, v.active, v.sort_order AS "sortOrder"`;

interface VariantViewRow {
  id: string;
  productId: string;
  sku: string;
  nameVi: string;
  nameEn: string | null;
  weightGrams: number;
  priceVnd: string | number;
  gtin: string;
  active: boolean;
  sortOrder: number;
}

/** Turns a unique-key violation into a 409 naming the clashing value. */
function explainUniqueViolation(e: unknown, values: { gtin?: string; sku?: string; slug?: string }): unknown {
  if (!(e instanceof QueryFailedError)) return e;
  const d = (e as unknown as { driverError?: { code?: string; constraint?: string } }).driverError;
  if (d?.code !== '23505') return e;
  switch (d.constraint) {
    case 'product_variants_gtin_key':
      return conflict(`GTIN ${values.gtin ?? ''} đã được dùng cho sản phẩm khác / GTIN ${values.gtin ?? ''} is already used by another variant`, {
        field: 'gtin',
        gtin: values.gtin,
      });
    case 'product_variants_sku_key':
      return conflict(`SKU "${values.sku ?? ''}" đã tồn tại trong hợp tác xã / SKU "${values.sku ?? ''}" already exists in this cooperative`, {
        field: 'sku',
        sku: values.sku,
      });
    case 'products_slug_key':
      return conflict(`Đường dẫn "${values.slug ?? ''}" đã được dùng / The slug "${values.slug ?? ''}" is already taken`, { field: 'slug', slug: values.slug });
    default:
      return e;
  }
}

/** Catalog: categories, products, variants (pack sizes), certificates, public listing and search. */
@Injectable()
export class CatalogService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Optional() @Inject(STOCK_AVAILABILITY) private readonly stock?: StockAvailability,
  ) {}

  // ---------------------------------------------------------------- contract (orders, inventory, traceability)

  async getVariantsForSale(variantIds: string[], manager?: EntityManager): Promise<VariantForSale[]> {
    const ids = [...new Set(variantIds.filter((id) => UUID.test(id)))];
    if (ids.length === 0) return [];
    const rows: VariantRow[] = await (manager ?? this.ds.manager).query(`${VARIANT_FOR_SALE_SQL} WHERE v.id = ANY($1::uuid[])`, [ids]);
    return rows.map(toVariantForSale);
  }

  async findVariantByGtin(gtin14: string, manager?: EntityManager): Promise<VariantForSale | null> {
    if (!/^\d{8,14}$/.test(gtin14)) return null;
    const rows: VariantRow[] = await (manager ?? this.ds.manager).query(`${VARIANT_FOR_SALE_SQL} WHERE v.gtin = $1`, [gtin14.padStart(14, '0')]);
    return rows[0] ? toVariantForSale(rows[0]) : null;
  }

  async getProductTraceInfo(productId: string): Promise<ProductTraceInfo | null> {
    if (!UUID.test(productId)) return null;
    const [p] = await this.ds.query(
      `SELECT ${PRODUCT_COLUMNS}, c.name_vi AS "categoryNameVi" FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.id = $1`,
      [productId],
    );
    if (!p) return null;
    const certs: CertRow[] = await this.ds.query(`${CERT_SQL} WHERE product_id = $1 ORDER BY kind, created_at`, [productId]);
    return {
      productId: p.id,
      cooperativeId: p.cooperativeId,
      slug: p.slug,
      nameVi: p.nameVi,
      nameEn: p.nameEn,
      descriptionVi: p.descriptionVi,
      descriptionEn: p.descriptionEn,
      imageUrls: p.imageUrls,
      brand: p.brand,
      shelfLifeDays: p.shelfLifeDays,
      categoryNameVi: p.categoryNameVi ?? null,
      certificates: certs.map(toCertificateView),
    };
  }

  // ---------------------------------------------------------------- public

  async listCategories() {
    return this.ds.query(
      `SELECT c.id, c.slug, c.name_vi AS "nameVi", c.name_en AS "nameEn",
              (SELECT count(*)::int FROM products p WHERE p.category_id = c.id AND p.status = 'active') AS "productCount"
         FROM categories c ORDER BY c.sort_order, c.name_vi`,
    );
  }

  /**
   * Public listing in one statement: the page of products is chosen over `products` alone (search on the
   * unaccented trigram-indexed column, price sorts on the cached price range, the total as a window count when a
   * search ranks every match anyway), then joined to its cooperative, category and current certificates.
   */
  async listPublic(q: ProductListQuery): Promise<Page<unknown>> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [`p.status = 'active'`];
    if (q.cooperative) where.push(`p.cooperative_id = (SELECT id FROM cooperatives WHERE slug = ${p(q.cooperative)})`);
    if (q.category) where.push(`p.category_id = (SELECT id FROM categories WHERE slug = ${p(q.category)})`);
    const words = q.q ? searchWords(q.q) : [];
    for (const w of words) where.push(`p.search_text LIKE '%' || unaccent_immutable(${p(w)}::text) || '%'`);
    const whereSql = where.join(' AND ');
    const countParams = [...params];
    // Relevance without per-row similarity functions (cheap on every match): the text starts with the phrase,
    // then contains it, then shorter (closer) texts first.
    const sort = q.sort ?? (words.length > 0 ? 'relevance' : 'newest');
    const qRef = words.length > 0 && sort === 'relevance' ? `unaccent_immutable(${p(words.join(' '))}::text)` : null;
    const keys: Array<[string, string]> =
      sort === 'price_asc'
        ? [['p.price_min_vnd', 'ASC NULLS LAST']]
        : sort === 'price_desc'
          ? [['p.price_max_vnd', 'DESC NULLS LAST']]
          : sort === 'relevance' && qRef
            ? [
                [`(p.search_text LIKE ${qRef} || '%')`, 'DESC'],
                [`(p.search_text LIKE '%' || ${qRef} || '%')`, 'DESC'],
                ['length(p.search_text)', 'ASC'],
              ]
            : [];
    keys.push(['p.created_at', 'DESC'], ['p.id', 'ASC']);
    const withTotal = words.length > 0;
    const sql = `
      WITH page AS (
        SELECT p.id AS pid, ${keys.map(([e], i) => `${e} AS k${i}`).join(', ')}${withTotal ? ', count(*) OVER ()::int AS total' : ''}
          FROM products p WHERE ${whereSql}
         ORDER BY ${keys.map(([e, d]) => `${e} ${d}`).join(', ')} LIMIT ${p(q.pageSize)} OFFSET ${p(q.offset)})
      SELECT p.id, p.slug, p.name_vi AS "nameVi", p.name_en AS "nameEn", p.brand, p.image_urls[1] AS "imageUrl", p.created_at AS "createdAt",
             co.slug AS "cooperativeSlug", co.name AS "cooperativeName", cat.slug AS "categorySlug", cat.name_vi AS "categoryNameVi",
             cat.name_en AS "categoryNameEn", p.price_min_vnd AS "minPrice", p.price_max_vnd AS "maxPrice",
             ${withTotal ? 'page.total' : 'NULL::int'} AS total,
             (SELECT coalesce(json_agg(json_build_object('kind', pc.kind, 'stars', pc.stars) ORDER BY pc.kind), '[]'::json) FROM product_certificates pc
               WHERE pc.product_id = p.id AND (pc.valid_to IS NULL OR pc.valid_to >= ${TODAY_VN})
                 AND (pc.valid_from IS NULL OR pc.valid_from <= ${TODAY_VN})) AS badges
        FROM page JOIN products p ON p.id = page.pid JOIN cooperatives co ON co.id = p.cooperative_id
        LEFT JOIN categories cat ON cat.id = p.category_id
       ORDER BY ${keys.map((k, i) => `page.k${i} ${k[1]}`).join(', ')}`;
    const countSql = `SELECT count(*)::int AS total FROM products p WHERE ${whereSql}`;
    // Without a search the page comes straight from an index and the count runs beside it.
    const [rows, counted]: [Record<string, unknown>[], { total: number }[] | null] = await Promise.all([
      this.ds.query(sql, params),
      withTotal ? Promise.resolve(null) : this.ds.query(countSql, countParams),
    ]);
    let total: number;
    if (counted) total = counted[0].total;
    else if (rows.length > 0) total = rows[0].total as number;
    else total = q.offset > 0 ? (await this.ds.query(countSql, countParams))[0].total : 0;
    const items = rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      nameVi: r.nameVi,
      nameEn: r.nameEn,
      brand: r.brand,
      imageUrl: r.imageUrl ?? null,
      priceFromVnd: r.minPrice === null ? null : Number(r.minPrice),
      priceToVnd: r.maxPrice === null ? null : Number(r.maxPrice),
      cooperative: { slug: r.cooperativeSlug, name: r.cooperativeName },
      category: r.categorySlug ? { slug: r.categorySlug, nameVi: r.categoryNameVi, nameEn: r.categoryNameEn } : null,
      badges: r.badges,
      createdAt: r.createdAt,
    }));
    return toPage(items, total, q);
  }

  async getPublic(slug: string) {
    const notThere = () => notFound(`Không tìm thấy sản phẩm "${slug}" / No product with the slug "${slug}"`);
    if (!/^[a-z0-9-]{1,120}$/.test(slug)) throw notThere();
    const [p] = await this.ds.query(
      `SELECT ${PRODUCT_COLUMNS}, cat.slug AS "categorySlug", cat.name_vi AS "categoryNameVi", cat.name_en AS "categoryNameEn",
              co.slug AS "coopSlug", co.name AS "coopName", co.name_en AS "coopNameEn", co.province_name AS "coopProvince",
              co.commune_name AS "coopCommune", co.description_vi AS "coopDescriptionVi"
         FROM products p JOIN cooperatives co ON co.id = p.cooperative_id LEFT JOIN categories cat ON cat.id = p.category_id
        WHERE p.slug = $1 AND p.status = 'active'`,
      [slug],
    );
    if (!p) throw notThere();
    const [variants, certs] = await Promise.all([
      this.ds.query(`SELECT ${VARIANT_COLUMNS} FROM product_variants v WHERE v.product_id = $1 AND v.active ORDER BY v.sort_order, v.price_vnd`, [p.id]) as Promise<VariantViewRow[]>,
      this.ds.query(`${CERT_SQL} WHERE product_id = $1 ORDER BY kind, created_at`, [p.id]) as Promise<CertRow[]>,
    ]);
    const available = this.stock ? await this.stock.availableByVariant(variants.map((v) => v.id)) : new Map<string, number>();
    return {
      id: p.id,
      slug: p.slug,
      nameVi: p.nameVi,
      nameEn: p.nameEn,
      descriptionVi: p.descriptionVi,
      descriptionEn: p.descriptionEn,
      brand: p.brand,
      imageUrls: p.imageUrls,
      shelfLifeDays: p.shelfLifeDays,
      category: p.categorySlug ? { slug: p.categorySlug, nameVi: p.categoryNameVi, nameEn: p.categoryNameEn } : null,
      cooperative: {
        id: p.cooperativeId,
        slug: p.coopSlug,
        name: p.coopName,
        nameEn: p.coopNameEn,
        provinceName: p.coopProvince,
        communeName: p.coopCommune,
        descriptionVi: p.coopDescriptionVi,
      },
      variants: variants.map((v) => {
        const avail = available.get(v.id) ?? 0;
        return {
          id: v.id,
          sku: v.sku,
          gtin: v.gtin,
          nameVi: v.nameVi,
          nameEn: v.nameEn,
          weightGrams: v.weightGrams,
          priceVnd: Number(v.priceVnd),
          available: avail,
          inStock: avail > 0,
        };
      }),
      certificates: certs.map(toCertificateView),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  // ---------------------------------------------------------------- manager

  private async loadManagedProduct(user: AuthUser, id: string, manager: EntityManager = this.ds.manager, lock = false): Promise<ProductRow> {
    const scope = cooperativeScope(user);
    const [p]: ProductRow[] = UUID.test(id)
      ? await manager.query(
          `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = $1 AND ($2::uuid IS NULL OR p.cooperative_id = $2)${lock ? ' FOR UPDATE' : ''}`,
          [id, scope],
        )
      : [];
    if (!p) throw notFound(`Không tìm thấy sản phẩm / No product ${id} in your cooperative`);
    return p;
  }

  private async assertCategory(manager: EntityManager, categoryId: string | undefined) {
    if (!categoryId) return;
    const [c] = await manager.query(`SELECT id FROM categories WHERE id = $1`, [categoryId]);
    if (!c) throw badRequest(`Danh mục không tồn tại / categoryId ${categoryId} is not a known category (see GET /api/categories)`);
  }

  async listManaged(user: AuthUser, q: ManageProductListQuery) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const params: unknown[] = [scope, q.status ?? null];
    let search = '';
    if (q.q) {
      for (const w of searchWords(q.q)) {
        params.push(w);
        search += ` AND (p.search_text LIKE '%' || unaccent_immutable($${params.length}) || '%')`;
      }
    }
    const where = `($1::uuid IS NULL OR p.cooperative_id = $1) AND ($2::text IS NULL OR p.status = $2)${search}`;
    const n = params.length;
    const [rows, [{ total }]] = await Promise.all([
      this.ds.query(
        `SELECT ${PRODUCT_COLUMNS},
                (SELECT count(*)::int FROM product_variants v WHERE v.product_id = p.id) AS "variantCount"
           FROM products p WHERE ${where} ORDER BY p.created_at DESC, p.id LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, q.pageSize, q.offset],
      ),
      this.ds.query(`SELECT count(*)::int AS total FROM products p WHERE ${where}`, params),
    ]);
    return toPage(rows, total, q);
  }

  async getManaged(user: AuthUser, id: string) {
    const p = await this.loadManagedProduct(user, id);
    const [variants, certs] = await Promise.all([
      this.ds.query(`SELECT ${VARIANT_COLUMNS} FROM product_variants v WHERE v.product_id = $1 ORDER BY v.sort_order, v.created_at`, [p.id]) as Promise<VariantViewRow[]>,
      this.ds.query(`${CERT_SQL} WHERE product_id = $1 ORDER BY kind, created_at`, [p.id]) as Promise<CertRow[]>,
    ]);
    return {
      ...p,
      variants: variants.map((v) => ({ ...v, priceVnd: Number(v.priceVnd) })),
      certificates: certs.map((c) => ({ id: c.id, ...toCertificateView(c), documentUrl: c.documentUrl })),
    };
  }

  async createProduct(user: AuthUser, dto: CreateProductDto) {
    const cooperativeId = requireCooperative(user, dto.cooperativeId);
    const variants = (dto.variants ?? []).map((v, i) => ({ ...v, gtin: normaliseGtin(v.gtin, `variants[${i}].gtin`) }));
    this.assertDistinct(variants);
    for (const [i, c] of (dto.certificates ?? []).entries()) this.checkCertificate(c, `certificates[${i}]`);
    const id = await this.ds.transaction(async (tx) => {
      await this.assertCategory(tx, dto.categoryId);
      const [coop] = await tx.query(`SELECT id FROM cooperatives WHERE id = $1`, [cooperativeId]);
      if (!coop) throw notFound(`Không tìm thấy hợp tác xã / No cooperative ${cooperativeId}`);
      let row: { id: string };
      try {
        [row] = await tx.query(
          `INSERT INTO products (cooperative_id, category_id, slug, name_vi, name_en, description_vi, description_en, brand, image_urls, shelf_life_days, status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
          [
            cooperativeId,
            dto.categoryId ?? null,
            dto.slug,
            dto.nameVi,
            dto.nameEn ?? null,
            dto.descriptionVi ?? '',
            dto.descriptionEn ?? '',
            dto.brand ?? '',
            dto.imageUrls ?? [],
            dto.shelfLifeDays ?? null,
            dto.status ?? 'draft',
          ],
        );
      } catch (e) {
        throw explainUniqueViolation(e, { slug: dto.slug });
      }
      for (const v of variants) await this.insertVariant(tx, row.id, cooperativeId, v);
      for (const c of dto.certificates ?? []) await this.insertCertificate(tx, row.id, c);
      return row.id;
    });
    return this.getManaged(user, id);
  }

  async updateProduct(user: AuthUser, id: string, dto: UpdateProductDto) {
    await this.ds.transaction(async (tx) => {
      const p = await this.loadManagedProduct(user, id, tx, true);
      await this.assertCategory(tx, dto.categoryId);
      const sets: string[] = [];
      const params: unknown[] = [p.id];
      const set = (col: string, v: unknown) => {
        if (v === undefined) return;
        params.push(v);
        sets.push(`${col} = $${params.length}`);
      };
      set('slug', dto.slug);
      set('name_vi', dto.nameVi);
      set('name_en', dto.nameEn);
      set('description_vi', dto.descriptionVi);
      set('description_en', dto.descriptionEn);
      set('brand', dto.brand);
      set('category_id', dto.categoryId);
      set('image_urls', dto.imageUrls);
      set('shelf_life_days', dto.shelfLifeDays);
      set('status', dto.status);
      if (sets.length === 0) return;
      try {
        await tx.query(`UPDATE products SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
      } catch (e) {
        throw explainUniqueViolation(e, { slug: dto.slug });
      }
    });
    return this.getManaged(user, id);
  }

  /** Products are archived rather than deleted: lots, orders and trace pages keep referring to them. */
  async archiveProduct(user: AuthUser, id: string) {
    const p = await this.loadManagedProduct(user, id);
    await this.ds.query(`UPDATE products SET status = 'archived', updated_at = now() WHERE id = $1`, [p.id]);
    return this.getManaged(user, id);
  }

  async addVariant(user: AuthUser, productId: string, dto: CreateVariantDto) {
    const gtin = normaliseGtin(dto.gtin);
    return this.ds.transaction(async (tx) => {
      const p = await this.loadManagedProduct(user, productId, tx, true);
      const id = await this.insertVariant(tx, p.id, p.cooperativeId, { ...dto, gtin });
      const [v] = await tx.query(`SELECT ${VARIANT_COLUMNS} FROM product_variants v WHERE v.id = $1`, [id]);
      return { ...v, priceVnd: Number(v.priceVnd) };
    });
  }

  async updateVariant(user: AuthUser, productId: string, variantId: string, dto: UpdateVariantDto) {
    const gtin = dto.gtin === undefined ? undefined : normaliseGtin(dto.gtin);
    return this.ds.transaction(async (tx) => {
      const p = await this.loadManagedProduct(user, productId, tx, true);
      const [existing] = UUID.test(variantId) ? await tx.query(`SELECT id FROM product_variants WHERE id = $1 AND product_id = $2`, [variantId, p.id]) : [];
      if (!existing) throw notFound(`Không tìm thấy loại hàng / No variant ${variantId} on this product`);
      const sets: string[] = [];
      const params: unknown[] = [variantId];
      const set = (col: string, v: unknown) => {
        if (v === undefined) return;
        params.push(v);
        sets.push(`${col} = $${params.length}`);
      };
      set('sku', dto.sku);
      set('name_vi', dto.nameVi);
      set('name_en', dto.nameEn);
      set('weight_grams', dto.weightGrams);
      set('price_vnd', dto.priceVnd);
      set('gtin', gtin);
      set('active', dto.active);
      set('sort_order', dto.sortOrder);
      if (sets.length > 0) {
        try {
          await tx.query(`UPDATE product_variants SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
        } catch (e) {
          throw explainUniqueViolation(e, { gtin, sku: dto.sku });
        }
      }
      const [v] = await tx.query(`SELECT ${VARIANT_COLUMNS} FROM product_variants v WHERE v.id = $1`, [variantId]);
      return { ...v, priceVnd: Number(v.priceVnd) };
    });
  }

  async addCertificate(user: AuthUser, productId: string, dto: CreateCertificateDto) {
    this.checkCertificate(dto, 'certificate');
    return this.ds.transaction(async (tx) => {
      const p = await this.loadManagedProduct(user, productId, tx);
      const id = await this.insertCertificate(tx, p.id, dto);
      const [c] = await tx.query(`${CERT_SQL} WHERE id = $1`, [id]);
      return { id: c.id, ...toCertificateView(c), documentUrl: c.documentUrl };
    });
  }

  async removeCertificate(user: AuthUser, productId: string, certificateId: string) {
    const p = await this.loadManagedProduct(user, productId);
    const res = UUID.test(certificateId)
      ? await this.ds.query(`WITH d AS (DELETE FROM product_certificates WHERE id = $1 AND product_id = $2 RETURNING id) SELECT id FROM d`, [certificateId, p.id])
      : [];
    if (res.length === 0) throw notFound(`Không tìm thấy chứng nhận / No certificate ${certificateId} on this product`);
    return { deleted: true };
  }

  private checkCertificate(c: CreateCertificateDto, where: string) {
    if (c.kind === 'ocop' && c.stars === undefined) throw badRequest(`${where}.stars: chứng nhận OCOP cần số sao / an OCOP certificate needs stars (1-5)`);
    if (c.kind !== 'ocop' && c.stars !== undefined) throw badRequest(`${where}.stars: chỉ OCOP có sao / only OCOP certificates have stars`);
    if (c.validFrom && c.validTo && c.validTo < c.validFrom) {
      throw badRequest(`${where}.validTo: ngày hết hạn trước ngày cấp / validTo (${c.validTo}) is before validFrom (${c.validFrom})`);
    }
  }

  private assertDistinct(variants: { sku: string; gtin: string }[]) {
    const skus = new Set<string>();
    const gtins = new Set<string>();
    for (const v of variants) {
      if (skus.has(v.sku)) throw conflict(`SKU "${v.sku}" bị lặp / SKU "${v.sku}" appears twice in variants`, { field: 'sku', sku: v.sku });
      if (gtins.has(v.gtin)) throw conflict(`GTIN ${v.gtin} bị lặp / GTIN ${v.gtin} appears twice in variants`, { field: 'gtin', gtin: v.gtin });
      skus.add(v.sku);
      gtins.add(v.gtin);
    }
  }

  private async insertVariant(tx: EntityManager, productId: string, cooperativeId: string, v: CreateVariantDto & { gtin: string }): Promise<string> {
    try {
      const [row] = await tx.query(
        `INSERT INTO product_variants (product_id, cooperative_id, sku, name_vi, name_en, weight_grams, price_vnd, gtin, active, sort_order)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`,
        [productId, cooperativeId, v.sku, v.nameVi, v.nameEn ?? null, v.weightGrams, v.priceVnd, v.gtin, v.active ?? true, v.sortOrder ?? 0],
      );
      return row.id;
    } catch (e) {
      throw explainUniqueViolation(e, { gtin: v.gtin, sku: v.sku });
    }
  }

  private async insertCertificate(tx: EntityManager, productId: string, c: CreateCertificateDto): Promise<string> {
    const [row] = await tx.query(
      `INSERT INTO product_certificates (product_id, kind, name, issuer, number, stars, valid_from, valid_to, document_url)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
      [productId, c.kind, c.name, c.issuer, c.number ?? null, c.stars ?? null, c.validFrom ?? null, c.validTo ?? null, c.documentUrl ?? null],
    );
    return row.id;
  }
}
