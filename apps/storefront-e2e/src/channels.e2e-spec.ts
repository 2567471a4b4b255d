import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';
import { API, CHROMIUM, CHROMIUM_ARGS, databaseUrl, POSTMART, WEB } from './support/platform';

const SHOTS = path.resolve(__dirname, '../../../test-output/screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };
/** The demo merchant the seed connects Thiên An with, and its secret (both known to apps/postmart-sim). */
const MERCHANT = 'HTX-THIENAN';
const SECRET = 'pm-demo-secret-thien-an-0123456789';
const PRODUCT = 'Lá tắm người Dao';

let browser: Browser;
let db: Client;
let token: string;
let connectionId: string;

async function manage<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${API}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Waits for background work (the sync queue) by asking again until `check` holds; gives up after `seconds`. */
async function eventually<T>(what: string, probe: () => Promise<T>, check: (v: T) => boolean, seconds = 60): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < seconds * 2; i++) {
    last = await probe();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not happen within ${seconds} s; last: ${JSON.stringify(last).slice(0, 500)}`);
}

interface ProductsAnswer {
  summary: Record<string, number>;
  items: { name: string; status: string; lastError: string | null }[];
}
const statusOf = (a: ProductsAnswer) => a.items.find((i) => i.name === PRODUCT)?.status;

async function shot(p: Page, name: string) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  db = new Client({ connectionString: databaseUrl() });
  await db.connect();
  const login = await fetch(`${API}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'thienan@htxso.test', password: process.env.DEMO_PASSWORD ?? 'demo1234' }),
  });
  token = ((await login.json()) as { accessToken: string }).accessToken;
  const postmart = (await manage<{ items: { id: string; channel: string }[] }>('GET', '/api/manage/channels')).items.find((c) => c.channel === 'postmart');
  if (!postmart) throw new Error('the seed connects Thiên An to Postmart');
  connectionId = postmart.id;
});
afterAll(async () => {
  await browser?.close();
  await db?.end();
});

