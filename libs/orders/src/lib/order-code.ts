/** Order codes: cooperative prefix + date in Asia/Ho_Chi_Minh (YYMMDD) + per-cooperative-per-day sequence: `TA-251123-0007`. */

const VN_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in Vietnam (UTC+7) of an instant, as `YYYY-MM-DD`. */
export function vietnamDay(at: Date): string {
  return VN_DATE.format(at);
}

export function formatOrderCode(prefix: string, day: string, sequence: number): string {
  const [y, m, d] = day.split('-');
  return `${prefix}-${y.slice(2)}${m}${d}-${String(sequence).padStart(4, '0')}`;
}

export const ORDER_CODE_PATTERN = /^[A-Z][A-Z0-9]{1,5}-\d{6}-\d{4,}$/;

/** Candidate prefixes for a cooperative, from its slug: `thien-an` → TA, TA2, TA3…; `nam-ty` → NT… */
export function prefixCandidates(slug: string): string[] {
  const parts = slug.toUpperCase().split('-').filter(Boolean);
  let base = parts.map((p) => p[0]).join('').replace(/[^A-Z0-9]/g, '');
  if (base.length < 2) base = (parts[0] ?? 'HTX').replace(/[^A-Z0-9]/g, '').slice(0, 2).padEnd(2, 'X');
  if (!/^[A-Z]/.test(base)) base = `H${base}`;
  base = base.slice(0, 4);
  const out = [base];
  for (let i = 2; i <= 99; i++) out.push(`${base}${i}`);
  return out;
}
