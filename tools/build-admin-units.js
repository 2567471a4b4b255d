#!/usr/bin/env node
/**
 * Builds the platform's compact copy of Vietnam's administrative units in force since 1 July 2025
 * (libs/shared/src/lib/admin-units/admin-units-2025.json) from dvhcvn/20250701 `merges.json`.
 *
 *   node tools/build-admin-units.js [path/to/merges.json]
 *
 * Default input: ../shared/data/admin-units-2025/merges.json (next to the working tree).
 * The output is committed; tests and the API never read the source file.
 *
 * merges.json names, for each new commune, the pre-2025 communes merged into it, but not the
 * pre-2025 province of each old commune. GSO commune codes are allocated in blocks per province in
 * province-code order, so walking all old commune codes in ascending order while moving forward
 * through the old provinces assigns each old commune to exactly one old province; the script checks
 * that every assignment is one of the old provinces of the new province the commune went to.
 * Communes whose new province has a single old province are assigned to it directly.
 */
const fs = require('node:fs');
const path = require('node:path');

const input = path.resolve(process.argv[2] ?? path.join(__dirname, '../../shared/data/admin-units-2025/merges.json'));
const output = path.join(__dirname, '../libs/shared/src/lib/admin-units/admin-units-2025.json');
const source = JSON.parse(fs.readFileSync(input, 'utf8'));

const provinces = [];
const communes = [];
const oldProvinceNames = new Map(); // old province code -> name
const oldCommunes = new Map(); // old commune code -> { name, candidates: Set<old province code> }

for (const p of source.data) {
  const olds = p.merges.map((m) => m.old_id).sort();
  for (const m of p.merges) oldProvinceNames.set(m.old_id, m.name);
  provinces.push([p.level1_id, p.name, olds]);
  for (const c of p.level2s) {
    const merges = [];
    for (const m of c.merges) {
      merges.push(m.type === 'partial' ? [m.old_id, 1] : [m.old_id]);
      const known = oldCommunes.get(m.old_id) ?? { name: m.name, candidates: new Set() };
      if (known.name !== m.name) throw new Error(`old commune ${m.old_id} has two names: ${known.name} / ${m.name}`);
      olds.forEach((o) => known.candidates.add(o));
      oldCommunes.set(m.old_id, known);
    }
    communes.push([c.level2_id, c.name, p.level1_id, merges]);
  }
}

// Assign each old commune to its old province (see header).
const oldProvinceOrder = [...oldProvinceNames.keys()].sort();
let pointer = 0;
const oldCommuneTable = {};
const sortedOld = [...oldCommunes.keys()].sort();
const unplaced = [];
sortedOld.forEach((code, i) => {
  const { name, candidates } = oldCommunes.get(code);
  // Communes that changed province before 2025 (e.g. Hà Tây and parts of Hòa Bình into Hà Nội in 2008)
  // kept their codes; they are out of order, and their new province has one old province.
  if (candidates.size === 1) {
    oldCommuneTable[code] = [name, [...candidates][0]];
    return;
  }
  if (candidates.has(oldProvinceOrder[pointer])) {
    oldCommuneTable[code] = [name, oldProvinceOrder[pointer]];
    return;
  }
  // Move to the next old province only when the following communes agree (a lone code merged into
  // an unexpected province is left without an old province rather than derailing the walk).
  let next = pointer;
  while (next < oldProvinceOrder.length && !candidates.has(oldProvinceOrder[next])) next++;
  const following = sortedOld.slice(i + 1, i + 4).map((c) => oldCommunes.get(c).candidates);
  if (next < oldProvinceOrder.length && following.every((c) => c.has(oldProvinceOrder[next]))) {
    pointer = next;
    oldCommuneTable[code] = [name, oldProvinceOrder[pointer]];
  } else {
    oldCommuneTable[code] = [name, null];
    unplaced.push(`${code} ${name}`);
  }
});
if (unplaced.length > 20) throw new Error(`too many old communes without an old province: ${unplaced.length}`);
if (unplaced.length) console.warn(`old communes left without an old province (data irregularities): ${unplaced.join(', ')}`);

provinces.sort((a, b) => a[0].localeCompare(b[0]));
communes.sort((a, b) => a[0].localeCompare(b[0]));
if (provinces.length !== 34) throw new Error(`expected 34 provinces, found ${provinces.length}`);
if (communes.length !== 3321) throw new Error(`expected 3,321 communes, found ${communes.length}`);

const out = {
  source: 'dvhcvn/20250701 merges.json (MIT licence), built from resolutions 1654-1687/NQ-UBTVQH15; in force since 2025-07-01',
  builtAt: new Date().toISOString().slice(0, 10),
  // [code, name, [old province codes]]
  provinces,
  // [code, name]
  oldProvinces: oldProvinceOrder.map((code) => [code, oldProvinceNames.get(code)]),
  // [code, name, province code, [[old commune code, 1 if only part of it]]]
  communes,
  // old commune code -> [name, old province code]
  oldCommunes: oldCommuneTable,
};
fs.writeFileSync(output, JSON.stringify(out) + '\n');
console.log(`wrote ${path.relative(process.cwd(), output)}: ${provinces.length} provinces, ${communes.length} communes, ${Object.keys(oldCommuneTable).length} old communes`);
