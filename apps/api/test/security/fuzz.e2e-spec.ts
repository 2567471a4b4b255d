import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { accessRuleFor } from './access-rules';
import { databaseFingerprint, fillPath, Fixtures, fingerprintDiff, knownFieldValue, loadFixtures, loadOperations, Operation, opName, pathValue, readableError, Schema } from './support';

/**
 * Property-based fuzzing of every operation in the OpenAPI document: bodies, queries, path parameters and headers
 * generated from each operation's schema, then mutated (wrong types, missing and extra fields, huge strings and
 * numbers, Unicode edge cases, SQL/HTML injection), plus malformed JSON, wrong content types and oversized bodies.
 * Every answer must be a correct 2xx/3xx or a 4xx with a readable message; never a 5xx; and a refused (4xx)
 * request must leave every table as it was.
 *
 * FUZZ_RUNS (default 15) runs per operation; FUZZ_SEED replays a failing run (the seed is printed on failure).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

const INJECTIONS = [
  `' OR '1'='1`,
  `'; DROP TABLE orders; --`,
  `1) OR pg_sleep(0) IS NULL --`,
  `<script>alert(1)</script>`,
  `"><img src=x onerror=alert(1)>`,
  '{{7*7}}',
  '${7*7}',
  '../../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '\\',
  '__proto__',
  'constructor',
  '0x7fffffff',
];
const UNICODE = [
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇', // stacked combining marks
  'e\u0301\u0301\u0301\u0301',
  '👨‍👩‍👧‍👦🏳️‍🌈🇻🇳',
  '\u202Egnp.exe\u202C', // right-to-left override
  'مرحبا بالعالم',
  'שָׁלוֹם',
  '\uFEFF\u200B\u200D',
  '\uD800', // lone surrogate
  '\u0000',
  'Nguyễn Thị Lan — Hợp tác xã',
  'ｆｕｌｌｗｉｄｔｈ',
  '𝕳𝖙𝖝',
];
const HUGE = ['a'.repeat(20_000), '9'.repeat(400), ' '.repeat(3000), 'Đ'.repeat(5000)];
const NUMBERS = [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, -(2 ** 63), 1.5, -1, 0, -0, 1e-300, 4294967296];

const weirdString = fc.oneof(
  fc.constantFrom(...INJECTIONS, ...UNICODE),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(...HUGE),
  fc.constantFrom('', ' ', 'null', 'undefined', 'true', '-1', '1e309', 'NaN', '00000000-0000-0000-0000-000000000000', randomUUID().toUpperCase(), '2025-02-30', '9999-99-99T99:99'),
);
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: weirdString },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...NUMBERS) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([], {}, [null], { $gt: '' }, [[[[[]]]]], { nested: { deeper: ['x'] } }) },
  { weight: 1, arbitrary: fc.array(weirdString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD');
/** What a client can actually put in a header: the UTF-8 bytes, minus the control characters HTTP forbids. */
// eslint-disable-next-line no-control-regex
const headerSafe = (s: string) => Buffer.from(wellFormed(s), 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '').slice(0, 1500);

type Path = Array<string | number>;

function sampleFor(schema: Schema | undefined, name: string, f: Fixtures, depth = 0): unknown {
  if (!schema || depth > 6) return 'x';
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  const known = knownFieldValue(name, f);
  if (known) return known;
  if (schema.oneOf?.length) return sampleFor(schema.oneOf[0], name, f, depth + 1);
  switch (schema.type) {
    case 'number':
    case 'integer':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [sampleFor(schema.items, name, f, depth + 1)];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(k) || v.example !== undefined) out[k] = sampleFor(v, k, f, depth + 1);
      }
      return out;
    }
    default:
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'date-time') return new Date().toISOString();
      return schema.minLength ? 'x'.repeat(schema.minLength) : 'Thử nghiệm';
  }
}

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  return out;
}

function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  // An own property even for "__proto__", so that it reaches the wire.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type BodyMutation =
  | { kind: 'valid' }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'extra'; at: number; key: string; value: unknown }
  | { kind: 'whole'; value: unknown };

