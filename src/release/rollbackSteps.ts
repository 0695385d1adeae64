// THE rollback step table: what each step of a rollback is called and does, in ROLLBACK_STEPS order. Every write
// is conditional on what was seen, every step first checks whether its effect is already there (a rerun resumes).
// The lease claim, the generation wait, unlock, marking and the exact reclaim are the release's own (steps/,
// marking.ts, reclaim.ts); the room work is rollbackRooms.ts. The run loop is the release's too (runLoop.ts).
import type { JsonPatchOp } from '../cluster/client.js';
import { imageTag, sameImage } from '../cluster/images.js';
import { gameServerSetView, type ContainerImage, type RawObject } from '../cluster/okg.js';
import { plural } from '../cluster/util.js';
import { caughtUpTests } from './lease.js';
import { historyEntry, newReleaseId, type ReleaseRecord } from './record.js';
import { reclaimNew, retireNew, unmarkOld } from './rollbackRooms.js';
import type { RollbackRun } from './rollbackRun.js';
import type { RollbackStepName } from './rollbackTypes.js';
import type { StepDef } from './steps.js';
import { takeLease } from './steps/lock.js';
import { waitGenerationStep } from './steps/waitGeneration.js';
import { unlockStep } from './steps/unlock.js';
import { ReleaseRefused } from './validate.js';

export interface RollbackTitleArgs {
  gss: string;
  release: string;
  images: ContainerImage[];
  from: number;
  to: number;
  baseline: number;
}

export type RollbackStep = StepDef<RollbackRun, RollbackTitleArgs>;

function templateContainers(gss: RawObject): { name?: string; image?: string }[] {
  const t = gss.spec?.gameServerTemplate as { spec?: { containers?: { name?: string; image?: string }[] } } | undefined;
  return t?.spec?.containers ?? [];
}

const lock: RollbackStep = {
  title: a => `take the release lease on ${a.gss} (rolling back ${a.release})`,
  recorded: false,
  run: run =>
    takeLease(run, {
      kind: 'rollback',
      resumes: (prev): prev is ReleaseRecord => prev?.kind === 'rollback' && prev.id === run.rollback.resumes,
      fresh({ doc, now, iso, lease }) {
        const plan = run.rollback;
        const prev = doc.current;
        // The record must still show the release the plan rolls back (and nobody else started something since).
        const last = prev ? (prev.kind === 'rollback' ? prev.rollbackOf?.id : prev.id) : doc.history[0]?.id;
        if (plan.resumes || last !== plan.release.id || (!prev && doc.history[0]?.kind === 'rollback')) {
          throw new ReleaseRefused(
            `the record on ${run.name} changed since the preview (the last release is now ${last ?? 'none'}); nothing was changed — preview the rollback again`,
            false,
          );
        }
        const history = prev ? [historyEntry(prev, prev.outcome ?? 'superseded', now), ...doc.history] : doc.history;
        const rec: ReleaseRecord = {
          id: newReleaseId(now).replace(/^rel-/, 'rb-'),
          holder: run.holder,
          leaseExpiresAt: lease,
          startedAt: iso,
          updatedAt: iso,
          input: { ...(prev?.input ?? doc.history[0].input), timeoutMs: plan.input.timeoutMs },
          baseline: run.changes.baseline,
          target: { replicas: plan.toReplicas, ready: 0 },
          step: 'lock',
          done: [],
          kind: 'rollback',
          rollbackOf: run.changes,
        };
        return { rec, history };
      },
    }),
};

