// The release progress fold (src/webview/progress.ts): state → event → state, pure (the state it is given is
// never changed), one entry per engine step in the engine's order, as the wizard's run view and the CLI use it.
import assert from 'node:assert/strict';
import { STEPS, type ReleaseEvent } from '../../src/release/types.js';
import { currentStep, foldProgress, initialProgress, progressOf, type Progress } from '../../src/webview/progress.js';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

const summary = { retired: ['minecraft-1'], skipped: [], reclaimed: 0, lost: [], finalReplicas: 6, requests: 40 };
const events: ReleaseEvent[] = [
  { type: 'step-started', step: 'lock', index: 1, total: 8, title: 'lock minecraft' },
  { type: 'step-done', step: 'lock', result: 'done', message: 'locked' },
  { type: 'step-started', step: 'wait-ready', index: 5, total: 8, title: 'wait for 3 rooms' },
  { type: 'step-progress', step: 'wait-ready', message: '1 of 3 Ready', done: 1, of: 3 },
  { type: 'step-progress', step: 'wait-ready', message: '3 of 3 Ready', done: 3, of: 3 },
  { type: 'step-done', step: 'wait-ready', result: 'already-done', message: 'ready' },
  { type: 'room-changed', step: 'mark', room: 'minecraft-1', from: 'None', to: 'WaitToBeDeleted', result: 'changed' },
  {
    type: 'room-changed',
    step: 'mark',
    room: 'minecraft-2',
    from: 'None',
    to: 'WaitToBeDeleted',
    result: 'skipped',
    reason: 'Allocated meanwhile',
  },
  { type: 'warning', message: 'OKG also removed minecraft-9' },
  { type: 'step-done', step: 'reclaim', result: 'skipped', message: 'reclaim: none' },
  { type: 'done', id: 'rel-1', summary },
];

describe('release progress: a pure fold of the event stream', () => {
  it("starts with every engine step pending, in the engine's order, titled from the plan when there is one", () => {
    const p = initialProgress([{ step: 'scale', title: 'scale minecraft from 3 to 6 replicas', done: false }]);
    assert.deepEqual(
      p.steps.map(s => s.step),
      [...STEPS],
    );
    assert.ok(p.steps.every(s => s.status === 'pending'));
    assert.equal(p.steps.find(s => s.step === 'scale')?.title, 'scale minecraft from 3 to 6 replicas');
    assert.equal(p.steps.find(s => s.step === 'lock')?.title, 'lock');
  });

  it('folds steps, the Ready count, marks, warnings and the outcome; never changes the state it is given', () => {
    let p: Progress = deepFreeze(initialProgress());
    const seen: Progress[] = [p];
    for (const e of events) {
      p = deepFreeze(foldProgress(p, deepFreeze(e)));
      seen.push(p);
    }
    assert.deepEqual(seen[0], initialProgress(), 'the first state is as it was');
    assert.deepEqual(
      p.steps.map(s => `${s.step} ${s.status}`),
      [
        'lock done',
        'patch-image pending',
        'wait-generation pending',
        'scale pending',
        'wait-ready already-done',
        'mark pending',
        'reclaim skipped',
        'unlock pending',
      ],
    );
    assert.equal(p.steps.find(s => s.step === 'wait-ready')?.title, 'wait for 3 rooms');
    assert.deepEqual(p.ready, { done: 3, of: 3 });
    assert.deepEqual(p.roomResults, { changed: 1, unchanged: 0, skipped: 1, failed: 0 });
    assert.deepEqual(p.warnings, ['OKG also removed minecraft-9']);
    assert.equal(p.id, 'rel-1');
    assert.equal(p.outcome, 'succeeded');
    assert.deepEqual(progressOf(events), p, 'folding one by one equals folding the stream');
    // While wait-ready ran, it was the current step with its count.
    const mid = progressOf(events.slice(0, 4));
    assert.deepEqual(currentStep(mid), {
      step: 'wait-ready',
      title: 'wait for 3 rooms',
      status: 'running',
      message: '1 of 3 Ready',
      done: 1,
      of: 3,
    });
    assert.equal(currentStep(p), undefined);
  });

  it('a failed or cancelled run marks its step and the outcome; an empty id keeps the one seen before', () => {
    const p = progressOf([
      {
        type: 'planned',
        id: 'rel-2',
        plan: { steps: STEPS.map(step => ({ step, title: `do ${step}`, done: false })) } as never,
      },
      { type: 'step-started', step: 'mark', index: 6, total: 8, title: 'mark idle rooms' },
      { type: 'failed', id: '', step: 'mark', outcome: 'cancelled', message: 'cancelled at step mark' },
    ]);
    assert.equal(p.id, 'rel-2');
    assert.equal(p.outcome, 'cancelled');
    assert.deepEqual(
      p.steps.find(s => s.step === 'mark'),
      { step: 'mark', title: 'mark idle rooms', status: 'cancelled', message: 'cancelled at step mark' },
    );
    assert.equal(p.steps.find(s => s.step === 'unlock')?.title, 'do unlock', 'titles from the planned event');
  });

  it('a run that ended with rooms with players lost has the outcome lost, not succeeded', () => {
    const p = progressOf([{ type: 'done', id: 'rel-3', summary: { ...summary, lost: ['minecraft-2 (Allocated)'] } }]);
    assert.equal(p.outcome, 'lost');
  });
});
