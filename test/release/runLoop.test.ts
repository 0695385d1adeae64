// runSteps, the run loop a release and a rollback share: steps in order, a recorded step an earlier run finished
// skipped, the record's step saved before a recorded step runs and the step marked done after it, the plan
// announced once the record exists, and an aborted signal stopping the loop before the next step.
import * as assert from 'node:assert/strict';
import type { ReleaseLease } from '../../src/release/lease.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { runSteps } from '../../src/release/runLoop.js';
import type { StepDef } from '../../src/release/steps.js';

type Name = 'lock' | 'scale' | 'mark' | 'unlock';
const ORDER: readonly Name[] = ['lock', 'scale', 'mark', 'unlock'];

/** A lease whose record appears when `lock` runs (as the real lock step claims it); saves are logged. */
function fakeLease(done: Name[] = []) {
  const saves: string[] = [];
  const lease = {
    rec: undefined as ReleaseRecord | undefined,
    async save(change: (r: ReleaseRecord) => void) {
      change(lease.rec!);
      saves.push(`step=${lease.rec!.step}`);
    },
  };
  const claim = () => {
    lease.rec = { id: 'rel-1', step: 'lock', done: [...done] } as unknown as ReleaseRecord;
  };
  return { lease, saves, claim };
}

function world(done: Name[] = [], ac = new AbortController()) {
  const { lease, saves, claim } = fakeLease(done);
  const ran: string[] = [];
  const events: string[] = [];
  const step = (name: Name, recorded: boolean): StepDef<unknown, never> => ({
    title: () => name,
    recorded,
    async run() {
      ran.push(name);
      if (name === 'lock') claim();
      return { result: 'done', message: `${name} ok` };
    },
  });
  const table = {
    lock: step('lock', false),
    scale: step('scale', true),
    mark: step('mark', true),
    unlock: step('unlock', false),
  };
  const loop = {
    run: {},
    order: ORDER,
    table,
    titles: ORDER.map(n => ({ title: `T ${n}` })),
    lease: lease as unknown as ReleaseLease,
    signal: ac.signal,
    enter: (s: Name) => events.push(`enter ${s}`),
    send: (e: { type: string; step: string; result?: string }) =>
      events.push(`${e.type} ${e.step}${e.result ? ` ${e.result}` : ''}`),
    announce: (id: string) => events.push(`planned ${id}`),
  };
  return { loop, ran, events, saves, lease, table };
}

describe('runSteps: the run loop of every step table', () => {
  it('runs the steps in order, saves the step before a recorded one, marks it done after, announces once', async () => {
    const w = world();
    await runSteps<Name, unknown>(w.loop);
    assert.deepEqual(w.ran, ['lock', 'scale', 'mark', 'unlock']);
    assert.deepEqual(w.saves, ['step=scale', 'step=mark']);
    assert.deepEqual(w.lease.rec?.done, ['scale', 'mark']);
    assert.deepEqual(w.events, [
      'enter lock',
      'step-started lock',
      'step-done lock done',
      'planned rel-1',
      'enter scale',
      'step-started scale',
      'step-done scale done',
      'enter mark',
      'step-started mark',
      'step-done mark done',
      'enter unlock',
      'step-started unlock',
      'step-done unlock done',
    ]);
  });

  it('skips a recorded step an earlier run finished, and never skips lock or unlock', async () => {
    const w = world(['scale']);
    await runSteps<Name, unknown>(w.loop);
    assert.deepEqual(w.ran, ['lock', 'mark', 'unlock']);
    assert.ok(w.events.includes('step-done scale already-done'));
    assert.ok(!w.events.includes('step-started scale'));
    assert.deepEqual(w.saves, ['step=mark']);
  });

  it('stops before the next step once the signal is aborted, with the abort reason', async () => {
    const ac = new AbortController();
    const w = world([], ac);
    const scale = w.table.scale;
    w.table.scale = { ...scale, run: async r => (ac.abort(new Error('cancelled by the test')), scale.run(r)) };
    await assert.rejects(runSteps<Name, unknown>(w.loop), /cancelled by the test/);
    assert.deepEqual(w.ran, ['lock', 'scale']);
    assert.ok(!w.events.includes('step-started mark'));
  });
});
