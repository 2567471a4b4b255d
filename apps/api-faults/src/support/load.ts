import { cart, checkout, HttpResult, idempotencyKey } from './platform';
import { sql } from './services';

export interface Attempt {
  key: string;
  body: ReturnType<typeof cart>;
  res: HttpResult;
}

/** Shoppers placing checkouts back to back (fresh key each, a cart of 1-2 of the variants) until `stop()` is called. */
export function checkoutLoad(bases: string[], variants: string[], shoppers: number, methods: Array<'cod' | 'vietqr'> = ['cod', 'vietqr']) {
  const attempts: Attempt[] = [];
  let running = true;
  const loops = Array.from({ length: shoppers }, async (_, s) => {
    for (let i = 0; running; i++) {
      const picks = [...new Set([variants[(s + i) % variants.length], variants[(s * 7 + i * 3) % variants.length]])];
      const body = cart(picks.map((variantId, j) => ({ variantId, quantity: 1 + ((s + i + j) % 3) })), methods[(s + i) % methods.length]);
      const key = idempotencyKey();
      const res = await checkout(bases[(s + i) % bases.length], key, body, 30_000);
      attempts.push({ key, body, res });
    }
  });
  return {
    attempts,
    async stop(): Promise<Attempt[]> {
      running = false;
      await Promise.all(loops);
      return attempts;
    },
  };
}

/** A failure a shopper can act on: a 4xx/503 JSON body {statusCode, error, message} without a stack trace. */
export function cleanFailure(res: HttpResult): boolean {
  const b = res.body as { statusCode?: number; error?: string; message?: string } | string;
  if (typeof b !== 'object' || b === null) return false;
  return b.statusCode === res.status && typeof b.error === 'string' && typeof b.message === 'string' && !/\n\s+at /.test(JSON.stringify(b));
}

/**
 * Stock conservation per variant, from first principles: what was received minus what left (allocations) plus what is
 * still reserved must equal what the live orders (not cancelled) asked for. A lost reservation or a doubled one breaks it.
 */
export async function conservationProblems(db: string, variants: string[], received: number): Promise<unknown[]> {
  return sql(db, `
    SELECT s.variant_id, s.on_hand, s.reserved, coalesce(o.q, 0) AS ordered
    FROM inventory_stock s
    LEFT JOIN (SELECT l.variant_id, sum(l.quantity) q FROM order_lines l JOIN orders o ON o.id = l.order_id
               WHERE o.status <> 'cancelled' GROUP BY 1) o USING (variant_id)
    WHERE s.variant_id = ANY($1::uuid[]) AND ($2::int - s.on_hand + s.reserved) <> coalesce(o.q, 0)`, [variants, received]);
}