const restoreImage: RollbackStep = {
  title: a =>
    `restore the image ${a.images.map(c => `${c.container}=${imageTag(c.image)}`).join(', ')} (only where the release's image is still set)`,
  recorded: true,
  async run(run) {
    let already = true;
    const patched = await run.lease.gssWrite(raw => {
      const g = gameServerSetView(raw);
      const containers = templateContainers(raw);
      const tests: JsonPatchOp[] = [];
      const writes: JsonPatchOp[] = [];
      for (const n of run.newImages) {
        const old = run.oldImages.find(o => o.container === n.container);
        const i = containers.findIndex(x => x.name === n.container);
        if (i < 0 || !old)
          throw new Error(`container "${n.container}" is no longer in GameServerSet ${run.name}; not restored`);
        const cur = containers[i].image ?? '';
        if (sameImage(cur, old.image)) continue;
        if (!sameImage(cur, n.image))
          throw new Error(
            `the image of container "${n.container}" is ${cur} now, not the release's ${n.image}; someone changed it since — not overwritten`,
          );
        const base = `/spec/gameServerTemplate/spec/containers/${i}`;
        tests.push(
          { op: 'test', path: `${base}/name`, value: n.container },
          { op: 'test', path: `${base}/image`, value: cur },
        );
        writes.push({ op: 'replace', path: `${base}/image`, value: old.image });
      }
      if (!writes.length) return 'done';
      if (!g.onDeleteInForce)
        throw new Error(
          `OnDelete is no longer in force on ${run.name}; not restoring the image (it would replace rooms with players)`,
        );
      if (g.observedGeneration < g.generation) return 'wait';
      already = false;
      return [
        ...tests,
        ...caughtUpTests(raw, raw.spec?.replicas),
        { op: 'test', path: '/spec/updateStrategy', value: raw.spec?.updateStrategy ?? null },
        ...writes,
      ];
    });
    run.imageGeneration = patched.metadata.generation;
    return already
      ? { result: 'already-done', message: 'the template already has the old image' }
      : { result: 'done', message: `template images restored (generation ${patched.metadata.generation})` };
  },
};

const waitGeneration: RollbackStep = {
  ...waitGenerationStep,
  title: () => 'wait until OKG has applied the restored template (observedGeneration)',
};

const restoreReplicas: RollbackStep = {
  title: a =>
    `set replicas so every room that stays is served and at least the ${a.baseline} before the release run (now ${a.from}, predicted ${a.to})`,
  recorded: true,
  async run(run) {
    const want = run.changes.baseline.replicas;
    let from = -1;
    await run.lease.gssWrite(raw => {
      const g = gameServerSetView(raw);
      if (g.replicas >= want) return 'done';
      for (const o of run.oldImages) {
        if (!g.images.some(x => x.container === o.container && sameImage(x.image, o.image))) {
          throw new Error(
            `the template of ${run.name} no longer has ${o.container}=${o.image}; not raising replicas (new rooms would get another image)`,
          );
        }
      }
      if (g.observedGeneration < g.generation) return 'wait';
      from = g.replicas;
      return [...caughtUpTests(raw, raw.spec?.replicas), { op: 'replace', path: '/spec/replicas', value: want }];
    });
    if (from < 0) {
      const now = run.cache.gameServerSet(run.name)?.replicas;
      return {
        result: 'already-done',
        message: `${run.name} has ${now ?? want} replicas; ${plural(run.cache.rooms(run.name).filter(r => !r.terminating).length, 'room')} stay`,
      };
    }
    return {
      result: 'done',
      message: `replicas ${from} → ${want}: OKG creates ${plural(want - from, 'room')} with the old image`,
    };
  },
};

export const ROLLBACK_STEP_TABLE: { readonly [K in RollbackStepName]: RollbackStep } = {
  lock,
  'restore-image': restoreImage,
  'wait-generation': waitGeneration,
  'unmark-old': {
    title: a => `set the old rooms ${a.release} marked back to their previous opsState (conditionally)`,
    recorded: true,
    run: unmarkOld,
  },
  'retire-new': {
    title: () =>
      'mark the idle new-version rooms WaitToBeDeleted (conditionally; rooms with players are never touched)',
    recorded: true,
    run: retireNew,
  },
  'reclaim-new': {
    title: () => 'wait for the marks in the pod labels, then lower replicas by exactly the confirmed new rooms',
    recorded: true,
    run: reclaimNew,
  },
  'restore-replicas': restoreReplicas,
  unlock: { ...unlockStep, title: () => 'record the outcome in the history and release the lease' },
};
