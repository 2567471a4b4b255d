import { formatDate, formatDateTime } from './format';
import { esc, safeHref } from './html';
import type { Lang } from './i18n';

/** The public trace document as the API sends it (fields the page uses). */
export interface TraceDocument {
  traceCode: string;
  gtin: string;
  lotCode: string;
  serial?: string | null;
  product: { nameVi: string; nameEn: string | null; variantNameVi?: string; variantNameEn?: string | null; brand: string; category?: string | null; descriptionVi: string; descriptionEn?: string; images: string[]; slug: string; shelfLifeDays: number | null };
  cooperative: { name: string; nameEn?: string | null; slug: string; address: string; phone?: string | null; email?: string | null };
  lot: { harvestDate: string | null; expiryDate: string | null; shelfLifeDays?: number | null; quantityReceived?: number };
  recall: { recalled: boolean; reason?: string | null; recalledAt?: string | null };
  standards?: {
    certificates?: { kind: string; name: string; issuer?: string; number?: string | null; stars: number | null; validTo: string | null; valid: boolean }[];
    ocopMark?: { stars: number } | null;
    plotCertificates?: { kind: string; name: string; number?: string | null; validTo: string | null; valid: boolean; plot?: string }[];
    traceability?: string[];
  };
  stages: { seq: number; role?: string; kind?: string; labelVi: string; labelEn: string; time: string; bizStep?: string; location?: { name: string; latitude?: number | null; longitude?: number | null } | null; quantities?: { lotCode: string; quantity: number; uom: string; direction: string }[]; note?: string | null }[];
  sourceLots?: { gtin: string; lotCode: string; productNameVi?: string; harvestDate?: string | null }[];
  households?: { name: string; village?: string | null; ethnicGroup?: string | null }[];
  householdCount?: number;
  plots?: { name: string; crop?: string | null; areaM2?: number | null; village?: string | null; mapPoint?: { latitude: number; longitude: number } | null; geometry?: { type: string; coordinates: unknown } | null }[];
  scanCount?: number;
  chain?: { head: string | null; length: number; valid: boolean };
  links?: { pip?: string; epcis?: string };
}

const L = {
  title: { vi: 'Truy xuất nguồn gốc', en: 'Product origin' },
  recall: { vi: 'CẢNH BÁO THU HỒI: không sử dụng sản phẩm thuộc lô này.', en: 'RECALL WARNING: do not use products from this lot.' },
  lot: { vi: 'Lô', en: 'Lot' },
  harvest: { vi: 'Ngày thu hoạch', en: 'Harvested' },
  expiry: { vi: 'Hạn sử dụng', en: 'Best before' },
  producer: { vi: 'Cơ sở sản xuất', en: 'Producer' },
  grownBy: { vi: 'Hộ trồng', en: 'Grown by' },
  households: { vi: 'hộ thành viên', en: 'member households' },
  where: { vi: 'Vùng trồng', en: 'Where it was grown' },
  steps: { vi: 'Hành trình sản phẩm', en: 'Journey' },
  standards: { vi: 'Tiêu chuẩn, chứng nhận', en: 'Standards and certificates' },
  verified: { vi: '✔ Lịch sử đã được xác minh (chuỗi băm toàn vẹn)', en: '✔ Verified history (hash chain intact)' },
  broken: { vi: '✖ Lịch sử KHÔNG khớp chuỗi băm', en: '✖ History does NOT match its hash chain' },
  scans: { vi: 'Lượt quét mã', en: 'Scans' },
  buy: { vi: 'Mua lại sản phẩm này', en: 'Buy this product again' },
  code: { vi: 'Mã truy xuất', en: 'Trace code' },
  blend: { vi: 'Nguyên liệu từ các lô', en: 'Made from lots' },
  validTo: { vi: 'hiệu lực đến', en: 'valid until' },
  expired: { vi: 'hết hiệu lực', en: 'expired' },
  map: { vi: 'Xem trên bản đồ', en: 'Open in a map' },
  lang: { vi: 'English', en: 'Tiếng Việt' },
  area: { vi: 'Diện tích', en: 'Area' },
} as const;

