import * as assert from 'node:assert/strict';
import {
  LABEL_DELETE_PRIORITY,
  LABEL_GS_STATE,
  LABEL_LIFECYCLE_STATE,
  LABEL_OPS_STATE,
  LABEL_OWNER_GSS,
  LABEL_POD_NAME,
  LABEL_REVISION,
  LABEL_UPDATE_PRIORITY,
  LABEL_NETWORK_DISABLED,
  ANN_ASTS_HASH,
} from '../../../src/sandbox/okg/constants.js';
import {
  astsHash,
  astsDesiredOrdinals,
  buildAsts,
  reserveOrdinalsFor,
  revisionOf,
} from '../../../src/sandbox/okg/astsObjects.js';
import {
  buildGameServer,
  buildGameServerStatus,
  desiredPodLabels,
} from '../../../src/sandbox/okg/gameServerObjects.js';
import { buildGssStatus, gssAfterGoRoundTrip } from '../../../src/sandbox/okg/gssObjects.js';
import { buildPod } from '../../../src/sandbox/okg/podObjects.js';
import { buildPodStatus } from '../../../src/sandbox/okg/podStatus.js';
import {
  astsOrdinals,
  computeScale,
  ordinalsToCreate,
  parseReserveIds,
  replicasAfterKilling,
  sortForScaleDown,
} from '../../../src/sandbox/okg/scale.js';
import { deriveGameServerState } from '../../../src/sandbox/okg/state.js';
import type { GameServerSet, Pod } from '../../../src/sandbox/okg/types.js';

function gss(extra: Partial<GameServerSet['spec']> = {}): GameServerSet {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServerSet',
    metadata: { name: 'minecraft', namespace: 'default', uid: 'gss-uid', generation: 3 },
    spec: {
      replicas: 3,
      updateStrategy: { type: 'OnDelete' },
      gameServerTemplate: {
        metadata: { labels: { app: 'mc' } },
        spec: { containers: [{ name: 'minecraft', image: 'registry/minecraft-demo:1.12.2' }] },
      },
      ...extra,
    },
  };
}

function pod(
  name: string,
  labels: Record<string, string> = {},
  extra: Partial<Pod['metadata']> = {},
  status?: Pod['status'],
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels, ...extra },
    spec: {},
    ...(status ? { status } : {}),
  };
}

const names = (ps: Pod[]): string[] => ps.map(p => p.metadata.name ?? '');

