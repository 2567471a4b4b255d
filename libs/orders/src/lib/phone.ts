/**
 * Vietnamese mobile numbers. Since the 2018 renumbering mobiles have ten digits: 0 + a network prefix
 * of two digits + seven digits (Viettel 032-039, 086, 096-098; VinaPhone 081-085, 088, 091, 094;
 * MobiFone 070, 076-079, 089, 090, 093; Vietnamobile 052, 056, 058, 092; Gmobile 059, 099; Reddi 055;
 * Itelecom 087). Accepted forms: 0xxxxxxxxx, +84xxxxxxxxx, 84xxxxxxxxx, with spaces, dots or dashes.
 */
const MOBILE_PREFIXES = new Set([
  '32', '33', '34', '35', '36', '37', '38', '39',
  '52', '55', '56', '58', '59',
  '70', '76', '77', '78', '79',
  '81', '82', '83', '84', '85', '86', '87', '88', '89',
  '90', '91', '92', '93', '94', '96', '97', '98', '99',
]);

export type PhoneCheck = { ok: true; phone: string } | { ok: false; problem: string };

/** Normalises to `0xxxxxxxxx` or explains what is wrong. */
export function normaliseVietnameseMobile(input: string): PhoneCheck {
  const compact = input.trim().replace(/[\s.\-()]/g, '');
  let national: string;
  if (/^\+84\d+$/.test(compact)) national = compact.slice(3);
  else if (/^84\d{9}$/.test(compact)) national = compact.slice(2);
  else if (/^0\d+$/.test(compact)) national = compact.slice(1);
  else {
    return {
      ok: false,
      problem: `Số điện thoại "${input}" không hợp lệ: dùng dạng 0xxxxxxxxx hoặc +84xxxxxxxxx / phone "${input}" must look like 0912345678 or +84912345678`,
    };
  }
  if (national.startsWith('0')) national = national.slice(1); // +84 0912… typed with the trunk zero
  if (/^2\d{9}$/.test(national)) {
    return { ok: false, problem: `"${input}" là số cố định, hãy nhập số di động / "${input}" is a landline; give a mobile number (not a Vietnamese mobile prefix)` };
  }
  if (national.length !== 9) {
    return { ok: false, problem: `Số di động phải có 10 chữ số / a Vietnamese mobile number has 10 digits (0 + 9), "${input}" has ${national.length + 1}` };
  }
  if (!MOBILE_PREFIXES.has(national.slice(0, 2))) {
    return { ok: false, problem: `Đầu số 0${national.slice(0, 2)} không phải số di động Việt Nam / 0${national.slice(0, 2)} is not a Vietnamese mobile prefix` };
  }
  return { ok: true, phone: `0${national}` };
}

/** `0912345678` → `0912***678`: enough for a shopper to recognise, not enough to reuse. */
export function maskPhone(phone: string): string {
  return phone.length < 7 ? '***' : `${phone.slice(0, 4)}***${phone.slice(-3)}`;
}
