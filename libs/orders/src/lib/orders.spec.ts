import { maskPhone, normaliseVietnameseMobile } from './phone';
import { formatOrderCode, ORDER_CODE_PATTERN, prefixCandidates, vietnamDay } from './order-code';
import { canTransition, ORDER_STATUSES, ORDER_TRANSITIONS } from './state-machine';

describe('Vietnamese mobile numbers', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['84 912 345 678', '0912345678'],
    ['+84 0912.345.678', '0912345678'],
    ['086-123-4567', '0861234567'],
  ])('normalises %s', (input, expected) => {
    expect(normaliseVietnameseMobile(input)).toEqual({ ok: true, phone: expected });
  });
  it.each([
    ['091234567', /10 digits/],
    ['09123456789', /10 digits/],
    ['0212345678', /not a Vietnamese mobile prefix/],
    ['0951234567', /not a Vietnamese mobile prefix/],
    ['phone', /must look like/],
    ['+1 415 555 0100', /must look like/],
  ])('refuses %s', (input, problem) => {
    const r = normaliseVietnameseMobile(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(problem);
  });
  it('masks the middle', () => expect(maskPhone('0912345678')).toBe('0912***678'));
});

describe('order codes', () => {
  it('uses the date in Vietnam', () => {
    expect(vietnamDay(new Date('2025-11-22T17:30:00Z'))).toBe('2025-11-23');
    expect(vietnamDay(new Date('2025-11-22T16:59:59Z'))).toBe('2025-11-22');
    expect(formatOrderCode('TA', '2025-11-23', 7)).toBe('TA-251123-0007');
    expect(ORDER_CODE_PATTERN.test('TA-251123-0007')).toBe(true);
  });
  it('derives prefixes from the slug', () => {
    expect(prefixCandidates('thien-an').slice(0, 3)).toEqual(['TA', 'TA2', 'TA3']);
    expect(prefixCandidates('nam-ty')[0]).toBe('NT');
    expect(prefixCandidates('x')[0]).toBe('XX');
    expect(prefixCandidates('9-ha')[0]).toBe('H9H');
  });
});

describe('state machine', () => {
  it('only names known statuses and has terminal states', () => {
    for (const [from, tos] of Object.entries(ORDER_TRANSITIONS)) {
      expect(ORDER_STATUSES).toContain(from);
      for (const to of tos) expect(ORDER_STATUSES).toContain(to);
    }
    expect(ORDER_TRANSITIONS.cancelled).toEqual([]);
    expect(ORDER_TRANSITIONS.returned).toEqual([]);
    expect(canTransition('shipped', 'cancelled')).toBe(false);
    expect(canTransition('awaiting_payment', 'paid')).toBe(true);
  });
});
