import { checkAdminUnit, foldVietnamese, listCommunes, listProvinces, lookupAdminUnit } from './admin-units';

describe('administrative units since 1 July 2025', () => {
  it('has 34 provinces and 3,321 communes', () => {
    expect(listProvinces()).toHaveLength(34);
    const total = listProvinces().reduce((n, p) => n + listCommunes(p.code)!.length, 0);
    expect(total).toBe(3321);
    expect(listCommunes('06')).toBeNull(); // Bắc Kạn no longer exists
  });

  it('validates a province + commune pair and says what is wrong', () => {
    expect(checkAdminUnit('19', '01969')).toMatchObject({ ok: true, commune: { name: 'Xã Phủ Thông' }, province: { name: 'Tỉnh Thái Nguyên' } });
    expect(checkAdminUnit('08', '01969')).toMatchObject({ ok: false, problem: expect.stringMatching(/not in Tỉnh Tuyên Quang/) });
    expect(checkAdminUnit('19', '99999')).toMatchObject({ ok: false, problem: expect.stringMatching(/Unknown commune code/) });
    expect(checkAdminUnit('06', '01969')).toMatchObject({ ok: false, problem: expect.stringMatching(/Unknown province code/) });
  });

  it('folds Vietnamese text', () => {
    expect(foldVietnamese('Xã Vi Hương, Đắk Lắk')).toBe('xa vi huong dak lak');
  });

  it('maps a pre-2025 commune, typed without diacritics, to the unit in force', () => {
    const [hit, ...rest] = lookupAdminUnit('vi huong');
    expect(rest).toHaveLength(0);
    expect(hit).toMatchObject({ kind: 'former', formerName: 'Xã Vi Hương', formerProvinceName: 'Tỉnh Bắc Kạn', commune: { code: '01969', name: 'Xã Phủ Thông' }, province: { name: 'Tỉnh Thái Nguyên' } });
    expect(lookupAdminUnit('Xã Nậm Tỵ')[0]).toMatchObject({ commune: { name: 'Xã Nậm Dịch' }, province: { name: 'Tỉnh Tuyên Quang' } });
  });

  it('narrows a common name by the old province, and lists every unit of a split commune', () => {
    const all = lookupAdminUnit('tan lap');
    const inBacKan = lookupAdminUnit('tan lap', 'bac kan');
    expect(all.length).toBeGreaterThan(10);
    expect(inBacKan.length).toBeGreaterThanOrEqual(1);
    expect(inBacKan.every((m) => m.formerProvinceName === 'Tỉnh Bắc Kạn' || m.province.code === '19')).toBe(true);
    expect(lookupAdminUnit('tan lap, bac kan')).toEqual(inBacKan);
    // Phường Ngọc Hà (Hà Nội) was split between several new wards.
    const split = lookupAdminUnit('ngoc ha', 'ha noi');
    expect(split.map((m) => m.commune.name)).toEqual(expect.arrayContaining(['Phường Ngọc Hà', 'Phường Ba Đình']));
    expect(split.find((m) => m.commune.name === 'Phường Ba Đình')).toMatchObject({ kind: 'former', partial: true });
  });

  it('finds units in force by their own name too', () => {
    expect(lookupAdminUnit('phu thong')[0]).toMatchObject({ kind: 'current', commune: { code: '01969' } });
    expect(lookupAdminUnit('   ')).toEqual([]);
  });
});
