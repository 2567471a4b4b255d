import { PostmartChannel, POSTMART_HEADERS, POSTMART_PATHS, signedHeaders, type ListingInput } from '@htx/marketplace';
import { startPostmartSimulator, type PostmartSimulator } from './simulator';

const MERCHANT = { merchantId: 'M-SPEC', secret: 'spec-secret-0123456789abcdef', shopName: 'Spec shop' };

const listing = (sku: string, stock = 5): ListingInput => ({
  sku,
  name: `Trà giảo cổ lam ${sku}`,
  description: 'Trà thảo dược',
  categoryId: 782,
  priceVnd: 120000,
  stock,
  weightGrams: 200,
  images: [],
  barcode: null,
  active: true,
});

describe('Postmart simulator', () => {
  let sim: PostmartSimulator;
  let client: PostmartChannel;

  beforeAll(async () => {
    sim = await startPostmartSimulator({ merchants: [MERCHANT] });
    client = new PostmartChannel({ baseUrl: sim.url, merchantId: MERCHANT.merchantId, secret: MERCHANT.secret });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('answers the public categories call in Postmart’s layout (gc_id, gc_name, gc_parent_id, commis_rate)', async () => {
    const res = await fetch(`${sim.url}${POSTMART_PATHS.categories}`, { headers: signedHeaders(MERCHANT.merchantId, MERCHANT.secret, 'GET', POSTMART_PATHS.categories, '') });
    const body = (await res.json()) as { data: Array<Record<string, unknown>> };
    expect(body.data).toContainEqual({ gc_id: 782, gc_name: 'Thực Phẩm - Đặc sản', gc_parent_id: 780, commis_rate: 6.5 });
    // Publicly readable, like Postmart's: no credentials needed for this one call (and only this one).
    const open = await fetch(`${sim.url}${POSTMART_PATHS.categories}`);
    expect(open.status).toBe(200);
    expect((await fetch(`${sim.url}${POSTMART_PATHS.me}`)).status).toBe(401);
  });

  it('refuses a bad signature and a stale timestamp with 401', async () => {
    const body = JSON.stringify({ items: [{ merchant_sku: 'A1', stock: 1 }] });
    const h = signedHeaders(MERCHANT.merchantId, 'wrong-secret-0000000000000000', 'POST', POSTMART_PATHS.stockBatch, body);
    const bad = await fetch(`${sim.url}${POSTMART_PATHS.stockBatch}`, { method: 'POST', headers: { ...h, 'content-type': 'application/json', [POSTMART_HEADERS.idempotencyKey]: 'k-1' }, body });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_SIGNATURE');
    const old = signedHeaders(MERCHANT.merchantId, MERCHANT.secret, 'POST', POSTMART_PATHS.stockBatch, body, Date.now() - 10 * 60_000);
    const stale = await fetch(`${sim.url}${POSTMART_PATHS.stockBatch}`, { method: 'POST', headers: { ...old, 'content-type': 'application/json', [POSTMART_HEADERS.idempotencyKey]: 'k-2' }, body });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(sim.counters.stockItemsApplied).toBe(0);
  });

  it('applies a batch once per idempotency key and refuses more than 50 items', async () => {
    const first = await client.upsertListings([listing('A1'), listing('A2')], 'key-products-1');
    expect(first.every((r) => r.ok)).toBe(true);
    const again = await client.upsertListings([listing('A1'), listing('A2')], 'key-products-1');
    expect(again.map((r) => r.externalId)).toEqual(first.map((r) => r.externalId));
    expect(sim.counters.productsCreated).toBe(2);
    expect(sim.counters.replays).toBe(1);
    await expect(client.upsertListings([listing('A1', 9)], 'key-products-1')).rejects.toMatchObject({ status: 422, code: 'IDEMPOTENCY_CONFLICT' });
    const tooMany = Array.from({ length: 51 }, (_, i) => listing(`B${i}`));
    await expect(client.upsertListings(tooMany, 'key-big')).rejects.toThrow(/at most 50/);
  });

  it('limits each merchant to the documented rate with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${sim.url}${POSTMART_PATHS.me}`, { headers: signedHeaders(MERCHANT.merchantId, MERCHANT.secret, 'GET', POSTMART_PATHS.me, '') });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.text();
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('pages orders by cursor and moves them through confirm and fulfilment', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // a fresh token bucket after the rate-limit test
    await client.upsertListings([listing('C1', 10)], 'key-c1');
    const o1 = await sim.placeOrder({ merchant_id: MERCHANT.merchantId, items: [{ merchant_sku: 'C1', quantity: 2 }] });
    await sim.placeOrder({ merchant_id: MERCHANT.merchantId, items: [{ merchant_sku: 'C1', quantity: 1 }] });
    expect(sim.product(MERCHANT.merchantId, 'C1')?.stock).toBe(7);
    const page = await client.pullOrders(null);
    expect(page.orders.map((o) => o.externalId)).toContain(o1.order_id);
    const next = await client.pullOrders(page.nextCursor);
    expect(next.orders).toHaveLength(0);
    await client.acknowledgeOrder(o1.order_id, 'ack-1');
    await client.pushFulfilment(o1.order_id, 'shipped', 'ful-1');
    await expect(client.pushFulfilment(o1.order_id, 'cancelled', 'ful-2')).rejects.toMatchObject({ status: 409, kind: 'permanent' });
    const changed = await client.pullOrders(page.nextCursor);
    expect(changed.orders.map((o) => [o.externalId, o.status])).toEqual([[o1.order_id, 'shipped']]);
  });
});
