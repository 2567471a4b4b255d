import { gs1CheckDigit, gtin13, gtinProblem, isVietnameseGtin, toGtin14 } from './gtin';

describe('GTIN', () => {
  it('computes GS1 check digits (published examples)', () => {
    expect(gs1CheckDigit('629104150021')).toBe(3); // GS1 General Specifications example 6291041500213
    expect(gs1CheckDigit('0950600013435')).toBe(2); // GTIN-14 09506000134352 used in GS1 Digital Link examples
    expect(gtin13('893123456789')).toHaveLength(13);
  });
  it('pads to GTIN-14 and explains what is wrong', () => {
    expect(toGtin14('6291041500213')).toBe('06291041500213');
    expect(toGtin14('09506000134352')).toBe('09506000134352');
    expect(gtinProblem('6291041500214')).toBe('bad-check-digit');
    expect(() => toGtin14('6291041500214')).toThrow(/expected 3/);
    expect(() => toGtin14('12345')).toThrow(/8, 12, 13 or 14 digits/);
    expect(() => toGtin14('89312345678a')).toThrow(/only digits/);
  });
  it('recognises GS1 Vietnam numbers', () => {
    expect(isVietnameseGtin(gtin13('893123456789'))).toBe(true);
    expect(isVietnameseGtin('6291041500213')).toBe(false);
  });
});
