import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, databaseUrl, VNPAY, WEB } from './support/platform';

const SHOTS = path.resolve(__dirname, '../../../test-output/screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };

let browser: Browser;
let context: BrowserContext;
let page: Page;
let db: Client;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Cart → checkout with VNPay → the simulator's payment page (VNPAY_HOST points at apps/vnpay-sim). */
async function checkoutWithVnpay(slug: string): Promise<void> {
  await page.goto(`${WEB}/san-pham/${slug}`);
  await page.getByRole('button', { name: 'Thêm vào giỏ' }).first().click();
  await page.waitForURL(/\/gio-hang/);
  await page.goto(`${WEB}/thanh-toan`);
  await page.fill('#name', 'Hoàng Văn Sơn');
  await page.fill('#phone', '0977 111 222');
  await page.selectOption('#province', '19');
  await page.waitForSelector('#commune option[value="01969"]', { state: 'attached' });
  await page.selectOption('#commune', '01969');
  await page.fill('#line', 'Thôn Bản Cáu');
  await page.check('input[name=paymentMethod][value=vnpay]');
  await page.getByTestId('place-order').click();
  await page.waitForURL((u) => u.toString().startsWith(`${VNPAY}/paymentv2/vpcpay.html`));
}

async function orderStatus(code: string): Promise<string> {
  const { rows } = await db.query('SELECT status FROM orders WHERE code = $1', [code]);
  return rows[0]?.status;
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

describe('a shopper paying with VNPay', () => {
  it('pays through the simulator and lands on the shop’s paid confirmation with the order code', async () => {
    await checkoutWithVnpay('nghe-den-kho');
    await shot(page, 'vnpay-simulator');
    await page.getByRole('button', { name: /Thanh toán thành công/ }).click();
    // VNPay's server call (IPN) reaches the API before the shopper is sent back, as with the real gateway.
    await page.waitForURL(/\/thanh-toan\/vnpay\?.*vnp_SecureHash=/);
    const result = page.getByTestId('vnpay-result');
    expect(await result.getAttribute('data-outcome')).toBe('paid');
    expect(await page.locator('h1').innerText()).toBe('Thanh toán thành công');
    const code = (await page.getByTestId('vnpay-order-code').innerText()).trim();
    expect(code).toMatch(/^[A-Z]+-\d{6}-\d{4}$/);
    expect(await page.getByTestId('vnpay-order-status').innerText()).toBe('Đã thanh toán');
    const { rows } = await db.query('SELECT total_vnd::int AS total FROM orders WHERE code = $1', [code]);
    expect((await page.getByTestId('vnpay-amount').innerText()).replace(/\D/g, '')).toBe(String(rows[0].total));
    expect(await orderStatus(code)).toBe('paid');
    await shot(page, 'vnpay-paid');

    // Same page in English, through the shop's language link.
    const paidUrl = page.url();
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(paidUrl);
    expect(await page.locator('h1').innerText()).toBe('Payment received');
    await shot(page, 'vnpay-paid-en');

    // A return whose parameters were altered (a smaller amount) fails the signature check: nothing is claimed.
    const forged = new URL(paidUrl);
    forged.searchParams.set('vnp_Amount', '100000');
    await page.goto(forged.toString());
    expect(await page.getByTestId('vnpay-result').getAttribute('data-outcome')).toBe('unverified');
    expect(await page.getByTestId('vnpay-order-code').count()).toBe(0);
    expect(await orderStatus(code)).toBe('paid');
  });

  it('cancels at VNPay and is told nothing was paid; the order is cancelled', async () => {
    await checkoutWithVnpay('tra-giao-co-lam-tui-loc');
    await page.getByRole('button', { name: /Hủy/ }).click();
    await page.waitForURL(/\/thanh-toan\/vnpay\?/);
    expect(await page.getByTestId('vnpay-result').getAttribute('data-outcome')).toBe('failed');
    expect(await page.locator('h1').innerText()).toBe('Thanh toán chưa thành công');
    const code = (await page.getByTestId('vnpay-order-code').innerText()).trim();
    // VNPay's failure notice (IPN) settles it: the order is cancelled, which the page shows too.
    expect(await orderStatus(code)).toBe('cancelled');
    expect(await page.getByTestId('vnpay-order-status').innerText()).toBe('Đã hủy');
    await shot(page, 'vnpay-failed');
  });

  it('comes back before VNPay’s server call and is told the payment is being confirmed, not that it is paid', async () => {
    await checkoutWithVnpay('tinh-bot-nghe');
    // The simulator's knob: pay at once but hold back the IPN, as when VNPay's call to us is slow or lost.
    await page.goto(`${page.url()}&sim_outcome=success&sim_ipn=drop`);
    await page.waitForURL(/\/thanh-toan\/vnpay\?/);
    expect(await page.getByTestId('vnpay-result').getAttribute('data-outcome')).toBe('pending');
    expect(await page.locator('h1').innerText()).toBe('Đang xác nhận thanh toán');
    const code = (await page.getByTestId('vnpay-order-code').innerText()).trim();
    // Only VNPay's signed server call marks an order paid; the shopper's return never does.
    expect(await orderStatus(code)).toBe('awaiting_payment');
    expect(await page.getByTestId('vnpay-order-status').innerText()).toBe('Chờ thanh toán');
    // Without script, the page looks again by itself.
    expect(await page.locator('meta[http-equiv=refresh]').getAttribute('content')).toMatch(/^5;url=\/thanh-toan\/vnpay\?.*vnp_SecureHash=.*&r=1$/);
    await shot(page, 'vnpay-pending');
  });
});
