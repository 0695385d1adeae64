// OKG's Kubernetes-HostPort and Kubernetes-NodePort plugins as the emulator plays them: the ports given to the
// pod, the network-status annotation the plugin writes, and GameServer status.networkStatus as kruise-game's
// syncNetworkStatus derives it (NotReady, then Ready after the configured delay) — pure, then in the sandbox.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  ANN_NETWORK_CONF,
  ANN_NETWORK_STATUS,
  ANN_NETWORK_TRIGGER_TIME,
  ANN_NETWORK_TYPE,
  NetworkPlugins,
  networkConfJson,
  networkStatusOf,
  parseHostPortConf,
  parseNodePortConf,
} from '../../../src/sandbox/okg/network.js';
import { buildAsts } from '../../../src/sandbox/okg/astsObjects.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { SEED, seedGameServerSet } from '../../../src/sandbox/scenarios.js';
import { eventually } from '../../helpers/kubectl.js';
import type { GameServerSet, Json, Pod } from '../../../src/sandbox/okg/types.js';
import type { KubeObject } from '../../../src/sandbox/types.js';

function netPod(
  type: string,
  conf: unknown,
  containers: Json[] = [{ name: 'minecraft', image: 'x' }],
  podIP?: string,
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'minecraft-0',
      namespace: 'default',
      annotations: { [ANN_NETWORK_TYPE]: type, [ANN_NETWORK_CONF]: networkConfJson(conf) },
      labels: {},
    },
    spec: { containers },
    ...(podIP ? { status: { podIP } } : {}),
  };
}

