// Step wait-ready: wait (watch-driven) until enough new-version rooms are Ready; a timeout names what is missing.
import { isNewVersion, type RoomView } from '../../cluster/okg.js';
import { plural } from '../../cluster/util.js';
import type { ReleaseRun } from '../run.js';
import type { Step } from '../steps.js';

function newReady(run: ReleaseRun): RoomView[] {
  return run.cache.rooms(run.name).filter(r => !r.terminating && r.state === 'Ready' && isNewVersion(r, run.images));
}

function describeMissing(run: ReleaseRun): string {
  const rooms = run.cache.rooms(run.name).filter(r => !r.terminating);
  const baseline = new Set(run.rec.baseline.rooms);
  const problems: string[] = [];
  for (const r of rooms) {
    const isNew = isNewVersion(r, run.images);
    if (isNew && r.state === 'Ready') continue;
    if (isNew) problems.push(`${r.name} ${r.state || 'Creating'}`);
    else if (!baseline.has(r.name)) problems.push(`${r.name} was created with the old image`);
  }
  const g = run.cache.gameServerSet(run.name);
  const missing = run.rec.target.replicas - rooms.length;
  if (missing > 0) problems.push(`${plural(missing, 'room')} not created yet (${g?.currentReplicas ?? '?'} of ${g?.replicas ?? '?'} pods exist)`);
  return problems.join(', ') || 'no room is missing any more';
}

export const waitReadyStep: Step = {
  title: a => `wait until at least ${a.ready} new-version room${a.ready === 1 ? ' is' : 's are'} Ready`,
  recorded: true,
  async run(run) {
    const need = run.rec.target.ready;
    const timeoutMs = run.plan.input.timeoutMs;
    let last = -1;
    const got = await run.cache.waitFor(() => {
      const n = newReady(run).length;
      if (n !== last) { last = n; run.progress(`${n} of ${need} new-version rooms Ready`, Math.min(n, need), need); }
      return n >= need ? n : undefined;
    }, {
      timeoutMs, signal: run.signal,
      describeTimeout: () => `only ${newReady(run).length} of ${need} new-version rooms are Ready after ${Math.round(timeoutMs / 1000)} s: ${describeMissing(run)}`,
    });
    return { result: 'done', message: `${got} new-version room${got === 1 ? ' is' : 's are'} Ready` };
  },
};
