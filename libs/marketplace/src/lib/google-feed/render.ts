import { element, truncate, xmlText } from './xml';
import type { GoogleFeedChannel, GoogleFeedItem } from './google-feed.types';

export const GOOGLE_NS = 'http://base.google.com/ns/1.0';

/** Google's limits: title 150 characters, description 5000, product type 750. */
const TITLE_MAX = 150;
const DESCRIPTION_MAX = 5000;

/** Price as Google wants it for VND (no decimals): "125000 VND". */
export function googlePrice(vnd: number): string {
  if (!Number.isSafeInteger(vnd) || vnd < 0) throw new Error(`price must be a non-negative whole number of đồng, got ${vnd}`);
  return `${vnd} VND`;
}

/** Renders an RSS 2.0 document with the g: namespace, as Google Merchant Center reads it. */
export function renderGoogleFeed(channel: GoogleFeedChannel, items: GoogleFeedItem[]): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<rss version="2.0" xmlns:g="${GOOGLE_NS}">`,
    '<channel>',
    element('title', channel.title),
    element('link', channel.link),
    element('description', channel.description),
  ];
  for (const it of items) {
    out.push('<item>');
    out.push(element('g:id', it.id));
    out.push(element('g:item_group_id', it.itemGroupId));
    out.push(element('g:title', truncate(it.title, TITLE_MAX)));
    out.push(element('g:description', truncate(it.description, DESCRIPTION_MAX)));
    out.push(element('g:link', it.link));
    out.push(element('g:image_link', it.imageLink));
    for (const extra of it.additionalImageLinks.slice(0, 10)) out.push(element('g:additional_image_link', extra));
    out.push(element('g:availability', it.availability));
    out.push(element('g:price', googlePrice(it.priceVnd)));
    out.push(element('g:brand', it.brand));
    out.push(element('g:gtin', it.gtin));
    out.push(element('g:condition', it.condition));
    if (it.productType) out.push(element('g:product_type', truncate(it.productType, 750)));
    out.push(`<g:shipping_weight>${xmlText(it.shippingWeightGrams)} g</g:shipping_weight>`);
    out.push('</item>');
  }
  out.push('</channel>', '</rss>', '');
  return out.join('\n');
}
