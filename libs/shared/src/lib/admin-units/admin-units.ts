/**
 * Vietnam's administrative units in force since 1 July 2025 (two levels: province → commune), from the
 * platform's committed copy (see README.md in this folder), with a mapping from pre-2025 communes.
 */
const RAW = require('./admin-units-2025.json') as RawAdminUnits;

interface RawAdminUnits {
  source: string;
  builtAt: string;
  provinces: Array<[string, string, string[]]>;
  oldProvinces: Array<[string, string]>;
  communes: Array<[string, string, string, Array<[string, number?]>]>;
  oldCommunes: Record<string, [string, string | null]>;
}

export interface ProvinceUnit {
  code: string;
  name: string;
}
export interface CommuneUnit {
  code: string;
  name: string;
  provinceCode: string;
}
export interface FormerUnitMatch {
  /** `current`: the name is a commune in force today; `former`: a pre-2025 commune merged into it. */
  kind: 'current' | 'former';
  formerCode: string | null;
  formerName: string | null;
  formerProvinceName: string | null;
  /** Only part of the former commune went to this unit (the former commune was split). */
  partial: boolean;
  commune: CommuneUnit;
  province: ProvinceUnit;
}

export const ADMIN_UNITS_SOURCE = RAW.source;

/** Lower case, no diacritics (đ → d), single spaces: `Xã Vi Hương` → `xa vi huong`. */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const UNIT_PREFIX = /^(thanh pho|tp|tinh|xa|phuong|thi tran|thi xa|huyen|quan|dac khu|tt)\s+/;
/** Folded name without its unit kind: `Thị trấn Phủ Thông` → `phu thong`. */
export function bareUnitName(text: string): string {
  const folded = foldVietnamese(text);
  const bare = folded.replace(UNIT_PREFIX, '');
  return bare || folded;
}

interface Index {
  provinces: ProvinceUnit[];
  provinceByCode: Map<string, ProvinceUnit>;
  communes: CommuneUnit[];
  communeByCode: Map<string, CommuneUnit>;
  communesByProvince: Map<string, CommuneUnit[]>;
  oldProvinceName: Map<string, string>;
  /** bare folded name → current communes of that name */
  currentByName: Map<string, CommuneUnit[]>;
  /** bare folded old name → [old code, partial, current commune] */
  formerByName: Map<string, Array<{ oldCode: string; partial: boolean; commune: CommuneUnit }>>;
}

let index: Index | null = null;
function idx(): Index {
  if (index) return index;
  const provinces = RAW.provinces.map(([code, name]) => ({ code, name }));
  const communes: CommuneUnit[] = [];
  const communesByProvince = new Map<string, CommuneUnit[]>(provinces.map((p) => [p.code, []]));
  const currentByName = new Map<string, CommuneUnit[]>();
  const formerByName = new Map<string, Array<{ oldCode: string; partial: boolean; commune: CommuneUnit }>>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k) ?? [];
    m.set(k, list);
    list.push(v);
  };
  for (const [code, name, provinceCode, merges] of RAW.communes) {
    const c: CommuneUnit = { code, name, provinceCode };
    communes.push(c);
    push(communesByProvince, provinceCode, c);
    push(currentByName, bareUnitName(name), c);
    for (const [oldCode, partial] of merges) {
      const old = RAW.oldCommunes[oldCode];
      if (old) push(formerByName, bareUnitName(old[0]), { oldCode, partial: partial === 1, commune: c });
    }
  }
  index = {
    provinces,
    provinceByCode: new Map(provinces.map((p) => [p.code, p])),
    communes,
    communeByCode: new Map(communes.map((c) => [c.code, c])),
    communesByProvince,
    oldProvinceName: new Map(RAW.oldProvinces),
    currentByName,
    formerByName,
  };
  return index;
}

export function listProvinces(): ProvinceUnit[] {
  return idx().provinces;
}

/** The communes of a province, or null when the province code is unknown. */
export function listCommunes(provinceCode: string): CommuneUnit[] | null {
  return idx().communesByProvince.get(provinceCode) ?? null;
}

export function findProvince(code: string): ProvinceUnit | null {
  return idx().provinceByCode.get(code) ?? null;
}

export function findCommune(code: string): CommuneUnit | null {
  return idx().communeByCode.get(code) ?? null;
}

