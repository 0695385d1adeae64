// Marking old rooms, after the write: following each retired room through the watch (did it change after it was
// marked?) and settling the marks (OKG shows them on the pods; a mark OKG wrote back over is set again).
import type { NamespaceCache } from '../cluster/cache.js';
import { applyToRooms } from './bulk.js';
import type { ReleaseRun } from './run.js';

const MARKS = ['WaitToBeDeleted', 'Kill'];

/**
 * Retired rooms as the watch saw them since marking: 'marked' once seen WaitToBeDeleted/Kill, then the opsState
 * of any later change (e.g. 'Allocated'). A room changed after marking is never reclaimed by this release, even if
 * it shows the mark again: OKG 1.0's GameServer controller can merge-patch a stale spec back (docs/controlplane.md,
 * tier B), turning a matchmaker's Allocated into WaitToBeDeleted again.
 */
export class MarkTracker {
  private readonly afterMark = new Map<string, string>();
  private stopTracking?: () => void;

  constructor(private readonly cache: NamespaceCache) {}

  /** Follows the retired rooms through the watch from now on (once per run). */
  track(retire: { name: string; uid: string }[]): void {
    if (this.stopTracking) return;
    const uids = new Map(retire.map(e => [e.name, e.uid]));
    const check = (name: string): void => {
      const r = this.cache.room(name);
      if (!r || r.uid !== uids.get(name) || r.terminating) return;
      const was = this.afterMark.get(name);
      if (MARKS.includes(r.opsState)) {
        if (was === undefined) this.afterMark.set(name, 'marked');
      } else if (was === 'marked') this.afterMark.set(name, r.opsState);
    };
    for (const n of uids.keys()) check(n);
    this.stopTracking = this.cache.onChange(e => {
      if (e.kind === 'gameservers' && uids.has(e.name)) check(e.name);
    });
  }

  dispose(): void {
    this.stopTracking?.();
  }

  /** Whether the watch has shown the room's mark yet. */
  seenMarked(name: string): boolean {
    return this.afterMark.has(name);
  }

  /** Our own mark is set again on the room: follow it afresh. */
  forget(name: string): void {
    this.afterMark.delete(name);
  }

  /** The opsState a retired room was seen with after it had been marked, if it changed since (e.g. 'Allocated'). */
  changedAfterMark(name: string): string | undefined {
    const v = this.afterMark.get(name);
    return v && v !== 'marked' ? v : undefined;
  }

  /** The warning for rooms that changed after marking (e.g. were Allocated) but show a mark again now: somebody wrote it back. */
  markedAgainWarning(): string | undefined {
    const back = [...this.afterMark.keys()].filter(
      n => this.changedAfterMark(n) && MARKS.includes(this.cache.room(n)?.opsState ?? ''),
    );
    if (!back.length) return undefined;
    return `${back.map(n => `${n} (was ${this.changedAfterMark(n)} after marking, now ${this.cache.room(n)?.opsState})`).join(', ')}: marked again by someone else — OKG 1.0 can write a stale opsState back. Not reclaimed by this release; check for players before lowering replicas`;
  }
}

/**
 * Waits until OKG shows each mark on the pod too. OKG 1.0's GameServer controller can merge-patch a spec from its
 * stale cache right after our write (docs/controlplane.md, tier B), putting back the opsState the room had before
 * marking: such a room is marked again (still conditional), a few times at most. A room that turned anything else
 * (e.g. Allocated) is left alone.
 */
export async function settleMarks(
  run: ReleaseRun,
  marked: string[],
  before: Map<string, string>,
  target: string,
): Promise<void> {
  const { cache, marks, signal } = run;
  let todo = marked;
  if (todo.length) run.progress(`waiting for OKG to show the marks on the pods: ${todo.join(', ')}`);
  for (let round = 1; todo.length && round <= 5; round++) {
    const names = new Set(todo);
    const reverted = await cache
      .waitFor(
        () => {
          const rooms = cache.rooms(run.name).filter(r => names.has(r.name) && !r.terminating);
          // Not yet: the watch has not shown a mark, or OKG has not put it on the pod.
          if (rooms.some(r => !marks.seenMarked(r.name) || (r.opsState === target && r.podOpsState !== target)))
            return undefined;
          return rooms.filter(
            r => r.opsState === before.get(r.name) && marks.changedAfterMark(r.name) === before.get(r.name),
          );
        },
        {
          timeoutMs: Math.min(run.plan.input.timeoutMs, 30_000),
          signal,
          describeTimeout: () => 'OKG did not show the marks on the pods (label sync) in time',
        },
      )
      .catch(e => {
        if (signal.aborted) throw e;
        return [];
      });
    if (!reverted.length) return;
    for (const r of reverted) marks.forget(r.name);
    run.progress(
      `${reverted.map(r => r.name).join(', ')} show ${reverted[0].opsState} again (OKG wrote back a stale opsState); marking again`,
    );
    await new Promise(r => setTimeout(r, 200 * round));
    const results = await applyToRooms(
      run.client,
      reverted,
      { opsState: target },
      { concurrency: run.concurrency, signal },
    );
    todo = results.filter(r => r.outcome === 'changed').map(r => r.name);
  }
}
