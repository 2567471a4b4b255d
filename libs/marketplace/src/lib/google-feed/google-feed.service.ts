import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig, notFound } from '@htx/shared';
import { InventoryService } from '@htx/inventory';
import { renderGoogleFeed } from './render';
import type { GoogleFeed, GoogleFeedItem } from './google-feed.types';

interface VariantRow {
  variantId: string;
  sku: string;
  variantNameVi: string;
  priceVnd: string;
  gtin: string;
  weightGrams: number;
  productId: string;
  slug: string;
  productNameVi: string;
  descriptionVi: string;
  descriptionEn: string;
  brand: string;
  imageUrls: string[];
  categoryNameVi: string | null;
}

/** A GTIN-14 with a leading zero is an EAN-13 in Google's eyes: send the 13 digits everywhere else keeps 14. */
export function feedGtin(gtin14: string): string {
  return /^0\d{13}$/.test(gtin14) ? gtin14.slice(1) : gtin14;
}

/** An image path of the catalog ("/images/…") or an https URL, made absolute against the storefront origin. */
export function absoluteUrl(base: string, pathOrUrl: string): string {
  return new URL(pathOrUrl, `${base}/`).toString();
}

/**
 * The Google Merchant Center feed of one cooperative: one item per sellable variant — the product is published
 * (status active), the variant is active and it has stock available to sell now (on hand minus reserved, recalled
 * and expired lots: InventoryService.availableByVariant). Variants of products without any image are left out,
 * since Google refuses items without image_link.
 */
@Injectable()
export class GoogleFeedService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly inventory: InventoryService,
    private readonly config: AppConfig,
  ) {}

  async feed(cooperativeSlug: string): Promise<GoogleFeed> {
    const coop = await this.cooperative(cooperativeSlug);
    const rows: VariantRow[] = await this.ds.query(
      `SELECT v.id AS "variantId", v.sku, v.name_vi AS "variantNameVi", v.price_vnd::text AS "priceVnd", v.gtin,
              v.weight_grams AS "weightGrams", p.id AS "productId", p.slug, p.name_vi AS "productNameVi",
              p.description_vi AS "descriptionVi", p.description_en AS "descriptionEn", p.brand, p.image_urls AS "imageUrls",
              c.name_vi AS "categoryNameVi"
         FROM product_variants v
         JOIN products p ON p.id = v.product_id
         LEFT JOIN categories c ON c.id = p.category_id
        WHERE p.cooperative_id = $1 AND p.status = 'active' AND v.active
        ORDER BY p.slug, v.sort_order, v.sku`,
      [coop.id],
    );
    const available = await this.inventory.availableByVariant(rows.map((r) => r.variantId));
    const base = this.config.publicBaseUrl;
    const items: GoogleFeedItem[] = [];
    for (const r of rows) {
      if ((available.get(r.variantId) ?? 0) <= 0) continue;
      const images = (r.imageUrls ?? []).map((u) => absoluteUrl(base, u));
      if (images.length === 0) continue;
      const title = `${r.productNameVi} - ${r.variantNameVi}`;
      items.push({
        id: r.sku,
        itemGroupId: r.productId,
        title,
        description: r.descriptionVi.trim() || r.descriptionEn.trim() || title,
        link: absoluteUrl(base, `/san-pham/${encodeURIComponent(r.slug)}`),
        imageLink: images[0],
        additionalImageLinks: images.slice(1),
        availability: 'in_stock',
        priceVnd: Number(r.priceVnd),
        brand: r.brand.trim() || coop.name,
        gtin: feedGtin(r.gtin),
        condition: 'new',
        productType: r.categoryNameVi,
        shippingWeightGrams: r.weightGrams,
      });
    }
    const xml = renderGoogleFeed(
      {
        title: `${coop.name} - HTX Số`,
        link: absoluteUrl(base, `/san-pham?cooperative=${encodeURIComponent(coop.slug)}`),
        description: coop.descriptionVi.trim() || coop.name,
      },
      items,
    );
    const etag = `"${createHash('sha256').update(xml).digest('base64url').slice(0, 27)}"`;
    return { xml, etag, itemCount: items.length };
  }

  private async cooperative(slug: string): Promise<{ id: string; slug: string; name: string; descriptionVi: string }> {
    const [coop] = /^[a-z0-9][a-z0-9-]{0,80}$/.test(slug)
      ? await this.ds.query(`SELECT id, slug, name, description_vi AS "descriptionVi" FROM cooperatives WHERE slug = $1`, [slug])
      : [];
    if (!coop) throw notFound(`Không tìm thấy hợp tác xã "${slug.slice(0, 80)}" / Cooperative "${slug.slice(0, 80)}" not found`, { cooperative: slug.slice(0, 80) });
    return coop;
  }
}
