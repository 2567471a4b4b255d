import type { ValueTransformer } from 'typeorm';

/**
 * Money in this platform is an integer number of Vietnamese đồng (VND has no minor unit).
 * In PostgreSQL it is a bigint; in TypeScript a number that must stay a safe integer.
 */
export type Vnd = number;

export function assertVnd(value: number, what = 'amount'): Vnd {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a whole number of đồng, got ${value}`);
  return value;
}

/** Column transformer: PostgreSQL bigint (returned by pg as a string) ⇄ safe integer. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null | undefined) => {
    if (value === null || value === undefined) return value;
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} exceeds the safe integer range`);
    return n;
  },
};

const vndFormatter = new Intl.NumberFormat('vi-VN');
/** `125000` → `125.000 ₫`, as Vietnamese readers expect. */
export function formatVnd(amount: Vnd): string {
  return `${vndFormatter.format(amount)} ₫`;
}