type Key = keyof typeof L;

const CSS = `:root{--g:#2f6b3a;--d:#204d28;--m:#5d6a61;--l:#dfe6e0;--w:#b3261e}*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:#1d2420;background:#f7f9f5}header{background:var(--g);color:#fff;padding:.5rem .75rem;display:flex;justify-content:space-between}header a{color:#fff;text-decoration:none}main{max-width:720px;margin:0 auto;padding:.75rem}h1{font-size:1.3rem;margin:.4rem 0}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}section{background:#fff;border:1px solid var(--l);border-radius:10px;padding:.75rem;margin:.6rem 0}.m{color:var(--m);font-size:.9rem}.alert{border:2px solid var(--w);background:#fdecea;color:var(--w);padding:.75rem;border-radius:10px;font-weight:700}.ok{color:var(--d);font-weight:700}.bad{color:var(--w);font-weight:700}dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .75rem;margin:0}dt{color:var(--m)}dd{margin:0}ol{list-style:none;padding:0 0 0 1rem;margin:0;border-left:3px solid var(--g)}ol li{position:relative;padding:0 0 .9rem .5rem}ol li:before{content:"";position:absolute;left:-1.55rem;top:.4rem;width:.8rem;height:.8rem;border-radius:50%;background:var(--g)}.b{display:inline-block;font-size:.8rem;padding:0 .45rem;border-radius:999px;background:#e6f0e4;color:var(--d)}.off{background:#eee;color:#777}.btn{display:inline-block;background:var(--g);color:#fff;padding:.65rem 1rem;border-radius:8px;text-decoration:none;font-weight:700}svg{width:100%;height:auto;max-width:360px;background:#eef3ea;border-radius:8px;border:1px solid var(--l)}img{max-width:100%;height:auto;border-radius:8px}code{font-size:.75rem;word-break:break-all}`;

/** A small map drawn from the plot's own coordinates (no external tiles are needed or loaded). */
function plotMap(plot: NonNullable<TraceDocument['plots']>[number]): string {
  const ring: [number, number][] = [];
  if (plot.geometry?.type === 'Polygon') {
    for (const p of (plot.geometry.coordinates as [number, number][][])[0] ?? []) ring.push(p);
  }
  const point = plot.mapPoint ? ([plot.mapPoint.longitude, plot.mapPoint.latitude] as [number, number]) : ring[0];
  if (!point) return '';
  const all = ring.length ? ring : [point];
  const lons = all.map((p) => p[0]);
  const lats = all.map((p) => p[1]);
  const pad = 0.0015;
  const [minX, maxX, minY, maxY] = [Math.min(...lons) - pad, Math.max(...lons) + pad, Math.min(...lats) - pad, Math.max(...lats) + pad];
  const k = Math.cos((point[1] * Math.PI) / 180); // shrink longitude so shapes keep their proportions
  const w = (maxX - minX) * k;
  const h = maxY - minY;
  const W = 320;
  const H = ring.length ? Math.max(120, Math.min(320, Math.round((W * h) / w))) : 140;
  const x = (lon: number) => (ring.length ? (((lon - minX) * k) / w) * W : W / 2);
  const y = (lat: number) => (ring.length ? H - ((lat - minY) / h) * H : H / 2);
  const poly = ring.length ? `<polygon points="${ring.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ')}" fill="#9cc59a" fill-opacity=".6" stroke="#2f6b3a" stroke-width="2"/>` : '';
  const [px, py] = [x(point[0]), y(point[1])];
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(plot.name)}: ${point[1].toFixed(5)}, ${point[0].toFixed(5)}">${poly}<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="6" fill="#b3261e" stroke="#fff" stroke-width="2"/><text x="6" y="${H - 6}" font-size="11" fill="#5d6a61">${point[1].toFixed(4)}°N ${point[0].toFixed(4)}°E</text></svg>`;
}

