import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { crc16CcittFalse, decodeVietQr, encodeVietQr, parseTlv, reencodeVietQr, VietQrError } from './vietqr';
import { vietQrPng, vietQrSvg } from './vietqr-image';

const NAPAS_EXAMPLE =
  '00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C';

describe('CRC-16/CCITT-FALSE', () => {
  it('gives the catalogued check value for "123456789"', () => {
    expect(crc16CcittFalse('123456789')).toBe('29B1');
  });

  it('matches the CRC of NAPAS IBFT test vector 6.1.1 (whose nested lengths are themselves inconsistent, so only the CRC is checked)', () => {
    const vector = '00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5';
    expect(crc16CcittFalse(vector.slice(0, -4))).toBe('F4E5');
  });

  it.each([
    // Published sample: Vietinbank 120.000 đ "ung ho lu lut"
    NAPAS_EXAMPLE,
    // Published sample: MB 100.000 đ with a purpose
    '00020101021238540010A00000072701240006970436011098895593570208QRIBFTTA53037045405100005802VN62320828day la noi dung chuyen khoan6304EEF5',
  ])('matches the CRC printed in %s', (payload) => {
    expect(crc16CcittFalse(payload.slice(0, -4))).toBe(payload.slice(-4));
    expect(() => decodeVietQr(payload)).not.toThrow();
  });
});

describe('VietQR decode', () => {
  it('decodes the NAPAS example field by field', () => {
    const d = decodeVietQr(NAPAS_EXAMPLE);
    expect(d.fields.map((f) => f.id)).toEqual(['00', '01', '38', '53', '54', '58', '62', '63']);
    expect(d).toMatchObject({
      initiation: '12',
      bin: '970415',
      accountNumber: '0011001932418',
      serviceCode: 'QRIBFTTA',
      currency: '704',
      amount: 120000,
      country: 'VN',
      purpose: 'ung ho lu lut',
      crc: 'C15C',
    });
    expect(parseTlv(d.fields[2].value)).toEqual([
      { id: '00', value: 'A000000727' },
      { id: '01', value: '000697041501130011001932418' },
      { id: '02', value: 'QRIBFTTA' },
    ]);
  });

  it('re-encodes the NAPAS example byte for byte', () => {
    expect(reencodeVietQr(decodeVietQr(NAPAS_EXAMPLE))).toBe(NAPAS_EXAMPLE);
    // and the encoder builds the same string from the decoded meaning
    expect(encodeVietQr({ bin: '970415', accountNumber: '0011001932418', amount: 120000, purpose: 'ung ho lu lut' })).toBe(NAPAS_EXAMPLE);
  });

  it('refuses a payload whose CRC does not match, or that was altered', () => {
    expect(() => decodeVietQr(NAPAS_EXAMPLE.slice(0, -4) + 'C15D')).toThrow(/CRC mismatch/);
    expect(() => decodeVietQr(NAPAS_EXAMPLE.replace('120000', '920000'))).toThrow(VietQrError);
    expect(() => decodeVietQr(NAPAS_EXAMPLE.slice(0, 40))).toThrow(VietQrError);
  });
});

describe('VietQR encode', () => {
  it('builds a dynamic transfer with amount and order code', () => {
    const payload = encodeVietQr({ bin: '970418', accountNumber: '12010000123456', amount: 250000, purpose: 'HTX-2611-ABCD' });
    const d = decodeVietQr(payload);
    expect(d).toMatchObject({ initiation: '12', bin: '970418', accountNumber: '12010000123456', serviceCode: 'QRIBFTTA', currency: '704', amount: 250000, country: 'VN', purpose: 'HTX-2611-ABCD' });
    expect(payload.startsWith('000201010212')).toBe(true);
  });

  it('strips diacritics from the purpose', () => {
    expect(decodeVietQr(encodeVietQr({ bin: '970415', accountNumber: '0011001932418', amount: 1000, purpose: 'Ủng hộ lũ lụt Đà' })).purpose).toBe('Ung ho lu lut Da');
  });

  it('refuses bad input with a clear message', () => {
    expect(() => encodeVietQr({ bin: '97041', accountNumber: '1', amount: 1 })).toThrow(/BIN/);
    expect(() => encodeVietQr({ bin: '970415', accountNumber: '1', amount: 1.5 })).toThrow(/whole number/);
    expect(() => encodeVietQr({ bin: '970415', accountNumber: '1', amount: 1, purpose: 'x'.repeat(26) })).toThrow(/25/);
  });

  it('renders a QR image that scans back to the payload', async () => {
    const payload = encodeVietQr({ bin: '970415', accountNumber: '0011001932418', amount: 99000, purpose: 'DH123' });
    const svg = await vietQrSvg(payload);
    expect(svg).toMatch(/^<svg/);
    const png = PNG.sync.read(await vietQrPng(payload));
    const read = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(read?.data).toBe(payload);
  });
});
