import QRCode from 'qrcode';

/** The payload as an SVG QR code (error correction M, as banking apps expect). */
export function vietQrSvg(payload: string): Promise<string> {
  return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The payload as a PNG QR code. */
export function vietQrPng(payload: string, width = 360): Promise<Buffer> {
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width });
}
