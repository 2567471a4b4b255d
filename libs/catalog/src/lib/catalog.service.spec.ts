import { gtin13 } from '@htx/shared';
import { normaliseGtin, searchWords } from './catalog.service';

describe('normaliseGtin', () => {
  it('turns a valid GTIN-13 into GTIN-14 and keeps a GTIN-14', () => {
    const g = gtin13('893851200011');
    expect(normaliseGtin(g)).toBe(`0${g}`);
    expect(normaliseGtin(`0${g}`)).toBe(`0${g}`);
  });

  const good = gtin13('893851200011');
  const wrongCheck = `893851200011${(Number(good.at(-1)) + 1) % 10}`;

  it.each([
    [wrongCheck, /wrong check digit \(expected \d\)/],
    ['89385120', /GTIN-13 or GTIN-14/],
    ['893851200011', /GTIN-13 or GTIN-14/],
    ['893851200011x', /GTIN-13 or GTIN-14/],
    ['089385120001100', /GTIN-13 or GTIN-14/],
  ])('refuses %s with a 400 that says why', (value, message) => {
    try {
      normaliseGtin(value);
      throw new Error('accepted');
    } catch (e) {
      expect((e as { getStatus(): number }).getStatus()).toBe(400);
      expect((e as { getResponse(): { message: string } }).getResponse().message).toMatch(message);
    }
  });
});

describe('searchWords', () => {
  it('splits on spaces and punctuation, drops empties, keeps at most 8 words', () => {
    expect(searchWords('  trà  giảo, cổ lam ')).toEqual(['trà', 'giảo', 'cổ', 'lam']);
    expect(searchWords('a b c d e f g h i j')).toHaveLength(8);
  });

  it('escapes LIKE wildcards so they match literally', () => {
    expect(searchWords('50% a_b')).toEqual(['50\\%', 'a\\_b']);
  });
});
