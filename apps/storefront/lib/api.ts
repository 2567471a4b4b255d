
/** Where the server-rendered pages reach the API (same machine by default). */
export const API_URL = process.env.API_URL || `http://127.0.0.1:${process.env.API_PORT || 3000}`;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Cache tag of every catalog read (products, prices, stock): the console's edits expire it (updateTag). */
export const CATALOG_TAG = 'catalog';

export async function api<T>(path: string, init: RequestInit & { revalidate?: number; tags?: string[] } = {}): Promise<T> {
  const { revalidate, tags, ...rest } = init;
  const res = await fetch(`${API_URL}${path}`, {
    ...rest,
    headers: { accept: 'application/json', ...(rest.body ? { 'content-type': 'application/json' } : {}), ...rest.headers },
    cache: revalidate === undefined ? 'no-store' : undefined,
    next: revalidate === undefined ? undefined : { revalidate, ...(tags ? { tags } : {}) },
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, body?.message ?? res.statusText, body?.details);
  return body as T;
}

export async function apiOrNull<T>(path: string, init?: RequestInit & { revalidate?: number; tags?: string[] }): Promise<T | null> {
  try {
    return await api<T>(path, init);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface CooperativeSummary {
  id: string;
  slug: string;
  name: string;
  nameEn: string | null;
  province: { code: string; name: string };
  commune: { code: string; name: string };
  addressLine: string;
  descriptionVi: string;
  descriptionEn: string;
}

export interface ProductListItem {
  id: string;
  slug: string;
  nameVi: string;
  nameEn: string | null;
  brand: string;
  imageUrl: string | null;
  priceFromVnd: number;
  priceToVnd: number;
  cooperative: { slug: string; name: string };
  category: { slug: string; nameVi: string; nameEn: string } | null;
  badges: { kind: string; stars: number | null }[];
}

export interface Certificate {
  kind: 'vietgap' | 'organic' | 'ocop' | 'other';
  name: string;
  issuer: string;
  number: string | null;
  stars: number | null;
  validFrom: string | null;
  validTo: string | null;
  valid: boolean;
}

export interface ProductDetail {
  id: string;
  slug: string;
  nameVi: string;
  nameEn: string | null;
  descriptionVi: string;
  descriptionEn: string;
  brand: string;
  imageUrls: string[];
  shelfLifeDays: number | null;
  category: { slug: string; nameVi: string; nameEn: string } | null;
  cooperative: { id: string; slug: string; name: string; nameEn: string | null; provinceName: string; communeName: string; descriptionVi: string };
  variants: { id: string; sku: string; gtin: string; nameVi: string; nameEn: string | null; weightGrams: number; priceVnd: number; available: number; inStock: boolean }[];
  certificates: Certificate[];
}

export interface Category {
  id: string;
  slug: string;
  nameVi: string;
  nameEn: string;
  productCount: number;
}
