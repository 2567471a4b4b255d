/**
 * GS1 Global Trade Item Numbers. Products in Vietnam carry GS1 Vietnam's prefix 893. The platform stores
 * every GTIN as GTIN-14 (zero-padded), the form GS1 Digital Link URIs use.
 */

/** GS1 mod-10 check digit of the digits before it. */
export function gs1CheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new RangeError('GTIN body must be digits');
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = weight === 3 ? 1 : 3) sum += Number(body[i]) * weight;
  return (10 - (sum % 10)) % 10;
}

export type GtinProblem = 'not-digits' | 'wrong-length' | 'bad-check-digit';

export function gtinProblem(value: string): GtinProblem | null {
  if (!/^\d+$/.test(value)) return 'not-digits';
  if (![8, 12, 13, 14].includes(value.length)) return 'wrong-length';
  return gs1CheckDigit(value.slice(0, -1)) === Number(value.at(-1)) ? null : 'bad-check-digit';
}

export function isValidGtin(value: string): boolean {
  return gtinProblem(value) === null;
}

/** GTIN-8/12/13/14 → GTIN-14; throws a RangeError that says what is wrong. */
export function toGtin14(value: string): string {
  const problem = gtinProblem(value);
  if (problem === 'not-digits') throw new RangeError(`GTIN "${value}" must contain only digits`);
  if (problem === 'wrong-length') throw new RangeError(`GTIN "${value}" must have 8, 12, 13 or 14 digits`);
  if (problem === 'bad-check-digit') {
    throw new RangeError(`GTIN "${value}" has a wrong check digit (expected ${gs1CheckDigit(value.slice(0, -1))})`);
  }
  return value.padStart(14, '0');
}

/** Builds a valid GTIN-13 from a 12-digit body (company prefix + item reference). */
export function gtin13(body12: string): string {
  if (!/^\d{12}$/.test(body12)) throw new RangeError('GTIN-13 body must be 12 digits');
  return body12 + gs1CheckDigit(body12);
}

/** True when the GTIN was allocated under GS1 Vietnam (prefix 893). */
export function isVietnameseGtin(value: string): boolean {
  return toGtin14(value).slice(1, 4) === '893';
}
