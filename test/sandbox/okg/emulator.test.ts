// Integration: sandbox API server + OKG emulator (controller kubeconfig) + admin client.
import * as assert from 'node:assert/strict';
import { loadKubeConfig } from './kubeconfig.js';
import { startSandboxServer, type SandboxServer } from '../../../src/sandbox/server.js';
import { startOkgEmulator, type OkgEmulator } from '../../../src/sandbox/okg/emulator.js';
import { KubeClient, isNotFound } from '../../../src/sandbox/okg/kube.js';
import {
  ANN_OPS_STATE_CHANGED,
  LABEL_DELETE_PRIORITY,
  LABEL_GS_DELETING,
  LABEL_GS_STATE,
  LABEL_NETWORK_DISABLED,
  LABEL_OPS_STATE,
  LABEL_OWNER_GSS,
  LABEL_POD_NAME,
  LABEL_REVISION,
  LABEL_UPDATE_PRIORITY,
} from '../../../src/sandbox/okg/constants.js';
import type { AdvancedStatefulSet, GameServer, GameServerSet, Json, Pod } from '../../../src/sandbox/okg/types.js';

const NS = 'default';
const OLD = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';
const NEW = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2-new';

interface List<T> {
  items: T[];
}

function gssBody(name: string, replicas: number, extra: Json = {}, template: Json = {}): GameServerSet {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServerSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      updateStrategy: { type: 'OnDelete' },
      gameServerTemplate: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'minecraft', image: OLD }] },
        ...template,
      },
      ...extra,
    },
  };
}

