/** Public contract of the catalog domain (shared with orders, inventory, traceability). */

export interface VariantForSale {
  variantId: string;
  productId: string;
  cooperativeId: string;
  productSlug: string;
  sku: string;
  /** GTIN-14 */
  gtin: string;
  productNameVi: string;
  productNameEn: string | null;
  variantNameVi: string;
  variantNameEn: string | null;
  priceVnd: number;
  weightGrams: number;
  /** The variant is active and its product is published (status active). */
  active: boolean;
  imageUrl: string | null;
}

export interface CertificateView {
  kind: 'vietgap' | 'organic' | 'ocop' | 'other';
  name: string;
  issuer: string;
  number: string | null;
  stars: number | null;
  validFrom: string | null;
  validTo: string | null;
  /** Valid today (Asia/Ho_Chi_Minh): validFrom ≤ today ≤ validTo, open ends allowed. */
  valid: boolean;
}

export interface ProductTraceInfo {
  productId: string;
  cooperativeId: string;
  slug: string;
  nameVi: string;
  nameEn: string | null;
  descriptionVi: string;
  descriptionEn: string;
  imageUrls: string[];
  brand: string;
  shelfLifeDays: number | null;
  categoryNameVi: string | null;
  certificates: CertificateView[];
}

/**
 * Stock availability, provided by the inventory domain (which depends on catalog, not the other way round).
 * Inventory binds its service to this token; without it the catalog reports no availability.
 */
export interface StockAvailability {
  availableByVariant(variantIds: string[]): Promise<Map<string, number>>;
}
export const STOCK_AVAILABILITY = Symbol.for('htx.catalog.stock-availability');
