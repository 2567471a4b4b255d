/** The Google Merchant Center product data attributes this platform emits (one item per variant). */
export interface GoogleFeedItem {
  /** g:id — the variant's SKU (unique within the cooperative, stable). */
  id: string;
  /** g:item_group_id — the product id: variants of one product form one group. */
  itemGroupId: string;
  title: string;
  description: string;
  /** Absolute URL of the product page. */
  link: string;
  /** Absolute URL of the main image. */
  imageLink: string;
  additionalImageLinks: string[];
  availability: 'in_stock';
  /** Integer VND. */
  priceVnd: number;
  brand: string;
  /** GTIN-13 (EAN) when the stored GTIN-14 has a leading zero, else the GTIN-14. */
  gtin: string;
  condition: 'new';
  productType: string | null;
  shippingWeightGrams: number;
}

export interface GoogleFeedChannel {
  title: string;
  link: string;
  description: string;
}

export interface GoogleFeed {
  xml: string;
  etag: string;
  itemCount: number;
}
