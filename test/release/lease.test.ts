// The lease decision (pure) and the engine's `takeOver` input: who may take over an unfinished release, why a lease
// no longer holds (its process here is gone, or it expired), and that a take-over is reported exactly once.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { previewRelease, runRelease } from '../../src/release/engine.js';
import { decideLease, leaseCheck, namesHolder, type Holder, type ReleaseRecord } from '../../src/release/record.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, collect, mortal, record, seedInput, SEED_FINAL, startWorld, strip, table } from './helpers.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const alice: Holder = { id: 'a1b2c3', user: 'alice', host: 'ops-box', pid: 4242 };
const me: Holder = { id: 'mine01', user: 'bob', host: hostname(), pid: process.pid };

function rec(holder: Holder, extra: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    id: 'rel-1',
    holder,
    leaseExpiresAt: new Date(NOW + 30_000).toISOString(),
    startedAt: '',
    updatedAt: '',
    input: seedInput() as ReleaseRecord['input'],
    baseline: { replicas: 3, images: [], rooms: [] },
    target: { replicas: 6, ready: 3 },
    step: 'mark',
    done: [],
    ...extra,
  };
}

function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', '']);
    p.on('error', reject);
    p.on('exit', () => resolve(p.pid!));
  });
}

describe('the lease decision', () => {
  it('names a holder by user@host, by "user@host (pid N)" or by its id, and nothing else', () => {
    for (const n of ['alice@ops-box', 'alice@ops-box (pid 4242)', 'a1b2c3', ' alice@ops-box '])
      assert.ok(namesHolder(alice, n), n);
    for (const n of ['alice', 'ops-box', 'bob@ops-box', 'alice@ops-box (pid 1)', 'rel-1', ''])
      assert.ok(!namesHolder(alice, n), n);
  });

  it('a live lease of someone else is held; the refusal says how to take it over', () => {
    const d = decideLease('minecraft', rec(alice), me, NOW);
    assert.equal(d.kind, 'refused');
    assert.match(
      d.kind === 'refused' ? d.message : '',
      /locked by release rel-1 of alice@ops-box \(pid 4242\) \(at step mark\) until .*--take-over alice@ops-box\)$/,
    );
  });

  it('an expired lease is taken over, saying when it expired', () => {
    assert.deepEqual(
      decideLease('minecraft', rec(alice, { leaseExpiresAt: new Date(NOW - 1).toISOString() }), me, NOW),
      { kind: 'take-over', reason: `lease expired at ${new Date(NOW - 1).toISOString()}`, named: false },
    );
  });

  it('a lease of a dead process on this host is taken over at once, with that reason (not "expired")', async () => {
    const pid = await deadPid();
    const gone = { ...alice, host: hostname(), pid };
    assert.deepEqual(leaseCheck(rec(gone), me, NOW), {
      state: 'expired',
      reason: `its process ${pid} on this host is gone`,
    });
    assert.deepEqual(
      leaseCheck(rec(gone, { leaseExpiresAt: new Date(NOW - 1).toISOString() }), me, NOW).reason,
      `its process ${pid} on this host is gone`,
    );
    // a live process on this host (this one, as another holder) still holds it
    assert.equal(leaseCheck(rec({ ...alice, host: hostname(), pid: process.ppid }), me, NOW).state, 'held');
  });

  it("takeOver takes only the named current holder's lease", () => {
    assert.equal(decideLease('minecraft', rec(alice), me, NOW, 'alice@ops-box').kind, 'take-over');
    assert.equal(decideLease('minecraft', rec(alice), me, NOW, 'a1b2c3').kind, 'take-over');
    const wrong = decideLease('minecraft', rec(alice), me, NOW, 'carol@ops-box');
    assert.equal(wrong.kind, 'refused');
    assert.match(
      wrong.kind === 'refused' ? wrong.message : '',
      /^--take-over carol@ops-box: the lease on minecraft is held by alice@ops-box \(pid 4242\) \(release rel-1, holder id a1b2c3\), not by carol@ops-box; nothing was changed$/,
    );
    // an expired lease named wrongly is refused too: the name must be right
    assert.equal(
      decideLease(
        'minecraft',
        rec(alice, { leaseExpiresAt: new Date(NOW - 1).toISOString() }),
        me,
        NOW,
        'carol@ops-box',
      ).kind,
      'refused',
    );
  });

  it('takeOver with nothing to take over is refused; our own record needs none', () => {
    assert.match(
      JSON.stringify(decideLease('minecraft', undefined, me, NOW, 'alice@ops-box')),
      /no release holds the lease on minecraft; nothing was changed/,
    );
    assert.match(
      JSON.stringify(decideLease('minecraft', rec(alice, { outcome: 'failed' }), me, NOW, 'alice@ops-box')),
      /no release holds the lease on minecraft \(release rel-1 failed at step mark\)/,
    );
    assert.deepEqual(decideLease('minecraft', rec(me), me, NOW, 'alice@ops-box'), { kind: 'free' });
  });
});

describe('release engine: takeOver', function () {
  this.timeout(60_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  async function crashed(s: Sandbox, holder: Partial<Holder>): Promise<string> {
    const m = mortal(client(s));
    const r = await runRelease(seedInput(), {
      client: m.client,
      holder,
      onEvent: e => {
        if (e.type === 'step-started' && e.step === 'mark') m.kill();
      },
    });
    assert.equal(r.outcome, 'failed', r.message);
    return r.id!;
  }

  it('the preview says who is taken over; the run resumes, reports the take-over once, and ends with the seed table', async () => {
    sb = await startWorld();
    const id = await crashed(sb, alice);
    const preview = await previewRelease(seedInput({ takeOver: 'alice@ops-box' }), { client: client(sb) });
    assert.equal(preview.outcome, 'succeeded', preview.message);
    assert.deepEqual(preview.plan?.takesOver, {
      release: id,
      holder: 'alice@ops-box (pid 4242)',
      reason: `taken over as asked, its lease ran until ${record(sb).current!.leaseExpiresAt}`,
    });
    const { events, onEvent } = collect();
    const r = await runRelease(seedInput({ takeOver: 'alice@ops-box' }), { client: client(sb), onEvent });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.equal(r.id, id);
    const about = events.filter(e => e.type === 'warning' && /take|took/.test(e.message));
    assert.equal(about.length, 1, JSON.stringify(about));
    assert.deepEqual(strip(table(sb)), SEED_FINAL);
  });

  it('a wrong name is refused before any write', async () => {
    sb = await startWorld();
    await crashed(sb, alice);
    sb.server.clearWriteLog();
    const r = await runRelease(seedInput({ takeOver: 'carol@ops-box' }), { client: client(sb) });
    assert.equal(r.outcome, 'refused');
    assert.equal(r.usage, false);
    assert.deepEqual(
      sb.server.writeLog().filter(w => w.user !== 'controller'),
      [],
    );
    assert.equal(record(sb).current?.holder.id, alice.id);
  });
});
