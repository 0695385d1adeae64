// Reclaiming the marked rooms, two ways: scale-down (wait for the pod labels, then lower replicas by exactly the
// rooms at the confirmed head of OKG's order) and kill (set Kill; OKG removes them and lowers replicas itself). Both
// decide on a re-read from the server after the settle window. Either way a room that changed after it was marked (a
// matchmaker allocated it) is kept and reported; one OKG removed with players anyway is lost (reclaimOutcome.ts).
import { gameServerSetView, LABEL_OWNER_GSS, roomView, type RoomView } from '../cluster/okg.js';
import { plural } from '../cluster/util.js';
import { applyToRooms } from './bulk.js';
import { caughtUpTests } from './lease.js';
import { reclaimableNow } from './reclaimable.js';
import { reclaimedOf, reportReclaim, waitReclaimed, type ReclaimOutcome } from './reclaimOutcome.js';
import { ReclaimWatch } from './reclaimWatch.js';
import type { ReleaseRun } from './run.js';
import type { StepOutcome } from './steps.js';

const MARKS = ['WaitToBeDeleted', 'Kill'];

/** Rooms whose pod label could make OKG pick them ahead of idle rooms, but whose label does not match the GS yet. */
function unsynced(run: ReleaseRun, names: Set<string>): RoomView[] {
  return run.cache
    .rooms(run.name)
    .filter(
      r =>
        !r.terminating &&
        r.podOpsState !== undefined &&
        (names.has(r.name) || MARKS.includes(r.podOpsState) || MARKS.includes(r.opsState)) &&
        r.podOpsState !== r.opsState,
    );
}

/** Waits until the pod labels of `names` (and of any room whose label or GameServer shows a mark) match their GameServers. */
async function waitLabelsInSync(run: ReleaseRun, names: Set<string>, what: string): Promise<void> {
  // §8.5: OKG's scale-down and Kill read pod labels; wait until they show what the GameServers say.
  let last = -1;
  await run.cache.waitFor(
    () => {
      const lag = unsynced(run, names);
      if (lag.length !== last) {
        last = lag.length;
        run.progress(
          `waiting for pod labels: ${lag.length ? lag.map(r => `${r.name} (${r.podOpsState} → ${r.opsState})`).join(', ') : 'all in sync'}`,
        );
      }
      return lag.length === 0 ? true : undefined;
    },
    {
      timeoutMs: run.plan.input.timeoutMs,
      signal: run.signal,
      describeTimeout: () =>
        `the pod labels of ${unsynced(run, names)
          .map(r => r.name)
          .join(', ')} still do not show their opsState (OKG label sync lag); ${what}`,
    },
  );
}

/** Decides the rooms to reclaim (pod labels in sync, re-read from the server, confirmed head of OKG's order). */
async function planScaleDown(run: ReleaseRun, marked: string[]): Promise<string[]> {
  const names = new Set(marked);
  const uids = new Map((run.rec.retire ?? []).map(e => [e.name, e.uid]));
  const sel = `${LABEL_OWNER_GSS}=${run.name}`;
  for (let round = 1; ; round++) {
    await waitLabelsInSync(run, names, 'replicas were not lowered');
    // Re-check from the server just before lowering: only rooms marked in spec AND label, not terminating.
    const [gameServers, pods] = await Promise.all([
      run.client.listGameServers(run.ns, sel, run.signal),
      run.client.listPods(run.ns, sel, run.signal),
    ]);
    const d = reclaimableNow({
      gameServers,
      pods,
      marked: new Map(marked.map(n => [n, uids.get(n)])),
      changedAfterMark: n => run.marks.changedAfterMark(n),
    });
    if (!d.lagging) {
      if (d.held) {
        const { rooms: held, blocker } = d.held;
        const why = blocker.changedAfterMark ? `; was ${blocker.changedAfterMark} after marking` : '';
        run.emit({
          type: 'warning',
          message: `kept ${held.map(n => `${n} (WaitToBeDeleted)`).join(', ')}: OKG would remove ${blocker.name} (${blocker.opsState}${why}) before ${held.length === 1 ? 'it' : 'them'}, so replicas are lowered only by ${d.rooms.length}`,
        });
      }
      if (d.notMarked.length)
        run.emit({
          type: 'warning',
          message: `not reclaimed because they changed after marking: ${d.notMarked.join(', ')}`,
        });
      return d.rooms;
    }
    if (round >= 20)
      throw new Error(
        'pod labels keep changing under the release (a busy allocator?); replicas were not lowered — rerun to retry',
      );
    run.progress('a room changed just before reclaim; waiting for its pod label again');
  }
}

