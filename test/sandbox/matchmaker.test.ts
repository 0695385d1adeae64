// The sandbox matchmaker model: it allocates only rooms its (old) view shows None and Ready, with unconditional
// merge patches, within its bounds, and records each allocation.
import * as assert from 'node:assert/strict';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { deletedAllocations, startMatchmaker, type Allocation, type Matchmaker } from '../../src/sandbox/matchmaker.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { opsState } from '../helpers/seed.js';

function setOpsState(sb: Sandbox, name: string, value: string): Promise<unknown> {
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig('admin'));
  return api.patch(
    {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServer',
      metadata: { name, namespace: SEED.namespace },
      spec: { opsState: value },
    } as KubernetesObject,
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ok(); i++) await new Promise(r => setTimeout(r, 10));
  assert.ok(ok(), what);
}

describe('sandbox matchmaker (a stale view, unconditional Allocated writes)', function () {
  this.timeout(30_000);
  let sb: Sandbox | undefined;
  let mm: Matchmaker | undefined;
  afterEach(async () => {
    await mm?.stop();
    await sb?.stop();
    mm = undefined;
    sb = undefined;
  });
  const start = async () => (sb = await startSandbox({ scenario: 'seed', readyAfterMs: 50, terminatingMs: 30 }));
  const base = { namespace: SEED.namespace, gameServerSet: SEED.gameServerSet, intervalMs: 20, paused: true };

  it('with a fresh view it takes only rooms that are None and Ready, lowest ordinal first, each once', async () => {
    const s = await start();
    mm = await startMatchmaker(s.kubeConfig('operator'), { ...base, viewLagMs: 0, durationMs: 500 });
    await setOpsState(s, 'minecraft-1', 'WaitToBeDeleted');
    await until(
      'the view shows the mark',
      () => mm!.view().find(r => r.name === 'minecraft-1')?.opsState === 'WaitToBeDeleted',
    );
    mm.begin();
    await mm.finished;
    assert.deepEqual(
      mm.allocations.map(a => a.name),
      ['minecraft-2'],
    );
    assert.equal(opsState(s, 'minecraft-1'), 'WaitToBeDeleted');
    assert.equal(opsState(s, 'minecraft-2'), 'Allocated');
    const write = s.server.writeLog().filter(w => w.user === 'operator' && w.resource === 'gameservers');
    assert.deepEqual(
      write.map(w => [w.name, w.contentType, w.body]),
      [['minecraft-2', 'application/merge-patch+json', { spec: { opsState: 'Allocated' } }]],
    );
  });

  it('with a view 2 s old it allocates a room marked since, over the mark (no precondition), and says how old its view was', async () => {
    const s = await start();
    mm = await startMatchmaker(s.kubeConfig('operator'), { ...base, viewLagMs: 2000, maxAllocations: 1 });
    await setOpsState(s, 'minecraft-1', 'WaitToBeDeleted');
    mm.begin();
    await mm.finished;
    assert.deepEqual(
      mm.allocations.map(a => [a.name, a.viewAgeMs]),
      [['minecraft-1', 2000]],
    );
    assert.equal(opsState(s, 'minecraft-1'), 'Allocated');
    assert.equal(opsState(s, 'minecraft-2'), 'None', 'bounded: one allocation');
  });

  it('re-listing every 2 s, it acts on the last list', async () => {
    const s = await start();
    mm = await startMatchmaker(s.kubeConfig('operator'), { ...base, viewLagMs: 0, relistMs: 2000, maxAllocations: 1 });
    await setOpsState(s, 'minecraft-1', 'WaitToBeDeleted');
    mm.begin();
    await mm.finished;
    assert.deepEqual(
      mm.allocations.map(a => a.name),
      ['minecraft-1'],
    );
    assert.ok(
      mm.allocations[0].viewAgeMs >= 0 && mm.allocations[0].viewAgeMs < 2000,
      String(mm.allocations[0].viewAgeMs),
    );
  });

  it('a write to a room that is gone is a miss, not an allocation; deletedAllocations names allocated rooms whose uid is gone', async () => {
    const s = await start();
    mm = await startMatchmaker(s.kubeConfig('operator'), {
      ...base,
      viewLagMs: 2000,
      maxAllocations: 1,
      durationMs: 1000,
    });
    // OKG removes minecraft-2 and minecraft-1 (ahead of the Allocated minecraft-0); the old view still shows them.
    const api = KubernetesObjectApi.makeApiClient(s.kubeConfig('admin'));
    await api.patch(
      {
        apiVersion: 'game.kruise.io/v1alpha1',
        kind: 'GameServerSet',
        metadata: { name: SEED.gameServerSet, namespace: SEED.namespace },
        spec: { replicas: 1 },
      } as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    const gs = s.server.resource('gameservers');
    await s.waitFor(() => s.server.store.list(gs, SEED.namespace).length === 1, 10_000, 'two rooms to go');
    assert.equal(mm.view().length, 3, 'the view is still 2 s old');
    mm.begin();
    await mm.finished;
    assert.deepEqual(mm.allocations, []);
    assert.deepEqual(
      mm.misses.map(m => [m.name, m.code]),
      [
        ['minecraft-1', 404],
        ['minecraft-2', 404],
      ],
    );
    const a = (name: string, uid: string): Allocation => ({ name, uid, sentAt: 0, at: 0, viewAgeMs: 0 });
    assert.deepEqual(
      deletedAllocations(
        [a('x-1', 'u1'), a('x-2', 'u2')],
        [
          { name: 'x-1', uid: 'u1' },
          { name: 'x-2', uid: 'other' },
        ],
      ).map(x => x.name),
      ['x-2'],
    );
  });
});
