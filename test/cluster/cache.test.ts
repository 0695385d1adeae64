// The shared informer cache of a namespace: rooms joined with their pods, live, event-driven waits.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { loadKubeConfig } from '../../src/cluster/kubeconfig.js';
import { OkgClient } from '../../src/cluster/client.js';
import { ClusterCache, type NamespaceCache } from '../../src/cluster/cache.js';
import { runsImage } from '../../src/cluster/okg.js';
import { SEED } from '../../src/sandbox/scenarios.js';

describe('namespace cache', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let client: OkgClient;
  let clusters: ClusterCache;
  let ns: NamespaceCache;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    client = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
    clusters = new ClusterCache(client);
    ns = await clusters.namespace('default');
  });
  after(async () => { await clusters?.dispose(); await sandbox?.stop(); });

  it('shows the seed: one GameServerSet, three rooms joined with their pods', () => {
    const [gss] = ns.gameServerSets();
    assert.equal(gss.name, 'minecraft');
    assert.equal(gss.replicas, 3);
    assert.ok(gss.onDeleteInForce);
    assert.deepEqual(gss.images, [{ container: 'minecraft', image: SEED.image }]);
    const rooms = ns.rooms('minecraft');
    assert.deepEqual(rooms.map(r => [r.name, r.state, r.opsState, r.podOpsState]), [
      ['minecraft-0', 'Ready', 'Allocated', 'Allocated'], ['minecraft-1', 'Ready', 'None', 'None'], ['minecraft-2', 'Ready', 'None', 'None']]);
    assert.ok(rooms.every(r => runsImage(r, 'minecraft', SEED.image) && r.uid && r.node));
  });

  it('shares one cache per namespace', async () => {
    const again = await clusters.namespace('default');
    assert.equal(again, ns);
    await again.release();
  });

  it('sees a change made elsewhere through the watch, without polling', async () => {
    const before = client.requestCount();
    const admin = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
    await admin.patchGameServer('default', 'minecraft-2', [{ op: 'replace', path: '/spec/opsState', value: 'Maintaining' }]);
    const room = await ns.waitFor(() => { const r = ns.room('minecraft-2'); return r?.podOpsState === 'Maintaining' ? r : undefined; },
      { timeoutMs: 10_000 });
    assert.equal(room.opsState, 'Maintaining');
    assert.equal(client.requestCount(), before, 'the cache made no request: it learnt by watching');
  });

  it('keeps up through watch cuts and compaction', async () => {
    sandbox.server.setFaults({ watchCutSeconds: 0.2 });
    const admin = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
    for (const v of ['None', 'Maintaining', 'None']) {
      await admin.patchGameServer('default', 'minecraft-1', [{ op: 'replace', path: '/spec/opsState', value: v }]);
      await new Promise(r => setTimeout(r, 250));
    }
    sandbox.server.store.compact();
    await admin.patchGameServer('default', 'minecraft-1', [{ op: 'replace', path: '/spec/opsState', value: 'WaitToBeDeleted' }]);
    await ns.waitFor(() => (ns.room('minecraft-1')?.opsState === 'WaitToBeDeleted' ? true : undefined), { timeoutMs: 15_000 });
    sandbox.server.setFaults(undefined);
  });

  it('times out a wait with the description it was given, and honours abort', async () => {
    await assert.rejects(ns.waitFor(() => undefined, { timeoutMs: 100, describeTimeout: () => 'minecraft-9 never came' }), /minecraft-9 never came/);
    const ac = new AbortController();
    const p = ns.waitFor(() => undefined, { timeoutMs: 10_000, signal: ac.signal });
    ac.abort(new Error('cancelled by the operator'));
    await assert.rejects(p, /cancelled by the operator/);
  });
});