/** Lowers replicas by exactly the confirmed marked rooms (the plan is recorded first, so a rerun lowers once). */
export async function reclaimScaleDown(run: ReleaseRun, marked: string[]): Promise<StepOutcome> {
  const watch = new ReclaimWatch(run.cache, run.name);
  try {
    return await scaleDown(run, marked, watch);
  } finally {
    watch.stop();
  }
}

async function scaleDown(run: ReleaseRun, marked: string[], watch: ReclaimWatch): Promise<StepOutcome> {
  let plan = run.rec.reclaim;
  if (!plan) {
    const confirmed = await planScaleDown(run, marked);
    const g = gameServerSetView(await run.client.getGameServerSet(run.ns, run.name, run.signal));
    if (!confirmed.length) {
      await run.lease.save(r => {
        r.reclaimed = 0;
      });
      return { result: 'done', message: 'no marked room is still WaitToBeDeleted; replicas unchanged' };
    }
    const planned = { from: g.replicas, to: g.replicas - confirmed.length, rooms: confirmed };
    await run.lease.save(r => {
      r.reclaim = planned;
    });
    plan = planned;
  }
  const p = plan;
  let wrote = false;
  const written = await run.lease.gssWrite(raw => {
    const g = gameServerSetView(raw);
    if (g.replicas === p.to) return 'done';
    if (g.replicas !== p.from)
      throw new Error(
        `${run.name} has ${g.replicas} replicas, not the ${p.from} seen before reclaim; not lowering (rerun to re-plan)`,
      );
    if (g.observedGeneration < g.generation) return 'wait';
    wrote = true;
    return [...caughtUpTests(raw, p.from), { op: 'replace', path: '/spec/replicas', value: p.to }];
  });
  run.progress(`replicas ${p.from} → ${p.to}; waiting for ${p.rooms.join(', ')} to go`);
  // The watch may not show our write yet: until it shows that generation observed, OKG has not acted on it.
  const outcome = await waitReclaimed(
    run,
    p.rooms,
    ['WaitToBeDeleted'],
    'the reclaimed rooms',
    watch,
    written.metadata.generation ?? 0,
  );
  reportReclaim(run, 'WaitToBeDeleted', p.rooms, outcome);
  const kept = outcome.kept;
  const gone = reclaimedOf(p.rooms, outcome);
  await run.lease.save(r => {
    r.reclaimed = gone;
    if (run.lost.length) r.lost = [...run.lost];
  });
  return {
    result: 'done',
    message: `${wrote ? 'lowered' : 'found'} replicas ${p.from} → ${p.to}; ${plural(gone, 'marked room')} removed${kept.length ? `, ${kept.length} kept (changed after the plan)` : ''}${withPlayers(outcome)}`,
  };
}

/** "; 1 with players removed (minecraft-2 (Allocated))", or nothing. */
function withPlayers(o: ReclaimOutcome): string {
  return o.lost.length ? `; ${o.lost.length} with players removed (${o.lost.join(', ')})` : '';
}

/**
 * The marked rooms that may be killed now, re-read from the server after the settle window (the watch may lag):
 * same room (uid), not terminating, WaitToBeDeleted (or Kill, on a rerun) in the GameServer AND in its pod label,
 * not changed since marking. A pod label that does not show its GameServer's opsState yet means the room's recent
 * history is unknown to OKG's order: wait for it and read again. The others are reported as skipped.
 */
async function killable(run: ReleaseRun, marked: string[]): Promise<RoomView[]> {
  const uids = new Map((run.rec.retire ?? []).map(e => [e.name, e.uid]));
  const names = new Set(marked);
  const sel = `${LABEL_OWNER_GSS}=${run.name}`;
  for (let round = 1; ; round++) {
    await waitLabelsInSync(run, names, 'nothing was killed');
    const [gameServers, pods] = await Promise.all([
      run.client.listGameServers(run.ns, sel, run.signal),
      run.client.listPods(run.ns, sel, run.signal),
    ]);
    const podOf = new Map(pods.map(p => [p.metadata.name, p]));
    const fresh = new Map(gameServers.map(gs => [gs.metadata.name, roomView(gs, podOf.get(gs.metadata.name))]));
    const mine = marked.map(n => fresh.get(n)).filter((r): r is RoomView => !!r && r.uid === uids.get(r.name));
    const marks = (r: RoomView) => MARKS.includes(r.opsState) && !r.terminating && !run.marks.changedAfterMark(r.name);
    if (mine.some(r => marks(r) && r.podOpsState !== undefined && r.podOpsState !== r.opsState) && round < 20) {
      run.progress('a room changed just before Kill; waiting for its pod label again');
      continue;
    }
    const rooms = mine.filter(r => marks(r) && r.podOpsState === r.opsState);
    for (const r of mine) {
      if (rooms.includes(r)) continue;
      const changed = run.marks.changedAfterMark(r.name);
      const reason = changed
        ? `it was ${changed} after it was marked; not killed`
        : MARKS.includes(r.opsState) && !r.terminating
          ? `its pod label shows ${r.podOpsState ?? 'nothing'}, not ${r.opsState}; not killed`
          : `it is ${r.opsState} now; not killed`;
      run.emitRoom('reclaim', r.opsState, 'Kill', { name: r.name, outcome: 'skipped', reason });
    }
    return rooms;
  }
}

