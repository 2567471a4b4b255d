import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/test-app';

/** One operation of the running API, as its OpenAPI document describes it. */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path, e.g. /api/manage/products/{id}. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; required: boolean; schema: Schema }>;
  headers: string[];
  /** JSON body schema (resolved), if the operation takes a body. */
  body?: Schema;
  bodyContentTypes: string[];
}

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

interface OpenApiParameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: Schema;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Every operation the running app documents at /api/docs-json (so new routes are covered without editing the tests). */
export async function loadOperations(t: TestApp): Promise<Operation[]> {
  const res = await t.http.get('/api/docs-json').expect(200);
  const doc = res.body as OpenApiDocument;
  const schemas = doc.components?.schemas ?? {};
  const resolve = (s: Schema | undefined, depth = 0): Schema | undefined => {
    if (!s || depth > 8) return s;
    if (s.$ref) return resolve(schemas[s.$ref.replace('#/components/schemas/', '')], depth + 1);
    const out: Schema = { ...s };
    if (s.allOf?.length) {
      const parts = s.allOf.map((p) => resolve(p, depth + 1) ?? {});
      return parts.reduce<Schema>((acc, p) => ({ ...acc, ...p, properties: { ...acc.properties, ...p.properties }, required: [...(acc.required ?? []), ...(p.required ?? [])] }), {});
    }
    if (s.items) out.items = resolve(s.items, depth + 1);
    if (s.oneOf) out.oneOf = s.oneOf.map((p) => resolve(p, depth + 1) ?? {});
    if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolve(v, depth + 1) ?? {}]));
    return out;
  };
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const jsonSchema = content['application/json']?.schema;
      ops.push({
        method: method as Operation['method'],
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: !!p.required, schema: resolve(p.schema) ?? {} })),
        headers: params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
        body: op.requestBody ? (resolve(jsonSchema) ?? { type: 'object' }) : undefined,
        bodyContentTypes: Object.keys(content),
      });
    }
  }
  return ops;
}

export const opName = (op: Pick<Operation, 'method' | 'path'>) => `${op.method.toUpperCase()} ${op.path}`;

/** Demo data the tests point requests at: cooperative A (Thiên An) and B (Nậm Tỵ) and some of A's records. */
export interface Fixtures {
  coopA: string;
  coopB: string;
  coopASlug: string;
  productA: string;
  productASlug: string;
  variantA: string;
  certificateA: string | null;
  lotA: string;
  lotACode: string;
  gtinA: string;
  orderA: string;
  orderACode: string;
  orderAPhone: string;
  paymentA: string | null;
  mismatchA: string | null;
  captureA: string | null;
  producerA: string;
  plotA: string | null;
  locationA: string | null;
  categoryId: string;
  /** A marketplace channel connection of A, when the marketplace lib's tables exist and hold one. */
  channelA: string | null;
  managerA: string;
  managerB: string;
  memberA: string;
  admin: string;
}

export async function loadFixtures(t: TestApp): Promise<Fixtures> {
  const one = async (sql: string, params: unknown[] = []): Promise<string | null> => {
    const rows = await t.sql<{ v: string }>(sql, params);
    return rows[0]?.v ?? null;
  };
  const must = async (sql: string, params: unknown[] = []): Promise<string> => {
    const v = await one(sql, params);
    if (v === null) throw new Error(`fixture query found nothing: ${sql}`);
    return v;
  };
  const coopA = await must(`SELECT id AS v FROM cooperatives WHERE slug = 'thien-an'`);
  const coopB = await must(`SELECT id AS v FROM cooperatives WHERE slug = 'nam-ty'`);
  const lot = (
    await t.sql<{ id: string; lot_code: string; gtin: string; variant_id: string; product_id: string; slug: string }>(
      `SELECT l.id, l.lot_code, v.gtin, v.id AS variant_id, p.id AS product_id, p.slug
         FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
        WHERE l.cooperative_id = $1 AND v.gtin IS NOT NULL ORDER BY l.created_at LIMIT 1`,
      [coopA],
    )
  )[0];
  if (!lot) throw new Error('no lot of cooperative A with a GTIN in the seed');
  const order = (await t.sql<{ id: string; code: string; customer_phone: string }>(`SELECT id, code, customer_phone FROM orders WHERE cooperative_id = $1 ORDER BY placed_at LIMIT 1`, [coopA]))[0];
  if (!order) throw new Error('no order of cooperative A in the seed');
  return {
    coopA,
    coopB,
    coopASlug: 'thien-an',
    productA: lot.product_id,
    productASlug: lot.slug,
    variantA: lot.variant_id,
    certificateA: await one(`SELECT id AS v FROM product_certificates WHERE product_id = $1 LIMIT 1`, [lot.product_id]),
    lotA: lot.id,
    lotACode: lot.lot_code,
    gtinA: lot.gtin,
    orderA: order.id,
    orderACode: order.code,
    orderAPhone: order.customer_phone,
    paymentA: await one(`SELECT id AS v FROM payment_intents WHERE cooperative_id = $1 LIMIT 1`, [coopA]),
    mismatchA: await one(`SELECT id AS v FROM bank_transactions WHERE cooperative_id = $1 LIMIT 1`, [coopA]),
    captureA: await one(`SELECT id AS v FROM trace_captures WHERE cooperative_id = $1 LIMIT 1`, [coopA]),
    producerA: await must(`SELECT id AS v FROM trace_producers WHERE cooperative_id = $1 LIMIT 1`, [coopA]),
    plotA: await one(`SELECT id AS v FROM trace_plots WHERE cooperative_id = $1 LIMIT 1`, [coopA]),
    locationA: await one(`SELECT id::text AS v FROM trace_locations WHERE cooperative_id = $1 LIMIT 1`, [coopA]),
    categoryId: await must(`SELECT id::text AS v FROM categories LIMIT 1`),
    channelA: (await one(`SELECT to_regclass('public.channel_connections')::text AS v`))
      ? await one(`SELECT id::text AS v FROM channel_connections WHERE cooperative_id = $1 LIMIT 1`, [coopA])
      : null,
    managerA: await t.login('thienan@htxso.test'),
    managerB: await t.login('namty@htxso.test'),
    memberA: await t.login('member.thienan@htxso.test'),
    admin: await t.login('admin@htxso.test'),
  };
}

