// Rollback after interruptions: a release cancelled at every step boundary (or crashed in the middle of marking) is
// rolled back to the seed's first table; a rollback cancelled or crashed at every one of its own steps resumes on the
// rerun (same id) and ends there too, its record then in the history; a release rerun does not resume a rollback.
import * as assert from 'node:assert/strict';
import { previewRelease, runRelease } from '../../src/release/engine.js';
import { runRollback } from '../../src/release/rollback.js';
import { ROLLBACK_STEPS, type RollbackEvent } from '../../src/release/rollbackTypes.js';
import { STEPS, type ReleaseEvent, type StepName } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, gssObject, mortal, OLD, record, seedInput, startWorld, table } from './helpers.js';
import { rbInput, SEED_FIRST, settledTo, templateImage } from './rollbackHelpers.js';

const input = () => seedInput({ reclaim: 'scale-down' });

describe('rollback after interruptions', function () {
  this.timeout(60_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  for (const step of [...STEPS.filter(s => s !== 'lock'), 'mid-marking' as const]) {
    it(`a release ${step === 'mid-marking' ? 'crashed in the middle of marking' : `cancelled at the start of ${step}`} → rollback ends with the seed's first table`, async () => {
      sb = await startWorld();
      const ac = new AbortController();
      const m = mortal(client(sb));
      const first = await runRelease(input(), {
        client: m.client,
        signal: ac.signal,
        concurrency: 1,
        holder: { id: 'crashed' },
        onEvent: (e: ReleaseEvent) => {
          if (step === 'mid-marking') {
            if (e.type === 'room-changed' && e.step === 'mark') m.kill();
          } else if (e.type === 'step-started' && e.step === (step as StepName))
            ac.abort(new Error('operator cancelled'));
        },
      });
      assert.notEqual(first.outcome, 'succeeded', first.message);
      if (step === 'mid-marking')
        assert.equal(
          table(sb).filter(r => r.opsState === 'WaitToBeDeleted').length,
          1,
          'one room marked before the crash',
        );
      const r = await runRollback(rbInput(), { client: client(sb), holder: { id: 'crashed' } });
      assert.equal(r.outcome, 'succeeded', r.message);
      assert.deepEqual(r.summary?.lost, []);
      assert.equal(templateImage(sb), OLD);
      assert.equal(gssObject(sb).spec.replicas, 3);
      await settledTo(sb, SEED_FIRST);
      assert.equal(record(sb).current, undefined);
      assert.equal(record(sb).history[0].kind, 'rollback');
      assert.equal(record(sb).history[0].rollbackOf, first.id);
    });
  }

  for (const step of ROLLBACK_STEPS.filter(s => s !== 'lock')) {
    it(`a rollback cancelled at the start of ${step} resumes on the rerun → the seed's first table`, async () => {
      sb = await startWorld();
      const rel = await runRelease(seedInput(), { client: client(sb) });
      assert.equal(rel.outcome, 'succeeded', rel.message);
      const ac = new AbortController();
      const first = await runRollback(rbInput(), {
        client: client(sb),
        signal: ac.signal,
        onEvent: (e: RollbackEvent) => {
          if (e.type === 'step-started' && e.step === step) ac.abort(new Error('operator cancelled'));
        },
      });
      assert.equal(first.outcome, 'cancelled', first.message);
      assert.equal(first.step, step);
      const cur = record(sb).current!;
      assert.equal(cur.kind, 'rollback');
      assert.equal(cur.outcome, 'cancelled');
      // a rerun of the release does not resume the rollback's record (it is not that release)
      const relAgain = await previewRelease(seedInput(), { client: client(sb) });
      assert.equal(relAgain.outcome, 'succeeded', relAgain.message);
      assert.equal(relAgain.plan?.resumes, undefined);
      const events: RollbackEvent[] = [];
      const second = await runRollback(rbInput(), { client: client(sb), onEvent: e => events.push(e) });
      assert.equal(second.outcome, 'succeeded', second.message);
      assert.equal(second.id, first.id, 'the same rollback resumed');
      assert.ok(events.some(e => e.type === 'warning' && /resuming rollback/.test(e.message)));
      await settledTo(sb, SEED_FIRST);
      assert.equal(gssObject(sb).spec.replicas, 3);
      assert.equal(record(sb).current, undefined);
      assert.deepEqual(
        record(sb)
          .history.slice(0, 2)
          .map(h => `${h.kind ?? 'release'} ${h.id === first.id ? 'rb' : h.id === rel.id ? 'rel' : h.id} ${h.outcome}`),
        ['rollback rb succeeded', 'release rel succeeded'],
      );
    });

    it(`a rollback crashed at the start of ${step} resumes (same holder) → the seed's first table`, async () => {
      sb = await startWorld();
      const rel = await runRelease(seedInput(), { client: client(sb) });
      assert.equal(rel.outcome, 'succeeded', rel.message);
      const m = mortal(client(sb));
      const holder = { id: 'rb-crash' };
      const first = await runRollback(rbInput(), {
        client: m.client,
        holder,
        concurrency: 1,
        onEvent: e => {
          if (e.type === 'step-started' && e.step === step) m.kill();
        },
      });
      assert.equal(first.outcome, 'failed', first.message);
      assert.equal(record(sb).current?.outcome, undefined, 'a crashed run cannot record its end');
      const second = await runRollback(rbInput(), { client: client(sb), holder });
      assert.equal(second.outcome, 'succeeded', second.message);
      assert.equal(second.id, first.id);
      await settledTo(sb, SEED_FIRST);
    });
  }
});