describe('OKG network plugins (pure)', () => {
  it('the GSS network reaches the pod template as the network-type and network-conf annotations', () => {
    const gss = seedGameServerSet('Kubernetes-HostPort') as GameServerSet;
    gss.metadata.uid = 'u';
    const ann = buildAsts(gss).spec.template?.metadata?.annotations;
    assert.deepEqual(ann, {
      [ANN_NETWORK_CONF]: '[{"name":"ContainerPorts","value":"minecraft:25565/TCP"}]',
      [ANN_NETWORK_TYPE]: 'Kubernetes-HostPort',
    });
    assert.equal(buildAsts(seedGameServerSet() as GameServerSet).spec.template?.metadata?.annotations, undefined);
  });

  it('reads ContainerPorts and PortProtocols as the plugins do', () => {
    const hp = parseHostPortConf(
      [
        { name: 'ContainerPorts', value: 'game:7777/UDP,SameAsHost,bad/TCP' },
        { name: 'ContainerPorts', value: 'nope:1' },
      ],
      ['game'],
    );
    assert.deepEqual(
      [...hp],
      [
        [
          'game',
          [
            { port: 7777, protocol: 'UDP' },
            { port: -1, protocol: 'TCP' },
          ],
        ],
      ],
    );
    assert.deepEqual(parseNodePortConf([{ name: 'PortProtocols', value: '25565/TCP,25566' }]), [
      { port: 25565, protocol: 'TCP' },
      { port: 25566, protocol: 'TCP' },
    ]);
  });

  it('HostPort: host ports from the range, the configured ports taking them from the last one; freed when the pod goes', () => {
    const plugins = new NetworkPlugins([8000, 8003]);
    const a = netPod(
      'Kubernetes-HostPort',
      [{ name: 'ContainerPorts', value: 'minecraft:25565/TCP,SameAsHost/UDP,7000/TCPUDP' }],
      [{ name: 'minecraft', image: 'x', ports: [{ containerPort: 9100 }] }],
    );
    plugins.onPodAdded(a);
    assert.deepEqual((a.spec.containers as Json[])[0].ports, [
      { containerPort: 9100 },
      { containerPort: 25565, hostPort: 8002, protocol: 'TCP' },
      { containerPort: 8001, hostPort: 8001, protocol: 'UDP' },
      { containerPort: 7000, hostPort: 8000, protocol: 'TCP' },
      { containerPort: 7000, hostPort: 8000, protocol: 'UDP' },
    ]);
    const b = netPod('Kubernetes-HostPort', [{ name: 'ContainerPorts', value: 'minecraft:25565' }]);
    b.metadata.name = 'minecraft-1';
    plugins.onPodAdded(b);
    assert.equal(((b.spec.containers as Json[])[0].ports as Json[])[0].hostPort, 8003);
    plugins.onPodDeleted('default', 'minecraft-0');
    const c = netPod('Kubernetes-HostPort', [{ name: 'ContainerPorts', value: 'minecraft:25565' }]);
    c.metadata.name = 'minecraft-2';
    plugins.onPodAdded(c);
    assert.equal(((c.spec.containers as Json[])[0].ports as Json[])[0].hostPort, 8000, 'a freed port is used again');
  });

  it("the network-status annotation: Go's JSON of the plugin's NetworkStatus, NotReady until ready", () => {
    const plugins = new NetworkPlugins();
    const p = netPod('Kubernetes-HostPort', [{ name: 'ContainerPorts', value: 'minecraft:25565/TCP' }]);
    plugins.onPodAdded(p);
    assert.equal(
      plugins.annotationFor(p, '192.168.0.10', true),
      '{"currentNetworkState":"NotReady","createTime":null,"lastTransitionTime":null}',
      'no pod IP yet',
    );
    p.status = { podIP: '10.244.1.2' };
    assert.equal(
      plugins.annotationFor(p, '192.168.0.10', false),
      '{"currentNetworkState":"NotReady","createTime":null,"lastTransitionTime":null}',
    );
    assert.equal(
      plugins.annotationFor(p, '192.168.0.10', true),
      '{"internalAddresses":[{"ip":"10.244.1.2","ports":[{"name":"minecraft-25565","protocol":"TCP","port":25565}]}],' +
        '"externalAddresses":[{"ip":"192.168.0.10","ports":[{"name":"minecraft-25565","protocol":"TCP","port":8000}]}],' +
        '"currentNetworkState":"Ready","createTime":null,"lastTransitionTime":null}',
    );
    const np = netPod(
      'Kubernetes-NodePort',
      [{ name: 'PortProtocols', value: '25565/TCP,9000/UDP' }],
      undefined,
      '10.244.1.3',
    );
    assert.equal(
      plugins.annotationFor(np, '192.168.0.10', true),
      '{"internalAddresses":[{"ip":"10.244.1.3","ports":[{"name":"25565","protocol":"TCP","port":25565}]},{"ip":"10.244.1.3","ports":[{"name":"9000","protocol":"UDP","port":9000}]}],' +
        '"externalAddresses":[{"ip":"192.168.0.10","ports":[{"name":"25565","protocol":"TCP","port":30000}]},{"ip":"192.168.0.10","ports":[{"name":"9000","protocol":"UDP","port":30001}]}],' +
        '"currentNetworkState":"Ready","createTime":null,"lastTransitionTime":null}',
    );
    assert.equal(
      plugins.annotationFor(netPod('Kubernetes-Ingress', []), '1.2.3.4', true),
      undefined,
      'a network the emulator does not play',
    );
  });

  it("GS networkStatus: {} without a network; init; NotReady without the annotation; then the pod's; desired from network-disabled", () => {
    const none = netPod('x', []);
    delete none.metadata.annotations;
    assert.deepEqual(networkStatusOf(none, undefined, '2026-01-01T00:00:00.123Z'), {});
    const p = netPod('Kubernetes-HostPort', []);
    const init = networkStatusOf(p, undefined, '2026-01-01T00:00:00.123Z');
    assert.deepEqual(init, {
      networkType: 'Kubernetes-HostPort',
      desiredNetworkState: 'Ready',
      createTime: '2026-01-01T00:00:00Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    const waiting = networkStatusOf(p, init, '2026-01-01T00:00:02Z');
    assert.deepEqual(waiting, { ...init, currentNetworkState: 'NotReady', lastTransitionTime: '2026-01-01T00:00:02Z' });
    p.metadata.annotations![ANN_NETWORK_STATUS] =
      '{"internalAddresses":[{"ip":"10.0.0.1","ports":[{"name":"minecraft-25565","protocol":"TCP","port":25565}]}],"externalAddresses":[{"ip":"1.1.1.1","ports":[{"name":"minecraft-25565","protocol":"TCP","port":8000}]}],"currentNetworkState":"Ready","createTime":null,"lastTransitionTime":null}';
    const ready = networkStatusOf(p, waiting, '2026-01-01T00:00:05Z');
    assert.equal(ready.currentNetworkState, 'Ready');
    assert.equal(
      ready.lastTransitionTime,
      '2026-01-01T00:00:02Z',
      'current state changes do not move the transition time (v1.0)',
    );
    assert.equal((ready.externalAddresses as Json[])[0].ip, '1.1.1.1');
    p.metadata.labels = { 'game.kruise.io/network-disabled': 'true' };
    const disabled = networkStatusOf(p, ready, '2026-01-01T00:00:09Z');
    assert.deepEqual([disabled.desiredNetworkState, disabled.lastTransitionTime], ['NotReady', '2026-01-01T00:00:09Z']);
  });
});

describe('OKG network plugins in the sandbox (seed with --network)', function () {
  this.timeout(60_000);
  for (const network of ['Kubernetes-HostPort', 'Kubernetes-NodePort'] as const) {
    describe(network, () => {
      let sb: Sandbox;
      const gsOf = (name: string) =>
        sb.server.store.get(sb.server.resource('gameservers'), SEED.namespace, name) as KubeObject | undefined;
      const netOf = (name: string) => (gsOf(name)?.status as { networkStatus?: Json } | undefined)?.networkStatus;
      const podOf = (name: string) =>
        sb.server.store.get(sb.server.resource('pods'), SEED.namespace, name) as unknown as Pod | undefined;
      before(async () => {
        sb = await startSandbox({ scenario: 'seed', network, readyAfterMs: 60, networkReadyAfterMs: 400 });
      });
      after(async () => {
        await sb?.stop();
      });

      it("every room gets status.networkStatus with the plugin's addresses and ports, Ready", async () => {
        await eventually(
          () => [0, 1, 2].every(i => netOf(`minecraft-${i}`)?.currentNetworkState === 'Ready'),
          20_000,
          'the networks to be Ready',
        );
        const externalPorts = new Set<number>();
        for (const i of [0, 1, 2]) {
          const ns = netOf(`minecraft-${i}`)!;
          const pod = podOf(`minecraft-${i}`)!;
          const name = network === 'Kubernetes-HostPort' ? 'minecraft-25565' : '25565';
          assert.deepEqual(ns.internalAddresses, [
            { ip: pod.status?.podIP, ports: [{ name, protocol: 'TCP', port: 25565 }] },
          ]);
          const ext = ns.externalAddresses as {
            ip: string;
            ports: { name: string; protocol: string; port: number }[];
          }[];
          assert.equal(ext.length, 1);
          assert.equal(ext[0].ip, '192.168.0.10');
          assert.deepEqual([ext[0].ports.length, ext[0].ports[0].name, ext[0].ports[0].protocol], [1, name, 'TCP']);
          const port = ext[0].ports[0].port;
          assert.ok(
            network === 'Kubernetes-HostPort' ? port >= 8000 && port <= 9000 : port >= 30000 && port <= 32767,
            String(port),
          );
          externalPorts.add(port);
          assert.deepEqual([ns.networkType, ns.desiredNetworkState], [network, 'Ready']);
          assert.match(String(ns.createTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          assert.match(String(ns.lastTransitionTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          assert.equal(pod.metadata.annotations?.[ANN_NETWORK_TYPE], network);
          assert.ok(pod.metadata.annotations?.[ANN_NETWORK_TRIGGER_TIME]);
          const hostPorts = ((pod.spec.containers as Json[])[0].ports as Json[] | undefined)?.map(p => p.hostPort);
          assert.deepEqual(hostPorts, network === 'Kubernetes-HostPort' ? [port] : undefined);
        }
        assert.equal(externalPorts.size, 3, 'each room has its own port');
      });

      it("the network is NotReady first and Ready only after networkReadyAfterMs from the pod's IP", async () => {
        sb.server.clearWriteLog();
        await sb
          .kubeConfig()
          .makeApiClient(CustomObjectsApi)
          .patchNamespacedCustomObject(
            {
              group: 'game.kruise.io',
              version: 'v1alpha1',
              namespace: SEED.namespace,
              plural: 'gameserversets',
              name: SEED.gameServerSet,
              body: { spec: { replicas: 4 } },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
        await eventually(
          () => netOf('minecraft-3')?.currentNetworkState === 'Ready',
          20_000,
          "the new room's network to be Ready",
        );
        const log = sb.server.writeLog();
        const gsWrites = log
          .filter(w => w.resource === 'gameservers' && w.subresource === 'status' && w.name === 'minecraft-3')
          .map(
            w =>
              ((w.body as { status: { networkStatus?: Json } }).status.networkStatus?.currentNetworkState as
                string | undefined) ?? '(none)',
          );
        const seen = gsWrites.filter((s, i) => s !== gsWrites[i - 1]);
        assert.deepEqual(
          seen,
          ['(none)', 'NotReady', 'Ready'],
          `init (no current state), NotReady, Ready: ${gsWrites.join(',')}`,
        );
        const gotIP = log.find(
          w =>
            w.resource === 'pods' &&
            w.subresource === 'status' &&
            w.name === 'minecraft-3' &&
            (w.body as { status: { podIP?: string } }).status.podIP,
        );
        const ready = log.find(
          w =>
            w.resource === 'pods' &&
            !w.subresource &&
            w.name === 'minecraft-3' &&
            String(
              (w.body as { metadata?: { annotations?: Json } }).metadata?.annotations?.[ANN_NETWORK_STATUS] ?? '',
            ).includes('"Ready"'),
        );
        assert.ok(gotIP && ready);
        assert.ok(Date.parse(ready.time) - Date.parse(gotIP.time) >= 400 - 2, `${gotIP.time} → ${ready.time}`);
      });

      it('a room marked networkDisabled wants its network NotReady; the delay can be changed at run time', async () => {
        sb.emulator.setNetworkReadyAfter(0);
        assert.throws(
          () => sb.emulator.setNetworkReadyAfter(-1),
          /networkReadyAfterMs must be a number of milliseconds of at least 0, got -1/,
        );
        await sb
          .kubeConfig()
          .makeApiClient(CustomObjectsApi)
          .patchNamespacedCustomObject(
            {
              group: 'game.kruise.io',
              version: 'v1alpha1',
              namespace: SEED.namespace,
              plural: 'gameservers',
              name: 'minecraft-2',
              body: { spec: { networkDisabled: true } },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
        await eventually(() => netOf('minecraft-2')?.desiredNetworkState === 'NotReady', 20_000, 'desired NotReady');
      });

      it('one room held NotReady stays NotReady while the others are Ready, and is Ready once let go', async () => {
        sb.emulator.holdRoomNetwork(SEED.namespace, 'minecraft-1', true);
        await eventually(() => netOf('minecraft-1')?.currentNetworkState === 'NotReady', 20_000, 'held NotReady');
        await new Promise(r => setTimeout(r, 300));
        assert.equal(netOf('minecraft-1')?.currentNetworkState, 'NotReady');
        assert.equal(netOf('minecraft-0')?.currentNetworkState, 'Ready');
        sb.emulator.holdRoomNetwork(SEED.namespace, 'minecraft-1', false);
        await eventually(() => netOf('minecraft-1')?.currentNetworkState === 'Ready', 20_000, 'Ready again');
      });
    });
  }
});