/** Sets Kill on the marked rooms still marked (conditionally, as just re-read) and waits until OKG has removed them. */
export async function reclaimKill(run: ReleaseRun, marked: string[]): Promise<StepOutcome> {
  const watch = new ReclaimWatch(run.cache, run.name);
  try {
    return await kill(run, marked, watch);
  } finally {
    watch.stop();
  }
}

async function kill(run: ReleaseRun, marked: string[], watch: ReclaimWatch): Promise<StepOutcome> {
  const { cache, marks } = run;
  const uids = new Map((run.rec.retire ?? []).map(e => [e.name, e.uid]));
  const rooms = await killable(run, marked);
  const killed: string[] = [];
  const lost = new Set<string>();
  const changed = new Set<string>();
  const others = new Set<string>();
  let kept: string[] = [];
  let todo = rooms;
  for (let round = 1; todo.length; round++) {
    const results = await applyToRooms(
      run.client,
      todo,
      { opsState: 'Kill' },
      {
        concurrency: run.concurrency,
        signal: run.signal,
        onResult: r => run.emitRoom('reclaim', 'WaitToBeDeleted', 'Kill', r),
      },
    );
    if (run.signal.aborted) throw run.signal.reason;
    const failed = results.filter(r => r.outcome === 'failed');
    if (failed.length)
      throw new Error(
        `${failed.length} room(s) could not be set to Kill (${failed.map(f => `${f.name}: ${f.reason ?? 'failed'}`).join('; ')}); rerun to resume`,
      );
    const now = results.filter(r => r.outcome === 'changed' || r.outcome === 'unchanged').map(r => r.name);
    for (const n of now) if (!killed.includes(n)) killed.push(n);
    run.progress(`waiting for OKG to remove ${now.join(', ') || 'nothing'}`);
    const outcome = await waitReclaimed(run, killed, ['Kill'], 'the killed rooms', watch);
    for (const l of outcome.lost) lost.add(l);
    for (const c of outcome.changed) changed.add(c);
    for (const o of outcome.others) others.add(o);
    // OKG 1.0 can merge-patch a stale WaitToBeDeleted over our Kill (after the watch showed the Kill): set Kill again
    // (still conditional) on those.
    const reverted = outcome.kept
      .map(n => cache.room(n))
      .filter((r): r is RoomView => !!r && r.opsState === 'WaitToBeDeleted' && !marks.changedAfterMark(r.name));
    kept = outcome.kept.filter(n => !reverted.some(r => r.name === n));
    if (reverted.length)
      run.progress(
        `${reverted.map(r => r.name).join(', ')} show WaitToBeDeleted again (OKG wrote back a stale opsState); setting Kill again`,
      );
    todo = round < 5 ? reverted : [];
    if (todo.length) await new Promise(r => setTimeout(r, 250 * round)); // let OKG's cache catch up first
    if (round >= 5) kept.push(...reverted.map(r => r.name));
  }
  const total: ReclaimOutcome = { kept, lost: [...lost], changed: [...changed], others: [...others] };
  // On a resumed run, rooms killed before the interruption are already gone.
  const goneBefore =
    run.rec.done.includes('mark') && run.plan.resumes
      ? marked.filter(n => cache.room(n)?.uid !== uids.get(n) && !killed.includes(n))
      : [];
  reportReclaim(run, 'Kill', killed, total);
  const gone = reclaimedOf(killed, total) + goneBefore.length;
  await run.lease.save(r => {
    r.reclaimed = gone;
    if (run.lost.length) r.lost = [...run.lost];
  });
  return {
    result: 'done',
    message: `${plural(gone, 'room')} killed; OKG lowered replicas itself${kept.length ? `; ${kept.length} kept (changed after Kill was set)` : ''}${withPlayers(total)}`,
  };
}
