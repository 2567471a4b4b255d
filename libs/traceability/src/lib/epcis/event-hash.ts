import { createHash } from 'node:crypto';
import { epcUrnToDigitalLink, normaliseDigitalLink } from '../gs1/epc-uri';

/**
 * The CBV 2.0 event-hash algorithm (GS1 CBV 2.0 §8.9, reference implementation
 * github.com/RalphTro/epcis-event-hash-generator): an event's canonical pre-hash string — its fields in a fixed
 * order, values normalised (UTC timestamps at millisecond precision, CBV bare words expanded to their web
 * vocabulary, EPC URNs and Digital Links to canonical Digital Links on id.gs1.org, numbers without padding),
 * lists sorted, user extensions appended sorted with expanded namespaces — hashed with SHA-256 into
 * `ni:///sha-256;<hex>?ver=CBV2.0`. Two events that say the same thing get the same id.
 */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

type Order = Array<[string, Order | null]>;

const QTY: Order = [
  ['epcClass', null],
  ['quantity', null],
  ['uom', null],
];

/** Field order of the pre-hash string (as the published test vectors of the reference implementation fix it). */
const PROP_ORDER: Order = [
  ['eventTime', null],
  ['eventTimeZoneOffset', null],
  ['certificationInfo', null],
  ['parentID', null],
  ['epcList', [['epc', null]]],
  ['inputEPCList', [['epc', null]]],
  ['childEPCs', [['epc', null]]],
  ['quantityList', [['quantityElement', QTY]]],
  ['childQuantityList', [['quantityElement', QTY]]],
  ['inputQuantityList', [['quantityElement', QTY]]],
  ['outputEPCList', [['epc', null]]],
  ['outputQuantityList', [['quantityElement', QTY]]],
  ['action', null],
  ['transformationID', null],
  ['bizStep', null],
  ['disposition', null],
  [
    'persistentDisposition',
    [
      ['set', null],
      ['unset', null],
    ],
  ],
  ['readPoint', [['id', null]]],
  ['bizLocation', [['id', null]]],
  [
    'bizTransactionList',
    [
      [
        '',
        [
          ['type', null],
          ['bizTransaction', null],
        ],
      ],
    ],
  ],
  [
    'sensorElementList',
    [
      [
        'sensorElement',
        [
          [
            'sensorMetadata',
            ['time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'].map(
              (k) => [k, null] as [string, null],
            ),
          ],
          [
            'sensorReport',
            [
              'type',
              'exception',
              'deviceID',
              'deviceMetadata',
              'rawData',
              'dataProcessingMethod',
              'time',
              'microorganism',
              'chemicalSubstance',
              'value',
              'component',
              'stringValue',
              'booleanValue',
              'hexBinaryValue',
              'uriValue',
              'minValue',
              'maxValue',
              'meanValue',
              'sDev',
              'percRank',
              'percValue',
              'uom',
              'coordinateReferenceSystem',
            ].map((k) => [k, null] as [string, null]),
          ],
        ],
      ],
    ],
  ],
];

/** Name each list's items get in the pre-hash string (the XML element names of EPCIS 1.x). */
const ITEM_NAMES: Record<string, string> = {
  epcList: 'epc',
  inputEPCList: 'epc',
  childEPCs: 'epc',
  outputEPCList: 'epc',
  quantityList: 'quantityElement',
  childQuantityList: 'quantityElement',
  inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement',
  sensorElementList: 'sensorElement',
};

/** Lists whose items are rendered without a name of their own (type first, then the value). */
const UNNAMED_ITEM_LISTS = new Set(['bizTransactionList', 'sourceList', 'destinationList']);

const IGNORED = new Set(['eventID', 'recordTime', 'type', '@context', 'rdfs:comment', 'comment', 'errorDeclaration']);

/** A node of the event tree: name, text value, children (the model the reference implementation uses). */
interface Node {
  name: string;
  value: string;
  children: Node[];
}

const CBV = 'https://ref.gs1.org/cbv/';
const GS1_VOC = 'https://gs1.org/voc/';

