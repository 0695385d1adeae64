// The rollback of the seed release: after it succeeded (with each reclaim mode), after it failed early (new image
// never Ready), the preview, the history entry, and the refusals (nothing recorded, lease held, template changed).
import * as assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import { previewRollback, runRollback } from '../../src/release/rollback.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, collect, GSS, gssObject, NEW, OLD, record, seedInput, startWorld, strip, table } from './helpers.js';
import type { RollbackEvent } from '../../src/release/rollbackTypes.js';
import { mergePatch, rbInput, SEED_FIRST, settledTo, templateImage } from './rollbackHelpers.js';

describe('rollback of the seed release', function () {
  this.timeout(60_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  it("after the seed release (reclaim none): the seed's first table, 3 replicas, the outcome in the history", async () => {
    sb = await startWorld();
    const rel = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    const { events, onEvent } = collect() as unknown as {
      events: RollbackEvent[];
      onEvent: (e: RollbackEvent) => void;
    };
    const r = await runRollback(rbInput(), { client: client(sb), onEvent });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(strip(table(sb)), SEED_FIRST);
    assert.equal(gssObject(sb).spec.replicas, 3);
    assert.equal(templateImage(sb), OLD);
    assert.deepEqual(r.summary?.restored, ['minecraft-1', 'minecraft-2']);
    assert.deepEqual(r.summary?.retired, ['minecraft-3', 'minecraft-4', 'minecraft-5']);
    assert.equal(r.summary?.reclaimed, 3);
    const started = events.flatMap(e => (e.type === 'step-started' ? [e.step] : []));
    assert.deepEqual(started, [
      'lock',
      'restore-image',
      'wait-generation',
      'unmark-old',
      'retire-new',
      'reclaim-new',
      'restore-replicas',
      'unlock',
    ]);
    assert.equal(events[events.length - 1].type, 'done');
    const doc = record(sb);
    assert.equal(doc.current, undefined);
    assert.equal(doc.history[0].kind, 'rollback');
    assert.equal(doc.history[0].outcome, 'succeeded');
    assert.equal(doc.history[0].rollbackOf, rel.id);
    assert.equal(doc.history[0].images[0].image, OLD);
    assert.equal(doc.history[1].id, rel.id);
    assert.equal(doc.history[1].changes, undefined, 'only the newest entry keeps what its release changed');
    // a second rollback: nothing to do, nothing written
    sb.server.clearWriteLog();
    const again = await runRollback(rbInput(), { client: client(sb) });
    assert.equal(again.outcome, 'succeeded', again.message);
    assert.match(again.message, /already rolled back/);
    assert.deepEqual(
      sb.server.writeLog().filter(w => w.user !== 'controller'),
      [],
    );
  });

  for (const reclaim of ['scale-down', 'kill'] as const) {
    it(`after the seed release with reclaim ${reclaim}: the reclaimed old rooms are reported gone, replicas restored to 3 on the old image`, async () => {
      sb = await startWorld();
      const rel = await runRelease(seedInput({ reclaim }), { client: client(sb) });
      assert.equal(rel.outcome, 'succeeded', rel.message);
      const preview = await previewRollback(rbInput(), { client: client(sb) });
      assert.equal(preview.outcome, 'succeeded', preview.message);
      assert.deepEqual(
        preview.plan!.rooms.map(p => `${p.name} ${p.action}`),
        [
          'minecraft-0 protected',
          'minecraft-1 gone',
          'minecraft-1 create',
          'minecraft-2 gone',
          'minecraft-2 create',
          'minecraft-3 retire',
          'minecraft-4 retire',
          'minecraft-5 retire',
        ],
      );
      assert.ok(
        preview.plan!.warnings.some(w => /minecraft-1, minecraft-2 were already reclaimed/.test(w)),
        preview.plan!.warnings.join('\n'),
      );
      const r = await runRollback(rbInput(), { client: client(sb) });
      assert.equal(r.outcome, 'succeeded', r.message);
      assert.deepEqual(r.summary?.gone, ['minecraft-1', 'minecraft-2']);
      assert.equal(gssObject(sb).spec.replicas, 3);
      await settledTo(sb, SEED_FIRST);
    });
  }

  it('preview: the room-by-room table and the predicted final table, zero writes', async () => {
    sb = await startWorld();
    const rel = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    sb.server.clearWriteLog();
    const p = await previewRollback(rbInput(), { client: client(sb) });
    assert.equal(p.outcome, 'succeeded', p.message);
    assert.deepEqual(
      sb.server.writeLog().filter(w => w.user !== 'controller'),
      [],
    );
    const plan = p.plan!;
    assert.equal(plan.release.id, rel.id);
    assert.deepEqual(
      plan.rooms.map(r => `${r.name} ${r.version} ${r.action}${r.to ? ` → ${r.to}` : ''}`),
      [
        'minecraft-0 old protected',
        'minecraft-1 old restore → None',
        'minecraft-2 old restore → None',
        'minecraft-3 new retire',
        'minecraft-4 new retire',
        'minecraft-5 new retire',
      ],
    );
    assert.deepEqual(
      plan.predicted.map(r => ({ name: r.name, state: r.state, opsState: r.opsState, image: r.images[0].image })),
      SEED_FIRST,
    );
    assert.equal(plan.fromReplicas, 6);
    assert.equal(plan.toReplicas, 3);
    assert.equal(plan.steps.length, 8);
  });

  it("after a release that failed early (new image never Ready): the seed's first table", async () => {
    sb = await startWorld({ room: (_ns, name) => (/-[345]$/.test(name) ? { readyAfterMs: 3_600_000 } : undefined) });
    const rel = await runRelease(seedInput({ timeoutMs: 1000 }), { client: client(sb) });
    assert.equal(rel.outcome, 'failed', rel.message);
    assert.equal(rel.step, 'wait-ready');
    const r = await runRollback(rbInput(), { client: client(sb) });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(r.summary?.retired, ['minecraft-3', 'minecraft-4', 'minecraft-5']);
    assert.deepEqual(strip(table(sb)), SEED_FIRST);
    assert.equal(gssObject(sb).spec.replicas, 3);
    assert.equal(templateImage(sb), OLD);
    const doc = record(sb);
    assert.equal(doc.current, undefined);
    assert.deepEqual(
      doc.history.slice(0, 2).map(h => `${h.kind ?? 'release'} ${h.outcome}`),
      ['rollback succeeded', 'release failed'],
    );
  });

  it('a matchmaker allocates a new-version room during the rollback: it stays, and replicas keep it served', async () => {
    sb = await startWorld();
    const rel = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    const s = sb;
    let allocating: Promise<unknown> | undefined;
    const r = await runRollback(rbInput(), {
      client: client(sb),
      onEvent: e => {
        if (e.type === 'step-started' && e.step === 'retire-new')
          allocating = mergePatch(s, 'GameServer', 'minecraft-4', { spec: { opsState: 'Allocated' } });
      },
    });
    await allocating;
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(strip(table(sb)), [
      ...SEED_FIRST,
      { name: 'minecraft-4', state: 'Ready', opsState: 'Allocated', image: NEW },
    ]);
    assert.equal(gssObject(sb).spec.replicas, 4);
    assert.ok(!r.summary?.retired.includes('minecraft-4'));
    assert.ok(r.summary?.skipped.includes('minecraft-4'));
    assert.deepEqual(r.summary?.lost, []);
  });

  it('a matchmaker allocates a new-version room after it was marked: it is not reclaimed', async () => {
    sb = await startWorld({ labelSyncLagMs: 500 });
    const rel = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    const s = sb;
    let allocating: Promise<unknown> | undefined;
    // Right after our mark is written: OKG's label sync (500 ms) is still to come, so the reclaim sees the change.
    const r = await runRollback(rbInput(), {
      client: client(sb),
      onEvent: e => {
        if (e.type === 'room-changed' && e.step === 'retire-new' && e.room === 'minecraft-5' && e.result === 'changed')
          allocating = mergePatch(s, 'GameServer', 'minecraft-5', { spec: { opsState: 'Allocated' } });
      },
    });
    await allocating;
    assert.equal(r.outcome, 'succeeded', r.message);
    const rows = strip(table(sb));
    assert.ok(
      rows.some(x => x.name === 'minecraft-5' && x.opsState === 'Allocated' && x.image === NEW),
      JSON.stringify(rows),
    );
    assert.ok(rows.filter(x => x.opsState === 'Allocated').length === 2);
    assert.equal(gssObject(sb).spec.replicas, rows.length);
    for (const x of SEED_FIRST)
      assert.ok(
        rows.some(y => JSON.stringify(y) === JSON.stringify(x)),
        `${x.name} kept as before`,
      );
    assert.deepEqual(r.summary?.lost, []);
    assert.ok(r.summary?.skipped.includes('minecraft-5'));
  });

  describe('refusals: one sentence, zero writes', () => {
    it('nothing recorded', async () => {
      sb = await startWorld();
      sb.server.clearWriteLog();
      const r = await runRollback(rbInput(), { client: client(sb) });
      assert.equal(r.outcome, 'refused');
      assert.equal(r.usage, false);
      assert.match(r.message, /no release is recorded on GameServerSet minecraft/);
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user !== 'controller'),
        [],
      );
    });

    it('bad input is usage', async () => {
      sb = await startWorld();
      sb.server.clearWriteLog();
      for (const [inp, re] of [
        [{ ...rbInput(), namespace: 'Bad_NS' }, /not a valid namespace name/],
        [{ ...rbInput(), gameServerSet: '' }, /GameServerSet is missing/],
        [{ ...rbInput(), timeoutMs: 5 }, /from 1s to 24h/],
        [{ ...rbInput(), release: 'yesterday' }, /is not a release id/],
      ] as const) {
        const r = await runRollback(inp, { client: client(sb) });
        assert.equal(r.outcome, 'refused');
        assert.equal(r.usage, true, r.message);
        assert.match(r.message, re);
        assert.ok(!r.message.includes('\n'));
      }
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user !== 'controller'),
        [],
      );
    });

    it('the template was changed by someone else since the release', async () => {
      sb = await startWorld();
      const rel = await runRelease(seedInput(), { client: client(sb) });
      assert.equal(rel.outcome, 'succeeded', rel.message);
      await mergePatch(sb, 'GameServerSet', GSS, {
        spec: {
          gameServerTemplate: {
            spec: { containers: [{ name: 'minecraft', image: 'registry.example.com/game/minecraft:hotfix' }] },
          },
        },
      });
      sb.server.clearWriteLog();
      const r = await runRollback(rbInput(), { client: client(sb) });
      assert.equal(r.outcome, 'refused');
      assert.match(
        r.message,
        /runs minecraft=registry\.example\.com\/game\/minecraft:hotfix now, neither release rel-\S+'s .* nor the old/,
      );
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user !== 'controller'),
        [],
      );
    });

    it('another release holds the lease', async () => {
      sb = await startWorld({ room: (_ns, name) => (/-[345]$/.test(name) ? { readyAfterMs: 1500 } : undefined) });
      const s = sb;
      let rb: Promise<Awaited<ReturnType<typeof runRollback>>> | undefined;
      let logAt = 0;
      const rel = await runRelease(seedInput(), {
        client: client(sb),
        holder: { id: 'first', user: 'alice', host: 'ops-box', pid: 4242 },
        onEvent: e => {
          if (e.type === 'step-started' && e.step === 'wait-ready' && !rb) {
            logAt = s.server.writeLog().length;
            rb = runRollback(rbInput(), { client: client(s), holder: { id: 'bob' } });
          }
        },
      });
      const r = await rb!;
      assert.equal(rel.outcome, 'succeeded', rel.message);
      assert.equal(r.outcome, 'refused');
      assert.match(r.message, /is locked by release rel-\S+ of alice@ops-box/);
      assert.deepEqual(
        s.server
          .writeLog()
          .slice(logAt)
          .filter(w => w.user === 'admin' && JSON.stringify(w.body ?? '').includes('"bob"')),
        [],
      );
    });

    it('--release names another release than the last one', async () => {
      sb = await startWorld();
      const rel = await runRelease(seedInput(), { client: client(sb) });
      assert.equal(rel.outcome, 'succeeded', rel.message);
      sb.server.clearWriteLog();
      const r = await runRollback({ ...rbInput(), release: 'rel-20200101T000000Z-abcd' }, { client: client(sb) });
      assert.equal(r.outcome, 'refused');
      assert.match(r.message, new RegExp(`the last release of minecraft is ${rel.id}, not rel-20200101T000000Z-abcd`));
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user !== 'controller'),
        [],
      );
    });
  });
});