export function renderTracePage(doc: TraceDocument, lang: Lang, path: string): string {
  const l = (key: Key) => L[key][lang];
  const pname = lang === 'en' && doc.product.nameEn ? doc.product.nameEn : doc.product.nameVi;
  const variant = lang === 'en' && doc.product.variantNameEn ? doc.product.variantNameEn : doc.product.variantNameVi;
  const certs = [...(doc.standards?.certificates ?? []), ...(doc.standards?.plotCertificates ?? []).map((c) => ({ ...c, stars: null, issuer: c.plot }))];
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="theme-color" content="#2f6b3a"><title>${esc(pname)} · ${esc(l('lot'))} ${esc(doc.lotCode)} · HTX Số</title><meta name="description" content="${esc(l('title'))}: ${esc(pname)}, ${esc(doc.cooperative.name)}"><style>${CSS}</style></head><body>`);
  parts.push(`<header><a href="/"><b>HTX Số</b></a><a href="/lang/${lang === 'vi' ? 'en' : 'vi'}?next=${encodeURIComponent(path)}">${l('lang')}</a></header><main>`);
  if (doc.recall.recalled) {
    parts.push(`<p class="alert" role="alert" data-testid="recall-banner">${esc(l('recall'))}${doc.recall.reason ? `<br>${esc(doc.recall.reason)}` : ''}${doc.recall.recalledAt ? `<br><span style="font-weight:400">${esc(formatDateTime(doc.recall.recalledAt))}</span>` : ''}</p>`);
  }
  parts.push(`<p class="m">${esc(l('title'))}</p><h1>${esc(pname)}${variant ? ` <span class="m">(${esc(variant)})</span>` : ''}</h1>`);
  if (doc.product.images[0]) parts.push(`<img src="${safeHref(doc.product.images[0])}" alt="${esc(pname)}" width="320" height="320" loading="lazy">`);
  parts.push(
    `<section><dl><dt>${l('lot')}</dt><dd data-testid="lot-code">${esc(doc.lotCode)}${doc.serial ? ` · #${esc(doc.serial)}` : ''}</dd><dt>GTIN</dt><dd>${esc(doc.gtin)}</dd><dt>${l('harvest')}</dt><dd>${esc(formatDate(doc.lot.harvestDate))}</dd><dt>${l('expiry')}</dt><dd>${esc(formatDate(doc.lot.expiryDate))}</dd><dt>${l('producer')}</dt><dd>${esc(doc.cooperative.name)} (${esc(doc.product.brand)})<br><span class="m">${esc(doc.cooperative.address)}${doc.cooperative.phone ? ` · ${esc(doc.cooperative.phone)}` : ''}</span></dd></dl>`,
  );
  if (doc.chain) parts.push(`<p class="${doc.chain.valid ? 'ok' : 'bad'}" data-testid="chain">${l(doc.chain.valid ? 'verified' : 'broken')}</p>`);
  parts.push(`</section>`);

  if (doc.sourceLots && doc.sourceLots.length > 0) {
    parts.push(`<h2>${l('blend')}</h2><section><ul>${doc.sourceLots.map((s) => `<li><a href="/01/${esc(s.gtin)}/10/${encodeURIComponent(s.lotCode)}">${esc(s.productNameVi ?? s.gtin)} · ${esc(s.lotCode)}</a>${s.harvestDate ? ` <span class="m">${esc(formatDate(s.harvestDate))}</span>` : ''}</li>`).join('')}</ul></section>`);
  }

  parts.push(`<h2>${l('steps')}</h2><section><ol data-testid="timeline">`);
  for (const s of doc.stages) {
    const qty = (s.quantities ?? []).filter((q) => q.direction !== 'in').map((q) => `${q.quantity} ${q.uom === 'KGM' ? 'kg' : q.uom === 'H87' ? (lang === 'vi' ? 'gói' : 'packs') : esc(q.uom)}`);
    parts.push(`<li><b>${esc(lang === 'en' ? s.labelEn : s.labelVi)}</b> <span class="m">${esc(formatDateTime(s.time))}</span>${s.location ? `<br><span class="m">${esc(s.location.name)}</span>` : ''}${qty.length ? `<br><span class="m">${qty.join(', ')}</span>` : ''}${s.note ? `<br>${esc(s.note)}` : ''}</li>`);
  }
  parts.push(`</ol></section>`);

  if ((doc.plots ?? []).length > 0 || (doc.households ?? []).length > 0) {
    parts.push(`<h2>${l('where')}</h2>`);
    for (const p of doc.plots ?? []) {
      const pt = p.mapPoint;
      parts.push(`<section><b>${esc(p.name)}</b>${p.crop ? ` · ${esc(p.crop)}` : ''}${p.village ? `<br><span class="m">${esc(p.village)}</span>` : ''}${p.areaM2 ? `<br><span class="m">${l('area')}: ${esc(p.areaM2.toLocaleString('vi-VN'))} m²</span>` : ''}${plotMap(p)}${pt ? `<br><a href="https://www.openstreetmap.org/?mlat=${pt.latitude}&amp;mlon=${pt.longitude}#map=15/${pt.latitude}/${pt.longitude}" rel="noopener nofollow">${l('map')}</a>` : ''}</section>`);
    }
    const hh = doc.households ?? [];
    if (hh.length > 0 || doc.householdCount) {
      parts.push(`<section><b>${l('grownBy')}</b>: ${hh.map((h) => `${esc(h.name)}${h.village ? ` (${esc(h.village)})` : ''}`).join(', ') || '—'}${doc.householdCount && doc.householdCount > hh.length ? ` <span class="m">· ${esc(doc.householdCount)} ${l('households')}</span>` : ''}</section>`);
    }
  }

  if (certs.length > 0 || doc.standards?.traceability?.length) {
    parts.push(`<h2>${l('standards')}</h2><section><ul>`);
    for (const c of certs) {
      const ocop = c.kind === 'ocop' && c.valid && (c.stars ?? 0) >= 3 ? ` ${'★'.repeat(c.stars ?? 0)}` : '';
      parts.push(`<li><span class="b${c.valid ? '' : ' off'}">${esc(c.kind.toUpperCase())}${ocop}</span> ${esc(c.name)}${c.validTo ? ` <span class="m">(${l(c.valid ? 'validTo' : 'expired')} ${esc(formatDate(c.validTo))})</span>` : ''}</li>`);
    }
    if (doc.standards?.traceability?.length) parts.push(`<li class="m">${doc.standards.traceability.map(esc).join(' · ')}</li>`);
    parts.push(`</ul></section>`);
  }

  parts.push(`<p><a class="btn" href="/san-pham/${esc(doc.product.slug)}">${l('buy')}</a></p>`);
  parts.push(`<p class="m">${l('code')}: <code>${esc(doc.traceCode)}</code>${doc.scanCount !== undefined ? `<br>${l('scans')}: ${esc(doc.scanCount)}` : ''}${doc.chain?.head ? `<br>SHA-256: <code>${esc(doc.chain.head)}</code>` : ''}</p>`);
  parts.push(`</main></body></html>`);
  return parts.join('');
}

export function renderTraceNotFound(lang: Lang, message: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>HTX Số</title><style>${CSS}</style></head><body><header><a href="/"><b>HTX Số</b></a></header><main><h1>${lang === 'vi' ? 'Không tìm thấy lô hàng' : 'Lot not found'}</h1><p class="alert">${esc(message)}</p><p><a href="/san-pham">${lang === 'vi' ? 'Xem sản phẩm' : 'Browse products'}</a></p></main></body></html>`;
}
