import { randomInt } from 'node:crypto';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/**
 * QR codes (SVG, PNG) of GS1 Digital Link URIs and A4 label sheets. Error correction level Q (25 %): printed
 * labels get scuffed and folded. Vietnamese text uses the bundled DejaVu Sans (its licence allows
 * redistribution), so output does not depend on the machine's fonts.
 */
export const QR_ERROR_CORRECTION = 'Q' as const;
const FONT_DIR = path.join(__dirname, 'fonts');
export const FONT_REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
export const FONT_BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

export function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: QR_ERROR_CORRECTION, margin: 4 });
}

export function qrPng(uri: string, scale = 8): Promise<Buffer> {
  return QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: QR_ERROR_CORRECTION, margin: 4, scale });
}

const MM = 72 / 25.4;

/**
 * 3 × 8 labels of 70 × 37.125 mm filling an A4 sheet edge to edge (the common "24 per sheet" sticker
 * layout, e.g. Avery 3474 / Tanex A4-24). Positions in PDF points from the top-left corner.
 */
export const LABEL_LAYOUT = {
  pageWidth: 595.28,
  pageHeight: 841.89,
  columns: 3,
  rows: 8,
  labelWidth: 70 * MM,
  labelHeight: 37.125 * MM,
  qrSize: 88,
  padding: 7,
} as const;

export const LABELS_PER_PAGE = LABEL_LAYOUT.columns * LABEL_LAYOUT.rows;

/** Top-left corner (points) of label n (0-based) on its page. */
export function labelOrigin(n: number): { page: number; x: number; y: number } {
  const onPage = n % LABELS_PER_PAGE;
  return {
    page: Math.floor(n / LABELS_PER_PAGE),
    x: (onPage % LABEL_LAYOUT.columns) * LABEL_LAYOUT.labelWidth,
    y: Math.floor(onPage / LABEL_LAYOUT.columns) * LABEL_LAYOUT.labelHeight,
  };
}

export interface LabelContent {
  uri: string;
  productName: string;
  lotCode: string;
  /** dd/MM/yyyy or null */
  harvestDate: string | null;
  expiryDate: string | null;
  cooperative: string;
  serial?: string;
}

const SERIAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random serial of 10 characters (no 0/O/1/I to avoid misreading). */
export function newSerial(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += SERIAL_ALPHABET[randomInt(SERIAL_ALPHABET.length)];
  return s;
}

/** 'YYYY-MM-DD' → 'dd/MM/yyyy' (dates are calendar days in Asia/Ho_Chi_Minh already). */
export function formatDateVn(date: string | null): string | null {
  return date && /^\d{4}-\d{2}-\d{2}/.test(date) ? `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}` : null;
}

function drawQr(doc: PDFKit.PDFDocument, uri: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(uri, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  const n = qr.modules.size;
  const quiet = 4;
  const cell = size / (n + 2 * quiet);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  doc.fillColor('#000000');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.get(r, c)) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell + 0.02, cell + 0.02);
    }
  }
  doc.fill('#000000').restore();
}

/** A4 PDF with one label per item (24 a page). Text is drawn as text, never interpreted as markup. */
export function labelSheetPdf(labels: LabelContent[], title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Title: title, Creator: 'HTX Số' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('body', FONT_REGULAR);
    doc.registerFont('bold', FONT_BOLD);
    const L = LABEL_LAYOUT;
    labels.forEach((label, i) => {
      const { page, x, y } = labelOrigin(i);
      if (i % LABELS_PER_PAGE === 0) doc.addPage({ size: 'A4', margin: 0 });
      void page;
      const qrY = y + (L.labelHeight - L.qrSize) / 2;
      drawQr(doc, label.uri, x + 2, qrY, L.qrSize);
      const tx = x + 2 + L.qrSize + 2;
      const tw = L.labelWidth - (tx - x) - L.padding;
      let ty = y + L.padding + 2;
      doc.fillColor('#000000').font('bold').fontSize(7.5);
      doc.text(label.productName, tx, ty, { width: tw, height: 20, ellipsis: true, lineGap: 0 });
      ty += Math.min(doc.heightOfString(label.productName, { width: tw }), 20) + 2;
      doc.font('body').fontSize(6.5);
      const lines = [
        `Lô/Lot: ${label.lotCode}`,
        label.harvestDate ? `Thu hoạch: ${label.harvestDate}` : null,
        label.expiryDate ? `HSD/Exp: ${label.expiryDate}` : null,
        label.serial ? `S/N: ${label.serial}` : null,
      ].filter((l): l is string => l !== null);
      for (const line of lines) {
        doc.text(line, tx, ty, { width: tw, height: 9, ellipsis: true, lineBreak: false });
        ty += 8.5;
      }
      doc.fontSize(5.5).text(label.cooperative, tx, Math.min(ty + 1, y + L.labelHeight - L.padding - 13), { width: tw, height: 14, ellipsis: true });
    });
    if (labels.length === 0) doc.addPage({ size: 'A4', margin: 0 });
    doc.end();
  });
}
