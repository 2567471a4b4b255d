import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { toGtin14 } from '@htx/shared';
import { encodeDlValue, epcUrnToDigitalLink, normaliseDigitalLink } from '../gs1/epc-uri';
import { eventHash } from './event-hash';
import schema from './schema/EPCIS-JSON-Schema.json';

/**
 * EPCIS 2.0 JSON-LD documents with CBV 2.0 vocabulary for the events a cooperative records: harvest
 * (ObjectEvent ADD, bizStep commissioning, lot master data in ilmd), drying / processing (TransformationEvent:
 * input lots → output lot with quantity lists), packing, shipping, receiving, inspecting and storing
 * (ObjectEvent OBSERVE). Every event gets its CBV 2.0 event hash as eventID.
 */

export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** Namespace of our own extension fields (e.g. htx:corrects, the eventID an event corrects). */
export const HTX_NAMESPACE = 'https://htxso.vn/epcis/';
export const DOCUMENT_CONTEXT: unknown[] = [EPCIS_CONTEXT_URL, { htx: HTX_NAMESPACE, cbvmda: 'urn:epcglobal:cbv:mda#' }];

export type JsonObject = Record<string, unknown>;

export const STEP_KINDS = ['harvest', 'drying', 'processing', 'packing', 'shipping', 'receiving', 'inspecting', 'storing'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** CBV 2.0 business step of each kind of record (CBV has no "harvesting": a harvest is commissioning). */
export const BIZ_STEP: Record<StepKind, string> = {
  harvest: 'commissioning',
  drying: 'commissioning',
  processing: 'commissioning',
  packing: 'packing',
  shipping: 'shipping',
  receiving: 'receiving',
  inspecting: 'inspecting',
  storing: 'storing',
};

/** Default CBV disposition after each step. */
export const DEFAULT_DISPOSITION: Record<StepKind, string> = {
  harvest: 'active',
  drying: 'in_progress',
  processing: 'in_progress',
  packing: 'in_progress',
  shipping: 'in_transit',
  receiving: 'in_progress',
  inspecting: 'conformant',
  storing: 'sellable_not_accessible',
};

export const DISPOSITIONS = ['active', 'in_progress', 'in_transit', 'conformant', 'non_conformant', 'sellable_accessible', 'sellable_not_accessible', 'recalled', 'damaged', 'destroyed', 'expired'] as const;

export const UNITS = ['KGM', 'GRM', 'H87', 'LTR'] as const;
export type Unit = (typeof UNITS)[number];

export interface LotRef {
  gtin: string;
  lotCode: string;
}

export interface LotQuantity extends LotRef {
  quantity: number;
  uom: Unit;
}

/** EPC class of a lot: the canonical GS1 Digital Link of GTIN + lot (LGTIN) on id.gs1.org. */
export function lotClassUri(ref: LotRef): string {
  return `https://id.gs1.org/01/${toGtin14(ref.gtin)}/10/${encodeDlValue(ref.lotCode)}`;
}

/** GTIN-14 and lot of an EPC class / EPC URI when it names a lot (LGTIN, DL with /10/, or an SGTIN-with-lot DL). */
export function lotOfUri(uri: string): LotRef | null {
  const canonical = epcUrnToDigitalLink(uri) ?? normaliseDigitalLink(uri);
  if (!canonical) return null;
  const m = /^https:\/\/id\.gs1\.org\/01\/(\d{14})(?:\/22\/[^/]+)?\/10\/([^/]+)/.exec(canonical);
  if (!m) return null;
  try {
    return { gtin: m[1], lotCode: decodeURIComponent(m[2]) };
  } catch {
    return null;
  }
}

/** +07:00 style offset of a time zone at an instant (Asia/Ho_Chi_Minh has no DST: always +07:00). */
export function timeZoneOffset(timeZone = 'Asia/Ho_Chi_Minh', at = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+07:00';
  const m = /GMT([+-]\d\d:\d\d)/.exec(name);
  return m ? m[1] : '+00:00';
}

export interface StepEventInput {
  kind: StepKind;
  eventTime: Date;
  eventTimeZoneOffset?: string;
  /** ObjectEvents: the lots the step concerns. */
  lots?: LotQuantity[];
  /** TransformationEvents (drying/processing): inputs and outputs. */
  inputs?: LotQuantity[];
  outputs?: LotQuantity[];
  disposition?: string;
  readPointUri?: string;
  bizLocationUri?: string;
  certificationInfo?: string[];
  /** Harvest lot master data (ilmd). */
  ilmd?: { lotNumber: string; harvestDate?: string | null; bestBeforeDate?: string | null; countryOfOrigin?: string; farmList?: string[] };
  /** Shipping/receiving partners: owning party URIs. */
  sourceUri?: string;
  destinationUri?: string;
  /** Transaction reference (e.g. an order or delivery note URI). */
  bizTransactionUri?: string;
  /** eventID of the event this one corrects. */
  corrects?: string;
  note?: string;
}

const qty = (l: LotQuantity) => ({ epcClass: lotClassUri(l), quantity: l.quantity, uom: l.uom });

/** Local ISO time with offset, e.g. 2025-11-20T08:30:00.000+07:00 (EPCIS shows event time in the place's zone). */
export function isoWithOffset(at: Date, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(at.getTime() + minutes * 60_000).toISOString().replace('Z', '');
  return `${local}${offset}`;
}

/** Builds the EPCIS 2.0 event for a form-recorded step, with its CBV 2.0 eventID. */
export function buildStepEvent(input: StepEventInput): JsonObject {
  const offset = input.eventTimeZoneOffset ?? timeZoneOffset('Asia/Ho_Chi_Minh', input.eventTime);
  const transformation = input.kind === 'drying' || input.kind === 'processing';
  const event: JsonObject = {
    type: transformation ? 'TransformationEvent' : 'ObjectEvent',
    eventTime: isoWithOffset(input.eventTime, offset),
    eventTimeZoneOffset: offset,
  };
  if (input.certificationInfo?.length) event['certificationInfo'] = input.certificationInfo.length === 1 ? input.certificationInfo[0] : input.certificationInfo;
  if (transformation) {
    event['inputQuantityList'] = (input.inputs ?? []).map(qty);
    event['outputQuantityList'] = (input.outputs ?? []).map(qty);
  } else {
    event['epcList'] = [];
    event['quantityList'] = (input.lots ?? []).map(qty);
    event['action'] = input.kind === 'harvest' ? 'ADD' : 'OBSERVE';
  }
  event['bizStep'] = BIZ_STEP[input.kind];
  event['disposition'] = input.disposition ?? DEFAULT_DISPOSITION[input.kind];
  if (input.readPointUri) event['readPoint'] = { id: input.readPointUri };
  if (input.bizLocationUri) event['bizLocation'] = { id: input.bizLocationUri };
  if (input.bizTransactionUri) event['bizTransactionList'] = [{ type: 'po', bizTransaction: input.bizTransactionUri }];
  if (input.sourceUri) event['sourceList'] = [{ type: 'owning_party', source: input.sourceUri }];
  if (input.destinationUri) event['destinationList'] = [{ type: 'owning_party', destination: input.destinationUri }];
  const ilmd: JsonObject = {};
  if (input.ilmd) {
    ilmd['cbvmda:lotNumber'] = input.ilmd.lotNumber;
    if (input.ilmd.harvestDate) ilmd['cbvmda:harvestStartDate'] = input.ilmd.harvestDate;
    if (input.ilmd.bestBeforeDate) ilmd['cbvmda:bestBeforeDate'] = input.ilmd.bestBeforeDate;
    ilmd['cbvmda:countryOfOrigin'] = input.ilmd.countryOfOrigin ?? 'VN';
    if (input.ilmd.farmList?.length) ilmd['cbvmda:farmList'] = input.ilmd.farmList;
  }
  if (Object.keys(ilmd).length) event['ilmd'] = ilmd;
  if (input.corrects) event['htx:corrects'] = input.corrects;
  if (input.note) event['htx:note'] = input.note;
  event['eventID'] = eventHash(event, DOCUMENT_CONTEXT).eventId;
  return event;
}

/** An EPCISDocument holding the given events. */
export function epcisDocument(events: JsonObject[], creationDate = new Date()): JsonObject {
  return {
    '@context': DOCUMENT_CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: creationDate.toISOString(),
    epcisBody: { eventList: events },
  };
}

/** An EPCISQueryDocument answering a query (SimpleEventQuery semantics). */
export function epcisQueryDocument(events: JsonObject[], creationDate = new Date()): JsonObject {
  return {
    '@context': DOCUMENT_CONTEXT,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: creationDate.toISOString(),
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
  };
}

let validator: ValidateFunction | null = null;

/** Validates a document against GS1's EPCIS 2.0 JSON schema; returns readable problems (empty when valid). */
export function validateEpcis(doc: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    addFormats(ajv);
    validator = ajv.compile(schema as object);
  }
  if (validator(doc)) return [];
  return describeErrors(validator.errors ?? []);
}

function describeErrors(errors: ErrorObject[]): string[] {
  // if/then and anyOf wrappers repeat the real cause; keep the leaf messages, once each.
  const out = new Set<string>();
  for (const e of errors) {
    if (['if', 'anyOf', 'allOf', 'oneOf'].includes(e.keyword)) continue;
    const where = e.instancePath || '(document)';
    const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty?: string }).additionalProperty})` : e.keyword === 'enum' ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).slice(0, 8).join(', ')}…)` : '';
    out.add(`${where} ${e.message ?? 'is invalid'}${extra}`);
  }
  return [...out].slice(0, 20);
}
