import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { API, CHROMIUM, CHROMIUM_ARGS, databaseUrl, WEB } from './support/platform';

const SHOTS = path.resolve(__dirname, '../../../test-output/screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

let browser: Browser;
let context: BrowserContext;
let page: Page;
let db: Client;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

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
beforeEach(async () => {
  context = await browser.newContext(PHONE);
  page = await context.newPage();
});
afterEach(async () => {
  await context.close();
});

describe('a shopper on a phone', () => {
  it('finds a product typed without diacritics, buys it cash on delivery, and tracks the order', async () => {
    await page.goto(`${WEB}/`);
    await page.fill('input[name=q]', 'tra giao co lam');
    await page.press('input[name=q]', 'Enter');
    await page.waitForURL(/\/san-pham\?q=/);
    await shot(page, 'search');
    await page.getByRole('link', { name: /Trà giảo cổ lam/ }).first().click();
    await page.waitForURL(/\/san-pham\/tra-giao-co-lam/);
    await shot(page, 'product');
    await page.getByRole('button', { name: 'Thêm vào giỏ' }).first().click();
    await page.waitForURL(/\/gio-hang/);
    await page.getByTestId('cart-line').first().waitFor();
    expect(await page.getByTestId('cart-line').count()).toBe(1);

    await page.reload();
    expect(await page.getByTestId('cart-line').count()).toBe(1);
    const subtotal = await page.getByTestId('subtotal').innerText();
    expect(subtotal.replace(/\s/g, ' ')).toBe('85.000 ₫');
    await shot(page, 'cart');

    await page.getByRole('link', { name: 'Đặt hàng' }).click();
    await page.waitForURL(/\/thanh-toan/);
    await page.fill('#name', 'Nguyễn Thị Hoa');
    await page.fill('#phone', '0912 345 678');
    await page.selectOption('#province', '19');
    await page.waitForSelector('#commune option[value="01969"]', { state: 'attached' });
    await page.selectOption('#commune', '01969');
    await page.fill('#line', 'Thôn Nà Lẹng');
    await shot(page, 'checkout');
    await page.getByTestId('place-order').click();
    await page.waitForURL(/\/don-hang\//);
    await shot(page, 'confirmation');
    const code = (await page.getByTestId('order-code').innerText()).trim();
    expect(code).toMatch(/^[A-Z]+-\d{6}-\d{4}$/);
    expect(await page.getByTestId('order-status').innerText()).toBe('Đã xác nhận');
    expect(await page.getByTestId('placed').innerText()).toContain(code);

    // The order exists once, for the right phone, with the server's prices.
    const { rows } = await db.query('SELECT status, customer_phone, subtotal_vnd FROM orders WHERE code = $1', [code]);
    expect(rows).toEqual([{ status: 'confirmed', customer_phone: '0912345678', subtotal_vnd: '85000' }]);

    // Tracking from another device: code + phone.
    const other = await browser.newContext(PHONE);
    const p2 = await other.newPage();
    await p2.goto(`${WEB}/don-hang`);
    await p2.fill('#code', code.toLowerCase());
    await p2.fill('#phone', '+84912345678');
    await p2.getByRole('button', { name: 'Tra cứu' }).click();
    await p2.waitForURL(new RegExp(`/don-hang/${code}`));
    expect(await p2.getByTestId('order-status').innerText()).toBe('Đã xác nhận');
    // …and with the wrong phone it reveals nothing.
    await p2.goto(`${WEB}/don-hang`);
    await p2.fill('#code', code);
    await p2.fill('#phone', '0987654321');
    await p2.getByRole('button', { name: 'Tra cứu' }).click();
    await p2.waitForURL(new RegExp(`/don-hang/${code}`));
    expect(await p2.locator('.alert').innerText()).toMatch(/Không tìm thấy|not found/i);
    expect(await p2.getByTestId('order-status').count()).toBe(0);
    await other.close();
  });

  it('sees the API’s validation message next to the field it is about, and nothing is ordered', async () => {
    await page.goto(`${WEB}/san-pham/tinh-bot-nghe`);
    await page.getByRole('button', { name: 'Thêm vào giỏ' }).first().click();
    await page.waitForURL(/\/gio-hang/);
    await page.goto(`${WEB}/thanh-toan`);
    await page.fill('#name', 'Lò Văn Tú');
    await page.fill('#phone', '12345');
    await page.selectOption('#province', '19');
    await page.waitForSelector('#commune option[value="01969"]', { state: 'attached' });
    await page.selectOption('#commune', '01969');
    await page.fill('#line', 'Bản Pác Nặm');
    const before = await db.query('SELECT count(*)::int AS n FROM orders');
    await page.getByTestId('place-order').click();
    await page.waitForSelector('[data-testid=checkout-error]');
    expect(await page.locator('#phone-error').innerText()).toMatch(/phone|điện thoại/i);
    // What the shopper typed is still there, including the chosen province and commune.
    expect(await page.inputValue('#name')).toBe('Lò Văn Tú');
    await page.waitForSelector('#commune option[value="01969"]', { state: 'attached' });
    expect(await page.inputValue('#province')).toBe('19');
    expect(await page.inputValue('#commune')).toBe('01969');
    await shot(page, 'checkout-error');
    const after = await db.query('SELECT count(*)::int AS n FROM orders');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});

describe('the QR trace page', () => {
  async function seededLot(): Promise<{ gtin: string; lot: string; id: string; productNameVi: string }> {
    const { rows } = await db.query(
      `SELECT v.gtin, l.lot_code AS lot, l.id, p.name_vi AS "productNameVi" FROM inventory_lots l
         JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
        WHERE l.recalled_at IS NULL AND EXISTS (SELECT 1 FROM trace_chain c WHERE c.lot_id = l.id)
        ORDER BY l.lot_code LIMIT 1`,
    );
    return rows[0];
  }

  it('shows the lot’s story as plain HTML that needs no JavaScript', async () => {
    const lot = await seededLot();
    const noJs = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const p = await noJs.newPage();
    const res = await p.goto(`${WEB}/01/${lot.gtin}/10/${encodeURIComponent(lot.lot)}`);
    expect(res?.status()).toBe(200);
    expect(await p.locator('h1').innerText()).toContain(lot.productNameVi);
    expect(await p.getByTestId('lot-code').innerText()).toContain(lot.lot);
    expect(await p.locator('[data-testid=timeline] li').count()).toBeGreaterThanOrEqual(2);
    expect(await p.getByTestId('chain').innerText()).toMatch(/xác minh/);
    expect(await p.locator('script').count()).toBe(0);
    await shot(p, 'trace');
    await noJs.close();
  });

  it('warns every scanner once the manager recalls the lot', async () => {
    const lot = await seededLot();
    const login = await fetch(`${API}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@htxso.test', password: process.env.DEMO_PASSWORD ?? 'demo1234' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const recall = await fetch(`${API}/api/manage/lots/${lot.id}/recall`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ reason: 'Phát hiện độ ẩm vượt ngưỡng / Moisture above limit' }),
    });
    expect(recall.status).toBeLessThan(300);
    await page.goto(`${WEB}/01/${lot.gtin}/10/${encodeURIComponent(lot.lot)}`);
    expect(await page.getByTestId('recall-banner').innerText()).toMatch(/THU HỒI[\s\S]*độ ẩm/);
    await shot(page, 'trace-recalled');
  });

  it('answers an unknown lot with a helpful 404 page', async () => {
    const res = await page.goto(`${WEB}/01/08938512000015/10/NO-SUCH-LOT`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toMatch(/Không tìm thấy/);
  });
});
