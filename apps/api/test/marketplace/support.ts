import { DataSource } from 'typeorm';
import { availableByVariant } from '@htx/inventory';
import { ChannelSyncService } from '@htx/marketplace';
import { startTestApp, type TestApp } from '../support/test-app';
// The simulator is an app of its own; tests drive it directly.
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests drive the simulator app directly
import { startPostmartSimulator, type PostmartSimulator } from '../../../postmart-sim/src/simulator';

export const MERCHANT_ID = 'HTX-THIENAN-TEST';
export const MERCHANT_SECRET = 'pm-test-secret-0123456789abcdef';

/** Short queue timings for tests (production defaults are seconds); read by the marketplace lib when the app starts. */
export const FAST_SYNC_ENV: Record<string, string> = {
  MARKETPLACE_DEBOUNCE_MS: '400',
  MARKETPLACE_RECONCILE_MS: '1500',
  MARKETPLACE_ORDER_POLL_MS: '1500',
  MARKETPLACE_BACKOFF_MS: '150',
  MARKETPLACE_ATTEMPTS: '6',
  MARKETPLACE_HTTP_TIMEOUT_MS: '2000',
};

export function applyEnv(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
}

export interface ChannelHarness {
  t: TestApp;
  sim: PostmartSimulator;
  ds: DataSource;
  sync: ChannelSyncService;
  token: string;
  connectionId: string;
  coopId: string;
  /** Variants of the products listed on Postmart by the demo seed. */
  listed: Array<{ variantId: string; sku: string; priceVnd: number }>;
  available(variantId: string): Promise<number>;
  close(): Promise<void>;
}

/** Polls until `check` returns a value (not a timing assertion: the timeout only bounds a hung test). */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const start = Date.now();
  let last: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * The API (real PostgreSQL, Redis, BullMQ workers) listening on an ephemeral port, the Postmart simulator on
 * another, and the demo seed's Thiên An connection pointed at the simulator and enabled by the manager.
 */
export async function startChannelHarness(options: { env?: Record<string, string>; databaseUrl?: string; sim?: PostmartSimulator; redisPrefix?: string } = {}): Promise<ChannelHarness> {
  applyEnv({ ...FAST_SYNC_ENV, ...options.env });
  const sim = options.sim ?? (await startPostmartSimulator({ merchants: [{ merchantId: MERCHANT_ID, secret: MERCHANT_SECRET, shopName: 'HTX Thiên An (test)' }] }));
  const t = await startTestApp({ seed: !options.databaseUrl, databaseUrl: options.databaseUrl, env: options.redisPrefix ? { REDIS_PREFIX: options.redisPrefix } : {} });
  await t.app.listen(0, '127.0.0.1');
  const apiUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  sim.setCallbackUrl(MERCHANT_ID, `${apiUrl}/api/channels/postmart/webhook`);
  const token = await t.login('thienan@htxso.test');
  const [coop] = await t.sql<{ id: string }>(`SELECT id FROM cooperatives WHERE slug = 'thien-an'`);
  const list = await t.http.get('/api/manage/channels').set('authorization', `Bearer ${token}`);
  if (list.status !== 200 || list.body.items.length !== 1) throw new Error(`seeded connection missing: ${list.status} ${JSON.stringify(list.body)}`);
  const connectionId = list.body.items[0].id as string;
  if (!options.databaseUrl) {
    const patch = await t.http
      .patch(`/api/manage/channels/${connectionId}`)
      .set('authorization', `Bearer ${token}`)
      .send({ baseUrl: sim.url, merchantId: MERCHANT_ID, secret: MERCHANT_SECRET, enabled: true });
    if (patch.status !== 200) throw new Error(`cannot point the connection at the simulator: ${patch.status} ${JSON.stringify(patch.body)}`);
  }
  const ds = t.app.get(DataSource);
  const listed = await t.sql<{ variantId: string; sku: string; priceVnd: string }>(
    `SELECT v.id AS "variantId", v.sku, v.price_vnd AS "priceVnd" FROM channel_products cp JOIN product_variants v ON v.product_id = cp.product_id
      WHERE cp.connection_id = $1 AND cp.listed AND v.active ORDER BY v.sku`,
    [connectionId],
  );
  return {
    t,
    sim,
    ds,
    sync: t.app.get(ChannelSyncService),
    token,
    connectionId,
    coopId: coop.id,
    listed: listed.map((l) => ({ ...l, priceVnd: Number(l.priceVnd) })),
    available: async (variantId) => (await availableByVariant(ds.manager, [variantId])).get(variantId) ?? 0,
    close: async () => {
      await t.close();
      if (!options.sim) await sim.close();
    },
  };
}

/** Every listed variant on the simulator shows the shop's current availability. */
export async function allStockInSync(h: ChannelHarness): Promise<boolean> {
  for (const l of h.listed) {
    const p = h.sim.product(MERCHANT_ID, l.sku);
    if (!p || p.stock !== (await h.available(l.variantId))) return false;
  }
  return true;
}

export const SHOP_ADDRESS = { provinceCode: '19', communeCode: '01969', line: 'Thôn Nà Lẹng, số 5' };
