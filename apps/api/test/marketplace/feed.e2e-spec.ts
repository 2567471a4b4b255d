import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { gtin13, isValidGtin } from '@htx/shared';
import { startTestApp, TestApp } from '../support/test-app';
import { cart, createVariant, daysFromNow, key, receiveLot } from '../orders/orders-fixtures';

const BASE = 'https://cho.htxso.test';
const REQUIRED = ['g:id', 'g:title', 'g:description', 'g:link', 'g:image_link', 'g:availability', 'g:price', 'g:brand', 'g:gtin', 'g:condition'] as const;

type FeedItem = Record<string, string>;
interface ParsedFeed {
  namespace: string;
  title: string;
  items: FeedItem[];
}

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'item' || name === 'g:additional_image_link' });

/** Parses the feed with a real XML parser after checking it is well-formed. */
function parseFeed(xml: string): ParsedFeed {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`feed is not well-formed XML: ${JSON.stringify(valid)}`);
  const doc = parser.parse(xml);
  return { namespace: doc.rss['@_xmlns:g'], title: doc.rss.channel.title, items: doc.rss.channel.item ?? [] };
}

describe('marketplace: Google Merchant feed GET /api/feeds/:cooperative/google.xml', () => {
  let t: TestApp;
  let thienAn: string;

  const fetchFeed = async (slug = 'thien-an') => {
    const res = await t.http.get(`/api/feeds/${slug}/google.xml`).buffer(true).parse((r, cb) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => cb(null, body));
    });
    return res;
  };
  const feed = async (slug = 'thien-an') => {
    const res = await fetchFeed(slug);
    expect(res.status).toBe(200);
    return { res, feed: parseFeed(res.body as string) };
  };

  /** What the public catalog API offers of a cooperative: sku → price, GTIN and availability. */
  const catalog = async (coop: string) => {
    const list = await t.http.get('/api/products').query({ cooperative: coop, pageSize: 100 }).expect(200);
    const out = new Map<string, { priceVnd: number; gtin: string; available: number; slug: string; brand: string }>();
    for (const p of list.body.items as Array<{ slug: string }>) {
      const detail = await t.http.get(`/api/products/${p.slug}`).expect(200);
      for (const v of detail.body.variants) out.set(v.sku, { priceVnd: v.priceVnd, gtin: v.gtin, available: v.available, slug: p.slug, brand: detail.body.brand });
    }
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp({ seed: true, env: { PUBLIC_BASE_URL: BASE } });
    thienAn = await t.login('thienan@htxso.test');
  });
  afterAll(() => t.close());

  it('serves well-formed RSS 2.0 with the g: namespace, caching headers and every required attribute on every item', async () => {
    const { res, feed: f } = await feed();
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(f.namespace).toBe('http://base.google.com/ns/1.0');
    expect(f.title).toMatch(/Thiên An/);
    expect(f.items.length).toBeGreaterThanOrEqual(5);
    for (const item of f.items) {
      for (const attr of REQUIRED) expect({ id: item['g:id'], attr, value: String(item[attr] ?? '').trim() }).toEqual(expect.objectContaining({ value: expect.stringMatching(/\S/) }));
      expect(item['g:availability']).toBe('in_stock');
      expect(item['g:condition']).toBe('new');
      expect(item['g:price']).toMatch(/^[1-9]\d* VND$/);
      expect(item['g:link']).toMatch(new RegExp(`^${BASE}/san-pham/[a-z0-9-]+$`));
      expect(item['g:image_link']).toMatch(new RegExp(`^${BASE}/images/`));
      expect(isValidGtin(item['g:gtin'])).toBe(true);
      expect(item['g:gtin']).toMatch(/^893\d{10}$/); // the seed's GTIN-14s have a leading 0: sent as EAN-13, Vietnam's GS1 prefix 893
    }
    expect(new Set(f.items.map((i) => i['g:id'])).size).toBe(f.items.length);
    const again = await t.http.get('/api/feeds/thien-an/google.xml').set('if-none-match', res.headers['etag']).expect(304);
    expect(again.text ?? '').toBe('');
  });

  it('lists exactly the in-stock variants the catalog sells, at the catalog’s prices, and nothing of another cooperative', async () => {
    const { feed: f } = await feed();
    const offered = await catalog('thien-an');
    const inStock = [...offered].filter(([, v]) => v.available > 0).map(([sku]) => sku).sort();
    expect(f.items.map((i) => i['g:id']).sort()).toEqual(inStock);
    for (const item of f.items) {
      const c = offered.get(item['g:id'])!;
      expect(item['g:price']).toBe(`${c.priceVnd} VND`);
      expect(`0${item['g:gtin']}`).toBe(c.gtin);
      expect(item['g:link']).toBe(`${BASE}/san-pham/${c.slug}`);
      expect(item['g:brand']).toBe(c.brand || 'Thiên An');
    }
    const namTy = await catalog('nam-ty');
    const other = (await feed('nam-ty')).feed;
    expect(other.items.length).toBeGreaterThan(0);
    for (const item of other.items) expect(offered.has(item['g:id'])).toBe(false);
    expect(other.items.map((i) => i['g:id']).sort()).toEqual([...namTy].filter(([, v]) => v.available > 0).map(([sku]) => sku).sort());
  });

  it('drops a variant once it is sold out, and changes the ETag', async () => {
    const variantId = await createVariant(t, thienAn, 87000, 'Mật ong bạc hà');
    await receiveLot(t, thienAn, variantId, 3, daysFromNow(200));
    const [{ sku, productId }] = await t.sql<{ sku: string; productId: string }>(`SELECT sku, product_id AS "productId" FROM product_variants WHERE id = $1`, [variantId]);
    // Google refuses items without an image: the feed lists only products that have one.
    expect((await feed()).feed.items.find((i) => i['g:id'] === sku)).toBeUndefined();
    await t.http.patch(`/api/manage/products/${productId}`).set('authorization', `Bearer ${thienAn}`).send({ imageUrls: ['/images/products/mat-ong.svg'] }).expect(200);
    const before = await feed();
    const listed = before.feed.items.find((i) => i['g:id'] === sku);
    expect(listed).toMatchObject({ 'g:price': '87000 VND', 'g:availability': 'in_stock' });

    // A shopper buys the last three packs (cash on delivery: the stock is allocated at once).
    const order = await t.http.post('/api/orders').set('idempotency-key', key()).send(cart([{ variantId, quantity: 3 }]));
    expect(order.status).toBe(201);
    const after = await feed();
    expect(after.feed.items.find((i) => i['g:id'] === sku)).toBeUndefined();
    expect(after.feed.items.length).toBe(before.feed.items.length - 1);
    expect(after.res.headers['etag']).not.toBe(before.res.headers['etag']);
    // A cache holding the old feed is told to refetch.
    await t.http.get('/api/feeds/thien-an/google.xml').set('if-none-match', before.res.headers['etag']).expect(200);
  });

  it('leaves out a draft product until it is published, escaping its name in the XML', async () => {
    const gtin = gtin13('893000009999');
    const nameVi = 'Trà "Shan tuyết" <cổ thụ> & mật ong Nậm Tỵ';
    const created = await t.http
      .post('/api/manage/products')
      .set('authorization', `Bearer ${thienAn}`)
      .send({
        slug: 'tra-nhap-feed',
        nameVi,
        descriptionVi: 'Mô tả có ký tự đặc biệt: <b>đậm</b> & "trích dẫn"',
        brand: 'Thiên An & Cộng sự',
        imageUrls: ['/images/products/tra-nhap-feed.svg'],
        variants: [{ sku: 'TA-NHAP-100', nameVi: 'Hộp 100 g', weightGrams: 100, priceVnd: 135000, gtin }],
      });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    await receiveLot(t, thienAn, created.body.variants[0].id, 40, daysFromNow(300));
    expect((await feed()).feed.items.find((i) => i['g:id'] === 'TA-NHAP-100')).toBeUndefined();

    await t.http.patch(`/api/manage/products/${created.body.id}`).set('authorization', `Bearer ${thienAn}`).send({ status: 'active' }).expect(200);
    const { res, feed: f } = await feed();
    const item = f.items.find((i) => i['g:id'] === 'TA-NHAP-100');
    expect(item).toMatchObject({
      'g:title': `${nameVi} - Hộp 100 g`,
      'g:description': 'Mô tả có ký tự đặc biệt: <b>đậm</b> & "trích dẫn"',
      'g:brand': 'Thiên An & Cộng sự',
      'g:price': '135000 VND',
      'g:gtin': gtin,
      'g:image_link': `${BASE}/images/products/tra-nhap-feed.svg`,
    });
    // The raw bytes carry the markup characters escaped, not as markup.
    expect(res.body as string).toContain('Trà &quot;Shan tuyết&quot; &lt;cổ thụ&gt; &amp; mật ong Nậm Tỵ');
  });

  it('answers 404 with a clear message for an unknown cooperative', async () => {
    const res = await t.http.get('/api/feeds/khong-co-htx/google.xml').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404 });
    expect(res.body.message).toMatch(/Không tìm thấy hợp tác xã "khong-co-htx" \/ Cooperative "khong-co-htx" not found/);
    const odd = await t.http.get(`/api/feeds/${encodeURIComponent('Thiên An')}/google.xml`).expect(404);
    expect(odd.body.message).toMatch(/Cooperative .* not found/);
  });
});
