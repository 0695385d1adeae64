// Waiting for OKG to remove the reclaimed rooms, and what came of it: planned rooms that stayed (a matchmaker
// allocated them after they were planned), rooms with players OKG removed anyway (`lost`: the release then ends
// `lost`, never counting them as reclaimed), and the warnings that name them.
import type { RoomView } from '../cluster/okg.js';
import type { ReleaseRun } from './run.js';

/** The marks of rooms on their way out: our own writes (and OKG's echo of them), never a player's. */
const LEAVING: readonly string[] = ['WaitToBeDeleted', 'Kill'];

/** How a reclaim ended: planned rooms that stayed, rooms with players OKG removed, planned rooms removed after another change. */
export interface ReclaimOutcome {
  kept: string[];
  lost: string[];
  changed: string[];
}

/** Whether a room in this opsState may have players: anything but the states the release retires and the leaving marks. */
function hasPlayers(run: ReleaseRun, opsState: string): boolean {
  return !LEAVING.includes(opsState) && !run.plan.input.retireOpsStates.includes(opsState);
}

/**
 * Waits until OKG has removed `names` (and every room it is removing is gone), and has as many rooms as replicas.
 * A planned room whose opsState changed from the marks (a matchmaker allocated it after it was planned for removal)
 * stays, and OKG removes the next room in its order instead. Until the watch has shown a planned room with one of
 * `marks` (our own write, e.g. Kill, can reach the cache after its answer), what it shows predates that write and is
 * not judged. `lost`: rooms of the set seen with players that OKG removed (planned, or taken in their place);
 * `changed`: planned rooms removed after a change that is not a player's (e.g. back to None).
 */
export async function waitReclaimed(
  run: ReleaseRun,
  names: string[],
  marks: readonly string[],
  what: string,
): Promise<ReclaimOutcome> {
  if (!names.length) return { kept: [], lost: [], changed: [] };
  const { cache } = run;
  const planned = new Set(names);
  const ours = (r: RoomView) => planned.has(r.name) && !!run.rec.retire?.some(e => e.uid === r.uid);
  const seenMark = new Set<string>(); // planned rooms the watch has shown with one of `marks`
  const changed = new Map<string, string>(); // planned rooms last seen with an opsState that is not ours (e.g. Allocated)
  const last = new Map<string, { uid: string; opsState: string }>(); // every room of the set, as last seen
  await cache.waitFor(
    () => {
      const rooms = cache.rooms(run.name);
      for (const r of rooms) {
        last.set(r.name, { uid: r.uid, opsState: r.opsState });
        if (!ours(r)) continue;
        if (marks.includes(r.opsState)) seenMark.add(r.name);
        else if (!LEAVING.includes(r.opsState)) changed.set(r.name, r.opsState);
      }
      // Wait for planned rooms still marked (or whose mark the watch has not shown yet), and for every terminating room
      // until it is gone, so a change made to a room while OKG removes it is seen, and reported, before it disappears.
      const left = rooms.filter(
        r =>
          r.terminating || (ours(r) && (marks.includes(r.opsState) || (!seenMark.has(r.name) && !changed.has(r.name)))),
      );
      const g = cache.gameServerSet(run.name);
      const live = rooms.filter(r => !r.terminating).length;
      return left.length === 0 && g && g.observedGeneration >= g.generation && live <= g.replicas ? true : undefined;
    },
    {
      timeoutMs: run.plan.input.timeoutMs,
      signal: run.signal,
      describeTimeout: () =>
        `${what} are not all gone within the timeout (left: ${
          cache
            .rooms(run.name)
            .filter(r => ours(r) || r.terminating)
            .map(r => `${r.name} ${r.state} ${r.opsState}`)
            .join(', ') || 'none'
        })`,
    },
  );
  const kept = cache
    .rooms(run.name)
    .filter(r => ours(r) && !r.terminating)
    .map(r => r.name);
  const present = (n: string, uid: string) => {
    const r = cache.room(n);
    return !!r && r.uid === uid && !r.terminating;
  };
  const lost = [...last]
    .filter(([n, v]) => hasPlayers(run, v.opsState) && !present(n, v.uid))
    .map(([n, v]) => `${n} (${v.opsState})`);
  const removedChanged = [...changed]
    .filter(([n, o]) => !kept.includes(n) && !hasPlayers(run, o))
    .map(([n, o]) => `${n} (${o})`);
  return { kept, lost, changed: removedChanged };
}

/** Records the rooms lost with players on the run, and warns about them, about planned rooms that stayed and rooms OKG removed instead. */
export function reportReclaim(
  run: ReleaseRun,
  mark: string,
  planned: string[],
  { kept, lost, changed }: ReclaimOutcome,
  before: Set<string>,
): void {
  const { cache } = run;
  const removed = [...before].filter(n => (!cache.room(n) || cache.room(n)!.terminating) && !planned.includes(n));
  const after = mark === 'Kill' ? 'Kill was set' : 'replicas were lowered';
  for (const l of lost) if (!run.lost.includes(l)) run.lost.push(l);
  if (lost.length) {
    run.emit({
      type: 'warning',
      message: `OKG removed ${lost.length === 1 ? 'a room' : 'rooms'} with players: ${lost.join(', ')}: allocated after the release's last check, while the pod label still showed ${mark}`,
    });
  }
  if (changed.length) {
    run.emit({
      type: 'warning',
      message: `OKG removed ${changed.join(', ')} although ${changed.length === 1 ? 'it' : 'they'} changed after ${after}: its pod label still showed ${mark} (OKG's label sync lag)`,
    });
  }
  if (kept.length) {
    const now = kept.map(n => `${n} (${cache.room(n)?.opsState ?? 'gone'})`).join(', ');
    for (const n of kept)
      run.emitRoom('reclaim', mark, cache.room(n)?.opsState ?? '', {
        name: n,
        outcome: 'skipped',
        reason: 'it changed after it was planned for removal (a matchmaker?); kept',
      });
    run.emit({
      type: 'warning',
      message: `kept ${now}: changed after ${after}${removed.length ? `; OKG removed ${removed.join(', ')} in their place` : ''}`,
    });
  } else if (removed.length) {
    run.emit({
      type: 'warning',
      message: `OKG also removed ${removed.join(', ')} (they were ranked ahead of the marked rooms)`,
    });
  }
}

/** Planned rooms OKG removed that had no players: what "reclaimed" counts. */
export function reclaimedOf(planned: string[], { kept, lost }: ReclaimOutcome): number {
  const lostNames = new Set(lost.map(l => l.slice(0, l.indexOf(' ('))));
  return planned.filter(n => !kept.includes(n) && !lostNames.has(n)).length;
}
