import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { LABEL_LAYOUT, labelOrigin, lotClassUri, ScanService, SCAN_PLACES_THRESHOLD, SCAN_RATE_THRESHOLD, validateEpcis } from '@htx/traceability';
import { gtin13, toGtin14 } from '@htx/shared';
import { runSeed } from '../../src/seed/seed';
import { startTestApp, TestApp } from '../support/test-app';

const BASE = 'https://htxso.test';

interface LotRow {
  id: string;
  lotCode: string;
  gtin: string;
  variantId: string;
}

/** Renders the PDF with pdftoppm and decodes the QR code of every label cell with jsQR. */
function decodePdfLabels(pdf: Buffer, count: number): Array<string | null> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labels-e2e-'));
  const dpi = 150;
  try {
    writeFileSync(path.join(dir, 'sheet.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', path.join(dir, 'sheet.pdf'), path.join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('page')).sort().map((f) => PNG.sync.read(readFileSync(path.join(dir, f))));
    const k = dpi / 72;
    return Array.from({ length: count }, (_, n) => {
      const { page, x, y } = labelOrigin(n);
      const png = pages[page];
      if (!png) return null;
      const w = Math.floor(LABEL_LAYOUT.labelWidth * k);
      const h = Math.floor(LABEL_LAYOUT.labelHeight * k);
      const cell = new Uint8ClampedArray(w * h * 4);
      for (let r = 0; r < h; r++) {
        const from = ((Math.floor(y * k) + r) * png.width + Math.floor(x * k)) * 4;
        cell.set(png.data.subarray(from, from + w * 4), r * w * 4);
      }
      return jsQR(cell, w, h)?.data ?? null;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('traceability: events, hash chains, public trace, labels, scans and recall', () => {
  let t: TestApp;
  let manager: Record<string, string>;
  let member: Record<string, string>;
  let namTyManager: Record<string, string>;
  const lots: Record<string, LotRow> = {};
  const tracePath = (l: LotRow) => `/api/trace/01/${l.gtin}/10/${encodeURIComponent(l.lotCode)}`;

  beforeAll(async () => {
    t = await startTestApp({ seed: true, env: { PUBLIC_BASE_URL: BASE } });
    manager = { authorization: `Bearer ${await t.login('thienan@htxso.test')}` };
    member = { authorization: `Bearer ${await t.login('member.thienan@htxso.test')}` };
    namTyManager = { authorization: `Bearer ${await t.login('namty@htxso.test')}` };
    const rows = await t.sql<LotRow>(
      `SELECT l.id, l.lot_code AS "lotCode", v.gtin, v.id AS "variantId" FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id`,
    );
    for (const r of rows) lots[r.lotCode] = r;
  });
  afterAll(() => t.close());

  describe('seeded chains and the public trace document', () => {
    it('shows a lot’s story with the Circular 02/2024 minimum data, consenting households, plots and a valid chain', async () => {
      const res = await t.http.get(tracePath(lots['LTD2509'])).expect(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      const doc = res.body;
      expect(doc.traceCode).toBe(`${BASE}/01/${lots['LTD2509'].gtin}/10/LTD2509`);
      expect(doc.product).toMatchObject({ nameVi: 'Lá tắm người Dao' });
      expect(doc.product.images.length).toBeGreaterThan(0);
      expect(doc.product.brand).toBeTruthy();
      expect(doc.cooperative.name).toBe('Hợp tác xã Thiên An');
      expect(doc.cooperative.address).toMatch(/Phủ Thông/);
      expect(doc.lot.expiryDate).toBeTruthy();
      expect(doc.stages.map((s: { kind: string }) => s.kind)).toEqual(expect.arrayContaining(['harvest', 'transformation', 'packing']));
      expect(doc.stages.every((s: { time: string }) => /\+07:00$/.test(s.time))).toBe(true);
      expect(doc.standards.traceability).toContain('TCVN 12850:2019');
      expect(doc.households).toEqual([{ name: 'Triệu Thị Mai', village: 'Thôn Nà Lẹng', ethnicGroup: 'Dao' }]);
      expect(doc.plots[0].mapPoint).toEqual({ latitude: expect.closeTo(22.27, 1), longitude: expect.closeTo(105.88, 1) });
      expect(doc.recall).toEqual({ recalled: false });
      expect(doc.chain.valid).toBe(true);
      expect(doc.chain.head).toBe(doc.chain.entries.at(-1).chainHash);
      expect(typeof doc.scanCount).toBe('number');
      // Anyone can recompute the chain from the published events.
      const { createHash } = await import('node:crypto');
      const canonicalize = (await import('canonicalize')).default;
      let prev = '0'.repeat(64);
      doc.epcis.events.forEach((e: unknown, i: number) => {
        prev = createHash('sha256').update(prev + canonicalize(e)).digest('hex');
        expect(prev).toBe(doc.chain.entries[i].chainHash);
      });
      // Households who did not consent are counted, never named.
      const gcl = (await t.http.get(tracePath(lots['GCL2510'])).expect(200)).body;
      expect(gcl.households).toEqual([]);
      expect(gcl.householdCount).toBe(1);
      expect(JSON.stringify(gcl)).not.toMatch(/Bàn Văn Sơn/);
    });

    it('traces the blended soap back to both harvest lots it was made from', async () => {
      const doc = (await t.http.get(tracePath(lots['XPTD2509'])).expect(200)).body;
      const transformation = doc.stages.find((s: { kind: string }) => s.kind === 'transformation');
      expect(transformation.quantities.filter((q: { direction: string }) => q.direction === 'in').map((q: { lotCode: string }) => q.lotCode).sort()).toEqual(['LTD2509', 'TBN2508']);
      expect(doc.sourceLots.map((s: { lotCode: string }) => s.lotCode).sort()).toEqual(['LTD2509', 'TBN2508']);
      for (const s of doc.sourceLots) expect(s.stages.some((st: { kind: string }) => st.kind === 'harvest')).toBe(true);
      expect(doc.plots.map((p: { name: string }) => p.name).sort()).toEqual(['Ruộng nghệ Bản Cuôn', 'Vườn lá tắm Nà Lẹng']);
    });

    it('answers unknown or malformed identifiers with a helpful 404, and accepts a GTIN-13 in the path', async () => {
      const lot = lots['GCL2510'];
      const short = await t.http.get(`/api/trace/01/${lot.gtin.slice(1)}/10/${lot.lotCode}`).expect(200);
      expect(short.body.gtin).toBe(lot.gtin);
      const unknownLot = await t.http.get(`/api/trace/01/${lot.gtin}/10/NOPE1`).expect(404);
      expect(unknownLot.body.message).toMatch(/No lot "NOPE1"/);
      const badCheck = await t.http.get(`/api/trace/01/${lot.gtin.slice(0, -1)}${(Number(lot.gtin.at(-1)) + 1) % 10}/10/X`).expect(404);
      expect(badCheck.body.message).toMatch(/check digit/);
      const nobody = toGtin14(gtin13('893999999999'));
      const unknownGtin = await t.http.get(`/api/trace/01/${nobody}/10/A1`).expect(404);
      expect(unknownGtin.body.message).toContain(`No product with GTIN ${nobody}`);
      // A lot "code" carrying markup comes back only inside JSON (never as HTML).
      const html = await t.http.get(`/api/trace/01/${lot.gtin}/10/${encodeURIComponent('<b>x</b>')}`).expect(404);
      expect(html.headers['content-type']).toMatch(/^application\/json/);
      expect(html.body.message).toContain('"<b>x</b>"');
    });

    it('serves ETags (304 on If-None-Match), Cache-Control, and a fresh document after a new event', async () => {
      const lot = lots['TBN2508L'];
      const first = await t.http.get(tracePath(lot)).expect(200);
      const etag = first.headers['etag'];
      expect(etag).toMatch(/^".+"$/);
      expect(first.headers['cache-control']).toMatch(/public, max-age=\d+/);
      const again = await t.http.get(tracePath(lot)).set('if-none-match', etag).expect(304);
      expect(again.text).toBe('');
      await t.http.post('/api/manage/trace/events').set(manager).send({ kind: 'inspecting', lotId: lot.id, quantity: 5, uom: 'H87', disposition: 'conformant' }).expect(201);
      const after = await t.http.get(tracePath(lot)).set('if-none-match', etag).expect(200);
      expect(after.headers['etag']).not.toBe(etag);
      expect(after.body.stages.at(-1)).toMatchObject({ bizStep: 'inspecting', disposition: 'conformant' });
    });

    it('answers repeat requests from the cache, still rate limited per client', async () => {
      const limited = await startTestApp({ databaseUrl: t.databaseUrl, env: { PUBLIC_BASE_URL: BASE, RATE_LIMIT_PER_MINUTE: '5' } });
      try {
        const statuses: number[] = [];
        const cacheHeaders: Array<string | undefined> = [];
        for (let i = 0; i < 8; i++) {
          const res = await limited.http.get(tracePath(lots['TBN2508'])).set('x-forwarded-for', '192.0.2.44');
          statuses.push(res.status);
          cacheHeaders.push(res.headers['x-trace-cache']);
        }
        expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
        expect(statuses.slice(5)).toEqual([429, 429, 429]);
        expect(cacheHeaders.slice(1, 5)).toEqual(['hit', 'hit', 'hit', 'hit']);
        // Another client is not affected.
        await limited.http.get(tracePath(lots['TBN2508'])).set('x-forwarded-for', '192.0.2.45').expect(200);
      } finally {
        await limited.close();
      }
    });

    it('answers a GS1 resolver linkset for Accept: application/linkset+json', async () => {
      const res = await t.http.get(tracePath(lots['GCL2510'])).set('accept', 'application/linkset+json').expect(200);
      expect(res.headers['content-type']).toMatch(/application\/linkset\+json/);
      const set = JSON.parse(res.text).linkset[0];
      expect(set.anchor).toBe(`${BASE}/01/${lots['GCL2510'].gtin}/10/GCL2510`);
      for (const type of ['traceability', 'pip', 'epcis']) expect(set[`https://gs1.org/voc/${type}`][0].href).toMatch(/^https:\/\/htxso\.test\//);
    });
  });

  describe('recording events', () => {
    it('links two harvest lots to one packed lot with a TransformationEvent, shown on the trace page', async () => {
      const out = lots['GCLT2510'];
      const res = await t.http
        .post('/api/manage/trace/events')
        .set(manager)
        .send({
          kind: 'processing',
          inputs: [
            { lotId: lots['GCL2510'].id, quantity: 4, uom: 'KGM' },
            { lotId: lots['GCL2507'].id, quantity: 2.5, uom: 'KGM' },
          ],
          outputs: [{ lotId: out.id, quantity: 100, uom: 'H87' }],
          eventTime: '2025-10-20T09:00:00+07:00',
        })
        .expect(201);
      expect(res.body.event).toMatchObject({ type: 'TransformationEvent', bizStep: 'commissioning', eventTime: '2025-10-20T09:00:00.000+07:00', eventTimeZoneOffset: '+07:00' });
      expect(res.body.chain.map((c: { lotId: string }) => c.lotId).sort()).toEqual([lots['GCL2510'].id, lots['GCL2507'].id, out.id].sort());
      const doc = (await t.http.get(tracePath(out)).expect(200)).body;
      expect(doc.sourceLots.map((s: { lotCode: string }) => s.lotCode).sort()).toEqual(['GCL2507', 'GCL2510']);
      // The same facts recorded twice are one event.
      const dup = await t.http
        .post('/api/manage/trace/events')
        .set(manager)
        .send({ kind: 'processing', inputs: [{ lotId: lots['GCL2510'].id, quantity: 4, uom: 'KGM' }, { lotId: lots['GCL2507'].id, quantity: 2.5, uom: 'KGM' }], outputs: [{ lotId: out.id, quantity: 100, uom: 'H87' }], eventTime: '2025-10-20T09:00:00+07:00' })
        .expect(409);
      expect(dup.body.message).toMatch(/already recorded/);
    });

    it('corrects an event with a new event that names it, keeping the original in the chain', async () => {
      const lot = lots['GCL2510H'];
      const wrong = await t.http.post('/api/manage/trace/events').set(manager).send({ kind: 'packing', lotId: lot.id, quantity: 10, uom: 'H87' }).expect(201);
      const fix = await t.http
        .post('/api/manage/trace/events')
        .set(manager)
        .send({ kind: 'packing', lotId: lot.id, quantity: 12, uom: 'H87', correctsEventId: wrong.body.eventID, note: 'Đếm lại / recount' })
        .expect(201);
      expect(fix.body.event['htx:corrects']).toBe(wrong.body.eventID);
      const doc = (await t.http.get(tracePath(lot)).expect(200)).body;
      const ids = doc.stages.map((s: { eventID: string }) => s.eventID);
      expect(ids).toEqual(expect.arrayContaining([wrong.body.eventID, fix.body.eventID]));
      expect(doc.stages.find((s: { eventID: string }) => s.eventID === fix.body.eventID).corrects).toBe(wrong.body.eventID);
      const missing = await t.http
        .post('/api/manage/trace/events')
        .set(manager)
        .send({ kind: 'packing', lotId: lot.id, quantity: 1, correctsEventId: `ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0` })
        .expect(404);
      expect(missing.body.message).toMatch(/No event/);
    });

    it('keeps one unbroken chain when several people record events for the same lot at once', async () => {
      const lot = lots['LTD2509L'];
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => t.http.post('/api/manage/trace/events').set(manager).send({ kind: 'storing', lotId: lot.id, quantity: 10 + i, uom: 'H87' })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
      const seqs = await t.sql<{ seq: number }>(`SELECT seq FROM trace_chain WHERE lot_id = $1 ORDER BY seq`, [lot.id]);
      expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      const verify = (await t.http.get(`${tracePath(lot)}/verify`).expect(200)).body;
      expect(verify).toMatchObject({ valid: true, length: seqs.length });
    });

    it('explains incomplete or wrong step records', async () => {
      const bad = await t.http.post('/api/manage/trace/events').set(manager).send({ kind: 'drying', lotId: lots['GCL2510'].id }).expect(400);
      expect(bad.body.message).toMatch(/needs inputs and outputs/);
      const unit = await t.http.post('/api/manage/trace/events').set(manager).send({ kind: 'packing', lotId: lots['GCL2510'].id, quantity: 1, uom: 'kg' }).expect(400);
      expect(unit.body.message).toMatch(/uom must be one of KGM/);
      const harvest = await t.http.post('/api/manage/trace/events').set(manager).send({ kind: 'harvest', lotId: lots['GCL2510'].id, quantity: 3 }).expect(400);
      expect(harvest.body.message).toMatch(/plotIds/);
      await t.http.post('/api/manage/trace/events').set(namTyManager).send({ kind: 'packing', lotId: lots['GCL2510'].id, quantity: 1 }).expect(404);
    });

    it('lets a member record only for lots from their own plots', async () => {
      await t.http.post('/api/manage/trace/events').set(member).send({ kind: 'storing', lotId: lots['LTD2509'].id, quantity: 10, uom: 'H87' }).expect(201);
      const foreign = await t.http.post('/api/manage/trace/events').set(member).send({ kind: 'storing', lotId: lots['GCL2510'].id, quantity: 10, uom: 'H87' }).expect(403);
      expect(foreign.body.message).toMatch(/your own plots/);
      const [otherPlot] = await t.sql<{ id: string }>(`SELECT id FROM trace_plots WHERE name = 'Nương giảo cổ lam Khuổi Ha'`);
      await t.http.post('/api/manage/trace/events').set(member).send({ kind: 'harvest', lotId: lots['LTD2509'].id, quantity: 3, plotIds: [otherPlot.id] }).expect(403);
      const [ownPlot] = await t.sql<{ id: string }>(`SELECT id FROM trace_plots WHERE name = 'Vườn lá tắm Nà Lẹng'`);
      await t.http.post('/api/manage/trace/events').set(member).send({ kind: 'harvest', lotId: lots['LTD2509'].id, quantity: 3, plotIds: [ownPlot.id] }).expect(201);
      await t.http.post('/api/manage/trace/events').set(member).send({ kind: 'storing', lotId: lots['STCT2509'].id, quantity: 1 }).expect(404);
      await t.http.post(`/api/manage/lots/${lots['LTD2509'].id}/recall`).set(member).send({ reason: 'Member tries to recall' }).expect(403);
      await t.http.get(`/api/manage/lots/${lots['LTD2509'].id}/labels.pdf`).set(member).expect(403);
    });
  });

  describe('EPCIS 2.0 capture and query', () => {
    it('captures a document, finds its events by lot, validates the export, and recognises a re-capture as duplicates', async () => {
      const lot = lots['NDK2509'];
      const doc = {
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'https://ns.example.com/epcis/' }],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2025-10-21T03:00:00Z',
        epcisBody: {
          eventList: [
            {
              type: 'ObjectEvent',
              eventTime: '2025-10-21T10:00:00+07:00',
              eventTimeZoneOffset: '+07:00',
              epcList: [],
              quantityList: [{ epcClass: lotClassUri({ gtin: lot.gtin, lotCode: lot.lotCode }), quantity: 12, uom: 'H87' }],
              action: 'OBSERVE',
              bizStep: 'shipping',
              disposition: 'in_transit',
              readPoint: { id: 'https://id.gs1.org/414/8930000000019' },
              'example:carrier': 'Viettel Post',
            },
            {
              type: 'ObjectEvent',
              eventTime: '2025-10-22T10:00:00+07:00',
              eventTimeZoneOffset: '+07:00',
              epcList: ['urn:epc:id:sgtin:4012345.011111.987'],
              action: 'OBSERVE',
              bizStep: 'receiving',
            },
          ],
        },
      };
      const res = await t.http.post('/api/epcis/capture').set(manager).set('content-type', 'application/ld+json').send(JSON.stringify(doc)).expect(202);
      expect(res.body).toMatchObject({ stored: 2, duplicates: 0 });
      expect(res.body.captureId).toMatch(/^[0-9a-f-]{36}$/);
      const shippedId = res.body.events[0].eventID;
      expect(res.body.events[0].lots).toEqual([lot.id]);

      const q = await t.http.get('/api/epcis/events').query({ pageSize: 5 }).set(manager).expect(200);
      expect(q.headers['link']).toMatch(/page=2/);
      expect(validateEpcis(JSON.parse(q.text))).toEqual([]);
      const byLot = await t.http.get('/api/epcis/events').query({ MATCH_anyEPCClass: lotClassUri({ gtin: lot.gtin, lotCode: lot.lotCode }), EQ_bizStep: 'shipping' }).set(manager).expect(200);
      const exported = JSON.parse(byLot.text);
      expect(byLot.headers['content-type']).toMatch(/application\/ld\+json/);
      expect(exported.type).toBe('EPCISQueryDocument');
      expect(validateEpcis(exported)).toEqual([]);
      const events = exported.epcisBody.queryResults.resultsBody.eventList;
      expect(events.map((e: { eventID: string }) => e.eventID)).toEqual([shippedId]);
      expect(events[0]['example:carrier']).toBe('Viettel Post');

      const [{ n: before }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM trace_events`);
      const again = await t.http.post('/api/epcis/capture').set(manager).send(doc).expect(202);
      expect(again.body).toMatchObject({ stored: 0, duplicates: 2 });
      expect(again.body.events.map((e: { eventID: string; status: string }) => [e.eventID, e.status])).toEqual([
        [shippedId, 'duplicate'],
        [res.body.events[1].eventID, 'duplicate'],
      ]);
      const [{ n: after }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM trace_events`);
      expect(after).toBe(before);

      // The lot's public EPCIS export and trace document include the captured event; the chain still verifies.
      const pub = await t.http.get(`${tracePath(lot)}/epcis`).expect(200);
      expect(validateEpcis(JSON.parse(pub.text))).toEqual([]);
      const verify = await t.http.get(`${tracePath(lot)}/verify`).expect(200);
      expect(verify.body).toMatchObject({ valid: true, problems: [] });
    });

    it('refuses an invalid document with a per-event report and stores nothing', async () => {
      const [{ n: before }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM trace_events`);
      const res = await t.http
        .post('/api/epcis/capture')
        .set(manager)
        .send({
          '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
          type: 'EPCISDocument',
          schemaVersion: '2.0',
          creationDate: '2025-10-21T03:00:00Z',
          epcisBody: {
            eventList: [
              { type: 'ObjectEvent', eventTime: '2025-10-21T10:00:00+07:00', eventTimeZoneOffset: '+07:00', epcList: [], action: 'OBSERVE', bizStep: 'storing' },
              { type: 'ObjectEvent', eventTime: 'hôm qua', eventTimeZoneOffset: '+07:00', epcList: [], action: 'MAYBE' },
              { type: 'ObjectEvent', eventTime: '2025-10-21T10:00:00+07:00', eventTimeZoneOffset: '+07:00', epcList: [], quantityList: [{ epcClass: lotClassUri({ gtin: lots['GCL2510'].gtin, lotCode: 'NOSUCH1' }) }], action: 'OBSERVE' },
            ],
          },
        })
        .expect(400);
      expect(res.body.message).toMatch(/2 of 3 events are invalid; nothing was stored/);
      const report = res.body.details.events;
      expect(report[0].status).toBe('stored');
      expect(report[1]).toMatchObject({ index: 1, status: 'rejected' });
      expect(report[1].errors.join(' ')).toMatch(/eventTime/);
      expect(report[2].errors.join(' ')).toMatch(/no lot "NOSUCH1"/);
      const [{ n: after }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM trace_events`);
      expect(after).toBe(before);
      await t.http.post('/api/epcis/capture').send({ type: 'EPCISDocument' }).expect(401);
      await t.http.post('/api/epcis/capture').set(manager).send({ hello: 'world' }).expect(400);
    });
  });

  describe('tamper evidence', () => {
    it('refuses edits through the database trigger, and verification catches an edit made with the trigger disabled', async () => {
      const lot = lots['LXD2510'];
      expect((await t.http.get(`${tracePath(lot)}/verify`).expect(200)).body.valid).toBe(true);
      const [entry] = await t.sql<{ eventPk: string }>(`SELECT event_pk AS "eventPk" FROM trace_chain WHERE lot_id = $1 ORDER BY seq LIMIT 1`, [lot.id]);
      await expect(t.sql(`UPDATE trace_events SET event = jsonb_set(event, '{quantityList,0,quantity}', '999') WHERE id = $1`, [entry.eventPk])).rejects.toThrow(/append-only/);
      await expect(t.sql(`DELETE FROM trace_chain WHERE lot_id = $1`, [lot.id])).rejects.toThrow(/append-only/);
      await t.sql(`ALTER TABLE trace_events DISABLE TRIGGER trace_events_append_only`);
      try {
        await t.sql(`UPDATE trace_events SET event = jsonb_set(event, '{quantityList,0,quantity}', '999') WHERE id = $1`, [entry.eventPk]);
      } finally {
        await t.sql(`ALTER TABLE trace_events ENABLE TRIGGER trace_events_append_only`);
      }
      const verify = (await t.http.get(`${tracePath(lot)}/verify`).expect(200)).body;
      expect(verify.valid).toBe(false);
      expect(verify.problems[0]).toMatchObject({ seq: 1 });
      expect(verify.problems.map((p: { problem: string }) => p.problem).join(' ')).toMatch(/changed after it was recorded/);
      expect(verify.messageEn).toMatch(/altered/);
    });
  });

  describe('labels', () => {
    it('prints N labels whose QR codes decode to the lot’s Digital Links (with distinct serials when asked)', async () => {
      const lot = lots['GCL2510'];
      const res = await t.http.get(`/api/manage/lots/${lot.id}/labels.pdf?count=5&serials=true`).set(manager).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const codes = decodePdfLabels(res.body as Buffer, 5);
      const prefix = `${BASE}/01/${lot.gtin}/10/GCL2510/21/`;
      expect(codes.every((c) => c !== null && c.startsWith(prefix))).toBe(true);
      expect(new Set(codes).size).toBe(5);
      const qr = await t.http.get(`/api/manage/lots/${lot.id}/qr?format=svg`).set(manager).expect(200);
      expect(qr.headers['x-digital-link']).toBe(`${BASE}/01/${lot.gtin}/10/GCL2510`);
      await t.http.get(`/api/manage/lots/${lot.id}/labels.pdf?count=0`).set(manager).expect(400);
      await t.http.get(`/api/manage/lots/${lot.id}/labels.pdf`).set(namTyManager).expect(404);
    });
  });

  describe('scans', () => {
    it('counts scans and flags a serial scanned too often or from too many places', async () => {
      const lot = lots['STCT2509'];
      const scans = t.app.get(ScanService);
      for (let i = 0; i <= SCAN_RATE_THRESHOLD; i++) await t.http.get(`${tracePath(lot)}/21/HOT1`).set('x-forwarded-for', '203.0.113.7').expect(200);
      for (let i = 0; i <= SCAN_PLACES_THRESHOLD; i++) await t.http.get(`${tracePath(lot)}/21/COPY1`).set('x-forwarded-for', `198.51.100.${i + 1}`).expect(200);
      await t.http.get(`${tracePath(lot)}/21/NORMAL1`).expect(200);
      await scans.flush();
      const [{ n, ips }] = await t.sql<{ n: number; ips: string }>(`SELECT count(*)::int AS n, string_agg(DISTINCT ip_hash, ',') AS ips FROM trace_scans WHERE lot_id = $1`, [lot.id]);
      expect(n).toBe(SCAN_RATE_THRESHOLD + 1 + SCAN_PLACES_THRESHOLD + 1 + 1);
      expect(ips).not.toMatch(/203\.0\.113/);
      const res = await t.http.get('/api/manage/trace/anomalies').set(namTyManager).expect(200);
      const flags = res.body.items.map((a: { serial: string; kind: string }) => `${a.serial}:${a.kind}`).sort();
      expect(flags).toEqual(['COPY1:many_places', 'HOT1:high_scan_rate']);
      expect(res.body.items[0].lotCode).toBe('STCT2509');
      const other = await t.http.get('/api/manage/trace/anomalies').set(manager).expect(200);
      expect(other.body.items).toEqual([]);
    });
  });

  describe('recall', () => {
    const checkout = (variantId: string, quantity: number, phone: string) =>
      t.http
        .post('/api/orders')
        .set('idempotency-key', randomUUID())
        .send({
          items: [{ variantId, quantity }],
          customer: { name: 'Nguyễn Văn Khách', phone },
          shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Số 1 đường Chợ' },
          paymentMethod: 'cod',
        });

    it('recalls a lot: lists exactly the orders that received it (also as CSV) and warns on the trace page', async () => {
      const lot = lots['LXD2510'];
      const a = await checkout(lot.variantId, 2, '0912345671');
      const b = await checkout(lot.variantId, 1, '0912345672');
      const other = await checkout(lots['NDK2509'].variantId, 1, '0912345673');
      expect([a.status, b.status, other.status]).toEqual([201, 201, 201]);
      const before = await t.http.get(tracePath(lot)).expect(200);
      expect(before.body.recall.recalled).toBe(false);

      const res = await t.http.post(`/api/manage/lots/${lot.id}/recall`).set(manager).send({ reason: 'Phát hiện nấm mốc / Mould found' }).expect(200);
      expect(res.body.recalledAt).toBeTruthy();
      await t.http.post(`/api/manage/lots/${lot.id}/recall`).set(manager).send({ reason: 'again and again' }).expect(409);

      const truth = await t.sql<{ code: string }>(
        `SELECT DISTINCT o.code FROM inventory_allocations a JOIN orders o ON o.id = a.order_id WHERE a.lot_id = $1 ORDER BY o.code`,
        [lot.id],
      );
      const listed = await t.http.get(`/api/manage/lots/${lot.id}/recall/orders`).set(manager).expect(200);
      const codes = listed.body.items.map((o: { code: string }) => o.code).sort();
      expect(codes).toEqual(truth.map((r) => r.code));
      expect(truth.length).toBeGreaterThanOrEqual(2);
      expect(listed.body.items.map((o: { customerPhone: string }) => o.customerPhone)).toEqual(expect.arrayContaining(['0912345671', '0912345672']));
      expect(listed.body.items.map((o: { customerPhone: string }) => o.customerPhone)).not.toContain('0912345673');
      const csv = await t.http.get(`/api/manage/lots/${lot.id}/recall/orders.csv`).set(manager).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text.trim().split('\n')).toHaveLength(truth.length + 1);
      await t.http.get(`/api/manage/lots/${lot.id}/recall/orders`).set(namTyManager).expect(404);

      const after = await t.http.get(tracePath(lot)).expect(200);
      expect(after.body.recall).toMatchObject({ recalled: true, reason: 'Phát hiện nấm mốc / Mould found' });
      expect(after.body.recall.messageVi).toMatch(/thu hồi/);
      // Recalled stock is never sold again.
      const more = await checkout(lot.variantId, 1, '0912345674');
      expect(more.status).toBe(409);
    });
  });

  it('seeds idempotently: a second run adds no producer, plot or event', async () => {
    const count = () => t.sql<{ n: string }>(`SELECT (SELECT count(*) FROM trace_producers) + (SELECT count(*) FROM trace_plots) + (SELECT count(*) FROM trace_events) + (SELECT count(*) FROM trace_chain) AS n`);
    const before = await count();
    await runSeed(t.config);
    expect(await count()).toEqual(before);
  });
});
