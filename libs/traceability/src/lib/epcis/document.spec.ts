import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildStepEvent, epcisDocument, epcisQueryDocument, isoWithOffset, lotClassUri, lotOfUri, STEP_KINDS, validateEpcis } from './document';
import { eventHash } from './event-hash';

const A = { gtin: '8930000123459', lotCode: 'GIAO-2025-01' };
const B = { gtin: '8930000123459', lotCode: 'GIAO-2025-02' };
const OUT = { gtin: '8930000123466', lotCode: 'BLEND-01' };
const LOC = 'https://htxso.vn/api/trace/locations/6f1c1c9e-9a0b-4c1e-8f3e-3b8f5a1d2c10';

describe('EPCIS 2.0 documents', () => {
  it('builds a harvest as commissioning ObjectEvent ADD with ILMD lot master data', () => {
    const e = buildStepEvent({
      kind: 'harvest',
      eventTime: new Date('2025-10-01T01:30:00Z'),
      lots: [{ ...A, quantity: 52.5, uom: 'KGM' }],
      readPointUri: LOC,
      bizLocationUri: LOC,
      ilmd: { lotNumber: A.lotCode, harvestDate: '2025-10-01', bestBeforeDate: '2026-10-01', farmList: [LOC] },
      certificationInfo: ['https://htxso.vn/certificates/vietgap-123'],
    });
    expect(e).toMatchObject({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      eventTime: '2025-10-01T08:30:00.000+07:00',
      eventTimeZoneOffset: '+07:00',
      quantityList: [{ epcClass: 'https://id.gs1.org/01/08930000123459/10/GIAO-2025-01', quantity: 52.5, uom: 'KGM' }],
      ilmd: { 'cbvmda:lotNumber': 'GIAO-2025-01', 'cbvmda:bestBeforeDate': '2026-10-01' },
    });
    expect(e['eventID']).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(validateEpcis(epcisDocument([e]))).toEqual([]);
  });

  it('builds a drying TransformationEvent from two harvest lots to one output lot, and every step kind validates', () => {
    const t = buildStepEvent({ kind: 'drying', eventTime: new Date(), inputs: [{ ...A, quantity: 50, uom: 'KGM' }, { ...B, quantity: 30, uom: 'KGM' }], outputs: [{ ...OUT, quantity: 20, uom: 'KGM' }] });
    expect(t['type']).toBe('TransformationEvent');
    expect((t['inputQuantityList'] as unknown[]).length).toBe(2);
    const events = STEP_KINDS.map((kind) =>
      buildStepEvent({ kind, eventTime: new Date(), lots: [{ ...OUT, quantity: 10, uom: 'H87' }], inputs: [{ ...A, quantity: 1, uom: 'KGM' }], outputs: [{ ...OUT, quantity: 1, uom: 'KGM' }], sourceUri: LOC, destinationUri: LOC, bizTransactionUri: 'https://htxso.vn/orders/DH1', corrects: t['eventID'] as string }),
    );
    expect(validateEpcis(epcisDocument([t, ...events]))).toEqual([]);
    expect(validateEpcis(epcisQueryDocument([t, ...events]))).toEqual([]);
  });

  it('gives the same eventID to the same facts and a different one to different facts', () => {
    const at = new Date('2025-10-02T00:00:00Z');
    const one = buildStepEvent({ kind: 'packing', eventTime: at, lots: [{ ...A, quantity: 100, uom: 'H87' }] });
    const same = buildStepEvent({ kind: 'packing', eventTime: at, lots: [{ ...A, quantity: 100, uom: 'H87' }] });
    const other = buildStepEvent({ kind: 'packing', eventTime: at, lots: [{ ...A, quantity: 101, uom: 'H87' }] });
    expect(same['eventID']).toBe(one['eventID']);
    expect(other['eventID']).not.toBe(one['eventID']);
    const { eventID, ...rest } = one;
    expect(eventHash(rest, epcisDocument([])['@context']).eventId).toBe(eventID);
  });

  it('accepts the standard’s example documents and explains what is wrong with a broken one', () => {
    const dir = path.join(__dirname, 'examples');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonld'))) {
      expect([f, validateEpcis(JSON.parse(readFileSync(path.join(dir, f), 'utf8')))]).toEqual([f, []]);
    }
    const broken = epcisDocument([{ type: 'ObjectEvent', eventTime: 'yesterday', eventTimeZoneOffset: '+07:00', action: 'MAYBE', epcList: [] }]);
    const problems = validateEpcis(broken);
    expect(problems.join('\n')).toMatch(/eventTime.*date-time/);
    expect(problems.join('\n')).toMatch(/action/);
  });

  it('maps lot URIs in every notation back to GTIN and lot', () => {
    expect(lotOfUri(lotClassUri({ gtin: '8930000123459', lotCode: 'A/1' }))).toEqual({ gtin: '08930000123459', lotCode: 'A/1' });
    expect(lotOfUri('urn:epc:class:lgtin:4054739.099914.20160711')).toEqual({ gtin: '04054739999148', lotCode: '20160711' });
    expect(lotOfUri('https://htxso.vn/01/08930000123459/10/L1/21/7')).toEqual({ gtin: '08930000123459', lotCode: 'L1' });
    expect(lotOfUri('urn:epc:id:sgtin:4012345.011122.25')).toBeNull();
    expect(isoWithOffset(new Date('2025-01-01T20:00:00Z'), '+07:00')).toBe('2025-01-02T03:00:00.000+07:00');
  });
});
