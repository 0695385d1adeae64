// The release record and lease, kept as one annotation on the GameServerSet: the running (or interrupted)
// release with its inputs, baseline, current step and holder, plus a short history of finished releases.
// Every write is a JSON Patch whose first op tests the annotation's previous value (or the object's
// resourceVersion when there was none), so two writers can never both believe they hold the lease.
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { clip } from '../cluster/clip.js';
import type { JsonPatchOp } from '../cluster/client.js';
import type { ContainerImage, RawObject } from '../cluster/okg.js';
import type { RollbackStepName } from './rollbackTypes.js';
import type { NormalizedInput, ReleaseOutcome, StepName } from './types.js';

/** The annotation holding the record. */
export const RECORD_ANNOTATION = 'okg-ops/release';
const RECORD_PATH = `/metadata/annotations/${RECORD_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
/** Finished releases kept in the history. */
export const HISTORY_LENGTH = 10;
export const DEFAULT_LEASE_MS = 60_000;

/** Who runs a release: a per-run id plus, for people, user, host and process. */
export interface Holder {
  id: string;
  user: string;
  host: string;
  pid: number;
}

/** Outcomes of a release that ran to its end: the record goes to the history, and a rerun of the same input does nothing. */
export const isFinished = (o: ReleaseOutcome | undefined): boolean => o === 'succeeded' || o === 'lost';

/** A room chosen for retirement, as it was when chosen. */
export interface RetireEntry {
  name: string;
  uid: string;
  opsState: string;
}

/** A step of a release or of a rollback (a rollback record uses the rollback's steps). */
export type RecordStep = StepName | RollbackStepName;

/**
 * What a release changed, as a later rollback needs it: the template images and replicas before it, the new images,
 * the old rooms it chose with the opsState each had (`retire`) and those it marked. Kept on the newest history entry.
 */
export interface ReleaseChanges {
  id: string;
  images: ContainerImage[];
  baseline: ReleaseRecord['baseline'];
  target: ReleaseRecord['target'];
  done: RecordStep[];
  retire?: RetireEntry[];
  marked?: string[];
  reclaimed?: number;
}

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
  step: RecordStep;
  /** Steps whose effect is in place. */
  done: RecordStep[];
  /** Chosen at the start of the mark step, before any room is written (so a resumed run marks the same rooms). */
  retire?: RetireEntry[];
  marked?: string[];
  skipped?: string[];
  /** Written just before replicas are lowered. */
  reclaim?: { from: number; to: number; rooms: string[] };
  reclaimed?: number;
  /** Rooms with players OKG removed during reclaim ("name (opsState)"), so a resumed run still ends `lost`. */
  lost?: string[];
  /** Set when a run ends: cancelled/failed records stay `current` so a rerun resumes them. */
  outcome?: ReleaseOutcome;
  message?: string;
  finishedAt?: string;
  /** A rollback's record (absent: a release): `rollbackOf` is what the release it undoes changed. */
  kind?: 'rollback';
  rollbackOf?: ReleaseChanges;
}

export interface HistoryEntry {
  id: string;
  holder: string;
  startedAt: string;
  finishedAt: string;
  outcome: ReleaseOutcome | 'superseded';
  step: RecordStep;
  images: ContainerImage[];
  input: NormalizedInput;
  message?: string;
  /** A rollback's entry: it undid release `rollbackOf`, restoring `images`. */
  kind?: 'rollback';
  rollbackOf?: string;
  /** A release's changes (newest entry only, so the annotation stays small): what a rollback undoes. */
  changes?: ReleaseChanges;
  /** The template images before the run (kept on every entry, for the history). */
  fromImages?: ContainerImage[];
  /** Old rooms the run marked for retirement, and those OKG then removed (counts, on every entry). */
  retired?: number;
  reclaimed?: number;
}

export interface RecordDoc {
  current?: ReleaseRecord;
  history: HistoryEntry[];
}

/** A new holder for this process (user@host, pid, random id). */
export function newHolder(partial: Partial<Holder> = {}): Holder {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry: keep "unknown" */
  }
  return {
    id: partial.id ?? randomBytes(6).toString('hex'),
    user: partial.user ?? user,
    host: partial.host ?? hostname(),
    pid: partial.pid ?? process.pid,
  };
}

export function describeHolder(h: Holder): string {
  return `${h.user}@${h.host} (pid ${h.pid})`;
}

export function newReleaseId(now: number): string {
  return `rel-${new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
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
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type LeaseState = 'free' | 'mine' | 'expired' | 'held';

/**
 * Whether `current` stops `me` from running: `free` (none, or finished), `mine` (same holder id), `expired`
 * (its process on this very host is gone, or its lease ran out; `reason` says which), `held` (a live release of
 * someone else).
 */
export function leaseCheck(
  current: ReleaseRecord | undefined,
  me: Holder,
  now: number,
): { state: LeaseState; reason?: string } {
  if (!current || current.outcome) return { state: 'free' };
  if (current.holder.id === me.id) return { state: 'mine' };
  // A dead process here is the real reason, also when the lease has run out too.
  const h = current.holder;
  if (h.host === me.host && h.pid !== me.pid && !pidAlive(h.pid))
    return { state: 'expired', reason: `its process ${h.pid} on this host is gone` };
  if (Date.parse(current.leaseExpiresAt) <= now)
    return { state: 'expired', reason: `lease expired at ${current.leaseExpiresAt}` };
  return { state: 'held' };
}

export function leaseState(current: ReleaseRecord | undefined, me: Holder, now: number): LeaseState {
  return leaseCheck(current, me, now).state;
}

/** Whether `name` names holder `h` as people see it: user@host, user@host (pid N), or the holder id. */
export function namesHolder(h: Holder, name: string): boolean {
  const n = name.trim();
  return n === h.id || n === `${h.user}@${h.host}` || n === describeHolder(h);
}

/** The refusal while another live release holds the lease: who, where, until when, and the ways out. */
export function lockedMessage(gss: string, c: ReleaseRecord): string {
  return (
    `GameServerSet ${gss} is locked by ${c.kind === 'rollback' ? 'rollback' : 'release'} ${c.id} of ${describeHolder(c.holder)} (at step ${c.step}) until ${c.leaseExpiresAt}; ` +
    `wait for it to finish or for the lease to expire, or, if that run is dead, take it over (okg release --take-over ${c.holder.user}@${c.holder.host})`
  );
}

/**
 * What a run may do about the record on the GameServerSet: go ahead (`free`: none, finished, or ours), take it over
 * (its holder is gone, or `takeOver` names its holder), or nothing (`refused`, one sentence). With `takeOver`, only
 * the named current holder's lease is taken; naming anyone else, or no one holding it, is refused.
 */
export type LeaseDecision =
  { kind: 'free' } | { kind: 'take-over'; reason: string; named: boolean } | { kind: 'refused'; message: string };

export function decideLease(
  gss: string,
  current: ReleaseRecord | undefined,
  me: Holder,
  now: number,
  takeOver?: string,
): LeaseDecision {
  const { state, reason } = leaseCheck(current, me, now);
  if (state === 'mine') return { kind: 'free' };
  if (takeOver === undefined) {
    if (state === 'held') return { kind: 'refused', message: lockedMessage(gss, current!) };
    return state === 'expired' ? { kind: 'take-over', reason: reason!, named: false } : { kind: 'free' };
  }
  const name = clip(takeOver.trim());
  if (state === 'free') {
    const last = current ? ` (release ${current.id} ${current.outcome} at step ${current.step})` : '';
    return {
      kind: 'refused',
      message: `--take-over ${name}: no release holds the lease on ${gss}${last}; nothing was changed — rerun without --take-over`,
    };
  }
  const c = current!;
  if (!namesHolder(c.holder, takeOver)) {
    return {
      kind: 'refused',
      message: `--take-over ${name}: the lease on ${gss} is held by ${describeHolder(c.holder)} (release ${c.id}, holder id ${c.holder.id}), not by ${name}; nothing was changed`,
    };
  }
  return {
    kind: 'take-over',
    reason: reason ?? `taken over as asked, its lease ran until ${c.leaseExpiresAt}`,
    named: true,
  };
}

/** What release record `r` changed (see ReleaseChanges). */
export function releaseChanges(r: ReleaseRecord): ReleaseChanges {
  return {
    id: r.id,
    images: r.input.images,
    baseline: r.baseline,
    target: r.target,
    done: r.done,
    ...(r.retire ? { retire: r.retire } : {}),
    ...(r.marked ? { marked: r.marked } : {}),
    ...(r.reclaimed !== undefined ? { reclaimed: r.reclaimed } : {}),
  };
}

export function historyEntry(r: ReleaseRecord, outcome: HistoryEntry['outcome'], now: number): HistoryEntry {
  const base: HistoryEntry = {
    id: r.id,
    holder: describeHolder(r.holder),
    startedAt: r.startedAt,
    finishedAt: new Date(now).toISOString(),
    outcome,
    step: r.step,
    images: r.input.images,
    input: r.input,
    ...(r.message ? { message: r.message } : {}),
    fromImages: r.kind === 'rollback' ? (r.rollbackOf?.images ?? []) : r.baseline.images,
    ...(r.marked ? { retired: r.marked.length } : {}),
    ...(r.reclaimed !== undefined ? { reclaimed: r.reclaimed } : {}),
  };
  if (r.kind === 'rollback')
    return {
      ...base,
      images: r.baseline.images,
      kind: 'rollback',
      ...(r.rollbackOf ? { rollbackOf: r.rollbackOf.id } : {}),
    };
  return { ...base, changes: releaseChanges(r) };
}

export function serializeRecord(doc: RecordDoc): string {
  // Only the newest entry keeps what its release changed: only the last release can be rolled back.
  const history = doc.history.slice(0, HISTORY_LENGTH).map((h, i) => {
    if (i === 0 || !h.changes) return h;
    const { changes: _c, ...rest } = h;
    return rest;
  });
  return JSON.stringify({ ...(doc.current ? { current: doc.current } : {}), history });
}

/**
 * The conditional JSON Patch that replaces the record seen in `gss` with `next`: a `test` on the
 * annotation's previous value, or on resourceVersion when there was none.
 */
export function recordPatch(gss: RawObject, next: string): JsonPatchOp[] {
  const prev = rawRecord(gss);
  if (prev !== undefined)
    return [
      { op: 'test', path: RECORD_PATH, value: prev },
      { op: 'replace', path: RECORD_PATH, value: next },
    ];
  const rv: JsonPatchOp = { op: 'test', path: '/metadata/resourceVersion', value: gss.metadata.resourceVersion };
  if (!gss.metadata.annotations)
    return [rv, { op: 'add', path: '/metadata/annotations', value: { [RECORD_ANNOTATION]: next } }];
  return [rv, { op: 'add', path: RECORD_PATH, value: next }];
}

/** A `test` op that the record is still exactly `raw` (guards spec writes: we still hold the lease). */
export function recordTest(raw: string): JsonPatchOp {
  return { op: 'test', path: RECORD_PATH, value: raw };
}
