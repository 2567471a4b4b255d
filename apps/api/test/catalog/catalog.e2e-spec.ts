import { CatalogService } from '@htx/catalog';
import { gs1CheckDigit, gtin13 } from '@htx/shared';
import { runSeed } from '../../src/seed/seed';
import { startTestApp, TestApp } from '../support/test-app';

describe('catalog: public listing, search, product page, manager CRUD and tenancy', () => {
  let t: TestApp;
  let thienAn: string;
  let namTy: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ seed: true });
    thienAn = await t.login('thienan@htxso.test');
    namTy = await t.login('namty@htxso.test');
    admin = await t.login('admin@htxso.test');
  });
  afterAll(() => t.close());

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  describe('seed', () => {
    it('has at least a dozen published products over both cooperatives, every GTIN a valid GS1 Vietnam GTIN-14', async () => {
      const rows = await t.sql<{ slug: string; n: number }>(
        `SELECT c.slug, count(DISTINCT p.id)::int AS n FROM products p JOIN cooperatives c ON c.id = p.cooperative_id WHERE p.status = 'active' GROUP BY c.slug`,
      );
      const bySlug = Object.fromEntries(rows.map((r) => [r.slug, r.n]));
      expect(bySlug['thien-an'] + bySlug['nam-ty']).toBeGreaterThanOrEqual(12);
      expect(bySlug['nam-ty']).toBeGreaterThanOrEqual(4);
      const gtins = await t.sql<{ gtin: string }>(`SELECT gtin FROM product_variants`);
      for (const { gtin } of gtins) {
        expect(gtin).toMatch(/^0893\d{10}$/);
        expect(gtin13(gtin.slice(1, 13))).toBe(gtin.slice(1));
      }
    });

    it('is idempotent: running it again changes no counts', async () => {
      const count = () =>
        t.sql<{ p: number; v: number; c: number; l: number; m: number }>(
          `SELECT (SELECT count(*) FROM products)::int p, (SELECT count(*) FROM product_variants)::int v,
                  (SELECT count(*) FROM product_certificates)::int c, (SELECT count(*) FROM inventory_lots)::int l,
                  (SELECT count(*) FROM inventory_movements)::int m`,
        );
      const before = await count();
      await runSeed(t.config);
      expect(await count()).toEqual(before);
    });
  });

  describe('GET /api/products search', () => {
    it('finds "Trà giảo cổ lam" when typed without diacritics', async () => {
      const res = await t.http.get('/api/products').query({ q: 'tra giao co lam' }).expect(200);
      const names = res.body.items.map((p: { nameVi: string }) => p.nameVi);
      expect(names).toContain('Trà giảo cổ lam');
      expect(names[0]).toBe('Trà giảo cổ lam');
      expect(names.every((n: string) => /giảo cổ lam/i.test(n))).toBe(true);
    });

    it('matches with accents, mixed case and đ, and in English', async () => {
      const accented = await t.http.get('/api/products').query({ q: 'TRÀ Shan Tuyết' }).expect(200);
      expect(accented.body.items.length).toBeGreaterThanOrEqual(4);
      expect(accented.body.items.every((p: { cooperative: { slug: string } }) => p.cooperative.slug === 'nam-ty')).toBe(true);
      const dao = await t.http.get('/api/products').query({ q: 'nguoi dao' }).expect(200);
      expect(dao.body.items.map((p: { slug: string }) => p.slug).sort()).toEqual(['la-tam-nguoi-dao', 'la-xong-nguoi-dao']);
      const english = await t.http.get('/api/products').query({ q: 'turmeric' }).expect(200);
      expect(english.body.items.map((p: { slug: string }) => p.slug)).toEqual(expect.arrayContaining(['tinh-bot-nghe', 'nghe-den-kho']));
    });

    it('treats LIKE wildcards in q as plain characters and answers an empty page for no match', async () => {
      const res = await t.http.get('/api/products').query({ q: '%_%' }).expect(200);
      expect(res.body).toMatchObject({ items: [], total: 0 });
    });

    it('uses the trigram index on the unaccented column, not a scan in JavaScript', async () => {
      const [{ indexdef }] = await t.sql<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'products_search_trgm_idx'`);
      expect(indexdef).toMatch(/gin \(search_text gin_trgm_ops\)/);
      await t.sql('SET enable_seqscan = off');
      const plan = await t.sql<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM products p WHERE p.search_text LIKE '%' || unaccent_immutable('giảo') || '%'`,
      );
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/products_search_trgm_idx/);
      await t.sql('RESET enable_seqscan');
    });
  });

  describe('GET /api/products filters, sort and pagination', () => {
    it('filters by cooperative and category slug', async () => {
      const res = await t.http.get('/api/products').query({ cooperative: 'thien-an', category: 'la-tam-la-xong' }).expect(200);
      expect(res.body.total).toBe(2);
      for (const p of res.body.items) {
        expect(p.cooperative.slug).toBe('thien-an');
        expect(p.category.slug).toBe('la-tam-la-xong');
      }
      const none = await t.http.get('/api/products').query({ cooperative: 'nam-ty', category: 'la-tam-la-xong' }).expect(200);
      expect(none.body).toMatchObject({ items: [], total: 0 });
    });

    it('sorts by price both ways and by newest', async () => {
      const asc = await t.http.get('/api/products').query({ sort: 'price_asc', pageSize: 100 }).expect(200);
      const prices = asc.body.items.map((p: { priceFromVnd: number }) => p.priceFromVnd);
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
      const desc = await t.http.get('/api/products').query({ sort: 'price_desc', pageSize: 100 }).expect(200);
      const tops = desc.body.items.map((p: { priceToVnd: number }) => p.priceToVnd);
      expect(tops).toEqual([...tops].sort((a, b) => b - a));
      expect(desc.body.items[0].slug).toBe('tra-shan-tuyet-ep-banh');
      const newest = await t.http.get('/api/products').query({ pageSize: 100 }).expect(200);
      const created = newest.body.items.map((p: { createdAt: string }) => Date.parse(p.createdAt));
      expect(created).toEqual([...created].sort((a, b) => b - a));
    });

    it('combines search, filters and every sort', async () => {
      for (const sort of ['newest', 'price_asc', 'price_desc', 'relevance']) {
        const res = await t.http.get('/api/products').query({ q: 'tra', cooperative: 'nam-ty', category: 'tra', sort, pageSize: 2, page: 2 }).expect(200);
        expect(res.body.total).toBeGreaterThanOrEqual(4);
        expect(res.body.items).toHaveLength(2);
        for (const p of res.body.items) expect(p.cooperative.slug).toBe('nam-ty');
      }
      const cheap = await t.http.get('/api/products').query({ q: 'shan tuyet', sort: 'price_asc', pageSize: 100 }).expect(200);
      const prices = cheap.body.items.map((p: { priceFromVnd: number }) => p.priceFromVnd);
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
      const beyond = await t.http.get('/api/products').query({ q: 'tra', page: 50 }).expect(200);
      expect(beyond.body.items).toEqual([]);
      expect(beyond.body.total).toBeGreaterThan(0);
    });

    it('paginates without overlap and reports the total', async () => {
      const all = await t.http.get('/api/products').query({ pageSize: 100, sort: 'price_asc' }).expect(200);
      const p1 = await t.http.get('/api/products').query({ pageSize: 5, page: 1, sort: 'price_asc' }).expect(200);
      const p2 = await t.http.get('/api/products').query({ pageSize: 5, page: 2, sort: 'price_asc' }).expect(200);
      expect(p1.body.total).toBe(all.body.total);
      expect(p1.body.items).toHaveLength(5);
      const ids = [...p1.body.items, ...p2.body.items].map((p: { id: string }) => p.id);
      expect(new Set(ids).size).toBe(10);
      expect(ids).toEqual(all.body.items.slice(0, 10).map((p: { id: string }) => p.id));
    });

    it('hides draft and archived products from the public', async () => {
      const created = await t.http
        .post('/api/manage/products')
        .set(auth(thienAn))
        .send({ slug: 'tra-nhap-nhap', nameVi: 'Trà nháp nháp' })
        .expect(201);
      expect(created.body.status).toBe('draft');
      const res = await t.http.get('/api/products').query({ q: 'nhap nhap' }).expect(200);
      expect(res.body.total).toBe(0);
      await t.http.get('/api/products/tra-nhap-nhap').expect(404);
    });

    it.each([
      [{ sort: 'cheapest' }, /sort must be one of newest, price_asc, price_desc, relevance/],
      [{ page: 0 }, /page must be 1 or more/],
      [{ pageSize: 1000 }, /pageSize must be between 1 and 100/],
      [{ cooperative: 'Thiên An' }, /cooperative must be a cooperative slug/],
      [{ q: 'x'.repeat(101) }, /q must be at most 100 characters/],
      [{ color: 'red' }, /color is not a known field/],
    ])('refuses %j with a readable 400', async (query, message) => {
      const res = await t.http.get('/api/products').query(query).expect(400);
      expect(res.body.message).toMatch(message);
    });
  });

  describe('GET /api/products/:slug', () => {
    it('shows variants with price and availability, certificates with validity, and the cooperative', async () => {
      const res = await t.http.get('/api/products/tinh-bot-nghe').expect(200);
      expect(res.body).toMatchObject({
        slug: 'tinh-bot-nghe',
        nameVi: 'Tinh bột nghệ',
        nameEn: 'Turmeric starch',
        shelfLifeDays: 730,
        cooperative: { slug: 'thien-an', name: 'Hợp tác xã Thiên An' },
        category: { slug: 'tinh-bot-gia-vi' },
      });
      const small = res.body.variants.find((v: { sku: string }) => v.sku === 'TA-TBN-100');
      // lot TBN2401 is expired: only the other lot's stock (less any reservation) is available.
      const [expected] = await t.sql<{ n: number }>(
        `SELECT (SELECT sum(on_hand) FROM inventory_lots l WHERE l.variant_id = s.variant_id AND l.expiry_date >= (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AND l.recalled_at IS NULL) - s.reserved AS n
           FROM inventory_stock s JOIN product_variants v ON v.id = s.variant_id WHERE v.sku = 'TA-TBN-100'`,
      );
      expect(Number(expected.n)).toBeGreaterThan(0);
      expect(small).toMatchObject({ priceVnd: 120000, weightGrams: 100, available: Number(expected.n), inStock: true });
      expect(small.gtin).toMatch(/^0893\d{10}$/);
      const ocop = res.body.certificates.find((c: { kind: string }) => c.kind === 'ocop');
      expect(ocop).toMatchObject({ stars: 3, validTo: '2025-05-09', valid: false });
      const vietgap = res.body.certificates.find((c: { kind: string }) => c.kind === 'vietgap');
      expect(vietgap).toMatchObject({ valid: true, issuer: expect.any(String) });
    });

    it('answers 404 with a message for an unknown slug', async () => {
      const res = await t.http.get('/api/products/khong-co').expect(404);
      expect(res.body.message).toMatch(/khong-co/);
    });
  });

  it('documents the catalog and inventory endpoints in OpenAPI', async () => {
    const res = await t.http.get('/api/docs-json').expect(200);
    for (const path of ['/api/products', '/api/products/{slug}', '/api/manage/products', '/api/manage/products/{id}/variants', '/api/manage/lots', '/api/manage/stock/low']) {
      expect(Object.keys(res.body.paths)).toContain(path);
    }
    expect(JSON.stringify(res.body.components.schemas.CreateVariantDto)).toContain('gtin');
  });

  describe('contract for other domains', () => {
    it('getVariantsForSale and findVariantByGtin return the sale view; unknown ids are absent', async () => {
      const catalog = t.app.get(CatalogService);
      const [v] = await t.sql<{ id: string; gtin: string }>(`SELECT id, gtin FROM product_variants WHERE sku = 'TA-GCL-100'`);
      const views = await catalog.getVariantsForSale([v.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']);
      expect(views).toHaveLength(1);
      expect(views[0]).toMatchObject({ variantId: v.id, sku: 'TA-GCL-100', priceVnd: 85000, active: true, productSlug: 'tra-giao-co-lam', gtin: v.gtin });
      expect(await catalog.findVariantByGtin(v.gtin)).toMatchObject({ variantId: v.id });
      expect(await catalog.findVariantByGtin('00000000000000')).toBeNull();
      const trace = await catalog.getProductTraceInfo(views[0].productId);
      expect(trace).toMatchObject({ slug: 'tra-giao-co-lam', brand: 'Thiên An', categoryNameVi: 'Trà', shelfLifeDays: 540 });
      expect(trace!.certificates.map((c) => c.kind).sort()).toEqual(['ocop', 'organic']);
    });
  });

  describe('manager CRUD', () => {
    const gtinA = gtin13('893851209901');
    const gtinB = gtin13('893851209902');

    it('creates a product with variants and certificates in the manager’s own cooperative', async () => {
      const res = await t.http
        .post('/api/manage/products')
        .set(auth(thienAn))
        .send({
          slug: 'mang-dang-kho',
          nameVi: 'Măng đắng khô',
          nameEn: 'Dried bitter bamboo shoots',
          status: 'active',
          shelfLifeDays: 180,
          imageUrls: ['/images/products/mang-dang-kho.jpg'],
          variants: [{ sku: 'TA-MDK-500', nameVi: 'Túi 500 g', weightGrams: 500, priceVnd: 110000, gtin: gtinA }],
          certificates: [{ kind: 'ocop', name: 'OCOP 3 sao', issuer: 'UBND tỉnh Thái Nguyên', stars: 3, validFrom: '2025-08-01', validTo: '2028-07-31' }],
        })
        .expect(201);
      const [coop] = await t.sql<{ id: string }>(`SELECT id FROM cooperatives WHERE slug = 'thien-an'`);
      expect(res.body).toMatchObject({ cooperativeId: coop.id, slug: 'mang-dang-kho', status: 'active' });
      expect(res.body.variants[0]).toMatchObject({ sku: 'TA-MDK-500', gtin: `0${gtinA}`, priceVnd: 110000 });
      const pub = await t.http.get('/api/products').query({ q: 'mang dang' }).expect(200);
      expect(pub.body.items[0].slug).toBe('mang-dang-kho');
    });

    it('accepts a GTIN-14 (here with packaging indicator 1) and stores it as given', async () => {
      const [p] = await t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'mang-dang-kho'`);
      const body13 = `1${gtinB.slice(0, 12)}`;
      const g14 = body13 + gs1CheckDigit(body13);
      const res = await t.http
        .post(`/api/manage/products/${p.id}/variants`)
        .set(auth(thienAn))
        .send({ sku: 'TA-MDK-1K', nameVi: 'Thùng 10 túi', weightGrams: 5000, priceVnd: 1000000, gtin: g14 })
        .expect(201);
      expect(res.body).toMatchObject({ gtin: g14, sku: 'TA-MDK-1K', priceVnd: 1000000 });
    });

    it.each([
      ['8936012345670', /wrong check digit \(expected \d\)/],
      ['89360123', /must be a GTIN-13 or GTIN-14/],
      ['893601234567', /must be a GTIN-13 or GTIN-14/],
      ['89360A2345672', /must be a GTIN-13 or GTIN-14/],
      ['', /must be a GTIN-13 or GTIN-14/],
    ])('refuses GTIN "%s" with 400', async (gtin, message) => {
      const [p] = await t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'mang-dang-kho'`);
      const res = await t.http
        .post(`/api/manage/products/${p.id}/variants`)
        .set(auth(thienAn))
        .send({ sku: 'TA-MDK-X', nameVi: 'Thử', weightGrams: 100, priceVnd: 1000, gtin })
        .expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('answers 409 naming the GTIN or SKU that clashes, even across cooperatives for GTIN', async () => {
      const [p] = await t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'mang-dang-kho'`);
      const [other] = await t.sql<{ gtin: string }>(`SELECT gtin FROM product_variants WHERE sku = 'NT-HT-100'`);
      const gtinClash = await t.http
        .post(`/api/manage/products/${p.id}/variants`)
        .set(auth(thienAn))
        .send({ sku: 'TA-MDK-250', nameVi: 'Túi 250 g', weightGrams: 250, priceVnd: 60000, gtin: other.gtin.slice(1) })
        .expect(409);
      expect(gtinClash.body.message).toContain(other.gtin);
      const skuClash = await t.http
        .post(`/api/manage/products/${p.id}/variants`)
        .set(auth(thienAn))
        .send({ sku: 'TA-MDK-500', nameVi: 'Túi 500 g', weightGrams: 500, priceVnd: 60000, gtin: gtin13('893851209903') })
        .expect(409);
      expect(skuClash.body.message).toContain('TA-MDK-500');
      // SKUs are unique per cooperative only: Nậm Tỵ may use the same SKU.
      const [np] = await t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'hong-tra-shan-tuyet'`);
      await t.http
        .post(`/api/manage/products/${np.id}/variants`)
        .set(auth(namTy))
        .send({ sku: 'TA-MDK-500', nameVi: 'Hộp 500 g', weightGrams: 500, priceVnd: 900000, gtin: gtin13('893853409904') })
        .expect(201);
      const slugClash = await t.http.post('/api/manage/products').set(auth(namTy)).send({ slug: 'tinh-bot-nghe', nameVi: 'Tinh bột nghệ khác' }).expect(409);
      expect(slugClash.body.message).toContain('tinh-bot-nghe');
    });

    it('updates, archives, adds and removes certificates', async () => {
      const [p] = await t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'mang-dang-kho'`);
      const upd = await t.http.patch(`/api/manage/products/${p.id}`).set(auth(thienAn)).send({ nameEn: 'Dried bamboo shoots', brand: 'Thiên An' }).expect(200);
      expect(upd.body).toMatchObject({ nameEn: 'Dried bamboo shoots', brand: 'Thiên An', slug: 'mang-dang-kho' });
      const cert = await t.http
        .post(`/api/manage/products/${p.id}/certificates`)
        .set(auth(thienAn))
        .send({ kind: 'vietgap', name: 'VietGAP', issuer: 'TQC', validFrom: '2020-01-01', validTo: '2021-01-01' })
        .expect(201);
      expect(cert.body.valid).toBe(false);
      await t.http.delete(`/api/manage/products/${p.id}/certificates/${cert.body.id}`).set(auth(thienAn)).expect(200);
      await t.http.delete(`/api/manage/products/${p.id}/certificates/${cert.body.id}`).set(auth(thienAn)).expect(404);
      const variant = upd.body.variants[0];
      const price = await t.http
        .patch(`/api/manage/products/${p.id}/variants/${variant.id}`)
        .set(auth(thienAn))
        .send({ priceVnd: 115000 })
        .expect(200);
      expect(price.body.priceVnd).toBe(115000);
      // The listing's cached price range follows variant changes (price, deactivation).
      const listed = await t.http.get('/api/products').query({ q: 'mang dang kho' }).expect(200);
      expect(listed.body.items[0]).toMatchObject({ slug: 'mang-dang-kho', priceFromVnd: 115000, priceToVnd: 1000000 });
      const big = upd.body.variants.find((v: { sku: string }) => v.sku === 'TA-MDK-1K');
      await t.http.patch(`/api/manage/products/${p.id}/variants/${big.id}`).set(auth(thienAn)).send({ active: false }).expect(200);
      const after = await t.http.get('/api/products').query({ q: 'mang dang kho' }).expect(200);
      expect(after.body.items[0]).toMatchObject({ priceFromVnd: 115000, priceToVnd: 115000 });
      const archived = await t.http.delete(`/api/manage/products/${p.id}`).set(auth(thienAn)).expect(200);
      expect(archived.body.status).toBe('archived');
      await t.http.get('/api/products/mang-dang-kho').expect(404);
    });

    it('lists only the manager’s own products; an admin sees all', async () => {
      const mine = await t.http.get('/api/manage/products').set(auth(namTy)).query({ pageSize: 100 }).expect(200);
      const [coop] = await t.sql<{ id: string }>(`SELECT id FROM cooperatives WHERE slug = 'nam-ty'`);
      expect(mine.body.items.length).toBeGreaterThan(0);
      expect(mine.body.items.every((p: { cooperativeId: string }) => p.cooperativeId === coop.id)).toBe(true);
      const all = await t.http.get('/api/manage/products').set(auth(admin)).query({ pageSize: 100 }).expect(200);
      expect(all.body.total).toBeGreaterThan(mine.body.total);
    });
  });

  describe('tenancy', () => {
    it('answers 404 for another cooperative’s product, for reads and every write', async () => {
      const [p] = await t.sql<{ id: string }>(`SELECT id FROM products WHERE slug = 'tra-shan-tuyet-co-thu'`);
      const [v] = await t.sql<{ id: string }>(`SELECT id FROM product_variants WHERE sku = 'NT-STCT-100'`);
      await t.http.get(`/api/manage/products/${p.id}`).set(auth(thienAn)).expect(404);
      await t.http.patch(`/api/manage/products/${p.id}`).set(auth(thienAn)).send({ nameVi: 'Bị sửa' }).expect(404);
      await t.http.delete(`/api/manage/products/${p.id}`).set(auth(thienAn)).expect(404);
      await t.http.patch(`/api/manage/products/${p.id}/variants/${v.id}`).set(auth(thienAn)).send({ priceVnd: 1 }).expect(404);
      await t.http
        .post(`/api/manage/products/${p.id}/variants`)
        .set(auth(thienAn))
        .send({ sku: 'HACK-1', nameVi: 'x', weightGrams: 1, priceVnd: 1, gtin: gtin13('893851209905') })
        .expect(404);
      await t.http.post(`/api/manage/products/${p.id}/certificates`).set(auth(thienAn)).send({ kind: 'other', name: 'Giả', issuer: 'Giả' }).expect(404);
      const [after] = await t.sql<{ name_vi: string; status: string }>(`SELECT name_vi, status FROM products WHERE id = $1`, [p.id]);
      expect(after).toEqual({ name_vi: 'Trà Shan tuyết cổ thụ Nậm Tỵ', status: 'active' });
    });

    it('refuses creating into another cooperative (403) and lets an admin create for a named one', async () => {
      const [nt] = await t.sql<{ id: string }>(`SELECT id FROM cooperatives WHERE slug = 'nam-ty'`);
      const res = await t.http.post('/api/manage/products').set(auth(thienAn)).send({ cooperativeId: nt.id, slug: 'xam-nhap', nameVi: 'Xâm nhập' }).expect(403);
      expect(res.body.message).toMatch(/own cooperative/);
      const noCoop = await t.http.post('/api/manage/products').set(auth(admin)).send({ slug: 'cua-admin', nameVi: 'Của admin' }).expect(403);
      expect(noCoop.body.message).toMatch(/cooperativeId/);
      const ok = await t.http.post('/api/manage/products').set(auth(admin)).send({ cooperativeId: nt.id, slug: 'cua-admin', nameVi: 'Của admin' }).expect(201);
      expect(ok.body.cooperativeId).toBe(nt.id);
    });

    it('needs a manager token: none → 401, a member → 403', async () => {
      await t.http.get('/api/manage/products').expect(401);
      const member = await t.login('member.thienan@htxso.test');
      await t.http.post('/api/manage/products').set(auth(member)).send({ slug: 'thanh-vien', nameVi: 'Thành viên' }).expect(403);
    });
  });

  describe('bad input matrix', () => {
    it.each([
      [{}, /slug must be lower-case/],
      [{ slug: 'Bad Slug', nameVi: 'Tên' }, /slug must be lower-case/],
      [{ slug: 'ok-slug' }, /nameVi must be/],
      [{ slug: 'ok-slug', nameVi: 'Tên', shelfLifeDays: -1 }, /shelfLifeDays must be from 1 to 3650/],
      [{ slug: 'ok-slug', nameVi: 'Tên', status: 'published' }, /status must be one of active, draft, archived/],
      [{ slug: 'ok-slug', nameVi: 'Tên', imageUrls: ['javascript:alert(1)'] }, /imageUrls must be a path starting with \//],
      [{ slug: 'ok-slug', nameVi: 'Tên', categoryId: 'abc' }, /categoryId must be a category id/],
      [{ slug: 'ok-slug', nameVi: 'Tên', categoryId: '00000000-0000-4000-8000-000000000000' }, /not a known category/],
      [{ slug: 'ok-slug', nameVi: 'Tên', variants: [{ sku: 'A', nameVi: 'A', weightGrams: 1, priceVnd: 0, gtin: '8936012345672' }] }, /variants\[0\]\.priceVnd must be more than 0/],
      [{ slug: 'ok-slug', nameVi: 'Tên', variants: [{ sku: 'A', nameVi: 'A', weightGrams: 1, priceVnd: 1.5, gtin: '8936012345672' }] }, /priceVnd must be a whole number/],
      [{ slug: 'ok-slug', nameVi: 'Tên', variants: [{ sku: 'A', nameVi: 'A', weightGrams: 1, priceVnd: 1e12, gtin: '8936012345672' }] }, /priceVnd must be at most/],
      [{ slug: 'ok-slug', nameVi: 'Tên', variants: [{ sku: 'A', nameVi: 'A', weightGrams: 1, priceVnd: 1000, gtin: '8936012345671' }] }, /variants\[0\]\.gtin.*check digit/],
      [{ slug: 'ok-slug', nameVi: 'Tên', certificates: [{ kind: 'ocop', name: 'OCOP', issuer: 'UBND' }] }, /needs stars/],
      [{ slug: 'ok-slug', nameVi: 'Tên', certificates: [{ kind: 'ocop', name: 'OCOP', issuer: 'UBND', stars: 6 }] }, /stars must be from 1 to 5/],
      [{ slug: 'ok-slug', nameVi: 'Tên', certificates: [{ kind: 'vietgap', name: 'VG', issuer: 'TQC', validFrom: '2025-02-30' }] }, /validFrom must be a date/],
      [{ slug: 'ok-slug', nameVi: 'Tên', certificates: [{ kind: 'vietgap', name: 'VG', issuer: 'TQC', validFrom: '2025-02-01', validTo: '2024-01-01' }] }, /validTo .* before validFrom/],
      [{ slug: 'ok-slug', nameVi: 'Tên', price: 5 }, /price is not a known field/],
    ])('POST /api/manage/products %j → 400', async (body, message) => {
      const res = await t.http.post('/api/manage/products').set(auth(thienAn)).send(body).expect(400);
      expect(res.body.message).toMatch(message);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int n FROM products WHERE slug = 'ok-slug'`);
      expect(n).toBe(0);
    });

    it.each([
      [{ priceVnd: -1 }, /priceVnd must be more than 0/],
      [{ priceVnd: '85000' }, /priceVnd must be a whole number/],
      [{ gtin: '8936012345' }, /must be a GTIN-13 or GTIN-14/],
      [{ weightGrams: 0 }, /weightGrams must be at least 1/],
      [{ sku: 'có dấu' }, /sku must be 1-64 letters/],
      [{ active: 'yes' }, /active must be true or false/],
    ])('PATCH a variant with %j → 400, nothing changed', async (body, message) => {
      const [v] = await t.sql<{ id: string; product_id: string; price_vnd: string; gtin: string }>(
        `SELECT id, product_id, price_vnd, gtin FROM product_variants WHERE sku = 'TA-LXD-300'`,
      );
      const res = await t.http.patch(`/api/manage/products/${v.product_id}/variants/${v.id}`).set(auth(thienAn)).send(body).expect(400);
      expect(res.body.message).toMatch(message);
      const [after] = await t.sql(`SELECT id, product_id, price_vnd, gtin FROM product_variants WHERE id = $1`, [v.id]);
      expect(after).toEqual(v);
    });

    it('keeps nothing of a product whose second variant clashes (one transaction)', async () => {
      const res = await t.http
        .post('/api/manage/products')
        .set(auth(thienAn))
        .send({
          slug: 'nua-voi',
          nameVi: 'Nửa vời',
          variants: [
            { sku: 'TA-NV-1', nameVi: 'A', weightGrams: 1, priceVnd: 1000, gtin: gtin13('893851209911') },
            { sku: 'TA-NV-2', nameVi: 'B', weightGrams: 1, priceVnd: 1000, gtin: gtin13('893851200011') },
          ],
        })
        .expect(409);
      expect(res.body.message).toContain(`0${gtin13('893851200011')}`);
      expect(await t.sql(`SELECT id FROM products WHERE slug = 'nua-voi'`)).toEqual([]);
      expect(await t.sql(`SELECT id FROM product_variants WHERE sku = 'TA-NV-1'`)).toEqual([]);
    });

    it('answers 404 (not 500) for a malformed product id', async () => {
      await t.http.get('/api/manage/products/not-a-uuid').set(auth(thienAn)).expect(404);
    });
  });
});
