import { cookies } from 'next/headers';

/** The cart lives in a cookie: it survives a reload, needs no account, and works without JavaScript. */
export interface CartLine {
  variantId: string;
  productSlug: string;
  quantity: number;
}

const COOKIE = 'cart';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9-]{1,80}$/;
export const MAX_LINES = 30;
export const MAX_QUANTITY = 99;

export function parseCart(raw: string | undefined): CartLine[] {
  if (!raw) return [];
  try {
    const data = JSON.parse(raw) as unknown;
    if (!Array.isArray(data)) return [];
    return data
      .filter(
        (l): l is [string, string, number] =>
          Array.isArray(l) && UUID.test(String(l[0])) && SLUG.test(String(l[1])) && Number.isInteger(l[2]) && l[2] > 0 && l[2] <= MAX_QUANTITY,
      )
      .slice(0, MAX_LINES)
      .map(([variantId, productSlug, quantity]) => ({ variantId, productSlug, quantity }));
  } catch {
    return [];
  }
}

export async function readCart(): Promise<CartLine[]> {
  return parseCart((await cookies()).get(COOKIE)?.value);
}

export async function writeCart(lines: CartLine[]): Promise<void> {
  const store = await cookies();
  const compact = lines.slice(0, MAX_LINES).map((l) => [l.variantId, l.productSlug, l.quantity]);
  if (compact.length === 0) store.delete(COOKIE);
  else store.set(COOKIE, JSON.stringify(compact), { path: '/', maxAge: 60 * 60 * 24 * 30, sameSite: 'lax', httpOnly: true });
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
export function isSlug(value: unknown): value is string {
  return typeof value === 'string' && SLUG.test(value);
}
