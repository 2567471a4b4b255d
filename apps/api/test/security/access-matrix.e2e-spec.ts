import { startTestApp, TestApp } from '../support/test-app';
import { accessRuleFor, CALLERS, Caller, Expectation, SAMPLE_BODIES, WEBHOOK_OPERATIONS } from './access-rules';
import { databaseFingerprint, ensureChannelA, fillPath, Fixtures, fingerprintDiff, loadFixtures, loadOperations, Operation, opName, pathValue, readableError } from './support';

/**
 * Every operation of the OpenAPI document × (anonymous, member, manager of the cooperative the request is about,
 * manager of another cooperative, platform admin), against the expectation declared in access-rules.ts.
 * An operation nobody declared fails the first test.
 */
describe('security: access matrix of every documented operation', () => {
  let t: TestApp;
  let f: Fixtures;
  let ops: Operation[];

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    f = await loadFixtures(t);
    ops = await loadOperations(t);
    await ensureChannelA(t, f, ops);
  });
  afterAll(() => t.close());

  it('declares the access of every operation (add new routes to access-rules.ts)', () => {
    const undeclared = ops.filter((op) => !accessRuleFor(op)).map(opName);
    expect(undeclared).toEqual([]);
    // The document really lists the manager API (a broken document must not make the matrix pass vacuously).
    expect(ops.filter((op) => op.path.startsWith('/api/manage/')).length).toBeGreaterThan(40);
  });

  const tokenOf = (c: Caller): string | null =>
    ({ anonymous: null, member: f.memberA, manager: f.managerA, otherManager: f.managerB, admin: f.admin })[c];

  function bodyFor(op: Operation, caller: Caller): unknown {
    const sample = SAMPLE_BODIES[opName(op)];
    if (sample === undefined) return op.method === 'get' || op.method === 'delete' ? undefined : {};
    const placeholders: Record<string, string> = { $productA: f.productA, $variantA: f.variantA, $lotA: f.lotA, $producerA: f.producerA, $coopA: f.coopA };
    const body = JSON.parse(JSON.stringify(sample), (_k, v: unknown) => (typeof v === 'string' && v in placeholders ? placeholders[v] : v)) as Record<string, unknown>;
    // Admins name the cooperative a create belongs to.
    if (caller === 'admin' && op.body?.properties?.['cooperativeId']) body['cooperativeId'] = f.coopA;
    return body;
  }

  function queryFor(op: Operation, caller: Caller, nameCooperativeA: boolean): Record<string, string> {
    const q: Record<string, string> = {};
    for (const p of op.query) {
      if (p.name === 'cooperativeId') {
        // Admins name the cooperative (writes that belong to one need it); "scoped" checks name A on purpose.
        if (caller === 'admin' || nameCooperativeA) q[p.name] = f.coopA;
      } else if (p.required) {
        q[p.name] = p.name === 'phone' ? f.orderAPhone : String(p.schema.example ?? p.schema.enum?.[0] ?? 'a');
      }
    }
    return q;
  }

  async function call(op: Operation, caller: Caller, nameCooperativeA = false) {
    const values = Object.fromEntries(op.pathParams.map((p) => [p, pathValue(op, p, f)]));
    const url = fillPath(op, values);
    let req = t.http[op.method](url).query(queryFor(op, caller, nameCooperativeA));
    const token = tokenOf(caller);
    if (token) req = req.set('authorization', `Bearer ${token}`);
    if (opName(op) === 'POST /api/orders') req = req.set('idempotency-key', `matrix-${caller}-${Date.now()}`);
    const body = bodyFor(op, caller);
    const res = body === undefined ? await req : await req.send(body as object);
    let parsed: unknown = res.body;
    if ((!parsed || Object.keys(parsed as object).length === 0) && /json/.test(res.headers['content-type'] ?? '')) {
      try {
        parsed = JSON.parse(res.text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.status, body: parsed, text: res.text ?? '' };
  }

  it('answers each caller as declared, and refused calls write nothing', async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const op of ops) {
      const rule = accessRuleFor(op);
      const name = opName(op);
      if (!rule || WEBHOOK_OPERATIONS.some((r) => r.test(name))) continue;
      for (const caller of CALLERS) {
        const expected: Expectation = rule[caller];
        cells++;
        const refused = expected === 401 || expected === 403 || expected === 'deny';
        const before = refused ? await databaseFingerprint(t) : null;
        const res = await call(op, caller);
        const where = `${name} as ${caller} (expected ${expected}, got ${res.status}: ${JSON.stringify(res.body)?.slice(0, 200)})`;
        // A marketplace that cannot be reached answers 502/504 (the guard let the caller through; nothing is wrong with the input).
        const upstream = (res.status === 502 || res.status === 504) && expected === 'allow' && readableError(res.status, res.body);
        if (res.status >= 500 && !upstream) failures.push(`5xx: ${where}`);
        else if (expected === 'allow' && (res.status === 401 || res.status === 403)) failures.push(where);
        else if ((expected === 401 || expected === 403) && (res.status !== expected || !readableError(res.status, res.body))) failures.push(where);
        else if (expected === 'deny') {
          const strict = op.method === 'get' || op.method === 'delete' || SAMPLE_BODIES[name] !== undefined;
          const ok = strict ? res.status === 403 || res.status === 404 : res.status >= 400 && res.status !== 401;
          if (!ok) failures.push(where);
        } else if (expected === 'scoped') {
          if (res.status >= 300) failures.push(where);
          else {
            const leaked = [f.coopA, f.productA, f.lotA, f.orderA, f.variantA].filter((id) => res.text.includes(id));
            if (leaked.length) failures.push(`${where}: answer mentions cooperative A's records ${leaked.join(', ')}`);
          }
          if (op.query.some((p) => p.name === 'cooperativeId')) {
            const named = await call(op, caller, true);
            if (named.status !== 403) failures.push(`${name} as ${caller} naming cooperativeId=A: expected 403, got ${named.status}`);
          }
        }
        if (before) {
          const diff = fingerprintDiff(before, await databaseFingerprint(t));
          if (diff.length) failures.push(`${where}: refused call changed ${diff.join('; ')}`);
        }
      }
    }
    console.log(`access matrix: ${cells} cells over ${ops.length} operations`);
    expect(failures).toEqual([]);
    expect(cells).toBeGreaterThan(300);
  });
});