describe('okg emulator (integration with the sandbox API server)', function () {
  this.timeout(30000);
  let server: SandboxServer;
  let emu: OkgEmulator;
  let admin: KubeClient;
  const rooms = new Map<string, { outcome?: 'Ready' | 'NotReady' | 'Crash' | 'Pending'; readyAfterMs?: number }>();

  before(async () => {
    server = await startSandboxServer();
    const kc = loadKubeConfig(server.kubeconfigPath('controller'));
    const akc = loadKubeConfig(server.kubeconfigPath('admin'));
    admin = new KubeClient(akc);
    emu = await startOkgEmulator(kc, { readyAfterMs: 80, terminatingMs: 40, room: (ns, n) => rooms.get(`${ns}/${n}`) });
  });

  after(async () => {
    await emu?.stop();
    await server?.close();
  });

  const getGss = (n: string): Promise<GameServerSet> =>
    admin.custom.getNamespacedCustomObject({
      group: 'game.kruise.io',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'gameserversets',
      name: n,
    }) as Promise<GameServerSet>;
  const getGs = (n: string): Promise<GameServer> =>
    admin.custom.getNamespacedCustomObject({
      group: 'game.kruise.io',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'gameservers',
      name: n,
    }) as Promise<GameServer>;
  const getAsts = (n: string): Promise<AdvancedStatefulSet> =>
    admin.custom.getNamespacedCustomObject({
      group: 'apps.kruise.io',
      version: 'v1beta1',
      namespace: NS,
      plural: 'statefulsets',
      name: n,
    }) as Promise<AdvancedStatefulSet>;
  const pods = async (gss: string): Promise<Pod[]> => {
    const l = JSON.parse(
      JSON.stringify(await admin.core.listNamespacedPod({ namespace: NS, labelSelector: `${LABEL_OWNER_GSS}=${gss}` })),
    ) as List<Pod>;
    return l.items.sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', 'en', { numeric: true }),
    );
  };
  const podNames = async (gss: string): Promise<string[]> => (await pods(gss)).map(p => p.metadata.name ?? '');
  const image = (p: Pod): string => ((p.spec.containers ?? [])[0] as { image: string }).image;
  const patchGss = (n: string, body: object): Promise<unknown> => admin.patch('gameserversets', NS, n, body);
  const patchGs = (n: string, spec: Json): Promise<unknown> => admin.patch('gameservers', NS, n, { spec });
  const create = async (g: GameServerSet): Promise<void> => {
    await admin.create('gameserversets', NS, g);
    await emu.settled();
  };

  it('§1/§4/§3 GSS → ASTS → Pods → GameServers with owners, labels, Ready state and GSS status', async () => {
    await create(gssBody('minecraft', 3));
    const gss = await getGss('minecraft');
    const asts = await getAsts('minecraft');
    assert.equal(asts.metadata.ownerReferences?.[0].uid, gss.metadata.uid);
    assert.equal(asts.metadata.ownerReferences?.[0].controller, true);
    const ps = await pods('minecraft');
    assert.deepEqual(
      ps.map(p => p.metadata.name),
      ['minecraft-0', 'minecraft-1', 'minecraft-2'],
    );
    for (const p of ps) {
      assert.equal(p.metadata.ownerReferences?.[0].uid, asts.metadata.uid);
      assert.equal(p.metadata.labels?.app, 'minecraft');
      assert.equal(p.metadata.labels?.[LABEL_POD_NAME], p.metadata.name);
      assert.match(p.metadata.labels?.[LABEL_REVISION] ?? '', /^minecraft-/);
      assert.equal(p.metadata.labels?.[LABEL_OPS_STATE], 'None');
      assert.equal(p.metadata.labels?.[LABEL_DELETE_PRIORITY], '0');
      assert.equal(p.metadata.labels?.[LABEL_UPDATE_PRIORITY], '0');
      assert.equal(p.metadata.labels?.[LABEL_NETWORK_DISABLED], 'false');
      assert.equal(p.metadata.labels?.[LABEL_GS_STATE], 'Ready');
      assert.equal(p.spec.nodeName, 'sandbox-node');
      assert.equal(p.status?.phase, 'Running');
      assert.ok(p.status?.podIP && p.status.hostIP && p.status.startTime);
      const gs = await getGs(p.metadata.name ?? '');
      assert.equal(gs.metadata.ownerReferences?.[0].kind, 'Pod');
      assert.equal(gs.metadata.ownerReferences?.[0].uid, p.metadata.uid);
      assert.deepEqual(gs.spec, { opsState: 'None', deletionPriority: 0, updatePriority: 0 }); // networkDisabled is omitempty (seen in tier B)
      assert.equal(gs.status?.currentState, 'Ready');
      assert.equal(gs.status?.desiredState, 'Ready');
      assert.equal(((gs.status?.podStatus as Json).containerStatuses as Json[])[0].image, OLD);
    }
    const st = gss.status ?? {};
    assert.equal(st.observedGeneration, gss.metadata.generation);
    assert.equal(st.replicas, 3);
    assert.equal(st.currentReplicas, 3);
    assert.equal(st.readyReplicas, 3);
    assert.equal(st.updatedReplicas, 3);
    assert.equal(st.updatedReadyReplicas, 3);
    assert.equal(st.labelSelector, 'game.kruise.io/owner-gss=minecraft');
  });

  it('§6 scale-down: WaitToBeDeleted before None, then higher deletion priority, then highest ordinal; Allocated last', async () => {
    await create(gssBody('sd', 6));
    await patchGs('sd-0', { opsState: 'Allocated' });
    await patchGs('sd-1', { opsState: 'WaitToBeDeleted' });
    await patchGs('sd-2', { deletionPriority: 5 });
    await patchGs('sd-5', { opsState: 'Maintaining' });
    await emu.settled();
    const gss = await getGss('sd');
    assert.equal(gss.status?.waitToBeDeletedReplicas, 1);
    assert.equal(gss.status?.maintainingReplicas, 1);
    await patchGss('sd', { spec: { replicas: 3 } });
    await emu.settled();
    assert.deepEqual(await podNames('sd'), ['sd-0', 'sd-3', 'sd-5']); // deleted 1 (WTBD), 2 (prio 5), 4 (highest None)
    await patchGss('sd', { spec: { replicas: 1 } });
    await emu.settled();
    assert.deepEqual(await podNames('sd'), ['sd-5']); // None 3, then Allocated 0; Maintaining last
  });

  it('§6 step 3 Kill: the controller lowers spec.replicas by the Kill pods and removes them', async () => {
    await create(gssBody('kill', 4));
    await patchGs('kill-1', { opsState: 'Kill' });
    await emu.settled();
    const gss = await getGss('kill');
    assert.equal(gss.spec.replicas, 3);
    assert.deepEqual(await podNames('kill'), ['kill-0', 'kill-2', 'kill-3']);
    assert.equal(gss.status?.observedGeneration, gss.metadata.generation);
  });

  it('§6 scale-up fills the lowest free ordinals and skips reserveGameServerIds ("3-6" ranges)', async () => {
    await create(gssBody('up', 3, { reserveGameServerIds: [1, '3-4'] }));
    assert.deepEqual(await podNames('up'), ['up-0', 'up-2', 'up-5']);
    await patchGss('up', { spec: { replicas: 4 } });
    await emu.settled();
    assert.deepEqual(await podNames('up'), ['up-0', 'up-2', 'up-5', 'up-6']);
    await patchGss('up', { spec: { reserveGameServerIds: [1, '3-4', 2] } });
    await emu.settled();
    assert.deepEqual(await podNames('up'), ['up-0', 'up-5', 'up-6', 'up-7']);
    await patchGss('up', { spec: { reserveGameServerIds: null, replicas: 6 } });
    await emu.settled();
    // freed ids are re-used from the lowest
    assert.deepEqual(await podNames('up'), ['up-0', 'up-1', 'up-2', 'up-5', 'up-6', 'up-7']);
  });

  it('§8.2 image and replicas patched at once: the new pods get the OLD image (scale before workload update)', async () => {
    await create(gssBody('race', 2));
    await patchGss('race', {
      spec: { replicas: 4, gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: NEW }] } } },
    });
    await emu.settled();
    const ps = await pods('race');
    assert.deepEqual(ps.map(image), [OLD, OLD, OLD, OLD]);
    const gss = await getGss('race');
    assert.equal(gss.status?.updatedReplicas, 0);
    assert.equal(gss.status?.observedGeneration, gss.metadata.generation);
    const asts = await getAsts('race');
    assert.equal(((asts.spec.template?.spec as Json).containers as Json[])[0].image, NEW);
  });

  it('§8 seed release: OnDelete keeps old rooms, image first then scale gives new-image rooms; WaitToBeDeleted go first', async () => {
    await create(gssBody('seed', 3));
    await patchGs('seed-0', { opsState: 'Allocated' });
    await patchGss('seed', {
      spec: { gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: NEW }] } } },
    });
    await emu.settled();
    let gss = await getGss('seed');
    assert.equal(gss.status?.observedGeneration, gss.metadata.generation);
    assert.deepEqual((await pods('seed')).map(image), [OLD, OLD, OLD]); // OnDelete: untouched
    await patchGss('seed', { spec: { replicas: 6 } });
    await emu.settled();
    const ps = await pods('seed');
    assert.deepEqual(ps.map(image), [OLD, OLD, OLD, NEW, NEW, NEW]);
    assert.ok(ps.every(p => p.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True')));
    gss = await getGss('seed');
    assert.equal(gss.status?.updatedReplicas, 3);
    assert.equal(gss.status?.updatedReadyReplicas, 3);
    await patchGs('seed-1', { opsState: 'WaitToBeDeleted' });
    await patchGs('seed-2', { opsState: 'WaitToBeDeleted' });
    await emu.settled();
    await patchGss('seed', { spec: { replicas: 4 } });
    await emu.settled();
    assert.deepEqual(await podNames('seed'), ['seed-0', 'seed-3', 'seed-4', 'seed-5']);
  });

  it('§2.1 RollingUpdate replaces outdated pods (higher updatePriority first); OnDelete would not', async () => {
    await create(gssBody('roll', 3, { updateStrategy: { type: 'RollingUpdate' } }));
    await patchGs('roll-0', { updatePriority: 10 });
    await emu.settled();
    const before = await pods('roll');
    server.clearWriteLog();
    await patchGss('roll', {
      spec: { gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: NEW }] } } },
    });
    await emu.settled();
    const after = await pods('roll');
    assert.deepEqual(after.map(image), [NEW, NEW, NEW]);
    assert.ok(after.every((p, i) => p.metadata.uid !== before[i].metadata.uid));
    const deletes = server
      .writeLog()
      .filter(
        e => e.verb === 'delete' && e.resource === 'pods' && e.user === 'controller' && e.name?.startsWith('roll-'),
      );
    assert.equal(deletes[0]?.name, 'roll-0');
    const gss = await getGss('roll');
    assert.equal(gss.status?.updatedReadyReplicas, 3);
  });

  it('§2.1 a present rollingUpdate forces RollingUpdate even when type is OnDelete', async () => {
    await create(
      gssBody('forced', 2, {
        updateStrategy: { type: 'OnDelete', rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } },
      }),
    );
    assert.equal((await getAsts('forced')).spec.updateStrategy?.type, 'RollingUpdate');
    await patchGss('forced', {
      spec: { gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: NEW }] } } },
    });
    await emu.settled();
    assert.deepEqual((await pods('forced')).map(image), [NEW, NEW]);
    await patchGss('forced', { spec: { updateStrategy: { rollingUpdate: null } } });
    await emu.settled();
    assert.equal((await getAsts('forced')).spec.updateStrategy?.type, 'OnDelete');
  });

  it('§1 reclaimPolicy Cascade: GS is garbage-collected with its pod; the new pod gets a fresh GS (opsState None)', async () => {
    await create(gssBody('casc', 1));
    await patchGs('casc-0', { opsState: 'Maintaining' });
    await emu.settled();
    const old = await getGs('casc-0');
    await admin.delete('pods', NS, 'casc-0');
    await emu.settled();
    const gs = await getGs('casc-0');
    assert.notEqual(gs.metadata.uid, old.metadata.uid);
    assert.equal(gs.spec.opsState, 'None');
    assert.equal((await pods('casc'))[0].metadata.labels?.[LABEL_OPS_STATE], 'None');
  });

  it('§1 reclaimPolicy Delete: GS survives pod recreation; scale-down labels it gs-deleting and deletes it after the pod', async () => {
    await create(gssBody('del', 2, {}, { reclaimPolicy: 'Delete' }));
    const gss = await getGss('del');
    const gs0 = await getGs('del-1');
    assert.equal(gs0.metadata.ownerReferences?.[0].uid, gss.metadata.uid);
    await patchGs('del-1', { opsState: 'Maintaining' });
    await emu.settled();
    await admin.delete('pods', NS, 'del-1');
    await emu.settled();
    const gs1 = await getGs('del-1');
    assert.equal(gs1.metadata.uid, gs0.metadata.uid);
    assert.equal(gs1.spec.opsState, 'Maintaining');
    assert.equal(
      (await pods('del')).find(p => p.metadata.name === 'del-1')?.metadata.labels?.[LABEL_OPS_STATE],
      'Maintaining',
    );
    server.clearWriteLog();
    await patchGss('del', { spec: { replicas: 1 } });
    await emu.settled();
    assert.deepEqual(await podNames('del'), ['del-1']); // Maintaining ranks last
    const marked = server
      .writeLog()
      .find(e => e.resource === 'gameservers' && e.name === 'del-0' && e.verb === 'patch');
    assert.deepEqual((marked?.body as { metadata: { labels: Json } } | undefined)?.metadata.labels, {
      [LABEL_GS_DELETING]: 'true',
    });
    await assert.rejects(getGs('del-0'), (e: unknown) => isNotFound(e));
  });

  it('§8.5 label sync lag: pod label follows the GS spec only after labelSyncLagMs; scale-down uses the pod label', async () => {
    const kc = loadKubeConfig(server.kubeconfigPath('controller'));
    await emu.stop();
    emu = await startOkgEmulator(kc, { readyAfterMs: 40, terminatingMs: 20, labelSyncLagMs: 600 });
    try {
      await create(gssBody('lag', 3));
      await patchGs('lag-0', { opsState: 'WaitToBeDeleted' });
      await new Promise(r => setTimeout(r, 150));
      const p0 = (await pods('lag'))[0];
      assert.equal(p0.metadata.labels?.[LABEL_OPS_STATE], 'None');
      // scaling now removes the highest ordinal, not the WaitToBeDeleted room (issue #321)
      await patchGss('lag', { spec: { replicas: 2 } });
      await emu.settled();
      const ps = await pods('lag');
      assert.deepEqual(
        ps.map(p => p.metadata.name),
        ['lag-0', 'lag-1'],
      );
      assert.equal(ps[0].metadata.labels?.[LABEL_OPS_STATE], 'WaitToBeDeleted');
      assert.ok(ps[0].metadata.annotations?.[ANN_OPS_STATE_CHANGED]);
    } finally {
      await emu.stop();
      emu = await startOkgEmulator(kc, {
        readyAfterMs: 80,
        terminatingMs: 40,
        room: (ns, n) => rooms.get(`${ns}/${n}`),
      });
    }
  });

  it('§4.3 kubelet room behaviours: Crash, NotReady, Pending (Creating) and a late Ready', async () => {
    rooms.set(`${NS}/beh-0`, { outcome: 'Crash' });
    rooms.set(`${NS}/beh-1`, { outcome: 'NotReady' });
    rooms.set(`${NS}/beh-2`, { outcome: 'Pending' });
    await create(gssBody('beh', 4));
    assert.equal((await getGs('beh-0')).status?.currentState, 'Crash');
    assert.equal((await pods('beh'))[0].status?.phase, 'Failed');
    assert.equal((await getGs('beh-1')).status?.currentState, 'NotReady');
    assert.equal((await getGs('beh-2')).status?.currentState, 'Creating');
    assert.equal((await getGs('beh-3')).status?.currentState, 'Ready');
    const gss = await getGss('beh');
    assert.equal(gss.status?.readyReplicas, 1);
    emu.setRoomBehaviour(NS, 'beh-1', { outcome: 'Ready' });
    await emu.settled();
    assert.equal((await getGs('beh-1')).status?.currentState, 'Ready');
  });

  // The fixed controller (kruise-game PR #283). v1.0.0 echoes a stale spec back: `staleSpecEchoMs`, tested in
  // test/release/pitfalls.test.ts and seen for real in tier B.
  it('§8.6/§8.7 GS writes never touch the GS spec: a user opsState survives all controller writes', async () => {
    await create(gssBody('own', 2));
    server.clearWriteLog();
    await patchGs('own-0', { opsState: 'Allocated', deletionPriority: '10%' });
    await emu.settled();
    const gs = await getGs('own-0');
    assert.equal(gs.spec.opsState, 'Allocated');
    assert.equal(gs.status?.deletionPriority, '10%');
    const ctl = server.writeLog().filter(e => e.user === 'controller' && e.resource === 'gameservers');
    assert.ok(ctl.length > 0);
    assert.ok(
      ctl.every(e => e.subresource === 'status' || (e.verb === 'patch' && !JSON.stringify(e.body).includes('"spec"'))),
    );
  });

  it('kubelet: a deleted pod terminates gracefully (deletionTimestamp, GS Deleting), then the ASTS re-creates the ordinal', async () => {
    await create(gssBody('term', 2));
    const before = (await pods('term'))[1];
    await admin.delete('pods', NS, 'term-1');
    const terminating = (await pods('term')).find(p => p.metadata.name === 'term-1');
    assert.ok(terminating?.metadata.deletionTimestamp);
    assert.equal(terminating?.metadata.uid, before.metadata.uid);
    await emu.settled();
    const after = (await pods('term')).find(p => p.metadata.name === 'term-1');
    assert.notEqual(after?.metadata.uid, before.metadata.uid);
    assert.equal(after?.metadata.deletionTimestamp, undefined);
    const gss = await getGss('term');
    assert.equal(gss.status?.currentReplicas, 2);
    assert.equal(gss.status?.readyReplicas, 2);
    const finish = server.writeLog().find(e => e.verb === 'delete' && e.user === 'controller' && e.name === 'term-1');
    assert.ok(finish, 'the emulated kubelet finishes the pod');
  });

  it('deleting the GSS removes ASTS, pods and GSs via the garbage collector', async () => {
    await create(gssBody('gone', 2));
    await admin.delete('gameserversets', NS, 'gone');
    await emu.settled();
    await new Promise(r => setTimeout(r, 200));
    await emu.settled();
    assert.deepEqual(await podNames('gone'), []);
    await assert.rejects(getAsts('gone'), (e: unknown) => isNotFound(e));
  });
});
