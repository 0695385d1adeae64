// The rollback's room work: set the old rooms the release marked back to their previous opsState, mark the idle
// new-version rooms, and reclaim exactly those. Every room write is a conditional JSON Patch (bulk.ts) on the
// opsState seen; an Allocated or Maintaining room is never written; a room that changed meanwhile is left alone.
import type { RoomView } from '../cluster/okg.js';
import { plural } from '../cluster/util.js';
import { applyToRooms, type RoomResult } from './bulk.js';
import { settleMarks } from './marking.js';
import { reclaimScaleDown } from './reclaim.js';
import { idleNewRooms } from './rollbackPlan.js';
import type { RollbackRun } from './rollbackRun.js';
import type { StepOutcome } from './steps.js';

const MARK = 'WaitToBeDeleted';
const busy = (opsState: string): boolean => opsState === 'Allocated' || opsState === 'Maintaining';

/** Throws after a step's writes when some room could not be written (a rerun resumes). */
function failOn(results: RoomResult[], what: string): void {
  const failed = results.filter(r => r.outcome === 'failed');
  if (failed.length)
    throw new Error(
      `${plural(failed.length, 'room')} could not be ${what} (${failed.map(f => `${f.name}: ${f.reason ?? 'failed'}`).join('; ')}); rerun to resume`,
    );
}

/** Step unmark-old: each room the release chose and marked WaitToBeDeleted goes back to the opsState it had. */
export async function unmarkOld(run: RollbackRun): Promise<StepOutcome> {
  const entries = run.changes.retire ?? [];
  if (!entries.length) return { result: 'skipped', message: `release ${run.changes.id} marked no old room` };
  const byTarget = new Map<string, RoomView[]>();
  for (const e of entries) {
    const room = run.cache.room(e.name);
    if (!room || room.uid !== e.uid || room.terminating) {
      run.gone.push(e.name);
      run.emitRoom('reclaim', MARK, e.opsState, {
        name: e.name,
        outcome: 'skipped',
        reason: 'it is gone (reclaimed); not restored',
      });
    } else if (room.opsState === e.opsState) {
      // Set back by an earlier run of this rollback (or never marked: the release stopped before it).
      if (run.changes.marked?.includes(e.name)) run.restored.push(e.name);
      run.emitRoom('reclaim', room.opsState, e.opsState, { name: e.name, outcome: 'unchanged' });
    } else if (room.opsState !== MARK) {
      run.skippedOld.push(e.name);
      run.emitRoom('reclaim', room.opsState, e.opsState, {
        name: e.name,
        outcome: 'skipped',
        reason: `it is ${room.opsState} now (was ${e.opsState}); left alone`,
      });
    } else {
      byTarget.set(e.opsState, [...(byTarget.get(e.opsState) ?? []), room]);
    }
  }
  const all: RoomResult[] = [];
  for (const [target, rooms] of byTarget) {
    const results = await applyToRooms(
      run.client,
      rooms,
      { opsState: target },
      {
        concurrency: run.concurrency,
        signal: run.signal,
        onResult: r => run.emitRoom('reclaim', MARK, target, r),
      },
    );
    all.push(...results);
  }
  if (run.signal.aborted) throw run.signal.reason;
  for (const r of all) {
    if (r.outcome === 'changed' || r.outcome === 'unchanged') run.restored.push(r.name);
    else if (r.outcome === 'skipped') (/deleted/.test(r.reason ?? '') ? run.gone : run.skippedOld).push(r.name);
  }
  failOn(all, 'set back');
  const parts = [`${plural(run.restored.length, 'old room')} back to their previous opsState`];
  if (run.gone.length) parts.push(`${run.gone.length} gone (${run.gone.join(', ')})`);
  if (run.skippedOld.length)
    parts.push(`${run.skippedOld.length} left alone because they changed (${run.skippedOld.join(', ')})`);
  return { result: 'done', message: parts.join('; ') };
}

/**
 * Step retire-new: once OKG has created every room replicas ask for, choose the idle new-version rooms (recorded
 * before any write, so a rerun marks the same ones) and mark them WaitToBeDeleted, conditional on None.
 */
