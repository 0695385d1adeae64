// Interruptions: cancel (AbortSignal) and crash (the process loses the cluster) at every step boundary and
// in the middle of marking; a rerun resumes from the record on the GameServerSet and ends in the same state.
// Also the lease: a second release is refused naming the holder; an expired lease is taken over.
import * as assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import { STEPS, type ReleaseEvent, type StepName } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import {
  client,
  collect,
  gssObject,
  mortal,
  record,
  seedInput,
  SEED_FINAL,
  startWorld,
  strip,
  table,
} from './helpers.js';

const FINAL = [SEED_FINAL[0], ...SEED_FINAL.slice(3)];
const input = () => seedInput({ reclaim: 'scale-down' });

const boundaries: StepName[] = STEPS.filter(s => s !== 'lock');

describe('release engine: cancel, crash and resume', function () {
  this.timeout(60_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  for (const step of boundaries) {
    it(`cancel at the start of ${step}, rerun → same final state`, async () => {
      sb = await startWorld();
      const ac = new AbortController();
      const first = await runRelease(input(), {
        client: client(sb),
        signal: ac.signal,
        onEvent: e => {
          if (e.type === 'step-started' && e.step === step) ac.abort(new Error('operator cancelled'));
        },
      });
      assert.equal(first.outcome, 'cancelled', first.message);
      assert.equal(first.step, step);
      const rec = record(sb).current!;
      assert.equal(rec.outcome, 'cancelled');
      assert.equal(rec.step, step);
      assert.match(rec.message ?? '', /cancelled at step/);
      const { events, onEvent } = collect();
      const second = await runRelease(input(), { client: client(sb), onEvent });
      assert.equal(second.outcome, 'succeeded', second.message);
      assert.equal(second.id, first.id, 'the same release resumed');
      assert.ok(events.some(e => e.type === 'warning' && /resuming release/.test(e.message)));
      assert.deepEqual(strip(table(sb)), FINAL);
      assert.equal(gssObject(sb).spec.replicas, 4);
      assert.equal(record(sb).current, undefined);
      assert.equal(record(sb).history[0].outcome, 'succeeded');
    });
  }

  for (const step of [...boundaries, 'mid-marking' as const]) {
    it(`crash at ${step === 'mid-marking' ? 'the middle of marking' : `the start of ${step}`}, rerun by the same holder → same final state`, async () => {
      sb = await startWorld();
      const m = mortal(client(sb));
      const holder = { id: 'crash-test' };
      const first = await runRelease(input(), {
        client: m.client,
        holder,
        concurrency: 1,
        onEvent: (e: ReleaseEvent) => {
          if (
            step === 'mid-marking'
              ? e.type === 'room-changed' && e.step === 'mark'
              : e.type === 'step-started' && e.step === step
          )
            m.kill();
        },
      });
      assert.equal(first.outcome, 'failed', first.message);
      const rec = record(sb).current!;
      assert.equal(rec.outcome, undefined, 'a crashed run cannot record its end');
      if (step === 'mid-marking') {
        assert.equal(
          table(sb).filter(r => r.opsState === 'WaitToBeDeleted').length,
          1,
          'one room marked before the crash',
        );
      }
      const second = await runRelease(input(), { client: client(sb), holder });
      assert.equal(second.outcome, 'succeeded', second.message);
      assert.equal(second.id, first.id);
      assert.deepEqual(strip(table(sb)), FINAL);
      assert.equal(gssObject(sb).spec.replicas, 4);
    });
  }

  it('lock contention: a second release is refused naming the holder, with zero writes', async () => {
    sb = await startWorld({ room: (_ns, name) => (/-[345]$/.test(name) ? { readyAfterMs: 1500 } : undefined) });
    const s = sb;
    let release2: Promise<Awaited<ReturnType<typeof runRelease>>> | undefined;
    let logAt = 0;
    const first = runRelease(input(), {
      client: client(sb),
      holder: { id: 'first', user: 'alice', host: 'ops-box', pid: 4242 },
      onEvent: e => {
        if (e.type === 'step-started' && e.step === 'wait-ready' && !release2) {
          logAt = s.server.writeLog().length;
          release2 = runRelease(input(), { client: client(s), holder: { id: 'second', user: 'bob' } });
        }
      },
    });
    const r1 = await first;
    const r2 = await release2!;
    assert.equal(r1.outcome, 'succeeded', r1.message);
    assert.equal(r2.outcome, 'refused');
    assert.match(
      r2.message,
      /is locked by release rel-\S+ of alice@ops-box \(pid 4242\) \(at step wait-ready\) until \d{4}-\d\d-\d\dT/,
    );
    const byBob = s.server
      .writeLog()
      .slice(logAt)
      .filter(w => w.user === 'admin' && JSON.stringify(w.body ?? '').includes('"second"'));
    assert.deepEqual(byBob, []);
    assert.deepEqual(strip(table(s)), FINAL);
  });

  it('expired lease: taken over with a warning, the release finishes, history keeps it', async () => {
    sb = await startWorld();
    const m = mortal(client(sb));
    const first = await runRelease(input(), {
      client: m.client,
      holder: { id: 'gone', user: 'alice', host: 'elsewhere', pid: 1 },
      leaseMs: 400,
      onEvent: e => {
        if (e.type === 'step-started' && e.step === 'mark') m.kill();
      },
    });
    assert.equal(first.outcome, 'failed');
    // before expiry: refused
    const early = await runRelease(input(), { client: client(sb), holder: { id: 'bob' } });
    assert.equal(early.outcome, 'refused');
    assert.match(early.message, /locked by release .* of alice@elsewhere/);
    await new Promise(res => setTimeout(res, 450));
    const { events, onEvent } = collect();
    const second = await runRelease(input(), { client: client(sb), holder: { id: 'bob' }, onEvent });
    assert.equal(second.outcome, 'succeeded', second.message);
    assert.equal(second.id, first.id);
    assert.ok(
      events.some(
        e =>
          e.type === 'warning' &&
          /took over release .* from alice@elsewhere \(pid 1\) \(lease expired at/.test(e.message),
      ),
      JSON.stringify(events.filter(e => e.type === 'warning')),
    );
    assert.deepEqual(strip(table(sb)), FINAL);
    assert.equal(record(sb).history[0].id, first.id);
    assert.equal(record(sb).history[0].outcome, 'succeeded');
  });
});