function mutate(base: unknown, m: BodyMutation): unknown {
  if (m.kind === 'valid') return base;
  if (m.kind === 'whole') return m.value;
  const copy = structuredClone(base);
  const paths = pathsOf(copy);
  if (m.kind === 'extra') {
    const containers: Path[] = [[], ...paths.filter((p) => {
      const v = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy);
      return !!v && typeof v === 'object' && !Array.isArray(v);
    })];
    const at = containers[m.at % containers.length];
    const target = at.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy);
    if (target && typeof target === 'object') setOwn(target as Record<string, unknown>, m.key, m.value);
    return copy;
  }
  if (!paths.length) return m.kind === 'replace' ? m.value : copy;
  const path = paths[m.at % paths.length];
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const key = path[path.length - 1];
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else setOwn(parent, key, m.value);
  return copy;
}

const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  fc.constant<BodyMutation>({ kind: 'valid' }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: weirdValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('extra' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'role', 'isAdmin', 'cooperativeId', 'id', 'status', 'priceVnd'), fc.string({ maxLength: 12 })),
    value: weirdValue,
  }),
  fc.record({ kind: fc.constant('whole' as const), value: weirdValue }),
);

interface FuzzRequest {
  path: Record<string, string | null>;
  query: Array<[string, string | string[] | null]>;
  extraQuery: [string, string] | null;
  body: BodyMutation;
  csvBody: string | null;
  contentType: string | null;
  headers: Record<string, string | null>;
  caller: 'manager' | 'member' | 'admin' | 'anonymous' | 'garbage';
}

