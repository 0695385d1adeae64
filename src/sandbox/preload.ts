// Writes a settled OKG fleet straight into the sandbox's store (as an etcd restore would), built with
// the emulator's own builders: GameServerSet → Advanced StatefulSet → Ready pods → GameServers, all
// consistent with what the emulator would have produced. For benchmarks and big worlds that would
// otherwise take minutes to come up through the API.
import type { SandboxServer } from './server.js';
import type { KubeObject } from './types.js';
import { buildAsts, buildAstsStatus } from './okg/astsObjects.js';
import { buildGameServer, buildGameServerStatus, desiredPodLabels } from './okg/gameServerObjects.js';
import { buildGssStatus } from './okg/gssObjects.js';
import { buildPod } from './okg/podObjects.js';
import { buildPodStatus } from './okg/podStatus.js';
import type { AdvancedStatefulSet, GameServer, GameServerSet, Pod } from './okg/types.js';
import { nowTimestamp } from './registry.js';

/** Creates `gss` (a GameServerSet manifest) and its `spec.replicas` Ready rooms; returns the stored GSS. */
export function preloadGameServerSet(server: SandboxServer, gssManifest: object): KubeObject {
  const reg = server.registry;
  const gssRes = server.resource('gameserversets');
  const manifest = gssManifest as GameServerSet;
  const ns = manifest.metadata.namespace ?? 'default';
  const gss = reg.create(gssRes, ns, manifest) as GameServerSet;
  const astsRes = server.resource('statefulsets', 'apps.kruise.io');
  const asts = reg.create(astsRes, ns, buildAsts(gss)) as AdvancedStatefulSet;
  const now = nowTimestamp();
  const pods: Pod[] = [];
  for (let i = 0; i < (gss.spec.replicas ?? 0); i++) {
    const draft = buildPod(asts, i);
    const created = reg.create(server.resource('pods'), ns, draft) as Pod;
    const ready = { ...created, status: buildPodStatus(created, 'Ready', now, now) } as Pod;
    const gs = reg.create(server.resource('gameservers'), ns, buildGameServer(created, gss)) as GameServer;
    const labelled = {
      ...ready,
      metadata: { ...ready.metadata, labels: { ...ready.metadata.labels, ...desiredPodLabels(gs, ready) } },
    } as Pod;
    const withLabels = reg.update(server.resource('pods'), ns, labelled.metadata.name!, labelled, '') as Pod;
    const pod = reg.update(
      server.resource('pods'),
      ns,
      withLabels.metadata.name!,
      { ...withLabels, status: ready.status },
      'status',
    ) as Pod;
    reg.update(
      server.resource('gameservers'),
      ns,
      gs.metadata.name!,
      { ...gs, status: buildGameServerStatus(pod, undefined, now) },
      'status',
    );
    pods.push(pod);
  }
  reg.update(astsRes, ns, asts.metadata.name!, { ...asts, status: buildAstsStatus(asts, pods) }, 'status');
  const stored = reg.get(gssRes, ns, gss.metadata.name!) as GameServerSet;
  return reg.update(
    gssRes,
    ns,
    gss.metadata.name!,
    { ...stored, status: { ...buildGssStatus(stored, asts, pods), observedGeneration: stored.metadata.generation } },
    'status',
  );
}
