import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';
import { API, CHROMIUM, CHROMIUM_ARGS, databaseUrl, WEB } from './support/platform';

const SHOTS = path.resolve(__dirname, '../../../test-output/screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

let browser: Browser;
let db: Client;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(p: Page, email: string, password = 'demo1234') {
  await p.goto(`${WEB}/manage/login`);
  await p.fill('#email', email);
  await p.fill('#password', password);
  await p.getByTestId('login').click();
}

/** A cash-on-delivery order for Thiên An's tea, placed through the public API as a shopper would. */
async function placeCodOrder(): Promise<{ id: string; code: string }> {
  const product = (await (await fetch(`${API}/api/products/tra-giao-co-lam`)).json()) as { variants: { id: string }[] };
  const res = await fetch(`${API}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      items: [{ variantId: product.variants[0].id, quantity: 2 }],
      customer: { name: 'Phạm Thị Mai', phone: '0912 888 777' },
      shippingAddress: { provinceCode: '19', communeCode: '01969', line: 'Thôn Khuổi Nặm' },
      paymentMethod: 'cod',
    }),
  });
  expect(res.status).toBeLessThan(300);
  const answer = (await res.json()) as { orders: { code: string }[] };
  const code = answer.orders[0].code;
  const { rows } = await db.query('SELECT id, status FROM orders WHERE code = $1', [code]);
  expect(rows[0].status).toBe('confirmed');
  return { id: rows[0].id, code };
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

describe('a cooperative manager on a phone', () => {
  it('is sent to the login page without a token and sees the API’s message on a wrong password', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${WEB}/manage/orders`);
    await page.waitForURL(/\/manage\/login/);
    await signIn(page, 'thienan@htxso.test', 'wrong-password');
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').innerText()).toMatch(/Sai e-mail hoặc mật khẩu/);
    expect(await page.inputValue('#email')).toBe('thienan@htxso.test');
    // A forged token is refused by the API: the cookie is cleared and the manager lands on the login page.
    await context.addCookies([{ name: 'htx_manage', value: 'aaa.bbb.ccc', domain: '127.0.0.1', path: '/manage', httpOnly: true, sameSite: 'Lax' }]);
    await page.goto(`${WEB}/manage/orders`);
    await page.waitForURL(/\/manage\/login/);
    expect((await context.cookies(`${WEB}/manage`)).find((c) => c.name === 'htx_manage')).toBeUndefined();
    await context.close();
  });

  it('logs in, packs and ships a confirmed order with the buttons, prints its slip and downloads a label sheet', async () => {
    const order = await placeCodOrder();
    const manager = await db.query("SELECT id FROM users WHERE email = 'thienan@htxso.test'");
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page, 'thienan@htxso.test');
    await page.waitForURL(`${WEB}/manage`);
    const cookie = (await context.cookies(`${WEB}/manage`)).find((c) => c.name === 'htx_manage');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/manage' });
    expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 3600);
    await page.locator('.chart svg rect').first().waitFor({ state: 'attached' });
    await shot(page, 'manage-dashboard');

    await page.goto(`${WEB}/manage/orders`);
    await page.selectOption('select[name=status]', 'confirmed');
    await page.fill('input[name=q]', order.code);
    await page.getByRole('button', { name: /Lọc/ }).click();
    await page.waitForURL(/status=confirmed/);
    expect(await page.getByTestId('order-row').count()).toBe(1);
    await shot(page, 'manage-orders');
    await page.getByRole('link', { name: order.code }).click();
    await page.waitForURL(`${WEB}/manage/orders/${order.id}`);
    expect(await page.getByTestId('order-status').innerText()).toBe('Đã xác nhận');
    expect(await page.getByTestId('to-shipped').count()).toBe(0);

    await page.getByTestId('to-packed').click();
    await page.waitForURL(/moved=packed/);
    expect(await page.getByTestId('order-status').innerText()).toBe('Đã đóng gói');
    await page.fill('input[name=note]', 'Giao Viettel Post');
    await page.getByTestId('to-shipped').click();
    await page.waitForURL(/moved=shipped/);
    expect(await page.getByTestId('order-status').innerText()).toBe('Đang giao');
    await shot(page, 'manage-order');

    const { rows } = await db.query('SELECT status FROM orders WHERE id = $1', [order.id]);
    expect(rows[0].status).toBe('shipped');
    const audit = await db.query('SELECT from_status, to_status, actor_user_id, note FROM order_transitions WHERE order_id = $1 AND actor_user_id IS NOT NULL ORDER BY id', [order.id]);
    expect(audit.rows).toEqual([
      { from_status: 'confirmed', to_status: 'packed', actor_user_id: manager.rows[0].id, note: null },
      { from_status: 'packed', to_status: 'shipped', actor_user_id: manager.rows[0].id, note: 'Giao Viettel Post' },
    ]);

    await page.goto(`${WEB}/manage/orders/${order.id}/slip`);
    expect(await page.getByTestId('slip-code').innerText()).toBe(order.code);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    await shot(page, 'manage-slip');
    await page.emulateMedia({ media: 'screen' });

    // The lot the order was packed from: its label sheet comes through the console with the cookie's token.
    const lot = await db.query('SELECT lot_id FROM inventory_allocations WHERE order_id = $1 LIMIT 1', [order.id]);
    await page.goto(`${WEB}/manage/lots`);
    await shot(page, 'manage-lots');
    const pdf = await page.request.get(`${WEB}/manage/lots/${lot.rows[0].lot_id}/labels?count=3`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 4).toString('latin1')).toBe('%PDF');
    await context.close();
  });

  it('cannot see another cooperative’s order', async () => {
    const order = await placeCodOrder();
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page, 'namty@htxso.test');
    await page.waitForURL(`${WEB}/manage`);
    const res = await page.goto(`${WEB}/manage/orders/${order.id}`);
    expect(res?.status()).toBe(404);
    expect(await page.getByTestId('order-code').count()).toBe(0);
    expect(await page.content()).not.toContain(order.code);
    await page.goto(`${WEB}/manage/orders?q=${order.code}`);
    expect(await page.getByTestId('order-row').count()).toBe(0);
    await context.close();
  });

  it('receives a lot with the API’s messages next to the fields, then recalls it', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page, 'thienan@htxso.test');
    await page.waitForURL(`${WEB}/manage`);
    await page.goto(`${WEB}/manage/lots`);
    await page.selectOption('#variantId', { index: 1 });
    await page.fill('#lotCode', 'lô xấu!');
    await page.fill('#quantity', '0');
    await page.getByRole('button', { name: /Nhập kho/ }).click();
    await page.locator('#lotCode-error').waitFor();
    expect(await page.locator('#lotCode-error').innerText()).toMatch(/lotCode/);
    expect(await page.locator('#quantity-error').innerText()).toMatch(/at least 1/);
    const lotCode = `E2E${Date.now() % 1_000_000}`;
    await page.fill('#lotCode', lotCode);
    await page.fill('#quantity', '30');
    await page.getByRole('button', { name: /Nhập kho/ }).click();
    await page.waitForURL(/\/manage\/lots\/[0-9a-f-]{36}\?received=1/);
    expect(await page.locator('h1').innerText()).toBe(`Lô ${lotCode}`);

    await page.fill('#reason', 'nấm');
    await page.getByTestId('recall').click();
    await page.locator('#reason-error').waitFor();
    expect(await page.locator('#reason-error').innerText()).toMatch(/reason/);
    await page.fill('#reason', 'Phát hiện nấm mốc trong mẫu lưu / mould in retained sample');
    await page.getByTestId('recall').click();
    await page.getByTestId('recalled').waitFor();
    expect(await page.getByTestId('recalled').innerText()).toContain('nấm mốc');
    const { rows } = await db.query('SELECT recalled_at IS NOT NULL AS recalled FROM inventory_lots WHERE lot_code = $1', [lotCode]);
    expect(rows).toEqual([{ recalled: true }]);
    await shot(page, 'manage-lot-recalled');
    await context.close();
  });
});