export async function retireNew(run: RollbackRun): Promise<StepOutcome> {
  if (!run.rec.retire) {
    await run.cache.waitFor(
      () => {
        const g = run.cache.gameServerSet(run.name);
        return g &&
          g.observedGeneration >= g.generation &&
          run.cache.rooms(run.name).filter(r => !r.terminating).length >= g.replicas
          ? true
          : undefined;
      },
      {
        timeoutMs: run.rollback.input.timeoutMs,
        signal: run.signal,
        describeTimeout: () => `OKG has not created every room of ${run.name} within the timeout; nothing was marked`,
      },
    );
    const retire = idleNewRooms(run.cache.rooms(run.name), run.changes).map(r => ({
      name: r.name,
      uid: r.uid,
      opsState: r.opsState,
    }));
    await run.lease.save(r => {
      r.retire = retire;
    });
  }
  const retire = run.rec.retire!;
  if (!retire.length) return { result: 'skipped', message: 'no idle new-version room to retire' };
  run.marks.track(retire);
  const skipped: string[] = [];
  const rooms: RoomView[] = [];
  for (const e of retire) {
    const room = run.cache.room(e.name);
    let reason: string | undefined;
    if (!room || room.uid !== e.uid) reason = 'it is gone (or was re-created) since it was chosen';
    else if (room.terminating) reason = 'it is being deleted';
    else if (busy(room.opsState) || (room.opsState !== e.opsState && room.opsState !== MARK))
      reason = `it is ${room.opsState} now (was ${e.opsState}); not overwritten`;
    if (reason) {
      skipped.push(e.name);
      run.emitRoom('mark', e.opsState, MARK, { name: e.name, outcome: 'skipped', reason });
    } else rooms.push(room!);
  }
  const seen = new Map(rooms.map(r => [r.name, r.opsState]));
  const results = await applyToRooms(
    run.client,
    rooms,
    { opsState: MARK },
    {
      concurrency: run.concurrency,
      signal: run.signal,
      onResult: r => run.emitRoom('mark', seen.get(r.name) ?? '', MARK, r),
    },
  );
  if (run.signal.aborted) throw run.signal.reason;
  run.markedAt = Date.now(); // the settle window before reclaim counts from here
  const marked = results.filter(r => r.outcome === 'changed' || r.outcome === 'unchanged').map(r => r.name);
  skipped.push(...results.filter(r => r.outcome === 'skipped').map(r => r.name));
  const failed = results.some(r => r.outcome === 'failed');
  if (!failed) await settleMarks(run, marked, new Map(retire.map(e => [e.name, e.opsState])), MARK);
  await run.lease.save(r => {
    r.marked = marked;
    r.skipped = skipped;
  });
  failOn(results, 'marked');
  return {
    result: 'done',
    message: `${plural(marked.length, 'new-version room')} marked ${MARK}${skipped.length ? `, ${skipped.length} skipped because they changed (${skipped.join(', ')})` : ''}`,
  };
}

/**
 * Step reclaim-new: lower replicas by exactly the confirmed marked rooms (the release's reclaim). Afterwards every
 * room that was to stay must still be there, and no marked room that changed (was allocated) may be gone: such a room
 * is a loss (pod label lag, a window no client can close), warned about, kept in the record's message and the
 * summary's `lost` — the CLI then exits 1.
 */
export async function reclaimNew(run: RollbackRun): Promise<StepOutcome> {
  if (run.rec.retire?.length) run.marks.track(run.rec.retire);
  const marked = run.rec.marked ?? [];
  if (!marked.length && !run.rec.reclaim)
    return { result: 'skipped', message: 'nothing was marked, nothing to reclaim' };
  // Kill rooms are OKG's to remove (e.g. a kill-mode release's): not a loss when they go.
  const stay = run.cache
    .rooms(run.name)
    .filter(r => !r.terminating && !marked.includes(r.name) && r.opsState !== 'Kill')
    .map(r => ({ name: r.name, uid: r.uid, opsState: r.opsState }));
  // Marked rooms seen with another opsState while OKG removes rooms (the tracker ignores terminating ones).
  const uids = new Map((run.rec.retire ?? []).map(e => [e.name, e.uid]));
  const changed = new Map<string, string>();
  const stop = run.cache.onChange(e => {
    if (e.kind !== 'gameservers' || !uids.has(e.name)) return;
    const r = run.cache.room(e.name);
    if (r && r.uid === uids.get(e.name) && r.opsState !== MARK) changed.set(e.name, r.opsState);
  });
  let out: StepOutcome;
  try {
    out = await reclaimScaleDown(run, marked);
  } finally {
    stop();
  }
  const removed = (name: string, uid: string | undefined) => {
    const r = run.cache.room(name);
    return !r || r.uid !== uid || r.terminating;
  };
  const changedOf = (n: string) => run.marks.changedAfterMark(n) ?? changed.get(n);
  const lost = [
    ...stay.filter(s => removed(s.name, s.uid)).map(s => `${s.name} (${s.opsState})`),
    ...marked
      .filter(n => changedOf(n) && removed(n, uids.get(n)))
      .map(n => `${n} (${changedOf(n)} after it was marked)`),
  ];
  // reclaim.ts reports the rooms with players it saw removed; add the others (by name, once each).
  const fresh = lost.filter(l => !run.lost.some(x => x.split(' ')[0] === l.split(' ')[0]));
  if (fresh.length) {
    run.lost.push(...fresh);
    run.emit({
      type: 'warning',
      message: `OKG removed ${fresh.join(', ')}, which the rollback meant to keep (OKG ranked them by a pod label that still showed WaitToBeDeleted); check them`,
    });
  }
  if (run.lost.length)
    await run.lease.save(r => {
      r.lost = run.allLost();
    });
  return out;
}
