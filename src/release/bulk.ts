// Bulk changes to rooms (opsState, priorities, networkDisabled), safe against the matchmaker: every write is
// one JSON Patch whose test ops require the values seen at selection, so a room allocated since then is
// refused by the API server (422) and reported as skipped, never overwritten (API.md §8 pitfall 6). Bounded
// concurrency; one room's failure never stops the others; no reads before writing.
import type { JsonPatchOp, OkgClient } from '../cluster/client.js';
import { ClusterError } from '../cluster/errors.js';
import type { RawObject, RoomView } from '../cluster/okg.js';
import {
  canonical,
  changedFields,
  conditionalPatch,
  seenCanonical,
  seenForReport,
  targetValue,
  validateChange,
  type ChangeField,
  type RoomChange,
  type SpecValue,
} from './bulkChange.js';

export { validateChange, type RoomChange } from './bulkChange.js';

/** What happened to one room. */
export interface RoomResult {
  name: string;
  /**
   * changed: written (or, in a dry run, would be); unchanged: already at the target, nothing sent;
   * skipped: not written because the room changed since selection, is gone, or the batch was cancelled;
   * failed: the API refused or could not be reached (after retries).
   */
  outcome: 'changed' | 'unchanged' | 'skipped' | 'failed';
  reason?: string;
  /** The differing fields as seen at selection. */
  from?: Partial<RoomChange>;
  /** The values written (or that would be). */
  to?: Partial<RoomChange>;
  /** The JSON Patch the server accepted (for a changed room), as sent: logs show it as its kubectl equivalent. */
  patch?: JsonPatchOp[];
}

export interface ApplyOptions {
  /** Rooms written at the same time. Default 16. */
  concurrency?: number;
  /** Stops starting new rooms; rooms not yet written are reported skipped. */
  signal?: AbortSignal;
  /** Called once per room as soon as its result is known. */
  onResult?: (r: RoomResult) => void;
  /** Send nothing; report what would change. */
  dryRun?: boolean;
}

// A 409 on a conditional patch says nothing about the room (the test ops decide that), so it is sent again: six
// attempts, 20 ms × n apart (0.3 s in all), so that a server answering one write in five with 409 fails a room
// about once in 15,000 rather than once in 125.
export const CONFLICT_ATTEMPTS = 6;

type Patcher = (
  expected: Map<ChangeField, SpecValue>,
  guard: { uid?: string; resourceVersion?: string },
) => Promise<void>;

function describe(field: ChangeField, v: string): string {
  return field === 'opsState' ? v : `${field} ${v}`;
}

/** A conditional patch may simply be sent again on 409: its test ops still guard it. */
async function patchWithConflictRetry(
  client: OkgClient,
  room: RoomView,
  ops: Parameters<OkgClient['patchGameServer']>[2],
  signal?: AbortSignal,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.patchGameServer(room.namespace, room.name, ops, signal);
      return;
    } catch (e) {
      if (!(e instanceof ClusterError) || e.kind !== 'conflict' || attempt >= CONFLICT_ATTEMPTS) throw e;
      await new Promise(r => setTimeout(r, 20 * attempt));
    }
  }
}

/** After a 422: one GET to tell "changed since selection" from a type mismatch in our guess, or another refusal. */
async function explainRefusal(
  client: OkgClient,
  room: RoomView,
  fields: ChangeField[],
  change: RoomChange,
  tested: Map<ChangeField, SpecValue>,
  refusal: ClusterError,
  patch: Patcher,
): Promise<Pick<RoomResult, 'outcome' | 'reason'>> {
  let raw: RawObject;
  try {
    raw = await client.getGameServer(room.namespace, room.name);
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'notFound')
      return { outcome: 'skipped', reason: 'it was deleted since selection' };
    return { outcome: 'skipped', reason: 'changed since selection (could not re-read it to say how)' };
  }
  if (room.uid && raw.metadata.uid !== room.uid)
    return {
      outcome: 'skipped',
      reason: 'it was re-created since selection (a new GameServer with the same name); not overwritten',
    };
  const spec = raw.spec ?? {};
  const now = new Map(fields.map(f => [f, canonical(f, spec[f])]));
  const moved = fields.filter(f => now.get(f) !== seenCanonical(room, f));
  if (moved.length) {
    if (fields.every(f => now.get(f) === canonical(f, targetValue(change, f)))) {
      return { outcome: 'unchanged', reason: 'it already had the new values when re-read' };
    }
    const what = moved
      .map(f => `${describe(f, now.get(f)!)} now (was ${describe(f, seenCanonical(room, f))} at selection)`)
      .join(', ');
    return { outcome: 'skipped', reason: `${what}; not overwritten` };
  }
  // Same values as seen: if we tested exactly what is stored, the 422 came from something else.
  const actual = new Map<ChangeField, SpecValue>(
    fields.map(f => [f, { present: spec[f] !== undefined, value: spec[f] }]),
  );
  const guessedRight = fields.every(
    f => actual.get(f)!.present && JSON.stringify(actual.get(f)!.value) === JSON.stringify(tested.get(f)?.value),
  );
  if (guessedRight) {
    // A refused `test` op (kube's bare "rejected our request" 422) while the room shows the tested values again: it
    // changed and changed back while we wrote (e.g. a matchmaker, then OKG writing its stale spec back). Not written.
    if (/the server rejected our request due to an error in our request/.test(refusal.message))
      return {
        outcome: 'skipped',
        reason: 'it changed while being written and shows the seen values again; not overwritten',
      };
    return { outcome: 'failed', reason: refusal.message };
  }
  try {
    await patch(actual, { uid: room.uid || undefined, resourceVersion: raw.metadata.resourceVersion });
    return { outcome: 'changed' };
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'invalid')
      return { outcome: 'skipped', reason: 'changed since selection; not overwritten' };
    if (e instanceof ClusterError && e.kind === 'notFound')
      return { outcome: 'skipped', reason: 'it was deleted since selection' };
    return { outcome: 'failed', reason: (e as Error).message };
  }
}

