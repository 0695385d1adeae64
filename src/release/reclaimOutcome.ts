// Waiting for OKG to remove the reclaimed rooms, and what came of it: planned rooms that stayed (a matchmaker
// allocated them after they were planned), rooms with players OKG removed anyway (`lost`: the release then ends
// `lost`, never counting them as reclaimed), and the warnings that name them. What was removed, and in which state,
// comes from every watch event (reclaimWatch.ts); the wait ends only once OKG is at rest.
import type { RoomView } from '../cluster/okg.js';
import type { ReclaimWatch, RoomSeen } from './reclaimWatch.js';
import type { ReleaseRun } from './run.js';

/** The marks of rooms on their way out: our own writes (and OKG's echo of them), never a player's. */
const LEAVING: readonly string[] = ['WaitToBeDeleted', 'Kill'];

/** How a reclaim ended: planned rooms that stayed, rooms with players OKG removed, planned rooms removed after another change, other rooms removed. */
export interface ReclaimOutcome {
  kept: string[];
  lost: string[];
  changed: string[];
  /** Rooms OKG removed that were not planned (e.g. ranked ahead of, or taken in place of, a planned room). */
  others: string[];
}

/** Whether a room in this opsState may have players: anything but the states the release retires and the leaving marks. */
function hasPlayers(run: ReleaseRun, opsState: string): boolean {
  return !LEAVING.includes(opsState) && !run.plan.input.retireOpsStates.includes(opsState);
}

/**
 * The players' state of a removed room: its last opsState if that has players; for one of our retired rooms that
 * was seen with players after marking and shows a mark again (OKG 1.0 can write a stale mark back), that state.
 */
function playersOf(run: ReleaseRun, s: RoomSeen): string | undefined {
  if (hasPlayers(run, s.opsState)) return s.opsState;
  if (!run.rec.retire?.some(e => e.uid === s.uid)) return undefined;
  const after = run.marks.changedAfterMark(s.name);
  return after && hasPlayers(run, after) ? after : undefined;
}

/**
 * Waits until OKG has removed `names` (and every room it is removing is gone) and is at rest (ReclaimWatch.atRest:
 * at least `minGeneration` observed, no more rooms than replicas, nothing it may still remove by Kill), confirmed
 * after a fence write. A planned room whose opsState changed from the marks (a matchmaker allocated it after it was
 * planned for removal) stays, or OKG removes it anyway while its pod label still shows the mark. Until the watch
 * has shown a planned room with one of `marks` (our own write, e.g. Kill, can reach the cache after its answer),
 * what it shows predates that write and is not judged. `lost`: every room removed since `watch` began whose last
 * state had players; `changed`: planned rooms removed after a change that is not a player's (e.g. back to None).
 */
export async function waitReclaimed(
  run: ReleaseRun,
  names: string[],
  marks: readonly string[],
  what: string,
  watch: ReclaimWatch,
  minGeneration = 0,
): Promise<ReclaimOutcome> {
  if (!names.length) return { kept: [], lost: [], changed: [], others: [] };
  const { cache } = run;
  const planned = new Set(names);
  const retired = (uid: string) => !!run.rec.retire?.some(e => e.uid === uid);
  const ours = (r: RoomView) => planned.has(r.name) && retired(r.uid);
  const seenMark = new Set<string>(); // planned rooms the watch has shown with one of `marks`
  const changed = new Set<string>(); // planned rooms seen with an opsState that is not ours (e.g. Allocated)
  const done = () => {
    const rooms = cache.rooms(run.name);
    for (const r of rooms) {
      if (!ours(r)) continue;
      if (marks.includes(r.opsState)) seenMark.add(r.name);
      else if (!LEAVING.includes(r.opsState)) changed.add(r.name);
    }
    // Wait for planned rooms still marked (or whose mark the watch has not shown yet), and for OKG to be at rest, so
    // a room it removes on a pod label it read before a matchmaker's change is seen, and reported, before we end.
    const left = rooms.filter(
      r => ours(r) && (marks.includes(r.opsState) || (!seenMark.has(r.name) && !changed.has(r.name))),
    );
    return left.length === 0 && watch.atRest(minGeneration) ? true : undefined;
  };
  for (let round = 1; ; round++) {
    await cache.waitFor(done, {
      timeoutMs: run.plan.input.timeoutMs,
      signal: run.signal,
      describeTimeout: () => {
        const left = cache
          .rooms(run.name)
          .filter(r => ours(r) && marks.includes(r.opsState))
          .map(r => `${r.name} ${r.state} ${r.opsState}`);
        return `${what} are not all gone within the timeout (${left.length ? `left: ${left.join(', ')}` : watch.describeUnrest(minGeneration)})`;
      },
    });
    // An OKG write begun before that moment (replicas lowered on a pod label it had read) shows after the fence.
    await watch.fence(run, minGeneration);
    if (done()) break;
    if (round >= 20)
      throw new Error(
        `OKG kept changing ${run.name} while ${what} were removed (${watch.describeUnrest(minGeneration)}); rerun to check the outcome`,
      );
  }
  const kept = cache
    .rooms(run.name)
    .filter(r => ours(r) && !r.terminating)
    .map(r => r.name);
  const removed = watch.removed();
  const lost: string[] = [];
  const removedChanged: string[] = [];
  const others: string[] = [];
  for (const s of removed) {
    const players = playersOf(run, s);
    if (players) lost.push(`${s.name} (${players})`);
    const mine = planned.has(s.name) && retired(s.uid);
    if (!mine) others.push(s.name);
    else if (!players && !LEAVING.includes(s.opsState)) removedChanged.push(`${s.name} (${s.opsState})`);
  }
  return { kept, lost, changed: removedChanged, others };
}

/** Records the rooms lost with players on the run, and warns about them, about planned rooms that stayed and rooms OKG removed instead. */
export function reportReclaim(
  run: ReleaseRun,
  mark: string,
  planned: string[],
  { kept, lost, changed, others }: ReclaimOutcome,
): void {
  const { cache } = run;
  const lostNames = new Set(lost.map(l => l.slice(0, l.indexOf(' ('))));
  const removed = others.filter(n => !planned.includes(n) && !lostNames.has(n));
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
