import { TraceabilityInit1764300000000 } from './lib/migrations/1764300000000-traceability-init';

export { TraceabilityModule } from './lib/traceability.module';
export { TraceabilityService, appendTraceEvent, type LotContext, type AppendInput, type AppendResult } from './lib/traceability.service';
export { TracePublicService } from './lib/trace-public.service';
export { buildDigitalLink, parseDigitalLink, digitalLinkPath, aiValueProblem, DigitalLinkError, type DigitalLinkKey, type ParsedDigitalLink } from './lib/gs1/digital-link';
export { epcUrnToDigitalLink, normaliseDigitalLink } from './lib/gs1/epc-uri';
export { eventHash, eventPreHash, documentEventHashes, canonicalTimestamp, type EventHash } from './lib/epcis/event-hash';
export {
  buildStepEvent,
  epcisDocument,
  epcisQueryDocument,
  validateEpcis,
  lotClassUri,
  lotOfUri,
  DOCUMENT_CONTEXT,
  STEP_KINDS,
  BIZ_STEP,
  UNITS,
  type StepKind,
  type StepEventInput,
  type LotQuantity,
} from './lib/epcis/document';
export { chainHash, verifyChain, canonicalJson, GENESIS_HASH, type ChainEntry, type ChainVerification } from './lib/chain';
export { qrSvg, qrPng, labelSheetPdf, labelOrigin, LABEL_LAYOUT, LABELS_PER_PAGE, QR_ERROR_CORRECTION } from './lib/labels/labels';
export { SCAN_RATE_THRESHOLD, SCAN_PLACES_THRESHOLD, ScanService, deviceClass } from './lib/scans.service';
export { geometryProblem, mapPoint } from './lib/geo';

/** Traceability keeps to SQL (no TypeORM entities): its tables are append-only or written by hand-written SQL. */
export const TRACEABILITY_ENTITIES: Array<new () => unknown> = [];
export const TRACEABILITY_MIGRATIONS: Array<new () => unknown> = [TraceabilityInit1764300000000];

/** The cached-trace hook; the API installs it on Fastify ahead of every other hook and middleware. */
export { TraceFastPath } from './lib/trace-fast-path';
export type { HookHost } from './lib/trace-fast-path';
