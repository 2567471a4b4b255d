import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, databaseUrl, WEB } from './support/platform';

const SHOTS = path.resolve(__dirname, '../../../test-output/screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

/** Thiên An's steam-leaf product: one variant and one lot with a trace history, used by no other browser test. */
const SLUG = 'la-xong-nguoi-dao';
const SKU = 'TA-LXD-300';
const LOT = 'LXD2510';

let browser: Browser;
let db: Client;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(p: Page, email = 'thienan@htxso.test') {
  await p.goto(`${WEB}/manage/login`);
  await p.fill('#email', email);
  await p.fill('#password', process.env.DEMO_PASSWORD ?? 'demo1234');
  await p.getByTestId('login').click();
  await p.waitForURL(`${WEB}/manage`);
}

const digits = (s: string) => s.replace(/\D/g, '');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  db = new Client({ connectionString: databaseUrl() });
  await db.connect();
});
afterAll(async () => {
  await browser?.close();
  await db?.end();
});

describe('a cooperative manager keeps products, stock and the trace log from a phone', () => {
  it('changes a price (the API’s message next to the field first) and the shop shows the new price', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    // The shopper has seen the old price: the shop's cached copy must not survive the manager's edit.
    const before = await db.query('SELECT price_vnd::int AS price FROM product_variants WHERE sku = $1', [SKU]);
    const oldPrice = before.rows[0].price as number;
    await page.goto(`${WEB}/san-pham/${SLUG}`);
    expect(digits(await page.locator('.price').first().innerText())).toBe(String(oldPrice));

    await signIn(page);
    await page.goto(`${WEB}/manage/products`);
    await shot(page, 'manage-products');
    await page.getByRole('link', { name: 'Lá xông người Dao' }).click();
    await page.waitForURL(/\/manage\/products\/[0-9a-f-]{36}$/);
    const form = page.getByTestId(`variant-${SKU}`);
    await form.locator('input[name=priceVnd]').fill('0');
    await form.getByTestId('save-variant').click();
    const priceError = page.locator(`[id="v-${SKU}-priceVnd-error"]`);
    await priceError.waitFor();
    expect(await priceError.innerText()).toMatch(/priceVnd must be more than 0/);
    expect(await page.locator(`[id="v-${SKU}-priceVnd"]`).getAttribute('aria-describedby')).toContain(`v-${SKU}-priceVnd-error`);
    expect((await db.query('SELECT price_vnd::int AS price FROM product_variants WHERE sku = $1', [SKU])).rows[0].price).toBe(oldPrice);
    await shot(page, 'manage-product-error');

    const newPrice = oldPrice + 7000;
    // Typed the way a Vietnamese manager writes money: dots between thousands.
    await page.getByTestId(`variant-${SKU}`).locator('input[name=priceVnd]').fill(new Intl.NumberFormat('vi-VN').format(newPrice));
    await page.getByTestId(`variant-${SKU}`).getByTestId('save-variant').click();
    await page.waitForURL(/variant=saved/);
    await page.getByTestId('saved').waitFor();
    await shot(page, 'manage-product');
    expect((await db.query('SELECT price_vnd::int AS price FROM product_variants WHERE sku = $1', [SKU])).rows[0].price).toBe(newPrice);

    await page.goto(`${WEB}/san-pham/${SLUG}`);
    expect(digits(await page.locator('.price').first().innerText())).toBe(String(newPrice));
    await context.close();
  });

  it('adds an OCOP certificate only with its stars, and creates a draft product with a variant', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${WEB}/manage/products/new`);
    const slug = `e2e-tra-${Date.now() % 1_000_000}`;
    await page.fill('#p-nameVi', 'Trà thử nghiệm');
    await page.fill('#p-slug', 'Trà Thử');
    await page.getByTestId('save-product').click();
    await page.locator('#p-slug-error').waitFor();
    expect(await page.locator('#p-slug-error').innerText()).toMatch(/slug must be lower-case/);
    expect(await page.inputValue('#p-nameVi')).toBe('Trà thử nghiệm');
    await page.fill('#p-slug', slug);
    await page.getByTestId('save-product').click();
    await page.waitForURL(/\/manage\/products\/[0-9a-f-]{36}\?created=1/);
    expect(await page.getByTestId('product-name').innerText()).toBe('Trà thử nghiệm');

    // A variant with a GTIN whose check digit is wrong is refused with GS1's reason next to the field.
    await page.locator('summary', { hasText: 'Thêm loại hàng' }).click();
    const nv = page.getByTestId('new-variant');
    await nv.locator('#nv-sku').fill(`E2E-${slug.slice(-6)}`);
    await nv.locator('#nv-gtin').fill('8938512009990');
    await nv.locator('#nv-nameVi').fill('Túi 50 g');
    await nv.locator('#nv-weightGrams').fill('50');
    await nv.locator('#nv-priceVnd').fill('39000');
    await nv.getByTestId('save-variant').click();
    await page.locator('#nv-gtin-error').waitFor();
    expect(await page.locator('#nv-gtin-error').innerText()).toMatch(/gtin/i);
    await page.locator('#nv-gtin').fill('8938512009995');
    await page.getByTestId('new-variant').getByTestId('save-variant').click();
    await page.waitForURL(/variant=saved/);
    const variant = await db.query('SELECT v.price_vnd::int AS price, v.gtin, p.status FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.slug = $1', [slug]);
    expect(variant.rows).toEqual([{ price: 39000, gtin: '08938512009995', status: 'draft' }]);

    await page.locator('summary', { hasText: 'Thêm chứng nhận' }).click();
    await page.selectOption('#c-kind', 'ocop');
    await page.fill('#c-name', 'OCOP 4 sao');
    await page.fill('#c-issuer', 'UBND tỉnh Thái Nguyên');
    await page.getByTestId('add-certificate').click();
    await page.locator('#c-stars-error').waitFor();
    expect(await page.locator('#c-stars-error').innerText()).toMatch(/OCOP/);
    await page.selectOption('#c-stars', '4');
    await page.getByTestId('add-certificate').click();
    await page.waitForURL(/certificate=added/);
    expect(await page.getByTestId('certificate').innerText()).toContain('★★★★');
    const certs = await db.query('SELECT c.kind, c.stars FROM product_certificates c JOIN products p ON p.id = c.product_id WHERE p.slug = $1', [slug]);
    expect(certs.rows).toEqual([{ kind: 'ocop', stars: 4 }]);
    await context.close();
  });

  it('adjusts a lot’s stock only with a reason, and the ledger records who and why', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page);
    const lot = await db.query('SELECT id, on_hand FROM inventory_lots WHERE lot_code = $1', [LOT]);
    const { id: lotId, on_hand: onHand } = lot.rows[0] as { id: string; on_hand: number };
    await page.goto(`${WEB}/manage/stock`);
    const row = page.getByTestId(`lot-${LOT}`);
    expect(Number(await row.getByTestId('lot-on-hand').innerText())).toBe(onHand);
    await row.locator('summary').click();
    await row.locator('input[name=delta]').fill('-2');
    await row.getByRole('button', { name: 'Điều chỉnh' }).click();
    const reasonError = page.locator(`[id="a-${LOT}-reason-error"]`);
    await reasonError.waitFor();
    expect(await reasonError.innerText()).toMatch(/reason must be 3 to 500 characters/);
    expect(await page.inputValue(`[id="a-${LOT}-delta"]`)).toBe('-2');
    await shot(page, 'manage-stock-error');
    await page.fill(`[id="a-${LOT}-reason"]`, 'Kiểm kê: 2 túi ẩm mốc / stock count: 2 damp bags');
    await page.getByTestId(`lot-${LOT}`).getByRole('button', { name: 'Điều chỉnh' }).click();
    await page.waitForURL(/adjusted=/);
    await page.getByTestId('adjusted').waitFor();
    expect(Number(await page.getByTestId(`lot-${LOT}`).getByTestId('lot-on-hand').innerText())).toBe(onHand - 2);
    await shot(page, 'manage-stock');
    const ledger = await db.query(
      `SELECT m.quantity, m.reason, u.email FROM inventory_movements m JOIN users u ON u.id = m.actor_id WHERE m.lot_id = $1 AND m.kind = 'adjustment' ORDER BY m.id DESC LIMIT 1`,
      [lotId],
    );
    expect(ledger.rows).toEqual([{ quantity: -2, reason: 'Kiểm kê: 2 túi ẩm mốc / stock count: 2 damp bags', email: 'thienan@htxso.test' }]);
    await context.close();
  });

  it('records drying and packing steps on a lot, and the public trace page’s timeline shows them', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page);
    const { rows } = await db.query('SELECT l.id, v.gtin FROM inventory_lots l JOIN product_variants v ON v.id = l.variant_id WHERE l.lot_code = $1', [LOT]);
    const { id: lotId, gtin } = rows[0] as { id: string; gtin: string };
    const tracePath = `/01/${gtin}/10/${LOT}`;
    const stepsBefore = await db.query('SELECT count(*)::int AS n FROM trace_chain WHERE lot_id = $1', [lotId]);

    await page.goto(`${WEB}/manage/lots/${lotId}`);
    const shown = await page.locator('[data-testid=events] li').count();
    expect(shown).toBe(stepsBefore.rows[0].n);
    await page.locator('summary', { hasText: 'Ghi sự kiện' }).click();
    // A harvest needs the plots it came from: the API says so, next to the plot list.
    await page.selectOption('#e-kind', 'harvest');
    await page.fill('#e-quantity', '12');
    await page.getByTestId('record-event').click();
    await page.locator('#e-plotIds-error').waitFor();
    expect(await page.locator('#e-plotIds-error').innerText()).toMatch(/plotIds/);
    await shot(page, 'manage-lot-event-error');

    // Drying: this lot in (fresh leaves, kg) and out (dried leaves); the API links input and output lots.
    await page.selectOption('#e-kind', 'drying');
    await page.fill('#e-inputQuantity', '10');
    await page.fill('#e-outputQuantity', '2,5');
    await page.getByTestId('record-event').click();
    await page.waitForURL(/recorded=1/);
    expect(await page.locator('[data-testid=events] li').last().innerText()).toMatch(/Sấy[\s\S]*10 kg[\s\S]*2.5 kg/);

    const note = `Đóng gói lại ${randomUUID().slice(0, 6)}`;
    // The form stays open after a recorded step.
    await page.selectOption('#e-kind', 'packing');
    await page.fill('#e-quantity', '40');
    await page.fill('#e-note', note);
    await page.getByTestId('record-event').click();
    // Same address as after the drying step: wait for the new step itself.
    await page.locator('[data-testid=events] li', { hasText: note }).waitFor();
    await page.getByTestId('recorded').waitFor();
    expect(await page.locator('[data-testid=events] li').count()).toBe(shown + 2);
    expect(await page.locator('[data-testid=events] li').last().innerText()).toContain(note);
    await shot(page, 'manage-lot-events');
    const chain = await db.query('SELECT count(*)::int AS n FROM trace_chain WHERE lot_id = $1', [lotId]);
    expect(chain.rows[0].n).toBe(stepsBefore.rows[0].n + 2);

    // A shopper scanning the pack (a fresh phone, nothing cached) sees the step on the lot's timeline.
    const shopper = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const p = await shopper.newPage();
    await p.goto(`${WEB}${tracePath}`);
    const timeline = p.locator('[data-testid=timeline] li');
    expect(await timeline.count()).toBe(shown + 2);
    expect(await timeline.nth(shown).innerText()).toMatch(/sấy/);
    expect(await timeline.last().innerText()).toMatch(new RegExp(`Đóng gói[\\s\\S]*${note}`));
    await shopper.close();
    await context.close();
  });

  it('imports a bank statement, sees the unmatched transfer flagged, and resolves it', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${WEB}/manage/payments`);
    // A statement with a broken amount is refused whole, with the line named.
    const ref = `FT${Date.now()}`;
    await page.setInputFiles('#s-file', { name: 'saoke.csv', mimeType: 'text/csv', buffer: Buffer.from(`ma_gd,so_tien,noi_dung,ngay\n${ref},mười nghìn,chuyen khoan,20/11/2026\n`) });
    await page.getByTestId('import-statement').click();
    await page.locator('#s-file-error').waitFor();
    expect(await page.locator('#s-file-error').innerText()).toMatch(/line 2/);
    expect((await db.query('SELECT count(*)::int AS n FROM bank_transactions WHERE bank_ref = $1', [ref])).rows[0].n).toBe(0);

    await page.setInputFiles('#s-file', { name: 'saoke.csv', mimeType: 'text/csv', buffer: Buffer.from(`ma_gd,so_tien,noi_dung,ngay\n${ref},150000,chuyen khoan ung ho,20/11/2026\n`) });
    await page.getByTestId('import-statement').click();
    await page.getByTestId('statement-result').waitFor();
    expect(await page.getByTestId('statement-result').innerText()).toMatch(/1 dòng[\s\S]*1 không rõ đơn/);
    await page.reload();
    const flagged = page.getByTestId('mismatch').filter({ hasText: ref });
    expect(await flagged.count()).toBe(1);
    expect(await flagged.innerText()).toMatch(/Không rõ đơn hàng[\s\S]*150\.000/);
    await shot(page, 'manage-payments');
    await flagged.locator('input[name=note]').fill('Khách chuyển nhầm, đã hoàn lại / refunded a mistaken transfer');
    await flagged.getByRole('button', { name: 'Đã xử lý' }).click();
    await page.waitForURL(/resolved=1/);
    expect(await page.getByTestId('mismatch').filter({ hasText: ref }).count()).toBe(0);
    const resolved = await db.query('SELECT resolution FROM bank_transactions WHERE bank_ref = $1', [ref]);
    expect(resolved.rows).toEqual([{ resolution: 'Khách chuyển nhầm, đã hoàn lại / refunded a mistaken transfer' }]);
    await context.close();
  });

  it('switches the console to English with the shop’s language link', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${WEB}/manage/stock`);
    expect(await page.locator('h1').innerText()).toBe('Tồn kho theo lô');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${WEB}/manage/stock`);
    expect(await page.locator('h1').innerText()).toBe('Stock by lot');
    expect(await page.locator('.manage-nav').innerText()).toMatch(/Products[\s\S]*Stock[\s\S]*Lots[\s\S]*Reconciliation/);
    await page.goto(`${WEB}/manage/products`);
    expect(await page.locator('h1').innerText()).toBe('Products');
    await shot(page, 'manage-products-en');
    await context.close();
  });
});
