/**
 * VietQR: the NAPAS profile of the EMVCo merchant-presented QR code, for a bank transfer to an account.
 * The payload is a flat list of ID (2 digits) + length (2 digits) + value fields, some values being
 * nested lists themselves, closed by a CRC-16/CCITT-FALSE over everything up to and including "6304".
 */

export const NAPAS_GUID = 'A000000727';
export const SERVICE_TRANSFER_TO_ACCOUNT = 'QRIBFTTA';
export const SERVICE_TRANSFER_TO_CARD = 'QRIBFTTC';
export const CURRENCY_VND = '704';

export interface TlvField {
  id: string;
  value: string;
}

export class VietQrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VietQrError';
  }
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) as four upper-case hex digits. */
export function crc16CcittFalse(input: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(input, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** Splits one level of ID-length-value fields. Lengths count characters, as EMVCo specifies. */
export function parseTlv(input: string): TlvField[] {
  const out: TlvField[] = [];
  let i = 0;
  while (i < input.length) {
    const header = input.slice(i, i + 4);
    if (!/^\d{4}$/.test(header)) throw new VietQrError(`Malformed field header "${header}" at position ${i}`);
    const id = header.slice(0, 2);
    const length = Number(header.slice(2));
    const value = input.slice(i + 4, i + 4 + length);
    if (value.length !== length) throw new VietQrError(`Field ${id} at position ${i} announces ${length} characters but only ${value.length} remain`);
    out.push({ id, value });
    i += 4 + length;
  }
  return out;
}

export function tlv(id: string, value: string): string {
  if (!/^\d{2}$/.test(id)) throw new VietQrError(`Field id must be two digits, got "${id}"`);
  if (value.length > 99) throw new VietQrError(`Field ${id} is ${value.length} characters long; at most 99 fit`);
  return `${id}${String(value.length).padStart(2, '0')}${value}`;
}

export function encodeTlv(fields: TlvField[]): string {
  return fields.map((f) => tlv(f.id, f.value)).join('');
}

/** A decoded VietQR transfer payload; `fields` keeps every top-level field in order, so unknown ones survive re-encoding. */
export interface VietQrPayload {
  /** '11' static (reusable), '12' dynamic (one payment, amount fixed). */
  initiation: '11' | '12';
  bin: string;
  accountNumber: string;
  serviceCode: string;
  currency: string;
  amount: number | null;
  country: string;
  /** Tag 62 sub-tag 08: the purpose of the transfer (for us: the order code). */
  purpose: string | null;
  crc: string;
  fields: TlvField[];
}

/** Decodes and checks a VietQR payload (format indicator, NAPAS GUID, CRC); throws VietQrError naming the problem. */
export function decodeVietQr(payload: string): VietQrPayload {
  const fields = parseTlv(payload);
  const get = (id: string) => fields.find((f) => f.id === id)?.value;
  const last = fields.at(-1);
  if (!last || last.id !== '63' || last.value.length !== 4) throw new VietQrError('The payload must end with a CRC field (63, 4 characters)');
  const expectedCrc = crc16CcittFalse(payload.slice(0, payload.length - 4));
  if (last.value.toUpperCase() !== expectedCrc) throw new VietQrError(`CRC mismatch: payload says ${last.value}, content gives ${expectedCrc}`);
  if (get('00') !== '01') throw new VietQrError('Payload format indicator (00) must be "01"');
  const initiation = get('01');
  if (initiation !== '11' && initiation !== '12') throw new VietQrError('Point of initiation (01) must be "11" (static) or "12" (dynamic)');
  const merchant = get('38');
  if (!merchant) throw new VietQrError('Merchant account information (38) is missing');
  const m = parseTlv(merchant);
  const mget = (id: string) => m.find((f) => f.id === id)?.value;
  if (mget('00') !== NAPAS_GUID) throw new VietQrError(`Merchant account GUID (38/00) must be ${NAPAS_GUID}`);
  const beneficiary = mget('01');
  if (!beneficiary) throw new VietQrError('Beneficiary organisation (38/01) is missing');
  const b = parseTlv(beneficiary);
  const bin = b.find((f) => f.id === '00')?.value;
  const accountNumber = b.find((f) => f.id === '01')?.value;
  if (!bin || !/^\d{6}$/.test(bin)) throw new VietQrError('Acquirer BIN (38/01/00) must be 6 digits');
  if (!accountNumber) throw new VietQrError('Account number (38/01/01) is missing');
  const amountText = get('54');
  if (amountText !== undefined && !/^\d+(\.\d+)?$/.test(amountText)) throw new VietQrError(`Amount (54) "${amountText}" is not a number`);
  const additional = get('62');
  const purpose = additional ? (parseTlv(additional).find((f) => f.id === '08')?.value ?? null) : null;
  return {
    initiation,
    bin,
    accountNumber,
    serviceCode: mget('02') ?? '',
    currency: get('53') ?? '',
    amount: amountText === undefined ? null : Number(amountText),
    country: get('58') ?? '',
    purpose,
    crc: last.value.toUpperCase(),
    fields,
  };
}

/** Re-encodes decoded fields (recomputing the CRC); a valid payload comes back byte for byte. */
export function reencodeVietQr(decoded: Pick<VietQrPayload, 'fields'>): string {
  const body = encodeTlv(decoded.fields.filter((f) => f.id !== '63')) + '6304';
  return body + crc16CcittFalse(body);
}

export interface VietQrTransfer {
  bin: string;
  accountNumber: string;
  /** Whole đồng; omit for a static code the payer fills in. */
  amount?: number;
  purpose?: string;
  dynamic?: boolean;
}

/** Strips Vietnamese diacritics and anything outside printable ASCII (banks' apps show the purpose as typed). */
export function asciiPurpose(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
}

/** Builds a VietQR transfer-to-account payload (dynamic when an amount is given, unless told otherwise). */
export function encodeVietQr(input: VietQrTransfer): string {
  if (!/^\d{6}$/.test(input.bin)) throw new VietQrError(`Bank BIN must be 6 digits, got "${input.bin}"`);
  if (!/^[0-9A-Za-z]{1,19}$/.test(input.accountNumber)) throw new VietQrError('Account number must be 1-19 letters or digits');
  if (input.amount !== undefined && (!Number.isSafeInteger(input.amount) || input.amount <= 0 || String(input.amount).length > 13)) {
    throw new VietQrError(`Amount must be a positive whole number of đồng (at most 13 digits), got ${input.amount}`);
  }
  const purpose = input.purpose === undefined ? undefined : asciiPurpose(input.purpose);
  if (purpose !== undefined && purpose.length > 25) throw new VietQrError('Transfer purpose must be at most 25 characters');
  const dynamic = input.dynamic ?? input.amount !== undefined;
  const beneficiary = encodeTlv([
    { id: '00', value: input.bin },
    { id: '01', value: input.accountNumber },
  ]);
  const merchant = encodeTlv([
    { id: '00', value: NAPAS_GUID },
    { id: '01', value: beneficiary },
    { id: '02', value: SERVICE_TRANSFER_TO_ACCOUNT },
  ]);
  const fields: TlvField[] = [
    { id: '00', value: '01' },
    { id: '01', value: dynamic ? '12' : '11' },
    { id: '38', value: merchant },
    { id: '53', value: CURRENCY_VND },
  ];
  if (input.amount !== undefined) fields.push({ id: '54', value: String(input.amount) });
  fields.push({ id: '58', value: 'VN' });
  if (purpose) fields.push({ id: '62', value: tlv('08', purpose) });
  return reencodeVietQr({ fields });
}
