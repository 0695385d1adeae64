// Step mark: choose the idle old rooms (recorded before any room is written, so a rerun marks the same ones), then
// mark them WaitToBeDeleted, each write conditional on what was seen; a room that changed meanwhile is skipped.
import { isNewVersion, type RoomView } from '../../cluster/okg.js';
import { plural } from '../../cluster/util.js';
import { applyToRooms } from '../bulk.js';
import { settleMarks } from '../marking.js';
import type { Step } from '../steps.js';

export const markStep: Step = {
  title: a =>
    a.reclaim === 'kill'
      ? 'mark idle old rooms WaitToBeDeleted (conditionally), then Kill'
      : 'mark idle old rooms WaitToBeDeleted (conditionally)',
  recorded: true,
  async run(run) {
    const inp = run.plan.input;
    if (!run.rec.retire) {
      const retire = run.cache
        .rooms(run.name)
        .filter(r => !r.terminating && inp.retireOpsStates.includes(r.opsState) && !isNewVersion(r, run.images))
        .map(r => ({ name: r.name, uid: r.uid, opsState: r.opsState }));
      await run.lease.save(r => {
        r.retire = retire;
      });
    }
    const retire = run.rec.retire!;
    if (!retire.length) return { result: 'skipped', message: 'no idle old room to retire' };
    run.marks.track(retire);
    const target = 'WaitToBeDeleted';
    const skipped: string[] = [];
    const rooms: RoomView[] = [];
    for (const e of retire) {
      const room = run.cache.room(e.name);
      let reason: string | undefined;
      if (!room || room.uid !== e.uid) reason = 'it is gone (or was re-created) since it was chosen';
      else if (room.terminating) reason = 'it is being deleted';
      else if (room.opsState !== e.opsState && room.opsState !== target)
        reason = `it is ${room.opsState} now (was ${e.opsState}); not overwritten`;
      if (reason) {
        skipped.push(e.name);
        run.emitRoom('mark', e.opsState, target, { name: e.name, outcome: 'skipped', reason });
      } else {
        rooms.push(room!);
      }
    }
    const seen = new Map(rooms.map(r => [r.name, r.opsState]));
    let done = 0;
    const results = await applyToRooms(
      run.client,
      rooms,
      { opsState: target },
      {
        concurrency: run.concurrency,
        signal: run.signal,
        onResult: r => {
          run.emitRoom('mark', seen.get(r.name) ?? '', target, r);
          run.progress(`${++done} of ${rooms.length} rooms written`, done, rooms.length);
        },
      },
    );
    if (run.signal.aborted) throw run.signal.reason;
    run.markedAt = Date.now(); // the settle window before reclaim counts from here
    const marked = results.filter(r => r.outcome === 'changed' || r.outcome === 'unchanged').map(r => r.name);
    skipped.push(...results.filter(r => r.outcome === 'skipped').map(r => r.name));
    const failed = results.filter(r => r.outcome === 'failed');
    if (!failed.length) await settleMarks(run, marked, new Map(retire.map(e => [e.name, e.opsState])), target);
    await run.lease.save(r => {
      r.marked = marked;
      r.skipped = skipped;
    });
    if (failed.length) {
      throw new Error(
        `${plural(failed.length, 'room')} could not be marked (${failed.map(f => `${f.name}: ${f.reason ?? 'failed'}`).join('; ')}); rerun to resume`,
      );
    }
    return {
      result: 'done',
      message: `${plural(marked.length, 'room')} marked ${target}${skipped.length ? `, ${skipped.length} skipped because they changed (${skipped.join(', ')})` : ''}`,
    };
  },
};
