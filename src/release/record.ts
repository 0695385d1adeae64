// The release record and lease, kept as one annotation on the GameServerSet: the running (or interrupted)
// release with its inputs, baseline, current step and holder, plus a short history of finished releases.
// Every write is a JSON Patch whose first op tests the annotation's previous value (or the object's
// resourceVersion when there was none), so two writers can never both believe they hold the lease.
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { JsonPatchOp } from '../cluster/client.js';
import type { ContainerImage, RawObject } from '../cluster/okg.js';
import type { NormalizedInput, ReleaseOutcome, StepName } from './types.js';

/** The annotation holding the record. */
export const RECORD_ANNOTATION = 'okg-ops/release';
const RECORD_PATH = `/metadata/annotations/${RECORD_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
/** Finished releases kept in the history. */
export const HISTORY_LENGTH = 10;
export const DEFAULT_LEASE_MS = 60_000;

/** Who runs a release: a per-run id plus, for people, user, host and process. */
export interface Holder { id: string; user: string; host: string; pid: number }

/** A room chosen for retirement, as it was when chosen. */
export interface RetireEntry { name: string; uid: string; opsState: string }

export interface ReleaseRecord {
  id: string;
  holder: Holder;
  /** ISO time; after it anyone may take the release over. Set to the finish time when a run ends. */
  leaseExpiresAt: string;
  startedAt: string;
  updatedAt: string;
  input: NormalizedInput;
  baseline: { replicas: number; images: ContainerImage[]; rooms: string[] };
  target: { replicas: number; ready: number };
  /** The step in progress (or where the run stopped). */
  step: StepName;
  /** Steps whose effect is in place. */
  done: StepName[];
  /** Chosen at the start of the mark step, before any room is written (so a resumed run marks the same rooms). */
  retire?: RetireEntry[];
  marked?: string[];
  skipped?: string[];
  /** Written just before replicas are lowered. */
  reclaim?: { from: number; to: number; rooms: string[] };
  reclaimed?: number;
  /** Set when a run ends: cancelled/failed records stay `current` so a rerun resumes them. */
  outcome?: ReleaseOutcome;
  message?: string;
  finishedAt?: string;
}

export interface HistoryEntry {
  id: string;
  holder: string;
  startedAt: string;
  finishedAt: string;
  outcome: ReleaseOutcome | 'superseded';
  step: StepName;
  images: ContainerImage[];
  input: NormalizedInput;
  message?: string;
}

export interface RecordDoc { current?: ReleaseRecord; history: HistoryEntry[] }

/** A new holder for this process (user@host, pid, random id). */
export function newHolder(partial: Partial<Holder> = {}): Holder {
  let user = 'unknown';
  try { user = userInfo().username; } catch { /* no passwd entry: keep "unknown" */ }
  return { id: partial.id ?? randomBytes(6).toString('hex'), user: partial.user ?? user, host: partial.host ?? hostname(), pid: partial.pid ?? process.pid };
}

export function describeHolder(h: Holder): string {
  return `${h.user}@${h.host} (pid ${h.pid})`;
}

export function newReleaseId(now: number): string {
  return `rel-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

/** The record's raw annotation text (undefined when absent). */
export function rawRecord(gss: RawObject): string | undefined {
  return gss.metadata.annotations?.[RECORD_ANNOTATION];
}

/** Parses the annotation; an unreadable one counts as empty (and is replaced on the next write). */
export function parseRecord(raw: string | undefined): RecordDoc {
  if (!raw) return { history: [] };
  try {
    const doc = JSON.parse(raw) as Partial<RecordDoc>;
    return { current: doc.current ?? undefined, history: Array.isArray(doc.history) ? doc.history : [] };
  } catch {
    return { history: [] };
  }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Whether `current` stops `me` from running: `free` (none, or finished), `mine` (same holder id), `expired`
 * (lease ran out, or its process on this very host is gone), `held` (a live release of someone else).
 */
export function leaseState(current: ReleaseRecord | undefined, me: Holder, now: number): 'free' | 'mine' | 'expired' | 'held' {
  if (!current || current.outcome) return 'free';
  if (current.holder.id === me.id) return 'mine';
  if (Date.parse(current.leaseExpiresAt) <= now) return 'expired';
  if (current.holder.host === me.host && current.holder.pid !== me.pid && !pidAlive(current.holder.pid)) return 'expired';
  return 'held';
}

export function historyEntry(r: ReleaseRecord, outcome: HistoryEntry['outcome'], now: number): HistoryEntry {
  return {
    id: r.id, holder: describeHolder(r.holder), startedAt: r.startedAt, finishedAt: new Date(now).toISOString(),
    outcome, step: r.step, images: r.input.images, input: r.input, ...(r.message ? { message: r.message } : {}),
  };
}

export function serializeRecord(doc: RecordDoc): string {
  return JSON.stringify({ ...(doc.current ? { current: doc.current } : {}), history: doc.history.slice(0, HISTORY_LENGTH) });
}

/**
 * The conditional JSON Patch that replaces the record seen in `gss` with `next`: a `test` on the
 * annotation's previous value, or on resourceVersion when there was none.
 */
export function recordPatch(gss: RawObject, next: string): JsonPatchOp[] {
  const prev = rawRecord(gss);
  if (prev !== undefined) return [{ op: 'test', path: RECORD_PATH, value: prev }, { op: 'replace', path: RECORD_PATH, value: next }];
  const rv: JsonPatchOp = { op: 'test', path: '/metadata/resourceVersion', value: gss.metadata.resourceVersion };
  if (!gss.metadata.annotations) return [rv, { op: 'add', path: '/metadata/annotations', value: { [RECORD_ANNOTATION]: next } }];
  return [rv, { op: 'add', path: RECORD_PATH, value: next }];
}

/** A `test` op that the record is still exactly `raw` (guards spec writes: we still hold the lease). */
export function recordTest(raw: string): JsonPatchOp {
  return { op: 'test', path: RECORD_PATH, value: raw };
}
