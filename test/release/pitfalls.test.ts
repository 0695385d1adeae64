// One test per API.md §8 pitfall the release engine must defeat, reproduced in the sandbox.
import * as assert from 'node:assert/strict';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { runRelease } from '../../src/release/engine.js';
import { ONDELETE_FIX } from '../../src/release/plan.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { WriteLogEntry } from '../../src/sandbox/server.js';
import {
  client,
  collect,
  GSS,
  gssObject,
  NEW,
  NS,
  OLD,
  seedInput,
  SEED_FINAL,
  startWorld,
  strip,
  table,
} from './helpers.js';

function mergePatch(
  sb: Sandbox,
  kind: 'GameServer' | 'GameServerSet',
  name: string,
  body: Record<string, unknown>,
): Promise<unknown> {
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig('admin'));
  return api.patch(
    { apiVersion: 'game.kruise.io/v1alpha1', kind, metadata: { name, namespace: NS }, ...body } as KubernetesObject,
    undefined,
    undefined,
    'allocator',
    undefined,
    PatchStrategy.MergePatch,
  );
}

const releaseWrites = (sb: Sandbox): WriteLogEntry[] =>
  sb.server.writeLog().filter(w => w.user === 'admin' && w.code < 300);
const isImagePatch = (w: WriteLogEntry) =>
  w.resource === 'gameserversets' &&
  JSON.stringify(w.body).includes('"path":"/spec/gameServerTemplate/spec/containers/0/image","value":"' + NEW);
const isReplicasPatch = (to: number) => (w: WriteLogEntry) =>
  w.resource === 'gameserversets' &&
  JSON.stringify(w.body).includes(`{"op":"replace","path":"/spec/replicas","value":${to}}`);

