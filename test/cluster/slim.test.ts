// What the namespace cache keeps of a GameServer and a Pod (slim.ts): everything the room view, the room's
// addresses and the not-ready reasons read comes out the same as from the whole object, and the rest
// (managedFields, env, volumes, probes, owner references) is gone.
import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import { roomView, type RawObject } from '../../src/cluster/okg.js';
import { slimGameServer, slimPod } from '../../src/cluster/slim.js';
import { roomWaiting } from '../../src/release/reasons.js';
import { addressLines } from '../../src/cluster/describeAddress.js';
import type { Obj } from '../../src/cluster/reflector.js';

const managedFields = Array.from({ length: 4 }, (_, i) => ({
  manager: `controller-${i}`,
  operation: 'Update',
  time: '2026-11-30T10:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': {} } },
}));

function gameServer(name: string, opts: { deleting?: boolean; network?: boolean } = {}): Obj {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServer',
    metadata: {
      name,
      namespace: 'games',
      uid: `uid-gs-${name}`,
      resourceVersion: '41',
      generation: 2,
      creationTimestamp: '2026-11-30T10:00:00Z',
      ...(opts.deleting ? { deletionTimestamp: '2026-11-30T11:00:00Z' } : {}),
      labels: { 'game.kruise.io/owner-gss': 'fleet', 'app.example.com/team': 'core' },
      annotations: { 'game.kruise.io/gsTemplate-metadata-hash': 'abc' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name, uid: 'p', controller: true }],
      managedFields,
    } as Obj['metadata'],
    spec: {
      opsState: 'Allocated',
      deletionPriority: '10',
      updatePriority: 3,
      networkDisabled: false,
      containers: [{ name: 'game', image: 'registry.example.com/game:2.0' }, { name: 'sidecar' }],
    },
    status: {
      currentState: 'Ready',
      desiredState: 'Ready',
      lastTransitionTime: '2026-11-30T10:01:00Z',
      conditions: [{ type: 'PodNormal', status: 'True', lastTransitionTime: '2026-11-30T10:01:00Z' }],
      podStatus: {
        phase: 'Running',
        podIP: '10.0.0.5',
        containerStatuses: [
          { name: 'game', image: 'registry.example.com/game:1.9', imageID: 'sha256:1', restartCount: 2, ready: true },
          { name: 'sidecar', image: 'registry.example.com/agent:3', imageID: 'sha256:2', ready: true },
        ],
      },
      ...(opts.network
        ? {
            networkStatus: {
              networkType: 'Kubernetes-HostPort',
              currentNetworkState: 'Ready',
              desiredNetworkState: 'Ready',
              externalAddresses: [{ ip: '203.0.113.7', ports: [{ name: 'game', port: 7777, protocol: 'UDP' }] }],
              internalAddresses: [{ ip: '10.0.0.5', ports: [{ name: 'game', port: 7777, protocol: 'UDP' }] }],
              lastTransitionTime: '2026-11-30T10:01:00Z',
            },
          }
        : {}),
    },
  };
}