describe('security: fuzzing every documented operation', () => {
  let t: TestApp;
  let f: Fixtures;
  let ops: Operation[];

  beforeAll(async () => {
    t = await startTestApp({ seed: true, env: { BANK_WEBHOOK_SECRET: 'fuzz-bank-webhook-secret-0123456789' } });
    f = await loadFixtures(t);
    ops = await loadOperations(t);
  });
  afterAll(() => t.close());

  const needsToken = (op: Operation) => {
    const rule = accessRuleFor(op);
    return !rule || rule.anonymous === 401;
  };

  function requestArbitrary(op: Operation): fc.Arbitrary<FuzzRequest> {
    // A path parameter: the right record, something strange, or another kind of record's id (a lot's id where a product's goes).
    const otherIds = [f.coopA, f.coopB, f.productA, f.variantA, f.lotA, f.orderA, f.producerA, f.orderACode, f.lotACode, f.gtinA, f.productASlug].filter((v): v is string => !!v);
    const pathArb = fc.record(
      Object.fromEntries(op.pathParams.map((p) => [p, fc.option(fc.oneof({ weight: 3, arbitrary: weirdString }, { weight: 1, arbitrary: fc.constantFrom(...otherIds) }), { freq: 2 })])) as Record<string, fc.Arbitrary<string | null>>,
    );
    const queryArb = fc.tuple(
      ...op.query.map((q) =>
        fc.tuple(
          fc.constant(q.name),
          fc.option(fc.oneof(weirdString, fc.array(weirdString, { minLength: 2, maxLength: 3 }), fc.constantFrom(String(q.schema.example ?? q.schema.enum?.[0] ?? '1'))), { freq: 2 }),
        ),
      ),
    );
    return fc.record({
      path: pathArb,
      query: queryArb as fc.Arbitrary<Array<[string, string | string[] | null]>>,
      extraQuery: fc.option(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'page[size]', 'a[b][c]', 'cooperativeId', 'role'), fc.string({ maxLength: 8 })), weirdString), { freq: 3 }),
      body: bodyMutation,
      csvBody: op.bodyContentTypes.includes('text/csv') ? fc.option(fc.array(fc.array(weirdString, { maxLength: 5 }).map((r) => r.join(',')), { maxLength: 5 }).map((rows) => rows.join('\n'))) : fc.constant(null),
      contentType: fc.option(
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/xml', 'multipart/form-data; boundary=x', 'application/merge-patch+json', 'application/json;;;', ''),
        { freq: 5 },
      ),
      headers: fc.record({
        accept: fc.option(fc.constantFrom('application/linkset+json', 'text/html', 'application/json', '*/*;q=abc', 'image/png', ''), { freq: 2 }),
        'idempotency-key': fc.option(fc.oneof(fc.uuid(), weirdString), { freq: 3 }),
        'if-none-match': fc.option(weirdString, { freq: 4 }),
        'x-request-id': fc.option(weirdString, { freq: 4 }),
        'x-forwarded-for': fc.option(fc.oneof(fc.constantFrom('not-an-ip', '::1', '203.0.113.7, evil', '999.999.999.999', '2001:db8::1', ''), weirdString), { freq: 3 }),
        'x-signature': fc.option(fc.oneof(fc.constantFrom('t=1,v1=00', 't=abc,v1=', 'v1=' + 'f'.repeat(64)), weirdString), { freq: 3 }),
        range: fc.option(fc.constantFrom('bytes=0-', 'bytes=-1', 'bytes=abc'), { freq: 6 }),
      }),
      caller: needsToken(op) ? fc.constantFrom<FuzzRequest['caller']>('manager', 'manager', 'admin', 'member', 'garbage') : fc.constantFrom<FuzzRequest['caller']>('anonymous', 'anonymous', 'garbage'),
    });
  }

  async function send(op: Operation, r: FuzzRequest) {
    const values = Object.fromEntries(op.pathParams.map((p) => [p, wellFormed(r.path[p] ?? pathValue(op, p, f))]));
    const qs = new URLSearchParams();
    for (const [name, value] of r.query) {
      if (value === null) {
        const q = op.query.find((x) => x.name === name);
        if (q?.required) qs.append(name, name === 'phone' ? f.orderAPhone : String(q.schema.example ?? q.schema.enum?.[0] ?? '1'));
      } else for (const v of Array.isArray(value) ? value : [value]) qs.append(name, v.slice(0, 800));
    }
    // (Values are cut to 800 characters: a request line over 16 KB is refused by Node with 431 before the app sees it.)
    if (r.extraQuery) qs.append(r.extraQuery[0], r.extraQuery[1].slice(0, 800));
    const url = `${fillPath(op, values)}${qs.size ? `?${qs.toString()}` : ''}`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== null) headers[k] = headerSafe(v);
    if (r.caller === 'manager') headers['authorization'] = `Bearer ${f.managerA}`;
    if (r.caller === 'admin') headers['authorization'] = `Bearer ${f.admin}`;
    if (r.caller === 'member') headers['authorization'] = `Bearer ${f.memberA}`;
    if (r.caller === 'garbage') headers['authorization'] = `Bearer ${headerSafe('eyJhbGciOiJub25lIn0.' + 'x'.repeat(10))}`;
    let payload: string | undefined;
    if (op.body) {
      if (r.csvBody !== null) {
        payload = r.csvBody;
        headers['content-type'] = 'text/csv';
      } else {
        const base = sampleFor(op.body, '', f);
        if (op.body.properties?.['cooperativeId'] && r.caller === 'admin' && base && typeof base === 'object') (base as Record<string, unknown>)['cooperativeId'] = f.coopA;
        payload = JSON.stringify(mutate(base, r.body)) ?? 'null';
        headers['content-type'] = 'application/json';
      }
      if (r.contentType !== null) headers['content-type'] = r.contentType;
    }
    let req = t.http[op.method](url);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const res = payload === undefined ? await req : await req.send(payload);
    return { url, headers, payload, status: res.status, body: res.body as unknown, text: res.text, contentType: String(res.headers['content-type'] ?? '') };
  }

  function describeFailure(op: Operation, sent: Awaited<ReturnType<typeof send>>, problem: string): string {
    return [
      `${opName(op)}: ${problem}`,
      `  request: ${op.method.toUpperCase()} ${sent.url.slice(0, 300)}`,
      `  headers: ${JSON.stringify(sent.headers).slice(0, 300)}`,
      `  body: ${(sent.payload ?? '').slice(0, 300)}`,
      `  answer: ${sent.status} ${(sent.text ?? '').slice(0, 300)}`,
    ].join('\n');
  }

  /** Checks one answer; throws (with the request) when it breaks a rule. Refreshes the fingerprint after writes. */
  async function check(op: Operation, sent: Awaited<ReturnType<typeof send>>, before: Record<string, string>): Promise<Record<string, string>> {
    // 502/504: a marketplace the request had to reach is down (the demo connections point nowhere); not an input problem.
    const upstream = sent.status === 502 || sent.status === 504;
    if (sent.status >= 500 && !upstream) throw new Error(describeFailure(op, sent, `answered ${sent.status}`));
    const after = await databaseFingerprint(t);
    if (sent.status >= 400) {
      let body = sent.body;
      if ((!body || Object.keys(body as object).length === 0) && sent.text) {
        try {
          body = JSON.parse(sent.text);
        } catch {
          body = undefined;
        }
      }
      if (op.method !== 'get' || sent.text) {
        if (!readableError(sent.status, body)) throw new Error(describeFailure(op, sent, 'error without a readable {statusCode, error, message}'));
      }
      const diff = fingerprintDiff(before, after);
      if (diff.length) throw new Error(describeFailure(op, sent, `refused request changed the database: ${diff.join('; ')}`));
    }
    return after;
  }

  it('never answers 5xx, always explains a 4xx, and a 4xx writes nothing', async () => {
    expect(ops.length).toBeGreaterThan(60);
    const failures: string[] = [];
    let requests = 0;
    const statuses: Record<number, number> = {};
    let fingerprint = await databaseFingerprint(t);
    for (const op of ops) {
      const details = await fc.check(
        fc.asyncProperty(requestArbitrary(op), async (r) => {
          const sent = await send(op, r);
          requests++;
          statuses[sent.status] = (statuses[sent.status] ?? 0) + 1;
          fingerprint = await check(op, sent, fingerprint).catch(async (e: unknown) => {
            fingerprint = await databaseFingerprint(t);
            throw e;
          });
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      if (details.failed) failures.push(`${String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance)}\n  (seed ${SEED}, FUZZ_SEED=${SEED} replays)`);
    }
    console.log(`fuzz: ${ops.length} operations, ${requests} generated requests, seed ${SEED}; answers by status: ${JSON.stringify(statuses)}`);
    expect(failures).toEqual([]);
  }, 600_000);

  it('refuses malformed JSON, wrong content types and oversized bodies on every operation that takes a body, with a 4xx', async () => {
    const failures: string[] = [];
    const withBody = ops.filter((op) => op.body);
    expect(withBody.length).toBeGreaterThan(20);
    const cases: Array<[string, string, string]> = [
      ['malformed JSON', 'application/json', '{"items": [1, 2,'],
      ['JSON with a trailing comma', 'application/json', '{"a": 1,}'],
      ['a prototype-poisoning key', 'application/json', '{"__proto__": {"role": "platform_admin"}, "constructor": {"prototype": {"x": 1}}}'],
      ['a bare string', 'application/json', '"just a string"'],
      ['deeply nested arrays', 'application/json', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['an oversized body (2 MB)', 'application/json', JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) })],
      ['an unsupported content type', 'application/xml', '<order><items/></order>'],
      ['form encoding', 'application/x-www-form-urlencoded', 'a=1&b=2'],
      ['a broken multipart body', 'multipart/form-data; boundary=zzz', '--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'],
    ];
    let fingerprint = await databaseFingerprint(t);
    for (const op of withBody) {
      const values = Object.fromEntries(op.pathParams.map((p) => [p, pathValue(op, p, f)]));
      for (const [label, contentType, payload] of cases) {
        let req = t.http[op.method](fillPath(op, values)).set('content-type', contentType).set('idempotency-key', randomUUID());
        if (needsToken(op)) req = req.set('authorization', `Bearer ${f.managerA}`);
        const res = await req.send(payload);
        const sent = { url: fillPath(op, values), headers: { 'content-type': contentType }, payload: `${label}: ${payload.slice(0, 80)}`, status: res.status, body: res.body as unknown, text: res.text, contentType: '' };
        if (res.status < 400) {
          failures.push(describeFailure(op, sent, `accepted ${label}`));
          fingerprint = await databaseFingerprint(t);
          continue;
        }
        try {
          fingerprint = await check(op, sent, fingerprint);
        } catch (e) {
          failures.push((e as Error).message);
          fingerprint = await databaseFingerprint(t);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses malformed URLs (bad percent-encoding, overlong and control characters in path and query) with a 4xx', async () => {
    const urls = [
      '/api/products/%E0%A4%A',
      '/api/products?q=%E0%A4%A',
      '/api/orders/%ZZ?phone=0912345678',
      `/api/trace/01/${f.gtinA}/10/%C0%AF`,
      `/api/trace/01/${f.gtinA}/10/${'A'.repeat(400)}`,
      `/api/cooperatives/${'x'.repeat(5000)}`,
      '/api/products?page=1&page=2&pageSize=1e9',
      '/api/products?sort[]=price&q[$gt]=',
      '/api/admin-units/lookup?q=%00',
      `/api/manage/products/${encodeURIComponent("1' OR '1'='1")}`,
      '/api/manage/orders?from=2025-13-45&to=yesterday',
    ];
    const failures: string[] = [];
    for (const url of urls) {
      const res = await t.http.get(url).set('authorization', `Bearer ${f.managerA}`);
      if (res.status >= 500 || (res.status >= 400 && !readableError(res.status, res.body))) failures.push(`${url} → ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });
});
