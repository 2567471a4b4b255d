import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { eventHash } from './epcis/event-hash';
import { DOCUMENT_CONTEXT } from './epcis/document';

/**
 * Per-lot hash chain: entry n covers the RFC 8785 canonical JSON of its event and the hash of entry n-1, so
 * rewriting, removing or reordering any past event changes every later hash. Anyone holding the events can
 * recompute it: chainHash = sha256_hex(prevHash + canonicalJSON(event)), with 64 zeros before the first entry.
 */
export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalised');
  return text;
}

export function chainHash(prevHash: string, event: unknown): string {
  return createHash('sha256').update(prevHash + canonicalJson(event), 'utf8').digest('hex');
}

export interface ChainEntry {
  seq: number;
  eventId: string;
  role: 'subject' | 'input' | 'output';
  prevHash: string;
  chainHash: string;
  event: Record<string, unknown>;
}

export interface ChainProblem {
  seq: number;
  eventId: string;
  problem: string;
}

export interface ChainVerification {
  valid: boolean;
  length: number;
  head: string;
  storedHead: string | null;
  problems: ChainProblem[];
}

/** Recomputes a lot's chain from its stored events and reports every place where it does not add up. */
export function verifyChain(entries: ChainEntry[], storedHead: string | null): ChainVerification {
  const problems: ChainProblem[] = [];
  let prev = GENESIS_HASH;
  entries.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push({ seq: e.seq, eventId: e.eventId, problem: `entry number ${e.seq} found where ${i + 1} was expected (an entry is missing)` });
    if (e.prevHash !== prev) problems.push({ seq: e.seq, eventId: e.eventId, problem: 'prevHash does not match the previous entry’s hash' });
    const recomputed = chainHash(e.prevHash, e.event);
    if (recomputed !== e.chainHash) problems.push({ seq: e.seq, eventId: e.eventId, problem: 'the event was changed after it was recorded (its chain hash does not match its content)' });
    const { eventID, ...rest } = e.event as { eventID?: string };
    if (eventID !== e.eventId || eventHash(rest, (rest as Record<string, unknown>)['@context'] ?? DOCUMENT_CONTEXT).eventId !== e.eventId) {
      problems.push({ seq: e.seq, eventId: e.eventId, problem: 'the event’s content no longer matches its eventID (CBV 2.0 event hash)' });
    }
    prev = e.chainHash;
  });
  const head = entries.length ? entries[entries.length - 1].chainHash : GENESIS_HASH;
  if (storedHead !== null && storedHead !== head) {
    problems.push({ seq: entries.length, eventId: '', problem: 'the recorded chain head does not match the last entry (entries were removed or replaced)' });
  }
  return { valid: problems.length === 0, length: entries.length, head, storedHead, problems };
}