describe('okg rules (pure)', () => {
  it('§6 scale-down: WaitToBeDeleted before None, then higher deletion priority, then highest ordinal', () => {
    const ps = [
      pod('g-0', { [LABEL_OPS_STATE]: 'None' }),
      pod('g-1', { [LABEL_OPS_STATE]: 'WaitToBeDeleted' }),
      pod('g-2', { [LABEL_OPS_STATE]: 'None', [LABEL_DELETE_PRIORITY]: '5' }),
      pod('g-3', { [LABEL_OPS_STATE]: 'None' }),
      pod('g-4', { [LABEL_OPS_STATE]: 'WaitToBeDeleted', [LABEL_DELETE_PRIORITY]: '1' }),
    ];
    assert.deepEqual(names(sortForScaleDown(ps)), ['g-4', 'g-1', 'g-2', 'g-3', 'g-0']);
  });

  it('§6/§4.4 scale-down rank: Kill 100 > WaitToBeDeleted 1 > None/custom 0 > Allocated -1 > Maintaining -2', () => {
    const ps = [
      pod('g-0', { [LABEL_OPS_STATE]: 'Maintaining' }),
      pod('g-1', { [LABEL_OPS_STATE]: 'Allocated' }),
      pod('g-2', { [LABEL_OPS_STATE]: 'kill' }), // custom, ranks like None
      pod('g-3', { [LABEL_OPS_STATE]: 'Kill' }),
      pod('g-4', { [LABEL_OPS_STATE]: 'WaitToBeDeleted' }),
      pod('g-5', {}),
    ];
    assert.deepEqual(names(sortForScaleDown(ps)), ['g-3', 'g-4', 'g-5', 'g-2', 'g-1', 'g-0']);
  });

  it('§6 deletion priority compares with strconv.Atoi: non-integers such as "10%" count as 0', () => {
    const ps = [
      pod('g-0', { [LABEL_DELETE_PRIORITY]: '1' }),
      pod('g-1', { [LABEL_DELETE_PRIORITY]: '10%' }),
      pod('g-2', { [LABEL_DELETE_PRIORITY]: '-3' }),
    ];
    assert.deepEqual(names(sortForScaleDown(ps)), ['g-0', 'g-1', 'g-2']);
  });

  it('§6 scale-down reads the POD LABEL, not the GS spec (a pod without the label ranks as None)', () => {
    const ps = [pod('g-0', { [LABEL_OPS_STATE]: 'WaitToBeDeleted' }), pod('g-1', {}), pod('g-2', {})];
    const plan = computeScale(2, [], ps);
    assert.deepEqual(plan.toDelete, [0]);
    assert.deepEqual(plan.desired, [1, 2]);
  });

  it('§6 computeToScaleGs: terminating and PreDelete pods are not candidates, reserved ids are removed first', () => {
    const ps = [
      pod('g-0', {}),
      pod('g-1', {}),
      pod('g-2', {}, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
      pod('g-3', { [LABEL_LIFECYCLE_STATE]: 'PreparingDelete' }),
      pod('g-4', { [LABEL_OPS_STATE]: 'Maintaining' }),
    ];
    const plan = computeScale(2, [4], ps);
    assert.deepEqual(plan.toDelete, [4]);
    assert.deepEqual(plan.desired, [0, 1]);
    const down = computeScale(1, [], ps);
    assert.deepEqual(down.toDelete, [1, 0]); // Maintaining (g-4) is last; g-2/g-3 excluded
    assert.deepEqual(down.desired, [4]);
  });

  it('§6/§13.5 scale-up fills the lowest free ordinals, skipping reserveGameServerIds incl. "3-6" ranges', () => {
    assert.deepEqual(parseReserveIds([1, '3-6', '9', 'x']), [1, 3, 4, 5, 6, 9]);
    const ps = [pod('g-0', {}), pod('g-2', {}), pod('g-8', {})];
    const plan = computeScale(7, parseReserveIds([1, '3-6']), ps);
    assert.deepEqual(plan.toAdd, [7, 9, 10, 11]);
    assert.deepEqual(plan.desired, [0, 2, 7, 8, 9, 10, 11]);
    assert.deepEqual(ordinalsToCreate(3, new Set([0, 2])), [1, 3, 4]);
    // a terminating pod's ordinal is not re-used while it terminates
    assert.deepEqual(computeScale(2, [], [pod('g-0', {}, { deletionTimestamp: 'x' })]).toAdd, [1, 2]);
  });

  it('§6 ASTS ordinals: first `replicas` ordinals not in reserveOrdinals; reserveOrdinalsFor reproduces a plan', () => {
    assert.deepEqual(astsOrdinals(3, [0, '2-3']), [1, 4, 5]);
    const desired = [0, 2, 7, 8];
    const reserve = reserveOrdinalsFor(desired, [1, 3, 4, 5, 6, 20]);
    assert.deepEqual(astsOrdinals(desired.length, reserve), desired);
  });

  it('§6 step 3 Kill: only when gss == asts replicas == #pods and no pod terminating; lowers by #Kill pods', () => {
    const ps = [pod('g-0', { [LABEL_OPS_STATE]: 'Kill' }), pod('g-1', {}), pod('g-2', { [LABEL_OPS_STATE]: 'Kill' })];
    assert.equal(replicasAfterKilling(3, 3, ps), 1);
    assert.equal(replicasAfterKilling(4, 3, ps), undefined);
    assert.equal(replicasAfterKilling(3, 4, ps), undefined);
    assert.equal(
      replicasAfterKilling(3, 3, [...ps.slice(0, 2), pod('g-2', {}, { deletionTimestamp: 'x' })]),
      undefined,
    );
    assert.equal(replicasAfterKilling(3, 3, [pod('g-0', {}), pod('g-1', {}), pod('g-2', {})]), undefined);
  });

  it('§4.3 state derivation: Creating/Ready/NotReady/Deleting/Crash/Unknown/Updating/PreUpdate/PreDelete', () => {
    const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    const notReady = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
    assert.equal(deriveGameServerState(pod('a', {})), 'Creating');
    assert.equal(deriveGameServerState(pod('a', {}, {}, { phase: 'Pending' })), 'Creating');
    assert.equal(deriveGameServerState(pod('a', {}, {}, ready)), 'Ready');
    assert.equal(deriveGameServerState(pod('a', {}, {}, notReady)), 'NotReady');
    assert.equal(deriveGameServerState(pod('a', {}, {}, { phase: 'Running' })), '');
    assert.equal(deriveGameServerState(pod('a', { [LABEL_LIFECYCLE_STATE]: 'Updating' }, {}, ready)), 'Updating');
    assert.equal(
      deriveGameServerState(pod('a', { [LABEL_LIFECYCLE_STATE]: 'PreparingUpdate' }, {}, ready)),
      'PreUpdate',
    );
    assert.equal(
      deriveGameServerState(pod('a', { [LABEL_LIFECYCLE_STATE]: 'PreparingDelete' }, {}, ready)),
      'PreDelete',
    );
    assert.equal(
      deriveGameServerState(
        pod('a', { [LABEL_LIFECYCLE_STATE]: 'PreparingDelete' }, { deletionTimestamp: 'x' }, ready),
      ),
      'Deleting',
    );
    assert.equal(deriveGameServerState(pod('a', {}, {}, { phase: 'Failed' })), 'Crash');
    assert.equal(deriveGameServerState(pod('a', {}, {}, { phase: 'Succeeded' })), 'Unknown');
    assert.equal(deriveGameServerState(pod('a', {}, {}, { phase: 'Unknown' })), 'Unknown');
  });

  it('§1 ASTS: same name, controller ownerRef to the GSS, Parallel, serviceName defaults to the GSS name', () => {
    const a = buildAsts(gss());
    assert.equal(a.apiVersion, 'apps.kruise.io/v1beta1');
    assert.equal(a.metadata.name, 'minecraft');
    assert.deepEqual(a.metadata.ownerReferences, [
      {
        apiVersion: 'game.kruise.io/v1alpha1',
        kind: 'GameServerSet',
        name: 'minecraft',
        uid: 'gss-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(a.spec.podManagementPolicy, 'Parallel');
    assert.equal(a.spec.serviceName, 'minecraft');
    assert.equal(a.metadata.annotations?.[ANN_ASTS_HASH], astsHash(gss()));
    assert.deepEqual(a.spec.selector, { matchLabels: { [LABEL_OWNER_GSS]: 'minecraft' } });
    assert.deepEqual((a.spec.template?.spec as { readinessGates: unknown }).readinessGates, [
      { conditionType: 'InPlaceUpdateReady' },
    ]);
  });

  it('§2.1 a PRESENT rollingUpdate forces RollingUpdate even when type is OnDelete; absent keeps OnDelete', () => {
    assert.equal(buildAsts(gss()).spec.updateStrategy?.type, 'OnDelete');
    const forced = buildAsts(
      gss({ updateStrategy: { type: 'OnDelete', rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } } }),
    );
    assert.equal(forced.spec.updateStrategy?.type, 'RollingUpdate');
    assert.deepEqual((forced.spec.updateStrategy?.rollingUpdate as { unorderedUpdate: unknown }).unorderedUpdate, {
      priorityStrategy: { orderPriority: [{ orderedKey: LABEL_UPDATE_PRIORITY }] },
    });
    assert.equal(
      buildAsts(gss({ updateStrategy: { type: 'OnDelete', rollingUpdate: null } })).spec.updateStrategy?.type,
      'OnDelete',
    );
    assert.equal(buildAsts(gss({ updateStrategy: undefined })).spec.updateStrategy?.type, 'RollingUpdate');
  });

  it('§1 Pod <gss>-<ordinal>: owned by the ASTS, owner-gss + template labels, revision hash, pod-name, nodeName', () => {
    const a = { ...buildAsts(gss()), metadata: { ...buildAsts(gss()).metadata, uid: 'asts-uid' } };
    const p = buildPod(a, 4);
    assert.equal(p.metadata.name, 'minecraft-4');
    assert.equal(p.metadata.labels?.[LABEL_OWNER_GSS], 'minecraft');
    assert.equal(p.metadata.labels?.app, 'mc');
    assert.equal(p.metadata.labels?.[LABEL_POD_NAME], 'minecraft-4');
    assert.match(p.metadata.labels?.[LABEL_REVISION] ?? '', /^minecraft-[0-9a-f]{10}$/);
    assert.equal(p.metadata.labels?.[LABEL_REVISION], revisionOf(a));
    assert.equal(p.metadata.ownerReferences?.[0].kind, 'StatefulSet');
    assert.equal(p.metadata.ownerReferences?.[0].uid, 'asts-uid');
    assert.equal(p.metadata.ownerReferences?.[0].controller, true);
    assert.equal(p.spec.nodeName, 'sandbox-node');
    const changed = buildAsts(
      gss({ gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: 'new' }] } } }),
    );
    assert.notEqual(revisionOf(changed), revisionOf(a));
  });

  it('§1/§4.1 GameServer: same name, defaults, owner Pod for Cascade (default/empty), owner GSS for Delete', () => {
    const p = {
      ...buildPod(buildAsts(gss()), 0),
      metadata: { ...buildPod(buildAsts(gss()), 0).metadata, uid: 'pod-uid' },
    };
    const gs = buildGameServer(p, gss());
    assert.equal(gs.metadata.name, 'minecraft-0');
    assert.deepEqual(gs.spec, { opsState: 'None', deletionPriority: 0, updatePriority: 0 }); // networkDisabled is omitempty (seen in tier B)
    assert.equal(gs.metadata.labels?.[LABEL_OWNER_GSS], 'minecraft');
    assert.equal(gs.metadata.labels?.app, 'mc');
    assert.equal(gs.metadata.ownerReferences?.[0].kind, 'Pod');
    assert.equal(gs.metadata.ownerReferences?.[0].uid, 'pod-uid');
    const empty = gss();
    empty.spec.gameServerTemplate = { ...empty.spec.gameServerTemplate, reclaimPolicy: '' };
    assert.equal(buildGameServer(p, empty).metadata.ownerReferences?.[0].kind, 'Pod');
    const del = gss();
    del.spec.gameServerTemplate = { ...del.spec.gameServerTemplate, reclaimPolicy: 'Delete' };
    assert.equal(buildGameServer(p, del).metadata.ownerReferences?.[0].kind, 'GameServerSet');
  });

  it('§5 pod labels follow the GS spec (opsState, priorities, network-disabled, gs-state)', () => {
    const p = buildPod(buildAsts(gss()), 0);
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    const gs = buildGameServer(p, gss());
    gs.spec.opsState = 'Allocated';
    gs.spec.deletionPriority = '10%';
    gs.spec.networkDisabled = true;
    assert.deepEqual(desiredPodLabels(gs, p), {
      [LABEL_GS_STATE]: 'Ready',
      [LABEL_OPS_STATE]: 'Allocated',
      [LABEL_DELETE_PRIORITY]: '10%',
      [LABEL_UPDATE_PRIORITY]: '0',
      [LABEL_NETWORK_DISABLED]: 'true',
    });
  });

  it('§4.2 GS status: desiredState Ready, podStatus copy, priorities read back from pod labels', () => {
    const p = buildPod(buildAsts(gss()), 0);
    p.metadata.labels = { ...p.metadata.labels, [LABEL_DELETE_PRIORITY]: '7', [LABEL_UPDATE_PRIORITY]: '10%' };
    p.status = buildPodStatus(p, 'Ready', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z');
    const s = buildGameServerStatus(p, undefined, 'T1');
    assert.equal(s.desiredState, 'Ready');
    assert.equal(s.currentState, 'Ready');
    assert.deepEqual(s.podStatus, p.status);
    assert.equal(s.deletionPriority, '7'); // intstr.FromString: a JSON string, as real OKG writes it (tier B)
    assert.equal(s.updatePriority, '10%');
    assert.equal(s.lastTransitionTime, 'T1');
    assert.equal(buildGameServerStatus(p, s, 'T2').lastTransitionTime, 'T1');
  });

  it('kubelet pod status: Pending → Running (not ready) → Ready, Crash = Failed, with realistic fields', () => {
    const p = buildPod(buildAsts(gss()), 0);
    const pending = buildPodStatus(p, 'Pending', 'S', 'N');
    assert.equal(pending.phase, 'Pending');
    assert.equal(pending.podIP, undefined);
    assert.equal(deriveGameServerState({ ...p, status: pending }), 'Creating');
    const running = buildPodStatus(p, 'Running', 'S', 'N');
    assert.equal(deriveGameServerState({ ...p, status: running }), 'NotReady');
    assert.ok(running.podIP);
    const ready = buildPodStatus(p, 'Ready', 'S', 'N');
    assert.equal(deriveGameServerState({ ...p, status: ready }), 'Ready');
    const cs = ready.containerStatuses?.[0] as {
      image: string;
      imageID: string;
      ready: boolean;
      started: boolean;
      state: { running?: unknown };
    };
    assert.equal(cs.image, 'registry/minecraft-demo:1.12.2');
    assert.match(cs.imageID, /@sha256:[0-9a-f]{64}$/);
    assert.equal(cs.ready, true);
    assert.ok(cs.state.running);
    assert.deepEqual(
      ready.conditions?.map(c => c.type),
      ['InPlaceUpdateReady', 'KruisePodReady', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'],
    );
    assert.equal(deriveGameServerState({ ...p, status: buildPodStatus(p, 'Crash', 'S', 'N') }), 'Crash');
  });

  it('§3 GSS status: replicas = spec, currentReplicas incl. terminating, counts by pod label, labelSelector', () => {
    const g = gss({ replicas: 2 });
    const a = buildAsts(g);
    const rev = revisionOf(a);
    const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    const ps = [
      pod('minecraft-0', { [LABEL_REVISION]: rev, [LABEL_OPS_STATE]: 'Maintaining' }, {}, ready),
      pod('minecraft-1', { [LABEL_REVISION]: 'old', [LABEL_OPS_STATE]: 'WaitToBeDeleted' }, {}, ready),
      pod('minecraft-2', { [LABEL_REVISION]: rev, [LABEL_GS_STATE]: 'PreDelete' }, { deletionTimestamp: 'x' }),
    ];
    assert.deepEqual(buildGssStatus(g, a, ps), {
      observedGeneration: 3,
      replicas: 2,
      currentReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
      updatedReadyReplicas: 1,
      maintainingReplicas: 1,
      waitToBeDeletedReplicas: 1,
      preDeleteReplicas: 1,
      labelSelector: 'game.kruise.io/owner-gss=minecraft',
    });
    assert.deepEqual(astsDesiredOrdinals(a), [0, 1]);
  });

  // Found by comparing the emulator with real kruise-manager v1.8.3 + kruise-game v1.0.0 room by room (tier B).
  it("tier B: the Advanced StatefulSet carries kruise's webhook defaults, and no empty reserveOrdinals", () => {
    const a = buildAsts(gss());
    assert.equal(a.spec.reserveOrdinals, undefined);
    assert.deepEqual(
      {
        r: a.spec.revisionHistoryLimit,
        p: a.spec.persistentVolumeClaimRetentionPolicy,
        s: a.spec.scaleStrategy,
        v: a.spec.volumeClaimUpdateStrategy,
      },
      { r: 10, p: { whenDeleted: 'Retain', whenScaled: 'Retain' }, s: {}, v: {} },
    );
    const spec = a.spec.template?.spec as {
      dnsPolicy: string;
      restartPolicy: string;
      containers: Record<string, unknown>[];
    };
    assert.deepEqual([spec.dnsPolicy, spec.restartPolicy], ['ClusterFirst', 'Always']);
    assert.deepEqual(spec.containers[0], {
      name: 'minecraft',
      image: 'registry/minecraft-demo:1.12.2',
      imagePullPolicy: 'Always',
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
  });

  it("tier B: pods carry kruise's pod-index and lifecycle labels and the KruisePodReady gate; GameServers the template hash and three conditions", () => {
    const p = buildPod(buildAsts(gss()), 2);
    assert.equal(p.metadata.labels?.['apps.kubernetes.io/pod-index'], '2');
    assert.equal(p.metadata.labels?.[LABEL_LIFECYCLE_STATE], 'Normal');
    assert.match(
      p.metadata.annotations?.['lifecycle.apps.kruise.io/timestamp'] ?? '',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    assert.deepEqual(
      p.spec.readinessGates?.map(g => g.conditionType),
      ['InPlaceUpdateReady', 'KruisePodReady'],
    );
    const gs = buildGameServer({ ...p, metadata: { ...p.metadata, uid: 'u' } }, gss());
    assert.match(gs.metadata.annotations?.['game.kruise.io/gsTemplate-metadata-hash'] ?? '', /^[0-9a-f]{10}$/);
    const status = buildGameServerStatus({ ...p, status: buildPodStatus(p, 'Ready', 'S', 'N') }, undefined, 'T1');
    assert.deepEqual(
      status.conditions,
      ['PodNormal', 'NodeNormal', 'PersistentVolumeNormal'].map(type => ({
        type,
        status: 'True',
        lastTransitionTime: 'T1',
      })),
    );
  });

  it("tier B: after a Kill, the GameServerSet is written back with the zero values of kruise-game's Go types", () => {
    const g = gss();
    const out = gssAfterGoRoundTrip(g, 2);
    assert.equal(out.spec.replicas, 2);
    assert.deepEqual(out.spec.scaleStrategy, {});
    assert.deepEqual(out.spec.gameServerTemplate?.metadata, { labels: { app: 'mc' }, creationTimestamp: null });
    assert.deepEqual(
      (out.spec.gameServerTemplate?.spec as { containers: { resources?: unknown }[] }).containers.map(c => c.resources),
      [{}],
    );
    assert.equal(g.spec.scaleStrategy, undefined, 'the input is not changed');
  });
});
