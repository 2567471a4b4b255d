import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '@htx/shared';
import { dataSourceOptions } from '../../src/infra/database';
import { createTestDatabase, startTestApp, TestApp } from '../support/test-app';
import { adminUrl, runId } from '../support/test-env';
import { cart, key } from '../orders/orders-fixtures';

const ROOT = path.resolve(__dirname, '../../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the operator scripts as an operator would (bash, or node for the verifier), never throwing. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const verify = (url: string, ...args: string[]) => run(process.execPath, ['-r', './scripts/register.js', 'apps/api/src/cli/verify.ts', url, ...args]);

interface JsonReport {
  ok: boolean;
  problemCount: number;
  checks: Array<{ id: string; problems: Array<{ where: string; vi: string; en: string }> }>;
}

describe('ops: backup, restore into a fresh database, verify', () => {
  let t: TestApp;
  let restored: Client;
  let work: string;
  const restoredName = `htx_test_${runId()}_${process.pid}_restored`;
  const restoredUrl = adminUrl(restoredName);
  let orderCode: string;
  let dumpFile: string;

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    work = mkdtempSync(path.join(tmpdir(), 'htx-backup-test-'));
    dumpFile = path.join(work, 'drill.dump');
  });
  afterAll(async () => {
    await restored?.end();
    const admin = new Client({ connectionString: adminUrl('postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`);
    await admin.end();
    rmSync(work, { recursive: true, force: true });
    await t.close();
  });

  it('backs up a live database with a freshly shipped order, restores it into a new database, verifies it and finds the copy identical', async () => {
    // A shopper orders (cash on delivery) and the manager packs and ships it, all through the API.
    const list = await t.http.get('/api/products').query({ cooperative: 'thien-an', pageSize: 100 }).expect(200);
    let variantId: string | undefined;
    for (const p of list.body.items as Array<{ slug: string }>) {
      const detail = await t.http.get(`/api/products/${p.slug}`).expect(200);
      variantId = (detail.body.variants as Array<{ id: string; available: number }>).find((v) => v.available >= 3)?.id;
      if (variantId) break;
    }
    expect(variantId).toBeDefined();
    const placed = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId: variantId!, quantity: 3 }]));
    expect(placed.status).toBe(201);
    const [order] = placed.body.orders as Array<{ id: string; code: string }>;
    orderCode = order.code;
    const manager = await t.login('thienan@htxso.test');
    for (const to of ['packed', 'shipped']) {
      await t.http.post(`/api/manage/orders/${order.id}/transitions`).set('authorization', `Bearer ${manager}`).send({ to }).expect(200);
    }

    const drill = await run('bash', ['scripts/backup-restore-check.sh'], {
      DATABASE_URL: t.databaseUrl,
      RESTORE_DATABASE_URL: restoredUrl,
      BACKUP_FILE: dumpFile,
      KEEP_RESTORED: '1',
    });
    if (drill.code !== 0) throw new Error(`drill failed (${drill.code}):\n${drill.stdout}\n${drill.stderr}`);
    expect(drill.stdout).toMatch(/Tổng kiểm tra đúng \/ checksum OK/);
    expect(drill.stdout).toMatch(/KẾT QUẢ \/ RESULT: ĐẠT \/ PASSED/);
    expect(drill.stdout).toMatch(/^orders\s+(\d+)\s+\1\s+giống \/ same$/m);
    expect(drill.stdout).toMatch(/^trace_chain\s+(\d+)\s+\1\s+giống \/ same$/m);
    expect(drill.stdout).not.toMatch(/KHÁC \/ DIFFERENT/);

    // The restored copy holds the shipped order, and the same numbers as the source.
    restored = new Client({ connectionString: restoredUrl });
    await restored.connect();
    const { rows: [copy] } = await restored.query(`SELECT status, total_vnd::int AS total FROM orders WHERE code = $1`, [orderCode]);
    expect(copy).toEqual({ status: 'shipped', total: placed.body.orders[0].total });
    for (const table of ['orders', 'order_lines', 'inventory_movements', 'trace_events', 'trace_chain', 'payment_intents']) {
      const [src] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      const { rows: [dst] } = await restored.query(`SELECT count(*)::int AS n FROM ${table}`);
      expect({ table, n: dst.n }).toEqual({ table, n: src.n });
    }
    const ok = await verify(restoredUrl, '--json');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as JsonReport;
    expect(report).toMatchObject({ ok: true, problemCount: 0 });
    expect(report.checks.map((c) => c.id)).toEqual(['orders', 'inventory', 'trace', 'payments']);
  }, 240_000);

  it('refuses to restore over a database that already holds data', async () => {
    const again = await run('bash', ['scripts/restore.sh', dumpFile, restoredUrl]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite/);
  }, 180_000);

  it('fails verification, naming the lot, when a trace event is rewritten behind the append-only trigger', async () => {
    const { rows: [target] } = await restored.query<{ pk: string; lotCode: string }>(
      `SELECT c.event_pk AS pk, l.lot_code AS "lotCode" FROM trace_chain c JOIN inventory_lots l ON l.id = c.lot_id
        WHERE c.seq = 1 ORDER BY l.lot_code LIMIT 1`,
    );
    await restored.query(`ALTER TABLE trace_events DISABLE TRIGGER trace_events_append_only`);
    await restored.query(`UPDATE trace_events SET event = jsonb_set(event, '{eventTime}', '"2020-01-01T00:00:00.000Z"') WHERE id = $1`, [target.pk]);
    await restored.query(`ALTER TABLE trace_events ENABLE TRIGGER trace_events_append_only`);

    const res = await verify(restoredUrl, '--json');
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as JsonReport;
    const trace = report.checks.find((c) => c.id === 'trace')!;
    expect(trace.problems.length).toBeGreaterThan(0);
    expect(trace.problems[0].where).toContain(target.lotCode);
    expect(trace.problems.map((p) => p.en).join('\n')).toMatch(/changed after it was recorded/);
    // Nothing else was touched: the other checks still pass.
    for (const id of ['orders', 'inventory', 'payments']) expect(report.checks.find((c) => c.id === id)!.problems).toEqual([]);

    const human = await verify(restoredUrl);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/\[LỖI\]\s+Chuỗi truy xuất nguồn gốc \/ Trace hash chains/);
    expect(human.stdout).toContain(`lot ${target.lotCode}`);
    expect(human.stdout).toMatch(/KẾT QUẢ \/ RESULT: KHÔNG ĐẠT \/ FAILED/);
  }, 180_000);

  it('fails verification, naming the lot and the order, when stock or an order line is edited directly', async () => {
    const { rows: [lot] } = await restored.query<{ id: string; lotCode: string; onHand: number }>(
      `SELECT l.id, l.lot_code AS "lotCode", l.on_hand AS "onHand" FROM inventory_lots l
         JOIN inventory_allocations a ON a.lot_id = l.id JOIN orders o ON o.id = a.order_id
        WHERE o.code = $1 AND l.on_hand > 0 LIMIT 1`,
      [orderCode],
    );
    expect(lot).toBeDefined();
    await restored.query(`UPDATE inventory_lots SET on_hand = on_hand - 1 WHERE id = $1`, [lot.id]);
    const ledger = await verify(restoredUrl, '--json', '--only=inventory');
    expect(ledger.code).toBe(1);
    const inv = (JSON.parse(ledger.stdout) as JsonReport).checks[0];
    expect(inv.problems).toContainEqual(
      expect.objectContaining({ where: expect.stringContaining(lot.lotCode), en: `on hand is ${lot.onHand - 1} but the movement ledger sums to ${lot.onHand}` }),
    );

    // An order line edited consistently with itself still disagrees with the order's subtotal and its allocations.
    await restored.query(
      `UPDATE order_lines SET quantity = quantity + 1, line_total_vnd = unit_price_vnd * (quantity + 1) WHERE order_id = (SELECT id FROM orders WHERE code = $1)`,
      [orderCode],
    );
    const orders = await verify(restoredUrl, '--json', '--only=orders');
    expect(orders.code).toBe(1);
    const problems = (JSON.parse(orders.stdout) as JsonReport).checks[0].problems;
    expect(problems.filter((p) => p.where.includes(orderCode)).map((p) => p.en)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^subtotal \d+ ≠ sum of its lines \d+$/), '4 ordered but 3 allocated from lots']),
    );
  }, 180_000);

  it('exits 2 with a readable message when it cannot run', async () => {
    const bad = await verify('postgres://postgres@127.0.0.1:5432/htx_test_no_such_database_zz');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Không kết nối được cơ sở dữ liệu \/ Cannot connect to the database htx_test_no_such_database_zz/);
    const unknown = await verify(restoredUrl, '--only=everything');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown check: everything/);
  }, 180_000);

  it('upgrades a dump taken by an older release: restore applies the missing migrations, then verifies', async () => {
    // An "older release" database: the current schema with its newest migration undone.
    const old = await createTestDatabase();
    const oldFile = path.join(work, 'older.dump');
    const olderUrl = adminUrl(`${restoredName}_old`);
    try {
      const ds = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: old.url })));
      await ds.initialize();
      let undone: string;
      try {
        const [last]: Array<{ name: string }> = await ds.query(`SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`);
        undone = last.name;
        await ds.undoLastMigration({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
      const backup = await run('bash', ['scripts/backup.sh', oldFile], { DATABASE_URL: old.url });
      expect(backup.code).toBe(0);
      const restore = await run('bash', ['scripts/restore.sh', oldFile, olderUrl]);
      if (restore.code !== 0) throw new Error(`restore failed (${restore.code}):\n${restore.stdout}\n${restore.stderr}`);
      expect(restore.stdout).toContain(`Applied migrations: ${undone}`);
      expect(restore.stdout).toMatch(/Restored and verified/);
      const c = new Client({ connectionString: olderUrl });
      await c.connect();
      try {
        const { rows } = await c.query(`SELECT 1 FROM migrations WHERE name = $1`, [undone]);
        expect(rows).toHaveLength(1);
      } finally {
        await c.end();
      }
    } finally {
      await old.drop();
      const admin = new Client({ connectionString: adminUrl('postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${restoredName}_old" WITH (FORCE)`);
      await admin.end();
    }
  }, 180_000);
});