/**
 * A value for a path parameter that names one of cooperative A's records, chosen by the path segment in front of
 * it (…/products/{id} → a product of A). Unknown resources get a random UUID: the request then reaches the
 * handler and answers 404, which still shows whether the guard let the caller through.
 */
export function pathValue(op: Operation, param: string, f: Fixtures): string {
  const segments = op.path.split('/');
  const at = segments.indexOf(`{${param}}`);
  const before = segments[at - 1] ?? '';
  if (op.path.startsWith('/api/trace/01/')) {
    if (param === 'gtin') return f.gtinA;
    if (param === 'lot') return f.lotACode;
    if (param === 'serial') return 'SEC0001';
  }
  if (param === 'cooperative') return f.coopASlug;
  if (param === 'slug') return before === 'cooperatives' ? f.coopASlug : f.productASlug;
  if (param === 'code') return before === 'orders' ? f.orderACode : '19';
  if (param === 'variantId') return f.variantA;
  if (param === 'productId') return f.productA;
  if (param === 'certificateId') return f.certificateA ?? randomUUID();
  const byResource: Record<string, string | null> = {
    cooperatives: f.coopA,
    products: f.productA,
    lots: f.lotA,
    stock: f.variantA,
    orders: f.orderA,
    payments: f.paymentA,
    mismatches: f.mismatchA,
    capture: f.captureA,
    locations: f.locationA,
    producers: f.producerA,
    plots: f.plotA,
    channels: f.channelA,
  };
  return byResource[before] ?? randomUUID();
}

export function fillPath(op: Operation, values: Record<string, string>): string {
  return op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? ''));
}

/** Field names whose sensible value is one of the fixtures (so generated bodies get past "not found" into deeper code). */
export function knownFieldValue(name: string, f: Fixtures): string | undefined {
  const map: Record<string, string | null> = {
    variantId: f.variantA,
    lotId: f.lotA,
    productId: f.productA,
    producerId: f.producerA,
    plotId: f.plotA,
    categoryId: f.categoryId,
    cooperativeId: f.coopA,
    locationId: f.locationA,
    orderCode: f.orderACode,
  };
  return map[name] ?? undefined;
}

/** Tables whose rows change on their own (scans are recorded after the answer is sent; anomalies derive from them). */
const VOLATILE_TABLES = new Set(['migrations', 'trace_scans', 'trace_anomalies']);

/**
 * A fingerprint of every table: row count and a sum of row hashes, so inserts, deletes and updates all show.
 * Compared before and after a refused request to prove it wrote nothing.
 */
export async function databaseFingerprint(t: TestApp): Promise<Record<string, string>> {
  const tables = (await t.sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`))
    .map((r) => r.table_name)
    .filter((n) => !VOLATILE_TABLES.has(n));
  const sql = tables.map((n) => `SELECT '${n}' AS t, count(*)::text || ':' || coalesce(sum(hashtext(x::text)::bigint), 0)::text AS f FROM "${n}" x`).join(' UNION ALL ');
  const rows = await t.sql<{ t: string; f: string }>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.f]));
}

export function fingerprintDiff(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).map((n) => `${n}: ${before[n]} → ${after[n]}`);
}

/** True when an error answer explains itself: the platform's {statusCode, error, message} with a non-empty message. */
export function readableError(status: number, body: unknown): boolean {
  const b = body as { statusCode?: unknown; message?: unknown } | undefined;
  return !!b && b.statusCode === status && typeof b.message === 'string' && b.message.trim().length > 0 && !b.message.includes('[object Object]');
}

/**
 * Gives cooperative A a (disabled) marketplace channel connection when the API offers them and the seed has none,
 * so that the /api/manage/channels/{id} cells of the matrix name a real record of A.
 */
export async function ensureChannelA(t: TestApp, f: Fixtures, ops: Operation[], merchantId = 'SEC-MATRIX-A'): Promise<void> {
  if (f.channelA || !ops.some((op) => op.method === 'post' && op.path === '/api/manage/channels')) return;
  const res = await t.http
    .post('/api/manage/channels')
    .set('authorization', `Bearer ${f.managerA}`)
    .send({ channel: 'postmart', baseUrl: 'http://127.0.0.1:9', merchantId, secret: 'security-test-merchant-secret-0001', enabled: false });
  if (res.status === 201 || res.status === 200) f.channelA = (res.body as { id?: string }).id ?? null;
}
