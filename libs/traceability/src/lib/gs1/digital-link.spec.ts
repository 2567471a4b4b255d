import { gs1CheckDigit, toGtin14 } from '@htx/shared';
import fc from 'fast-check';
import { aiValueProblem, buildDigitalLink, DigitalLinkError, parseDigitalLink } from './digital-link';

describe('GS1 Digital Link', () => {
  it('parses the standard’s examples (GS1 Digital Link 1.x §4)', () => {
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788/10/ABC123/21/12345')).toEqual({
      origin: 'https://id.gs1.org',
      gtin: '09520123456788',
      lot: 'ABC123',
      serial: '12345',
    });
    // GTIN-13 in the path is padded; a path prefix and data attributes in the query are allowed.
    expect(parseDigitalLink('https://example.com/some/prefix/01/9520123456788/10/ABC1/21/12345?17=180426')).toMatchObject({
      gtin: '09520123456788',
      lot: 'ABC1',
      serial: '12345',
    });
    // The consumer product variant (22) may precede the lot.
    expect(parseDigitalLink('https://example.com/01/09520123456788/22/2A/10/ABC123/21/456')).toMatchObject({ lot: 'ABC123', serial: '456' });
    // Percent-encoded reserved characters decode to the AI value.
    expect(parseDigitalLink('https://id.gs1.org/01/09520123456788/10/ABC%2F123').lot).toBe('ABC/123');
  });

  it('builds URIs with GTIN-14 and percent-encoded lot and serial', () => {
    expect(buildDigitalLink('https://htxso.vn', { gtin: '8930000123459', lot: 'L2025-01' })).toBe('https://htxso.vn/01/08930000123459/10/L2025-01');
    expect(buildDigitalLink('https://htxso.vn/', { gtin: '08930000123459', lot: 'ABC/123', serial: 'A&B?1' })).toBe(
      'https://htxso.vn/01/08930000123459/10/ABC%2F123/21/A%26B%3F1',
    );
    expect(buildDigitalLink('https://id.gs1.org', { gtin: '9520123456788', lot: 'ABC 1'.replace(' ', '%') })).toBe('https://id.gs1.org/01/09520123456788/10/ABC%251');
  });

  it('refuses bad GTINs, lots and serials with a reason', () => {
    expect(() => buildDigitalLink('https://h', { gtin: '8930000123458', lot: 'A' })).toThrow(/check digit/);
    expect(() => buildDigitalLink('https://h', { gtin: '89300001234', lot: 'A' })).toThrow(/8, 12, 13 or 14/);
    expect(() => buildDigitalLink('https://h', { gtin: '8930000123459', lot: 'x'.repeat(21) })).toThrow(/longer than 20/);
    expect(() => buildDigitalLink('https://h', { gtin: '8930000123459', lot: 'Lô-1' })).toThrow(/"ô"/);
    expect(() => buildDigitalLink('https://h', { gtin: '8930000123459', lot: 'A', serial: 'a b' })).toThrow(/AI 21/);
    expect(() => parseDigitalLink('https://id.gs1.org/01/09520123456788/21/1/10/A')).toThrow(DigitalLinkError);
    expect(() => parseDigitalLink('https://id.gs1.org/01/09520123456788')).toThrow(/AI 10/);
    expect(() => parseDigitalLink('https://id.gs1.org/01/09520123456789/10/A')).toThrow(/check digit/);
    expect(() => buildDigitalLink('https://h', { gtin: '8930000123459', lot: 'A', serial: '.' })).toThrow(/not only dots/);
    expect(() => parseDigitalLink('https://h/01/08930000123459/10/..')).toThrow(DigitalLinkError);
    expect(aiValueProblem('10', '<b>x</b>')).toBeNull(); // allowed by CSET 82, so it must be escaped wherever shown
  });

  it('round-trips every valid GTIN, lot and serial', () => {
    const cset = fc.constantFrom(...'!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'.split(''));
    const value = fc.array(cset, { minLength: 1, maxLength: 20 }).map((a) => a.join('')).filter((v) => !/^\.+$/.test(v));
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), value, fc.option(value, { nil: undefined }), (body, lot, serial) => {
        const gtin = body + gs1CheckDigit(body);
        const uri = buildDigitalLink('https://htxso.vn', { gtin, lot, serial });
        expect(parseDigitalLink(uri)).toEqual({ origin: 'https://htxso.vn', gtin: toGtin14(gtin), lot, ...(serial !== undefined ? { serial } : {}) });
      }),
    );
  });
});