describe('release engine vs the §8 pitfalls', function () {
  this.timeout(60_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  it('§8.1 OnDelete overridden by rollingUpdate: refused with the exact fix and zero writes; applied only when asked', async () => {
    sb = await startWorld();
    await mergePatch(sb, 'GameServerSet', GSS, {
      spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } } },
    });
    await sb.emulator.settled();
    const uids = new Map(
      sb.server.store.list(sb.server.resource('gameservers'), NS).map(o => [o.metadata.name, o.metadata.uid]),
    );
    sb.server.clearWriteLog();
    const refused = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(refused.outcome, 'refused');
    assert.equal(refused.usage, false);
    assert.ok(refused.message.includes(ONDELETE_FIX), refused.message);
    assert.match(refused.message, /rollingUpdate is present/);
    assert.deepEqual(
      sb.server.writeLog().filter(w => w.user !== 'controller'),
      [],
    );

    const { events, onEvent } = collect();
    const ok = await runRelease(seedInput({ fixUpdateStrategy: true }), { client: client(sb), onEvent });
    assert.equal(ok.outcome, 'succeeded', ok.message);
    assert.deepEqual(gssObject(sb).spec.updateStrategy, { type: 'OnDelete' });
    assert.ok(events.some(e => e.type === 'warning' && e.message.includes('OnDelete is not in force')));
    // the fix went out in the same conditional patch as the image (tested against the old strategy)
    const imagePatch = releaseWrites(sb).find(isImagePatch)!;
    assert.match(JSON.stringify(imagePatch.body), /"op":"test","path":"\/spec\/updateStrategy"/);
    assert.deepEqual(strip(table(sb)), SEED_FINAL);
    for (const n of ['minecraft-0', 'minecraft-1', 'minecraft-2']) {
      assert.equal(
        sb.server.store.get(sb.server.resource('gameservers'), NS, n)?.metadata.uid,
        uids.get(n),
        `${n} kept (not re-created)`,
      );
    }
  });

  it('§8.2 image+replicas race: image patch, then observedGeneration caught up, then scale; new rooms run the new image', async () => {
    sb = await startWorld();
    const r = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(r.outcome, 'succeeded', r.message);
    const log = sb.server.writeLog();
    const image = log.find(w => w.user === 'admin' && w.code < 300 && isImagePatch(w))!;
    const scale = log.find(w => w.user === 'admin' && w.code < 300 && isReplicasPatch(6)(w))!;
    assert.ok(image && scale && image.seq < scale.seq, 'image before scale');
    assert.ok(!JSON.stringify(image.body).includes('"/spec/replicas","value":6'), 'never image and replicas together');
    const generation = (image.body as { op: string; path: string; value: unknown }[]).find(
      o => o.path === '/metadata/generation',
    )?.value as number;
    const caughtUp = log.find(
      w =>
        w.user === 'controller' &&
        w.resource === 'gameserversets' &&
        w.subresource === 'status' &&
        w.seq > image.seq &&
        w.seq < scale.seq &&
        ((w.body as { status?: { observedGeneration?: number } }).status?.observedGeneration ?? 0) >= generation + 1,
    );
    assert.ok(caughtUp, 'the controller reported observedGeneration of the image patch before the scale');
    assert.match(JSON.stringify(scale.body), /"op":"test","path":"\/status\/observedGeneration"/);
    for (const row of table(sb).filter(x => ['minecraft-3', 'minecraft-4', 'minecraft-5'].includes(x.name)))
      assert.equal(row.image, NEW, row.name);
  });

  it('§8.4/§8.5 reclaim with label lag: waits for the pod labels, lowers replicas by exactly the marks; no idle or new room deleted', async () => {
    sb = await startWorld({ labelSyncLagMs: 1500 });
    const { events, onEvent } = collect();
    const r = await runRelease(seedInput({ reclaim: 'scale-down' }), { client: client(sb), onEvent });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.equal(gssObject(sb).spec.replicas, 4);
    assert.deepEqual(strip(table(sb)), [SEED_FINAL[0], ...SEED_FINAL.slice(3)]);
    assert.equal(r.summary?.reclaimed, 2);
    // the scale-down went out only after the controller had written both WaitToBeDeleted pod labels
    const log = sb.server.writeLog();
    const down = log.find(w => w.user === 'admin' && w.code < 300 && isReplicasPatch(4)(w))!;
    for (const n of ['minecraft-1', 'minecraft-2']) {
      const label = log.find(
        w =>
          w.user === 'controller' &&
          w.resource === 'pods' &&
          w.name === n &&
          JSON.stringify(w.body).includes('"game.kruise.io/gs-opsState":"WaitToBeDeleted"'),
      );
      assert.ok(label && label.seq < down.seq, `${n}'s label before the scale-down`);
    }
    // the mark step waits for OKG's label sync before the reclaim step re-checks and lowers replicas
    assert.ok(
      events.some(
        e =>
          e.type === 'step-progress' &&
          e.step === 'mark' &&
          /waiting for OKG to show the marks on the pods: minecraft-1, minecraft-2/.test(e.message),
      ),
    );
  });

  it('§4.4 reclaim by Kill: OKG lowers replicas itself, exactly the marked rooms go', async () => {
    sb = await startWorld({ labelSyncLagMs: 300 });
    const r = await runRelease(seedInput({ reclaim: 'kill' }), { client: client(sb) });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(strip(table(sb)), [SEED_FINAL[0], ...SEED_FINAL.slice(3)]);
    assert.equal(gssObject(sb).spec.replicas, 4);
    assert.equal(r.summary?.reclaimed, 2);
  });

  it('reclaim by Kill behind a lagging watch: our own Kill reaching the cache late is not reported as a room that changed (false alarm)', async () => {
    // (a) The watch shows each write 20 ms after it was answered; Kill is written room by room, 60 ms a request: when
    // the engine first looks, it has seen minecraft-1's Kill but still shows minecraft-2 as before (WaitToBeDeleted).
    // (b) Both Kills written at once, the watch 50 ms late: when the engine first looks, it has seen neither.
    const worlds = [
      { faults: { latencyMs: 60, watchDelayMs: 20 }, concurrency: 1 },
      { faults: { watchDelayMs: 50 }, concurrency: 16 },
    ];
    for (let run = 1; run <= 4; run++) {
      const w = worlds[(run - 1) % 2];
      sb = await startWorld();
      sb.server.setFaults(w.faults);
      const { events, onEvent } = collect();
      const r = await runRelease(seedInput({ reclaim: 'kill' }), {
        client: client(sb),
        onEvent,
        concurrency: w.concurrency,
      });
      assert.equal(r.outcome, 'succeeded', r.message);
      assert.equal(r.summary?.reclaimed, 2);
      assert.deepEqual(strip(table(sb)), [SEED_FINAL[0], ...SEED_FINAL.slice(3)]);
      const warnings = events.filter(e => e.type === 'warning').map(e => (e as { message: string }).message);
      assert.deepEqual(warnings, [], `run ${run}`);
      // nor is a Kill the watch has not shown yet taken for OKG writing a stale WaitToBeDeleted back
      assert.ok(
        !events.some(e => e.type === 'step-progress' && /show WaitToBeDeleted again/.test(e.message)),
        `run ${run}: no Kill set again`,
      );
      await sb.stop();
      sb = undefined;
    }
  });

  it('§8.6 allocation race: an allocator flips rooms to Allocated (unconditional merge patches) during marking and reclaim; none is marked or deleted', async () => {
    sb = await startWorld({ labelSyncLagMs: 200 });
    // a bigger old fleet: 12 old rooms, minecraft-0 Allocated
    await mergePatch(sb, 'GameServerSet', GSS, { spec: { replicas: 12 } });
    const s = sb;
    await s.waitFor(() => table(s).filter(x => x.state === 'Ready').length === 12, 20_000);
    s.server.setFaults({ latencyMs: [2, 15] });
    const allocated = new Map<string, string | undefined>();
    let stop = false;
    const allocator = async (): Promise<void> => {
      const candidates = ['minecraft-2', 'minecraft-5', 'minecraft-7', 'minecraft-8', 'minecraft-10', 'minecraft-11'];
      for (const n of candidates) {
        if (stop) return;
        // an informer-cache matchmaker: writes Allocated without any precondition (open-match-director)
        await mergePatch(s, 'GameServer', n, { spec: { opsState: 'Allocated' } });
        allocated.set(n, s.server.store.get(s.server.resource('gameservers'), NS, n)?.metadata.uid);
        await new Promise(res => setTimeout(res, 5));
      }
    };
    let running: Promise<void> | undefined;
    const r = await runRelease(seedInput({ add: 4, reclaim: 'scale-down' }), {
      client: client(sb),
      concurrency: 2,
      onEvent: e => {
        if (e.type === 'step-started' && e.step === 'mark') running = allocator();
      },
    });
    stop = true;
    await running;
    s.server.setFaults(undefined);
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.ok(allocated.size > 0);
    if (process.env.OKG_DEBUG) console.log(r.summary, [...allocated.keys()]);
    const rows = new Map(table(s).map(x => [x.name, x]));
    for (const [n, uid] of allocated) {
      assert.equal(rows.get(n)?.opsState, 'Allocated', `${n} still Allocated`);
      assert.equal(s.server.store.get(s.server.resource('gameservers'), NS, n)?.metadata.uid, uid, `${n} not deleted`);
    }
    assert.equal(rows.get('minecraft-0')?.opsState, 'Allocated');
    // every new room survived; replicas lowered by exactly the rooms that were still WaitToBeDeleted
    const newRooms = table(s).filter(x => x.image === NEW);
    assert.equal(newRooms.length, 4);
    assert.ok(newRooms.every(x => x.opsState === 'None'));
    assert.equal(gssObject(s).spec.replicas, 16 - (r.summary?.reclaimed ?? 0));
    assert.ok(
      table(s)
        .filter(x => x.image === OLD)
        .every(x => x.opsState === 'Allocated'),
      'only Allocated old rooms remain',
    );
  });

  it("OKG 1.0 stale spec echo (found in tier B): a matchmaker's Allocated that OKG writes back to WaitToBeDeleted is never reclaimed, and reported", async () => {
    sb = await startWorld({ labelSyncLagMs: 800 });
    const s = sb;
    await mergePatch(s, 'GameServerSet', GSS, { spec: { replicas: 8 } });
    await s.waitFor(
      () => table(s).filter(x => x.state === 'Ready').length === 8 && table(s).every(x => x.podLabel === x.opsState),
      20_000,
    );
    // The echo (250 ms) lands well before the release can reclaim: OKG shows marks on pods only after 800 ms.
    s.emulator.setStaleSpecEcho(250);
    const gs = (n: string) =>
      s.server.store.get(s.server.resource('gameservers'), NS, n) as
        { metadata: { uid: string }; spec: { opsState?: string } } | undefined;
    const victims = ['minecraft-3', 'minecraft-6'];
    const uids = new Map(victims.map(n => [n, gs(n)!.metadata.uid]));
    // The matchmaker allocates each victim right after the release marked it: inside OKG's echo window.
    const allocator = async (): Promise<void> => {
      for (const n of victims) {
        for (let i = 0; i < 2000 && gs(n)?.spec.opsState !== 'WaitToBeDeleted'; i++)
          await new Promise(r => setTimeout(r, 2));
        await mergePatch(s, 'GameServer', n, { spec: { opsState: 'Allocated' } });
      }
    };
    let running: Promise<void> | undefined;
    const { events, onEvent } = collect();
    const r = await runRelease(seedInput({ add: 3, reclaim: 'scale-down' }), {
      client: client(s),
      concurrency: 1,
      onEvent: e => {
        onEvent(e);
        if (process.env.OKG_DEBUG && (e.type === 'step-started' || e.type === 'step-progress' || e.type === 'warning'))
          console.log(new Date().toISOString().slice(17, 23), JSON.stringify(e).slice(0, 200));
        if (e.type === 'step-started' && e.step === 'mark') running = allocator();
      },
    });
    await running;
    assert.equal(r.outcome, 'succeeded', r.message);
    await s.emulator.settled();
    const log = s.server.writeLog();
    for (const n of victims) {
      const allocated = log.find(
        w => w.user === 'admin' && w.name === n && JSON.stringify(w.body).includes('"opsState":"Allocated"'),
      )!;
      const reverted = log.find(
        w =>
          w.user === 'controller' &&
          w.resource === 'gameservers' &&
          w.name === n &&
          w.seq > allocated.seq &&
          JSON.stringify(w.body).includes('"opsState":"WaitToBeDeleted"'),
      );
      assert.ok(reverted, `OKG wrote ${n}'s stale WaitToBeDeleted back over the matchmaker's Allocated`);
      assert.equal(gs(n)?.metadata.uid, uids.get(n), `${n} (players) was not reclaimed`);
    }
    const warnings = events
      .filter(e => e.type === 'warning')
      .map(e => (e as { message: string }).message)
      .join('\n');
    for (const n of victims)
      if (gs(n)?.spec.opsState !== 'Allocated')
        assert.match(warnings, new RegExp(`${n} \\(was Allocated after marking, now WaitToBeDeleted\\)`));
    if (process.env.OKG_DEBUG) console.log(warnings, r.summary, table(s));
    // the new rooms stayed; an idle old room either went or is named as kept (a reverted victim ranked ahead of it)
    assert.deepEqual(
      table(s)
        .filter(x => x.image === NEW)
        .map(x => x.opsState),
      ['None', 'None', 'None'],
    );
    for (const x of table(s).filter(x => x.image === OLD && !victims.includes(x.name) && x.name !== 'minecraft-0'))
      assert.match(warnings, new RegExp(`kept [^\\n]*${x.name} \\(`), `${x.name} went or was reported kept`);
  });

  it("§6 reclaim lowers replicas only by confirmed rooms at the head of OKG's own order: a room someone else marked, ranked first, holds the idle rooms back (reported)", async () => {
    sb = await startWorld({});
    const s = sb;
    // Before the release an operator marked minecraft-2 WaitToBeDeleted: the release does not retire it (not None),
    // and OKG ranks it ahead of minecraft-1 (same rank, higher ordinal first). Lowering by one would remove it, not minecraft-1.
    await mergePatch(s, 'GameServer', 'minecraft-2', { spec: { opsState: 'WaitToBeDeleted' } });
    await s.waitFor(() => table(s).find(x => x.name === 'minecraft-2')?.podLabel === 'WaitToBeDeleted', 10_000);
    const { events, onEvent } = collect();
    const r = await runRelease(seedInput({ reclaim: 'scale-down' }), { client: client(s), onEvent });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(r.summary?.retired, ['minecraft-1']);
    assert.equal(r.summary?.reclaimed, 0);
    assert.equal(gssObject(s).spec.replicas, 6, 'replicas not lowered');
    assert.deepEqual(
      strip(table(s)).map(x => [x.name, x.opsState]),
      [
        ['minecraft-0', 'Allocated'],
        ['minecraft-1', 'WaitToBeDeleted'],
        ['minecraft-2', 'WaitToBeDeleted'],
        ['minecraft-3', 'None'],
        ['minecraft-4', 'None'],
        ['minecraft-5', 'None'],
      ],
    );
    const warnings = events.filter(e => e.type === 'warning').map(e => (e as { message: string }).message);
    assert.ok(
      warnings.some(m =>
        /kept minecraft-1 \(WaitToBeDeleted\): OKG would remove minecraft-2 \(WaitToBeDeleted\) before it, so replicas are lowered only by 0/.test(
          m,
        ),
      ),
      warnings.join('\n'),
    );
  });

  it("OKG 1.0 stale spec echo over a mark: a mark OKG puts back to the room's earlier opsState is set again", async () => {
    sb = await startWorld({ labelSyncLagMs: 1500 });
    const s = sb;
    await s.waitFor(() => table(s).every(x => x.podLabel === x.opsState), 10_000);
    s.emulator.setStaleSpecEcho(1000);
    // A change just before the release: OKG's reconcile of it writes back {opsState: None, …} about 1 s later,
    // after the release has marked minecraft-1 and before OKG shows the mark on the pod (1.5 s).
    await mergePatch(s, 'GameServer', 'minecraft-1', { spec: { updatePriority: 5 } });
    const r = await runRelease(seedInput(), { client: client(s) });
    assert.equal(r.outcome, 'succeeded', r.message);
    const marks = s.server
      .writeLog()
      .filter(
        w =>
          w.user === 'admin' &&
          w.name === 'minecraft-1' &&
          w.code < 300 &&
          JSON.stringify(w.body).includes('"value":"WaitToBeDeleted"'),
      );
    const echo = s.server
      .writeLog()
      .find(
        w =>
          w.user === 'controller' &&
          w.resource === 'gameservers' &&
          w.name === 'minecraft-1' &&
          w.seq > (marks[0]?.seq ?? 0) &&
          JSON.stringify(w.body).includes('"opsState":"None"'),
      );
    assert.ok(echo, 'OKG wrote the stale None back over the mark');
    assert.equal(
      marks.length,
      2,
      `marked, reverted by OKG, marked again: ${JSON.stringify(
        s.server
          .writeLog()
          .filter(w => w.resource === 'gameservers' && w.name === 'minecraft-1' && !w.subresource)
          .map(w => [w.seq, w.user, w.code, JSON.stringify(w.body).slice(0, 90)]),
      )}`,
    );
    assert.deepEqual(strip(table(s)), SEED_FINAL);
  });
});