/** Where a bare CBV word found under a field expands to. */
function expandBareWord(field: string, parent: string, value: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  switch (field) {
    case 'bizStep':
      return `${CBV}BizStep-${value}`;
    case 'disposition':
    case 'set':
    case 'unset':
      return `${CBV}Disp-${value}`;
    case 'reason':
      return `${CBV}ER-${value}`;
    case 'type':
      if (parent === 'bizTransactionList') return `${CBV}BTT-${value}`;
      if (parent === 'sourceList' || parent === 'destinationList') return `${CBV}SDT-${value}`;
      if (parent === 'sensorReport') return `${GS1_VOC}${value}`;
      return value;
    case 'exception':
      return `${GS1_VOC}${value}`;
    default:
      return value;
  }
}

const CBV_URNS: Array<[string, string]> = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Values are canonised: CBV URNs → web vocabulary, numbers without padding, EPC URNs / Digital Links → canonical DL. */
export function canoniseValue(text: string): string {
  let v = text;
  for (const [urn, web] of CBV_URNS) if (v.startsWith(urn)) v = web + v.slice(urn.length);
  if (NUMERIC.test(v)) {
    const n = Number(v);
    if (Number.isFinite(n)) v = String(n);
  }
  return epcUrnToDigitalLink(v) ?? normaliseDigitalLink(v) ?? v;
}

/** ISO 8601 date-time → UTC at millisecond precision (fractions rounded half up), e.g. 2020-03-04T10:00:30.000Z. */
export function canonicalTimestamp(text: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?$/i.exec(text.trim());
  if (!m) return text.trim();
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  let ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  if (frac.length > 3 && Number(frac[3]) >= 5) ms += 1;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const z = zone.replace(':', '');
    offsetMinutes = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  const epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms) - offsetMinutes * 60_000;
  const date = new Date(epoch);
  if (Number.isNaN(date.getTime())) return text.trim();
  return date.toISOString();
}

const isTimeField = (name: string) => {
  const lower = name.toLowerCase();
  return lower.indexOf('time') > 0 && !lower.includes('offset') || name === 'time';
};

/** Namespace prefixes declared in a document's @context (plus the standard ones). */
export function contextNamespaces(context: unknown): Record<string, string> {
  const ns: Record<string, string> = {
    gs1: 'https://gs1.org/voc/',
    cbv: 'https://ref.gs1.org/cbv/',
    epcis: 'https://ref.gs1.org/epcis/',
    cbvmda: 'urn:epcglobal:cbv:mda#',
  };
  const list = Array.isArray(context) ? context : [context];
  for (const c of list) {
    if (c && typeof c === 'object') {
      for (const [k, v] of Object.entries(c as Record<string, unknown>)) if (typeof v === 'string') ns[k] = v;
    }
  }
  return ns;
}

function expandKey(key: string, ns: Record<string, string>): string {
  const i = key.indexOf(':');
  if (i > 0) {
    const prefix = key.slice(0, i);
    if (prefix in ns) return `{${ns[prefix]}}${key.slice(i + 1)}`;
  }
  return key;
}

function scalarText(v: Json): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return '';
  return String(v);
}

/** JSON value → tree; arrays repeat the key (or take the list's item name). */
function toNodes(name: string, value: Json, parent: string, ns: Record<string, string>, knownField: boolean): Node[] {
  const key = knownField ? name : expandKey(name, ns);
  if (Array.isArray(value)) {
    const itemName = ITEM_NAMES[name];
    if (itemName || UNNAMED_ITEM_LISTS.has(name)) {
      return [{ name: key, value: '', children: value.flatMap((item) => toNodes(itemName ?? '', item, name, ns, true)) }];
    }
    return value.flatMap((item) => toNodes(name, item, parent, ns, knownField));
  }
  if (value !== null && typeof value === 'object') {
    const children: Node[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (k === '#text' || k === 'rdfs:comment' || k === 'comment') continue;
      children.push(...toNodes(k, v, name || parent, ns, !k.includes(':')));
    }
    // sensorElement items are objects whose keys sensorMetadata / sensorReport follow the order
    return [{ name: key, value: '', children }];
  }
  let text = scalarText(value).trim();
  if (text === '') return [{ name: key, value: '', children: [] }];
  if (knownField) text = expandBareWord(name, parent, text);
  return [{ name: key, value: text, children: [] }];
}