export type AddressUnitCheck =
  | { ok: true; province: ProvinceUnit; commune: CommuneUnit }
  | { ok: false; problem: string };

/** Checks that a (province, commune) pair is a unit in force, explaining what is wrong otherwise. */
export function checkAdminUnit(provinceCode: string, communeCode: string): AddressUnitCheck {
  const province = findProvince(provinceCode);
  if (!province) {
    return { ok: false, problem: `Mã tỉnh/thành "${provinceCode}" không tồn tại / Unknown province code "${provinceCode}" (34 provinces since 1 July 2025)` };
  }
  const commune = findCommune(communeCode);
  if (!commune) {
    return { ok: false, problem: `Mã xã/phường "${communeCode}" không tồn tại / Unknown commune code "${communeCode}" (units in force since 1 July 2025)` };
  }
  if (commune.provinceCode !== province.code) {
    return {
      ok: false,
      problem: `${commune.name} không thuộc ${province.name} / ${commune.name} (${commune.code}) is not in ${province.name} (${province.code})`,
    };
  }
  return { ok: true, province, commune };
}

function provinceFilter(text: string | undefined): ((current: string, former: string | null) => boolean) | null {
  if (!text || !text.trim()) return null;
  const wanted = bareUnitName(text);
  const i = idx();
  const matchesCurrent = (code: string) => code === text.trim() || bareUnitName(i.provinceByCode.get(code)?.name ?? '') === wanted;
  const matchesFormer = (code: string | null) => !!code && (code === text.trim() || bareUnitName(i.oldProvinceName.get(code) ?? '') === wanted);
  return (current, former) => matchesCurrent(current) || matchesFormer(former);
}

/**
 * Finds the unit(s) in force for a commune name typed with or without diacritics, current or pre-2025
 * (`vi huong` → Xã Phủ Thông, Tỉnh Thái Nguyên). `province` (a current or former province name or code)
 * narrows the result; a query may also carry it after a comma: `vi huong, bac kan`.
 */
export function lookupAdminUnit(query: string, province?: string, limit = 50): FormerUnitMatch[] {
  let q = query;
  let p = province;
  if (!p && q.includes(',')) {
    const [first, ...rest] = q.split(',');
    q = first;
    p = rest.join(',');
  }
  const name = bareUnitName(q);
  if (!name) return [];
  const i = idx();
  const filter = provinceFilter(p);
  const provinceOf = (c: CommuneUnit): ProvinceUnit => i.provinceByCode.get(c.provinceCode) ?? { code: c.provinceCode, name: c.provinceCode };
  const out: FormerUnitMatch[] = [];
  const seen = new Set<string>();
  for (const c of i.currentByName.get(name) ?? []) {
    if (filter && !filter(c.provinceCode, null)) continue;
    seen.add(`current:${c.code}`);
    out.push({ kind: 'current', formerCode: null, formerName: null, formerProvinceName: null, partial: false, commune: c, province: provinceOf(c) });
  }
  for (const f of i.formerByName.get(name) ?? []) {
    const [formerName, formerProvince] = RAW.oldCommunes[f.oldCode];
    if (filter && !filter(f.commune.provinceCode, formerProvince)) continue;
    // A former commune whose name lives on in the unit it merged into is already listed as current.
    if (seen.has(`current:${f.commune.code}`) && bareUnitName(f.commune.name) === name) continue;
    out.push({
      kind: 'former',
      formerCode: f.oldCode,
      formerName,
      formerProvinceName: formerProvince ? (i.oldProvinceName.get(formerProvince) ?? null) : null,
      partial: f.partial,
      commune: f.commune,
      province: provinceOf(f.commune),
    });
  }
  // Names typed with their diacritics rank the units that carry exactly those first (Nậm Tỵ before Nậm Ty).
  const typed = q.trim().toLowerCase().replace(/\s+/g, ' ');
  const exact = (m: FormerUnitMatch) => {
    const n = (m.formerName ?? m.commune.name).toLowerCase();
    return n === typed || n.endsWith(` ${typed}`) ? 0 : 1;
  };
  return out
    .map((m, k) => ({ m, k, e: exact(m) }))
    .sort((a, b) => a.e - b.e || a.k - b.k)
    .map((x) => x.m)
    .slice(0, limit);
}
