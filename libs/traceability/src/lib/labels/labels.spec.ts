import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { formatDateVn, LABEL_LAYOUT, labelOrigin, labelSheetPdf, qrPng, qrSvg } from './labels';

const DPI = 150;

/** Renders every page with pdftoppm (poppler-utils) and decodes the QR code of each label cell. */
function decodeLabels(pdf: Buffer, count: number): Array<string | null> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labels-'));
  try {
    writeFileSync(path.join(dir, 'sheet.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(DPI), '-png', path.join(dir, 'sheet.pdf'), path.join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('page')).sort().map((f) => PNG.sync.read(readFileSync(path.join(dir, f))));
    const k = DPI / 72;
    return Array.from({ length: count }, (_, n) => {
      const { page, x, y } = labelOrigin(n);
      const png = pages[page];
      const w = Math.floor(LABEL_LAYOUT.labelWidth * k);
      const h = Math.floor(LABEL_LAYOUT.labelHeight * k);
      const x0 = Math.floor(x * k);
      const y0 = Math.floor(y * k);
      const cell = new Uint8ClampedArray(w * h * 4);
      for (let r = 0; r < h; r++) {
        const from = ((y0 + r) * png.width + x0) * 4;
        cell.set(png.data.subarray(from, from + w * 4), r * w * 4);
      }
      return jsQR(cell, w, h)?.data ?? null;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('labels', () => {
  it('makes QR codes as SVG and PNG that decode to the Digital Link', async () => {
    const uri = 'https://htxso.vn/01/08930000123459/10/L-2025.01';
    expect(await qrSvg(uri)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const png = PNG.sync.read(await qrPng(uri));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(uri);
  });

  it('prints an A4 sheet whose every label carries a decodable QR code, over several pages', async () => {
    const labels = Array.from({ length: 27 }, (_, i) => ({
      uri: `https://htxso.vn/01/08930000123459/10/L1/21/S${i}`,
      productName: 'Trà giảo cổ lam <b>Thiên An</b> & “đặc biệt”',
      lotCode: 'L1',
      harvestDate: formatDateVn('2025-10-01'),
      expiryDate: formatDateVn('2026-10-01'),
      cooperative: 'Hợp tác xã Thiên An',
      serial: `S${i}`,
    }));
    const pdf = await labelSheetPdf(labels, 'test');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(decodeLabels(pdf, 27)).toEqual(labels.map((l) => l.uri));
    expect(formatDateVn('2025-01-09')).toBe('09/01/2025');
    // Markup in a product name is printed as the literal characters, and Vietnamese text survives (embedded font).
    const dir = mkdtempSync(path.join(tmpdir(), 'labels-text-'));
    try {
      writeFileSync(path.join(dir, 's.pdf'), pdf);
      const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', path.join(dir, 's.pdf'), '-'], { encoding: 'utf8' });
      expect(text).toContain('<b>');
      expect(text).toContain('Thu hoạch: 01/10/2025');
      expect(text).toContain('HSD/Exp: 01/10/2026');
      expect(text).not.toMatch(/\d…/);
      expect(text).toContain('Hợp tác xã Thiên An');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