function leafText(node: Node): string {
  if (!node.value) return '';
  const text = isTimeField(node.name) ? canonicalTimestamp(node.value) : canoniseValue(node.value);
  return text ? `=${text}` : '';
}

/** Renders children named in `order` (each group sorted), removing what it used from `nodes`. */
function renderInOrder(nodes: Node[], order: Order): string {
  let out = '';
  for (const [name, sub] of order) {
    const matching = nodes.filter((n) => n.name === name);
    const values: string[] = [];
    for (const child of matching) {
      const text = renderNode(child, sub);
      if (text) values.push(text);
      if (child.children.length === 0) nodes.splice(nodes.indexOf(child), 1);
    }
    values.sort();
    out += values.join('');
  }
  return out;
}

function renderNode(node: Node, sub: Order | null): string {
  const own = leafText(node);
  let inner = '';
  if (sub) {
    inner = renderInOrder(node.children, sub);
    // extensions nested inside a standard field (e.g. readPoint) follow its standard children
    inner += renderGeneric(node.children);
    node.children.length = 0;
  } else if (node.children.length) {
    inner = renderGeneric(node.children);
    node.children.length = 0;
  }
  return own || inner ? node.name + own + inner : '';
}

/** Fields outside the fixed order (source/destination lists, ilmd, user extensions): rendered and sorted. */
function renderGeneric(nodes: Node[]): string {
  const values = nodes.map((n) => {
    const own = leafText(n);
    const typed = n.children.some((c) => c.name === 'type') && n.children.some((c) => c.name === 'source' || c.name === 'destination' || c.name === 'bizTransaction');
    const inner = typed ? renderTyped(n.children) : renderGeneric(n.children);
    return n.name + own + inner;
  });
  values.sort();
  return values.join('');
}

function renderTyped(children: Node[]): string {
  const type = children.filter((c) => c.name === 'type');
  const rest = children.filter((c) => c.name !== 'type');
  return [...type, ...rest].map((c) => c.name + leafText(c)).join('');
}

export interface EventHash {
  preHash: string;
  eventId: string;
}

/** The canonical pre-hash string of one EPCIS 2.0 JSON-LD event. `context` is the document's @context (for namespaces). */
export function eventPreHash(event: Record<string, unknown>, context?: unknown): string {
  const ns = contextNamespaces(context ?? (event['@context'] as unknown));
  const type = String(event['type'] ?? '');
  const nodes: Node[] = [];
  for (const [k, v] of Object.entries(event as JsonObject)) {
    if (IGNORED.has(k)) continue;
    nodes.push(...toNodes(k, v, '', ns, !k.includes(':')));
  }
  const ordered = renderInOrder(nodes, PROP_ORDER);
  return `eventType=${type}${ordered}${renderGeneric(nodes)}`;
}

export function hashPreHash(preHash: string): string {
  return `ni:///sha-256;${createHash('sha256').update(preHash, 'utf8').digest('hex')}?ver=CBV2.0`;
}

/** CBV 2.0 event hash of one event: `ni:///sha-256;<hex>?ver=CBV2.0`. */
export function eventHash(event: Record<string, unknown>, context?: unknown): EventHash {
  const preHash = eventPreHash(event, context);
  return { preHash, eventId: hashPreHash(preHash) };
}

/** Event hashes of every event of an EPCISDocument or EPCISQueryDocument, in document order. */
export function documentEventHashes(doc: Record<string, unknown>): EventHash[] {
  const body = (doc['epcisBody'] ?? {}) as Record<string, unknown>;
  const events = (body['eventList'] ??
    ((body['queryResults'] as Record<string, unknown> | undefined)?.['resultsBody'] as Record<string, unknown> | undefined)?.['eventList'] ??
    (body['event'] ? [body['event']] : [])) as Record<string, unknown>[];
  return events.map((e) => eventHash(e, doc['@context']));
}