function pod(name: string, waiting?: { reason: string; message: string }): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'games',
      uid: `uid-pod-${name}`,
      resourceVersion: '40',
      creationTimestamp: '2026-11-30T10:00:00Z',
      labels: {
        'game.kruise.io/owner-gss': 'fleet',
        'game.kruise.io/gs-opsState': 'Allocated',
        'game.kruise.io/gs-delete-priority': '10',
        'controller-revision-hash': 'fleet-abc',
      },
      annotations: {
        'game.kruise.io/opsState-last-changed-time': '2026-11-30T10:30:00Z',
        'game.kruise.io/state-last-changed-time': '2026-11-30T10:02:00Z',
        'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}'.repeat(50),
      },
      ownerReferences: [{ apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: 'fleet', uid: 's' }],
      managedFields,
    } as Obj['metadata'],
    spec: {
      nodeName: 'node-7',
      containers: [
        {
          name: 'game',
          image: 'registry.example.com/game:2.0',
          env: [{ name: 'MAX_PLAYERS', value: '16' }],
          ports: [{ containerPort: 7777, protocol: 'UDP' }],
          readinessProbe: { tcpSocket: { port: 7777 } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
        { name: 'sidecar', image: 'registry.example.com/agent:3' },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'game', operator: 'Exists' }],
    },
    status: {
      phase: waiting ? 'Pending' : 'Running',
      podIP: '10.0.0.5',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-30T10:00:00Z' },
        {
          type: 'ContainersReady',
          status: waiting ? 'False' : 'True',
          reason: waiting ? 'ContainersNotReady' : undefined,
          message: waiting ? 'containers with unready status: [game]' : undefined,
          lastTransitionTime: '2026-11-30T10:00:00Z',
        },
        { type: 'Ready', status: waiting ? 'False' : 'True', lastProbeTime: null },
      ],
      initContainerStatuses: [
        { name: 'init', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: 'x' } } },
      ],
      containerStatuses: [
        {
          name: 'game',
          image: 'registry.example.com/game:2.0',
          imageID: 'sha256:3',
          containerID: 'containerd://abc',
          restartCount: 4,
          ready: !waiting,
          state: waiting ? { waiting } : { running: { startedAt: '2026-11-30T10:00:00Z' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', message: 'out of memory', finishedAt: 'y' } },
        },
      ],
    },
  };
}

const CASES: [string, Obj, Obj | undefined][] = [
  ['a running room with a network', gameServer('fleet-0', { network: true }), pod('fleet-0')],
  [
    'a room whose image cannot be pulled',
    gameServer('fleet-1'),
    pod('fleet-1', { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/game:2.0"' }),
  ],
  ['a crash loop', gameServer('fleet-2'), pod('fleet-2', { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' })],
  ['a room being deleted, without a pod', gameServer('fleet-3', { deleting: true }), undefined],
];

describe('slim objects (what a namespace cache keeps)', () => {
  for (const [what, gs, p] of CASES)
    it(`${what}: the room view, its addresses and why it is not ready are the same as from the whole objects`, () => {
      const sg = slimGameServer(gs);
      const sp = p && slimPod(p);
      assert.deepEqual(roomView(sg, sp), roomView(gs, p));
      assert.deepEqual(addressLines(sg), addressLines(gs));
      const view = roomView(gs, p);
      for (const gss of [{ network: false }, { network: true }])
        assert.deepEqual(roomWaiting(view, sp, gss), roomWaiting(view, p, gss));
      assert.equal(sp?.metadata.uid, p?.metadata.uid, "the pod's uid (its events are matched by it)");
    });

  it('drops what no reader uses: managedFields, env, probes, volumes, owner references, other labels', () => {
    const kept = JSON.stringify([slimGameServer(gameServer('fleet-0', { network: true })), slimPod(pod('fleet-0'))]);
    for (const gone of [
      'managedFields',
      'MAX_PLAYERS',
      'readinessProbe',
      'volumes',
      'volumeMounts',
      'tolerations',
      'ownerReferences',
      'last-applied-configuration',
      'controller-revision-hash',
      'app.example.com/team',
      'imageID',
      'containerID',
      'podIP',
    ])
      assert.ok(!kept.includes(gone), `${gone} is not kept`);
    const whole = JSON.stringify([gameServer('fleet-0', { network: true }), pod('fleet-0')]);
    assert.ok(kept.length * 2 < whole.length, `kept ${kept.length} bytes of ${whole.length}`);
  });

  it('keeps a field absent when it was absent (a conditional write tests what is really stored)', () => {
    const gs = gameServer('fleet-0');
    delete (gs.spec as Record<string, unknown>).networkDisabled;
    delete (gs.spec as Record<string, unknown>).deletionPriority;
    const s = slimGameServer(gs).spec as Record<string, unknown>;
    assert.ok(!('networkDisabled' in s) && !('deletionPriority' in s));
    assert.deepEqual(roomView(slimGameServer(gs)).storedSpec, roomView(gs).storedSpec);
    const bare: RawObject = { metadata: { name: 'bare-0' } };
    assert.deepEqual(roomView(slimGameServer(bare as Obj)), roomView(bare));
  });
});