async function applyOne(
  client: OkgClient,
  room: RoomView,
  change: RoomChange,
  fields: ChangeField[],
  opts: ApplyOptions,
): Promise<RoomResult> {
  const differing = fields.filter(f => seenCanonical(room, f) !== canonical(f, targetValue(change, f)));
  if (!differing.length) return { name: room.name, outcome: 'unchanged' };
  const from: Partial<RoomChange> = {};
  const to: Partial<RoomChange> = {};
  for (const f of differing) {
    Object.assign(from, { [f]: seenForReport(room, f) });
    Object.assign(to, { [f]: targetValue(change, f) });
  }
  const base = { name: room.name, from, to };
  if (opts.dryRun) return { ...base, outcome: 'changed', reason: 'dry run: not written' };
  if (opts.signal?.aborted) return { ...base, outcome: 'skipped', reason: 'cancelled before it was written' };

  const writes = new Map(differing.map(f => [f, targetValue(change, f)] as const));
  let sent: JsonPatchOp[] | undefined;
  const patch: Patcher = async (expected, guard) => {
    const ops = conditionalPatch(expected, writes, guard);
    await patchWithConflictRetry(client, room, ops, opts.signal);
    sent = ops;
  };
  // Exactly what the room stored when it was seen: JSON type kept, an absent field absent.
  const tested = new Map<ChangeField, SpecValue>(
    fields.map(f => [f, { present: room.storedSpec[f] !== undefined, value: room.storedSpec[f] }]),
  );
  try {
    await patch(tested, { uid: room.uid || undefined, resourceVersion: room.resourceVersion || undefined });
    return { ...base, outcome: 'changed', patch: sent };
  } catch (e) {
    if (opts.signal?.aborted && e === opts.signal.reason)
      return { ...base, outcome: 'skipped', reason: 'cancelled before it was written' };
    if (!(e instanceof ClusterError)) return { ...base, outcome: 'failed', reason: (e as Error)?.message ?? String(e) };
    if (e.kind === 'notFound') return { ...base, outcome: 'skipped', reason: 'it was deleted since selection' };
    if (e.kind !== 'invalid') return { ...base, outcome: 'failed', reason: e.message };
    const r = await explainRefusal(client, room, fields, change, tested, e, patch);
    return { ...base, ...r, ...(r.outcome === 'changed' ? { patch: sent } : {}) };
  }
}

/**
 * Applies `change` to `rooms` (as seen at selection), at most `concurrency` at a time. Each write is one
 * JSON Patch: `test` ops on every field the change names, with the values seen, then the new values; a room
 * that changed since (e.g. became Allocated) is refused by the server and reported `skipped` with what it is
 * now (one GET after the refusal). Rooms already at the target are `unchanged` and get no request. Never
 * throws for one room; throws before any write if `change` is invalid. Results are in the order of `rooms`.
 */
export async function applyToRooms(
  client: OkgClient,
  rooms: readonly RoomView[],
  change: RoomChange,
  opts: ApplyOptions = {},
): Promise<RoomResult[]> {
  const reasons = validateChange(change);
  if (reasons.length) throw new Error(reasons.join('; '));
  const fields = changedFields(change);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 16));
  const results: RoomResult[] = new Array(rooms.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rooms.length) {
      const i = next++;
      const r = await applyOne(client, rooms[i], change, fields, opts).catch((e: unknown): RoomResult => ({
        name: rooms[i].name,
        outcome: 'failed',
        reason: (e as Error)?.message ?? String(e),
      }));
      results[i] = r;
      opts.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rooms.length) }, worker));
  return results;
}

/** Counts of each outcome, for summary lines. */
export function summarize(results: readonly RoomResult[]): Record<RoomResult['outcome'], number> {
  const counts = { changed: 0, unchanged: 0, skipped: 0, failed: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}
