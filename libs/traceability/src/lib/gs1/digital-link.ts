import { gtinProblem, toGtin14 } from '@htx/shared';
import { encodeDlValue } from './epc-uri';

/**
 * GS1 Digital Link URIs (GS1 Digital Link standard 1.x, uncompressed form) for lots and serialised packs:
 * `https://{host}/01/{GTIN-14}/10/{lot}[/21/{serial}]`. GTINs are validated (check digit) and zero-padded to
 * 14 digits; AI 10 (batch/lot) and AI 21 (serial) values must use GS1 AI encodable character set 82 and be at
 * most 20 characters; every character outside the URI unreserved set is percent-encoded.
 */

/** GS1 AI encodable character set 82 (GS1 General Specifications §7.11, Figure 7.11-1). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

export interface DigitalLinkKey {
  /** GTIN-14. */
  gtin: string;
  lot: string;
  serial?: string;
}

export interface ParsedDigitalLink extends DigitalLinkKey {
  /** Origin the URI was resolved on, e.g. https://id.gs1.org. */
  origin: string;
}

export class DigitalLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DigitalLinkError';
  }
}

/** Why an AI 10 / AI 21 value is unusable, or null when it is fine. */
export function aiValueProblem(ai: '10' | '21', value: string): string | null {
  const what = ai === '10' ? 'Số lô / Lot number (AI 10)' : 'Số sê-ri / Serial number (AI 21)';
  if (value.length === 0) return `${what} must not be empty`;
  if (value.length > 20) return `${what} "${value}" is longer than 20 characters`;
  // "." and ".." are dot-segments: every browser and URL parser (WHATWG URL, even as %2E) drops them from a path,
  // so such a value could never be reached through a scanned QR code.
  if (/^\.+$/.test(value)) return `${what} "${value}" must contain a letter or digit, not only dots`;
  if (!CSET82.test(value)) {
    const bad = Array.from(value).filter((c) => !CSET82.test(c));
    return `${what} "${value}" contains characters GS1 does not allow (${[...new Set(bad)].map((c) => JSON.stringify(c)).join(' ')}); use letters A-Z a-z, digits and !"%&'()*+,-./:;<=>?_`;
  }
  return null;
}

export function gtinMessage(value: string): string | null {
  const problem = gtinProblem(value);
  if (!problem) return null;
  if (problem === 'not-digits') return `GTIN "${value}" phải chỉ gồm chữ số / must contain only digits`;
  if (problem === 'wrong-length') return `GTIN "${value}" phải có 8, 12, 13 hoặc 14 chữ số / must have 8, 12, 13 or 14 digits`;
  return `GTIN "${value}" sai số kiểm tra / has a wrong check digit`;
}

/** Percent-encodes an AI value for a path segment (values of only dots are refused by aiValueProblem). */
function encodeSegment(value: string): string {
  return encodeDlValue(value);
}

/** Builds the Digital Link URI of a lot (and optionally a serialised pack) on the given origin. */
export function buildDigitalLink(origin: string, key: { gtin: string; lot: string; serial?: string | null }): string {
  const gtinErr = gtinMessage(key.gtin);
  if (gtinErr) throw new DigitalLinkError(gtinErr);
  const lotErr = aiValueProblem('10', key.lot);
  if (lotErr) throw new DigitalLinkError(lotErr);
  let uri = `${origin.replace(/\/+$/, '')}/01/${toGtin14(key.gtin)}/10/${encodeSegment(key.lot)}`;
  if (key.serial !== undefined && key.serial !== null) {
    const serialErr = aiValueProblem('21', key.serial);
    if (serialErr) throw new DigitalLinkError(serialErr);
    uri += `/21/${encodeSegment(key.serial)}`;
  }
  return uri;
}

/** The path part alone: /01/{gtin}/10/{lot}[/21/{serial}]. */
export function digitalLinkPath(key: { gtin: string; lot: string; serial?: string | null }): string {
  return buildDigitalLink('', key);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new DigitalLinkError(`"${value}" is not validly percent-encoded`);
  }
}

/**
 * Parses a Digital Link URI (any host, optional path prefix, optional query string of data attributes) into
 * GTIN-14, lot and serial. Accepts GTIN-8/12/13 in the path (padded) and the CPV qualifier 22 (ignored).
 */
export function parseDigitalLink(uri: string): ParsedDigitalLink {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new DigitalLinkError(`"${uri}" is not a URI`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DigitalLinkError('A Digital Link must be an http(s) URI');
  const segments = url.pathname.split('/').filter(Boolean);
  const at = segments.indexOf('01');
  if (at < 0 || at + 1 >= segments.length) throw new DigitalLinkError(`"${uri}" carries no GTIN (AI 01)`);
  const gtinRaw = decode(segments[at + 1]);
  const gtinErr = gtinMessage(gtinRaw);
  if (gtinErr) throw new DigitalLinkError(gtinErr);
  const rest = segments.slice(at + 2);
  if (rest.length % 2 !== 0) throw new DigitalLinkError(`"${uri}" has an AI without a value`);
  const values = new Map<string, string>();
  const order = ['22', '10', '21'];
  let last = -1;
  for (let i = 0; i < rest.length; i += 2) {
    const ai = rest[i];
    const pos = order.indexOf(ai);
    if (pos < 0) throw new DigitalLinkError(`AI ${ai} is not a key qualifier of a GTIN (allowed: 22, 10, 21 in that order)`);
    if (pos <= last) throw new DigitalLinkError(`Key qualifiers must appear in the order 22, 10, 21`);
    last = pos;
    values.set(ai, decode(rest[i + 1]));
  }
  const lot = values.get('10');
  if (lot === undefined) throw new DigitalLinkError(`"${uri}" carries no lot number (AI 10)`);
  const lotErr = aiValueProblem('10', lot);
  if (lotErr) throw new DigitalLinkError(lotErr);
  const serial = values.get('21');
  if (serial !== undefined) {
    const serialErr = aiValueProblem('21', serial);
    if (serialErr) throw new DigitalLinkError(serialErr);
  }
  return { origin: url.origin, gtin: toGtin14(gtinRaw), lot, ...(serial !== undefined ? { serial } : {}) };
}