describe('a manager watching the Postmart channel', () => {
  it('sees a product fail to sync with the reason, retries the failed job once the cause is fixed, and sees it in sync', async () => {
    const products = () => manage<ProductsAnswer>('GET', `/api/manage/channels/${connectionId}/products`);
    await eventually('the first sync', products, (a) => statusOf(a) === 'in_sync');
    // Postmart stops accepting our signature (a wrong secret), and a price change has to be pushed.
    await manage('PATCH', `/api/manage/channels/${connectionId}`, { secret: 'not-the-merchant-secret-0000' });
    await db.query(`UPDATE product_variants SET price_vnd = price_vnd + 1000, updated_at = now() WHERE sku = 'TA-LTD-200'`);
    await manage('POST', `/api/manage/channels/${connectionId}/sync`);
    await eventually('the listing push to fail', products, (a) => statusOf(a) === 'failed');

    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${WEB}/manage/login`);
    await page.fill('#email', 'thienan@htxso.test');
    await page.fill('#password', process.env.DEMO_PASSWORD ?? 'demo1234');
    await page.getByTestId('login').click();
    await page.waitForURL(`${WEB}/manage`);
    await page.getByRole('link', { name: 'Kênh bán' }).click();
    await page.waitForURL(`${WEB}/manage/channels`);
    const row = page.getByTestId('channel-product').filter({ hasText: PRODUCT });
    expect(await row.getByTestId('sync-status').first().innerText()).toBe('Lỗi');
    expect(await row.getByTestId('sync-error').innerText()).toMatch(/401/);
    const job = page.getByTestId('failed-job').filter({ hasText: 'Đăng sản phẩm' }).first();
    expect(await job.innerText()).toMatch(/401/);
    await shot(page, 'manage-channels-failed');

    // The manager puts the right secret back (as Postmart gave it) and retries the failed push from the page.
    await manage('PATCH', `/api/manage/channels/${connectionId}`, { secret: SECRET });
    await job.getByTestId('retry-job').click();
    await page.waitForURL(/retried=1/);
    await page.getByTestId('channel-notice').waitFor();
    await eventually('the retried push to land', products, (a) => statusOf(a) === 'in_sync');
    await page.reload();
    expect(await page.getByTestId('channel-product').filter({ hasText: PRODUCT }).getByTestId('sync-status').first().innerText()).toBe('Đã đồng bộ');
    const pushed = await db.query(`SELECT price_vnd::int AS price FROM product_variants WHERE sku = 'TA-LTD-200'`);
    const sim = (await (await fetch(`${POSTMART}/__sim/products?merchant_id=${MERCHANT}`)).json()) as { data: { merchant_sku: string; price: number }[] };
    // +10 % on the channel (the seeded price rule), in whole đồng.
    expect(sim.data.find((p) => p.merchant_sku === 'TA-LTD-200')?.price).toBe(Math.round((pushed.rows[0].price * 110) / 100));
    await context.close();
  });

  it('sees a Postmart order the cooperative cannot fill flagged, and closes it with a note', async () => {
    const placed = await fetch(`${POSTMART}/__sim/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchant_id: MERCHANT, items: [{ merchant_sku: 'TA-LTD-500', quantity: 900 }], force: true }),
    });
    expect(placed.status).toBe(201);
    const { data } = (await placed.json()) as { data: { order_code: string } };
    await eventually(
      'the order to be imported and flagged',
      async () => (await db.query('SELECT state FROM channel_orders WHERE external_code = $1', [data.order_code])).rows[0]?.state,
      (s) => s === 'flagged',
    );
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${WEB}/manage/login`);
    await page.fill('#email', 'thienan@htxso.test');
    await page.fill('#password', process.env.DEMO_PASSWORD ?? 'demo1234');
    await page.getByTestId('login').click();
    await page.waitForURL(`${WEB}/manage`);
    await page.goto(`${WEB}/manage/channels`);
    const flagged = page.getByTestId('flagged-order').filter({ hasText: data.order_code });
    expect(await flagged.innerText()).toMatch(/TA-LTD-500 ×900[\s\S]*Không đủ hàng/);
    await shot(page, 'manage-channels');
    await flagged.locator('input[name=note]').fill('Đã hủy trên Postmart, báo khách / cancelled on Postmart');
    await flagged.getByRole('button', { name: 'Đã xử lý trên sàn' }).click();
    await page.waitForURL(/dismissed=1/);
    expect(await page.getByTestId('flagged-order').filter({ hasText: data.order_code }).count()).toBe(0);
    const { rows } = await db.query('SELECT state FROM channel_orders WHERE external_code = $1', [data.order_code]);
    expect(rows).toEqual([{ state: 'dismissed' }]);
    await context.close();
  });

  it('sets up Postmart from the console: bad input refused by field, then connects, lists a product in a category and sees it in sync', async () => {
    // Postmart gives Nậm Tỵ (no connection in the seed) its own merchant id and secret; the simulator learns them here.
    const namtyMerchant = 'HTX-NAMTY';
    const namtySecret = 'pm-e2e-secret-nam-ty-0123456789';
    const registered = await fetch(`${POSTMART}/__sim/merchants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchant_id: namtyMerchant, secret: namtySecret, shop_name: 'HTX Nậm Tỵ', callback_url: `${API}/api/channels/postmart/webhook` }),
    });
    expect(registered.ok).toBe(true);

    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${WEB}/manage/login`);
    await page.fill('#email', 'namty@htxso.test');
    await page.fill('#password', process.env.DEMO_PASSWORD ?? 'demo1234');
    await page.getByTestId('login').click();
    await page.waitForURL(`${WEB}/manage`);
    await page.goto(`${WEB}/manage/channels`);
    const form = page.getByTestId('connect-form');
    await form.waitFor();
    await shot(page, 'manage-channels-connect');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.viewport.width);

    // A base URL that is not http(s): the API's message right under the field, and nothing is created.
    await page.fill('#cn-baseUrl', 'ftp://postmart.example');
    await page.fill('#cn-merchantId', namtyMerchant);
    await page.fill('#cn-secret', namtySecret);
    await page.getByTestId('connect').click();
    await page.locator('#cn-baseUrl-error').waitFor();
    expect(await page.locator('#cn-baseUrl-error').innerText()).toMatch(/baseUrl must be an http\(s\) URL/);
    expect(await page.locator('#cn-secret').inputValue()).toBe(''); // the secret is never sent back to the page
    // An empty secret: refused next to the secret field; the URL typed is kept.
    await page.fill('#cn-baseUrl', POSTMART);
    await page.getByTestId('connect').click();
    await page.locator('#cn-secret-error').waitFor();
    expect(await page.locator('#cn-secret-error').innerText()).toMatch(/secret must be at least 16 characters/);
    expect(await page.locator('#cn-baseUrl-error').count()).toBe(0);
    await shot(page, 'manage-channels-connect-refused');
    const { rows: none } = await db.query(`SELECT c.id FROM channel_connections c JOIN users u ON u.cooperative_id = c.cooperative_id WHERE u.email = 'namty@htxso.test'`);
    expect(none).toEqual([]);

    await page.fill('#cn-merchantId', namtyMerchant);
    await page.fill('#cn-secret', namtySecret);
    await page.fill('#cn-priceRulePercent', '5');
    await page.getByTestId('connect').click();
    await page.waitForURL(/connected=1/);
    const section = page.getByTestId('connection-postmart');
    expect(await section.innerText()).toContain(namtyMerchant);

    // The first product not yet listed: choose a Postmart category (each shows its commission) and list it.
    const row = page.getByTestId('unlisted-product').first();
    const name = await row.locator('strong').first().innerText();
    const skus = (await row.locator('span.muted').first().innerText()).split(', ');
    const select = row.locator('select[name=categoryId]');
    const tea = select.locator('option', { hasText: 'Trà - Cà phê' });
    expect(await tea.innerText()).toBe('Thực Phẩm › Trà - Cà phê (phí sàn 6%)');
    await select.selectOption({ value: await tea.getAttribute('value') ?? '' });
    await row.getByTestId('channel-listed').check();
    await row.getByTestId('save-listing').click();
    await page.waitForURL(/listing=1/);
    await page.getByTestId('sync-now').click();
    await page.waitForURL(/synced=1/);

    // The sync runs in the background queue: reload (bounded) until the page says the product is in sync.
    const listedRow = page.getByTestId('channel-product').filter({ hasText: name });
    let status = '';
    for (let i = 0; i < 60 && status !== 'Đã đồng bộ'; i++) {
      if (i > 0) {
        await new Promise((r) => setTimeout(r, 1000));
        await page.reload();
      }
      status = (await listedRow.getByTestId('sync-status').first().innerText()).trim();
    }
    expect(status).toBe('Đã đồng bộ');
    expect(await listedRow.innerText()).toContain('Trà - Cà phê (6%)');
    await shot(page, 'manage-channels-connected');
    // Nothing (e.g. a long category name in a select) makes the page wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.viewport.width);
    const sim = (await (await fetch(`${POSTMART}/__sim/products?merchant_id=${namtyMerchant}`)).json()) as { data: { merchant_sku: string; price: number }[] };
    expect(sim.data.map((p) => p.merchant_sku).sort()).toEqual([...skus].sort());
    const { rows: prices } = await db.query(`SELECT sku, price_vnd::int AS price FROM product_variants WHERE sku = ANY($1)`, [skus]);
    for (const p of prices) expect(sim.data.find((d) => d.merchant_sku === p.sku)?.price).toBe(Math.round((p.price * 105) / 100));

    // Editing the connection: the secret shows only its last characters; a new price rule is saved without retyping it.
    const settings = page.getByTestId('connection-settings');
    await settings.locator('summary').click();
    expect(await settings.innerText()).toContain(`${namtySecret.slice(-4)}`);
    expect(await settings.innerText()).not.toContain(namtySecret);
    await settings.locator('#ce-priceRulePercent').fill('10');
    await settings.getByTestId('save-connection').click();
    await page.waitForURL(/saved=1/);
    expect(await page.getByTestId('connection-postmart').innerText()).toMatch(/\+10%/);
    await context.close();
  }, 180_000);
});
