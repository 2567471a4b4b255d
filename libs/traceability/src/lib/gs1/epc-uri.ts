import { gs1CheckDigit } from '@htx/shared';

/**
 * Conversion of EPC URNs (EPC Tag Data Standard pure identities, `urn:epc:id:…`, LGTIN classes
 * `urn:epc:class:lgtin:…` and patterns `urn:epc:idpat:…`) and of GS1 Digital Link URIs on any host into the
 * canonical GS1 Digital Link form on `https://id.gs1.org`, as the CBV 2.0 event-hash algorithm requires.
 */
const ID = 'https://id.gs1.org';

const withCheck = (digits: string) => digits + gs1CheckDigit(digits);

function decodeUrnPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function encodeDlPart(part: string): string {
  return encodeDlValue(decodeUrnPart(part));
}

/** GS1 Digital Link percent-encoding of an AI value: unreserved characters stay, everything else is %XX (UTF-8). */
export function encodeDlValue(value: string): string {
  return Array.from(new TextEncoder().encode(value))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** GTIN-14 from an SGTIN-style company prefix + indicator/item reference. */
function gtinFrom(companyPrefix: string, itemRef: string): string {
  return withCheck(itemRef.slice(0, 1) + companyPrefix + itemRef.slice(1));
}

/** EPC pure identity / class / pattern URN → canonical Digital Link, or null when it is not one we know. */
export function epcUrnToDigitalLink(urn: string): string | null {
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.+)$/.exec(urn);
  if (!m) return null;
  const [, kind, scheme, rest] = m;
  const p = rest.split('.');
  const star = (s: string | undefined) => s === undefined || s === '*';
  if (kind === 'class') {
    if (scheme === 'lgtin' && p.length >= 3) return `${ID}/01/${gtinFrom(p[0], p[1])}/10/${encodeDlPart(p.slice(2).join('.'))}`;
    return null;
  }
  const pattern = kind === 'idpat';
  switch (scheme) {
    case 'sgtin':
      if (p.length < 3) return null;
      return pattern && star(p[2]) ? `${ID}/01/${gtinFrom(p[0], p[1])}` : `${ID}/01/${gtinFrom(p[0], p[1])}/21/${encodeDlPart(p.slice(2).join('.'))}`;
    case 'sscc':
      if (p.length !== 2) return null;
      return `${ID}/00/${withCheck(p[1].slice(0, 1) + p[0] + p[1].slice(1))}`;
    case 'sgln': {
      if (p.length < 3) return null;
      const gln = withCheck(p[0] + p[1]);
      const ext = p.slice(2).join('.');
      return ext === '0' || (pattern && star(ext)) ? `${ID}/414/${gln}` : `${ID}/414/${gln}/254/${encodeDlPart(ext)}`;
    }
    case 'pgln':
      return p.length === 2 ? `${ID}/417/${withCheck(p[0] + p[1])}` : null;
    case 'grai': {
      if (p.length < 3) return null;
      const base = withCheck('0' + p[0] + p[1]);
      return pattern && star(p[2]) ? `${ID}/8003/${base}` : `${ID}/8003/${base}${encodeDlPart(p.slice(2).join('.'))}`;
    }
    case 'giai':
      return p.length >= 2 ? `${ID}/8004/${p[0]}${encodeDlPart(p.slice(1).join('.'))}` : null;
    case 'gsrn':
      return p.length === 2 ? `${ID}/8018/${withCheck(p[0] + p[1])}` : null;
    case 'gsrnp':
      return p.length === 2 ? `${ID}/8017/${withCheck(p[0] + p[1])}` : null;
    case 'gdti': {
      if (p.length < 3) return null;
      const base = withCheck(p[0] + p[1]);
      return pattern && star(p[2]) ? `${ID}/253/${base}` : `${ID}/253/${base}${encodeDlPart(p.slice(2).join('.'))}`;
    }
    case 'sgcn': {
      if (p.length < 3) return null;
      const base = withCheck(p[0] + p[1]);
      return pattern && star(p[2]) ? `${ID}/255/${base}` : `${ID}/255/${base}${p[2]}`;
    }
    case 'cpi': {
      if (p.length < 3) return null;
      const cpi = `${ID}/8010/${encodeDlPart(p[0] + decodeUrnPart(p[1]))}`;
      return pattern && star(p[2]) ? cpi : `${cpi}/8011/${p[2]}`;
    }
    case 'ginc':
      return p.length >= 2 ? `${ID}/401/${encodeDlPart(p[0] + decodeUrnPart(p.slice(1).join('.')))}` : null;
    case 'gsin':
      return p.length === 2 ? `${ID}/402/${withCheck(p[0] + p[1])}` : null;
    case 'itip': {
      if (p.length < 5) return null;
      const base = gtinFrom(p[0], p[1]) + p[2] + p[3];
      return pattern && star(p[4]) ? `${ID}/8006/${base}` : `${ID}/8006/${base}/21/${encodeDlPart(p.slice(4).join('.'))}`;
    }
    case 'upui':
      return p.length >= 3 ? `${ID}/01/${gtinFrom(p[0], p[1])}/235/${encodeDlPart(p.slice(2).join('.'))}` : null;
    default:
      return null;
  }
}

/** Primary keys of GS1 Digital Link URIs and the key qualifiers each may carry, in canonical order. */
const PRIMARY_KEYS: Record<string, string[]> = {
  '00': [],
  '01': ['22', '10', '21', '235'],
  '253': [],
  '255': [],
  '401': [],
  '402': [],
  '414': ['254', '7040'],
  '417': ['7040'],
  '8003': [],
  '8004': ['7040'],
  '8006': ['22', '10', '21'],
  '8010': ['8011'],
  '8013': ['7040'],
  '8017': ['8019'],
  '8018': ['8019'],
};

/**
 * A GS1 Digital Link URI on any host (and with any path prefix) → its canonical form on id.gs1.org with only
 * the primary key and its key qualifiers (no query string, GTINs as GTIN-14), or null when it is no Digital Link.
 */
export function normaliseDigitalLink(uri: string): string | null {
  const m = /^https?:\/\/[^/?#]+(\/[^?#]*)/.exec(uri);
  if (!m) return null;
  const segments = m[1].split('/').filter((s) => s !== '');
  for (let i = 0; i + 1 < segments.length; i++) {
    const ai = segments[i];
    if (!(ai in PRIMARY_KEYS)) continue;
    const rest = segments.slice(i + 2);
    if (rest.length % 2 !== 0) continue;
    const qualifiers = PRIMARY_KEYS[ai];
    const pairs = new Map<string, string>();
    let ok = true;
    for (let j = 0; j < rest.length; j += 2) {
      if (!qualifiers.includes(rest[j])) {
        ok = false;
        break;
      }
      pairs.set(rest[j], rest[j + 1]);
    }
    if (!ok) continue;
    let value = segments[i + 1];
    if (ai === '01') {
      if (!/^\d{8}$|^\d{12,14}$/.test(value)) continue;
      value = value.padStart(14, '0');
    }
    let out = `${ID}/${ai}/${value}`;
    for (const q of qualifiers) if (pairs.has(q)) out += `/${q}/${pairs.get(q)}`;
    return out;
  }
  return null;
}
