import { assertVnd, bigintToNumber, formatVnd } from './money';

describe('money (integer VND)', () => {
  it('formats amounts the way Vietnamese shoppers read them', () => {
    expect(formatVnd(125000).replace(/\s/g, ' ')).toBe('125.000 ₫');
    expect(formatVnd(0).replace(/\s/g, ' ')).toBe('0 ₫');
  });
  it('refuses fractional đồng', () => {
    expect(() => assertVnd(1000.5)).toThrow(/whole number/);
    expect(assertVnd(1000)).toBe(1000);
  });
  it('reads PostgreSQL bigint strings as safe integers and refuses overflow', () => {
    expect(bigintToNumber.from('9007199254740991')).toBe(9007199254740991);
    expect(() => bigintToNumber.from('9007199254740993')).toThrow(/safe integer/);
  });
});
