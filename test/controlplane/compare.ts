// Room by room: scripts of operator actions run against our OKG emulator and against real OKG, with a snapshot
// of every object OKG owns after each step (GameServerSet, Advanced StatefulSet, Pods, GameServers), reduced to
// what OKG decides — no uids, resourceVersions, timestamps, managedFields, addresses or allocated ports. Both
// snapshots are compared field by field; every difference must be fixed in the emulator or listed, with its cause,
// in KNOWN_DIFFERENCES (and docs/controlplane.md). The scripts: the seed and its release (`script`), a release that
// fails (`failureScript`: ImagePullBackOff and CrashLoopBackOff, KWOK's stages against the emulator's fail rules),
// and sets with OKG's Kubernetes network plugins (`networkScript`: HostPort and NodePort).
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { OkgClient } from '../../src/cluster/client.js';
import { runRelease } from '../../src/release/engine.js';
import { SEED, seedGameServerSet } from '../../src/sandbox/scenarios.js';
import {
  ANN_NETWORK_STATUS,
  NETWORK_HOST_PORT,
  NETWORK_NODE_PORT,
  type EmulatedNetwork,
} from '../../src/sandbox/okg/network.js';
import { eventually } from '../helpers/kubectl.js';
import { http } from './http.js';
import { loadSeed, rooms } from './scenarios.js';
import type { World } from './world.js';

type Json = Record<string, unknown>;
interface Obj {
  metadata: {
    name: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
    deletionTimestamp?: string;
  };
  spec?: Json;
  status?: Json;
}

const NS = SEED.namespace;
const GSS = SEED.gameServerSet;

/** Label and annotation values that are names of revisions or times: compared by presence, not value. */
const OPAQUE = /hash|revision|time|Time|generation/;

function keep(
  map: Record<string, string> | undefined,
  drop: (k: string) => boolean = () => false,
): Record<string, string> | undefined {
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(map).sort()) if (!drop(k)) out[k] = OPAQUE.test(k) ? '<set>' : map[k];
  return Object.keys(out).length ? out : undefined;
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v as Json).sort(([a], [b]) => a.localeCompare(b))) {
      if (/Time$|^lastProbeTime$|^observedGeneration$|Revision$|^collisionCount$|^labelSelector$/.test(k))
        out[k] = x === undefined ? undefined : '<set>';
      else out[k] = strip(x);
    }
    return out;
  }
  return v;
}

/** Our own release record (okg-ops/release) with its ids, holder and times replaced: they differ per run. */
function releaseRecord(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  const v = annotations?.['okg-ops/release'];
  if (!v) return annotations;
  const record = JSON.parse(v) as { history?: Json[] };
  for (const h of record.history ?? [])
    // `changes` (what a release changed, for rollback) names rooms by uid, which differ per world.
    for (const k of ['id', 'holder', 'startedAt', 'finishedAt', 'changes']) if (h[k] !== undefined) h[k] = '<set>';
  return { ...annotations, 'okg-ops/release': JSON.stringify(record) };
}

/**
 * Differences between the emulator and real OKG that are timing, not rules, each with its cause. Everything else
 * must be equal. (docs/controlplane.md lists the ones that were fixed in the emulator.)
 */
export const KNOWN_DIFFERENCES: { pattern: RegExp; cause: string }[] = [
  {
    pattern: /\.pod\.annotations\.game\.kruise\.io\/state-last-changed-time: /,
    cause:
      "OKG writes it only when the pod's gs-state label changes after its first sync. KWOK makes a pod Ready before OKG first syncs it; the emulator's kubelet shows Creating first (readyAfterMs), so which rooms carry it depends on timing.",
  },
];

const owner = (o: Obj) =>
  o.metadata.ownerReferences
    ?.filter(r => r.controller)
    .map(r => `${r.kind}/${r.name}`)
    .join(',');

/** Addresses and allocated ports differ per world (KWOK's node and CIDR, random host and node ports): kept by kind. */
function networkValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(networkValue);
  if (!v || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v as Json)) {
    if (k === 'ip') out[k] = typeof x === 'string' && x ? '<ip>' : x;
    else if (k === 'externalAddresses')
      out[k] = (x as Json[] | undefined)?.map(a => ({
        ...a,
        ip: '<ip>',
        ports: (a.ports as Json[] | undefined)?.map(p => ({ ...p, port: allocatedPort(p.port) })),
      }));
    else out[k] = networkValue(x);
  }
  return out;
}

/** A host port from the HostPort plugin's range or a node port from kube's, by range. */
function allocatedPort(p: unknown): unknown {
  if (typeof p !== 'number') return p;
  if (p >= 8000 && p <= 9000) return '<host port 8000-9000>';
  if (p >= 30000 && p <= 32767) return '<node port 30000-32767>';
  return p;
}

/** The network-status annotation, parsed, with addresses and ports by kind. */
function networkAnnotation(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  const v = annotations?.[ANN_NETWORK_STATUS];
  if (v === undefined) return annotations;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return annotations;
  }
  return { ...annotations, [ANN_NETWORK_STATUS]: JSON.stringify(networkValue(parsed)) };
}

interface ContainerStatusRaw {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: Json;
  lastState?: { terminated?: Json };
}

/** What the kubelet (or KWOK) shows of a container: readiness, restarts, state with reason and message, last exit. */
function containerState(c: ContainerStatusRaw): Json {
  const st = c.state ?? {};
  const kind = Object.keys(st)[0];
  const inner = (st[kind] ?? {}) as Json;
  const term = c.lastState?.terminated;
  return {
    name: c.name,
    ready: c.ready,
    restartCount: c.restartCount,
    state:
      kind === 'running'
        ? 'running'
        : kind
          ? { [kind]: { reason: inner.reason, message: inner.message, exitCode: inner.exitCode } }
          : undefined,
    lastTerminated: term ? { exitCode: term.exitCode, reason: term.reason } : undefined,
  };
}

/** Pod uids printed in kubelet messages (`pod=name_ns(uid)`) and copied into GameServer conditions. */
function withoutUids(v: unknown, uids: readonly string[]): unknown {
  if (typeof v === 'string') return uids.reduce((s, u) => s.split(u).join('<uid>'), v);
  if (Array.isArray(v)) return v.map(x => withoutUids(x, uids));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, withoutUids(x, uids)]));
  return v;
}

/** What OKG decided, as one JSON value: the set, its Advanced StatefulSet, and per room the pod and the GameServer. */
export async function snapshot(world: World, gssName: string = GSS): Promise<Json> {
  const admin = http(world);
  const get = async (path: string) => (await admin('GET', path)).body as Obj & { items: Obj[] };
  const sel = `labelSelector=${encodeURIComponent(`game.kruise.io/owner-gss=${gssName}`)}`;
  const gss = await get(`/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameserversets/${gssName}`);
  const asts = await get(`/apis/apps.kruise.io/v1beta1/namespaces/${NS}/statefulsets/${gssName}`);
  const pods = (await get(`/api/v1/namespaces/${NS}/pods?${sel}`)).items.filter(p => !p.metadata.deletionTimestamp);
  const gs = (await get(`/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameservers?${sel}`)).items.filter(
    g => !g.metadata.deletionTimestamp,
  );
  const byName = (a: Obj, b: Obj) => a.metadata.name.localeCompare(b.metadata.name, 'en', { numeric: true });
  const astsSpec = (asts.spec ?? {}) as Json;
  return withoutUids(
    {
      gameServerSet: {
        spec: strip(gss.spec),
        status: strip(gss.status),
        labels: keep(gss.metadata.labels),
        annotations: keep(releaseRecord(gss.metadata.annotations)),
      },
      advancedStatefulSet: {
        owner: owner(asts),
        labels: keep(asts.metadata.labels),
        annotations: keep(asts.metadata.annotations),
        spec: strip({ ...astsSpec, template: undefined, selector: astsSpec.selector }),
        template: strip(astsSpec.template as Obj | undefined),
        status: strip({
          replicas: asts.status?.replicas,
          readyReplicas: asts.status?.readyReplicas,
          availableReplicas: asts.status?.availableReplicas,
          updatedReplicas: asts.status?.updatedReplicas,
        }),
      },
      rooms: Object.fromEntries(
        gs.sort(byName).map(g => {
          const pod = pods.find(p => p.metadata.name === g.metadata.name);
          const podSpec = (pod?.spec ?? {}) as {
            containers?: { name: string; image: string; ports?: Json[] }[];
            readinessGates?: unknown;
          };
          return [
            g.metadata.name,
            {
              gameServer: {
                owner: owner(g),
                labels: keep(g.metadata.labels),
                annotations: keep(g.metadata.annotations),
                spec: strip(g.spec),
                status: strip({
                  ...g.status,
                  podStatus: undefined,
                  networkStatus: networkValue(g.status?.networkStatus),
                }),
              },
              pod: pod && {
                owner: owner(pod),
                labels: keep(pod.metadata.labels),
                annotations: keep(networkAnnotation(pod.metadata.annotations), k => k.startsWith('kwok.x-k8s.io/')),
                containers: podSpec.containers?.map(c => `${c.name}=${c.image}`),
                ports: podSpec.containers?.some(c => c.ports)
                  ? podSpec.containers.map(c => c.ports?.map(p => ({ ...p, hostPort: allocatedPort(p.hostPort) })))
                  : undefined,
                readinessGates: strip(podSpec.readinessGates),
                phase: pod.status?.phase,
                conditions: (pod.status?.conditions as { type: string; status: string }[] | undefined)
                  ?.map(c => `${c.type}=${c.status}`)
                  .sort(),
                containerStatuses: (pod.status?.containerStatuses as ContainerStatusRaw[] | undefined)?.map(
                  containerState,
                ),
              },
            },
          ];
        }),
      ),
      podsWithoutGameServer: pods
        .filter(p => !gs.some(g => g.metadata.name === p.metadata.name))
        .map(p => p.metadata.name)
        .sort(),
    },
    pods.map(p => p.metadata.uid ?? '').filter(Boolean),
  ) as Json;
}

async function settle(
  world: World,
  want: (r: Awaited<ReturnType<typeof rooms>>) => boolean,
  what: string,
): Promise<void> {
  try {
    await eventually(async () => want(await rooms(world)), 60_000, what);
  } catch (e) {
    const now = (await rooms(world)).map(r => `${r.name} ${r.state} ${r.opsState}/${r.podLabel}`).join('; ');
    throw new Error(`${world.name}: ${(e as Error).message}; rooms now: ${now}`);
  }
}

/** The steps of the script, each followed by a snapshot: seed, release, scale down, Kill. */
export async function script(world: World): Promise<Record<string, Json>> {
  const out: Record<string, Json> = {};
  const quiet = () => new Promise(r => setTimeout(r, 1500)); // let status counters and label syncs land
  await loadSeed(world);
  await quiet();
  out['1 seed'] = await snapshot(world);

  const c = new OkgClient(world.kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
  try {
    const r = await runRelease(
      {
        namespace: NS,
        gameServerSet: GSS,
        images: [{ container: SEED.container, image: SEED.newImage }],
        add: 3,
        timeoutMs: 60_000,
      },
      { client: c },
    );
    if (r.outcome !== 'succeeded') throw new Error(`release: ${r.outcome}: ${r.message}`);
  } finally {
    c.close();
  }
  await settle(world, rs => rs.every(r => r.podLabel === r.opsState), 'the pods to carry the opsStates');
  await quiet();
  out['2 after the seed release'] = await snapshot(world);

  const api = KubernetesObjectApi.makeApiClient(world.kubeConfig('admin'));
  const patch = (kind: string, apiVersion: string, name: string, body: Json) =>
    api.patch(
      { apiVersion, kind, metadata: { name, namespace: NS }, ...body } as KubernetesObject,
      undefined,
      undefined,
      'okg-compare',
      undefined,
      'application/merge-patch+json' as never,
    );
  await patch('GameServerSet', 'game.kruise.io/v1alpha1', GSS, { spec: { replicas: 4 } });
  await settle(world, rs => rs.length === 4, 'the scale-down to 4 rooms');
  await quiet();
  out['3 scaled down to 4'] = await snapshot(world);

  await patch('GameServer', 'game.kruise.io/v1alpha1', 'minecraft-4', { spec: { opsState: 'Kill' } });
  await settle(world, rs => rs.length === 3 && !rs.some(r => r.name === 'minecraft-4'), 'the Kill of minecraft-4');
  await quiet();
  out['4 minecraft-4 killed'] = await snapshot(world);

  await patch('GameServerSet', 'game.kruise.io/v1alpha1', GSS, { spec: { replicas: 5 } });
  await settle(world, rs => rs.length === 5 && rs.every(r => r.state === 'Ready'), 'the scale-up to 5 rooms');
  await quiet();
  out['5 scaled up to 5'] = await snapshot(world);
  return out;
}

type Snapshot = Json & {
  rooms: Record<
    string,
    { gameServer: { status: Json }; pod?: { containerStatuses?: Json[]; labels?: Record<string, string> } }
  >;
};

/** A snapshot taken when `accept` holds for it (rooms that fail keep changing: this catches a moment both worlds share). */
async function snapshotWhen(
  world: World,
  gssName: string,
  accept: (s: Snapshot) => boolean,
  what: string,
): Promise<Json> {
  let last: Snapshot | undefined;
  try {
    await eventually(async () => accept((last = (await snapshot(world, gssName)) as Snapshot)), 90_000, what);
  } catch (e) {
    throw new Error(
      `${world.name}: ${(e as Error).message}; last snapshot rooms: ${JSON.stringify(last?.rooms).slice(0, 1500)}`,
    );
  }
  return last!;
}

const waitingReason = (s: Snapshot, room: string): unknown =>
  ((s.rooms[room]?.pod?.containerStatuses?.[0]?.state as Json | undefined)?.waiting as Json | undefined)?.reason;
const restarts = (s: Snapshot, room: string): unknown => s.rooms[room]?.pod?.containerStatuses?.[0]?.restartCount;
const podNormal = (s: Snapshot, room: string): unknown =>
  ((s.rooms[room]?.gameServer.status.conditions as Json[] | undefined) ?? []).find(c => c.type === 'PodNormal')?.reason;

async function patchGss(world: World, name: string, spec: Json): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(world.kubeConfig('admin'));
  await api.patch(
    {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServerSet',
      metadata: { name, namespace: NS },
      spec,
    } as KubernetesObject,
    undefined,
    undefined,
    'okg-compare',
    undefined,
    'application/merge-patch+json' as never,
  );
}

/** Image first, and only once OKG has seen it (observedGeneration), then replicas: API.md §8.2. */
async function release(world: World, name: string, image: string, replicas: number): Promise<void> {
  await patchGss(world, name, { gameServerTemplate: { spec: { containers: [{ name: SEED.container, image }] } } });
  const admin = http(world);
  await eventually(
    async () => {
      const g = (await admin('GET', `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameserversets/${name}`)).body as {
        metadata: { generation?: number };
        status?: { observedGeneration?: number };
      };
      return g.status?.observedGeneration === g.metadata.generation;
    },
    60_000,
    `OKG to see the new image of ${name}`,
  );
  await patchGss(world, name, { replicas });
}

async function createSet(world: World, name: string, replicas: number, network?: EmulatedNetwork): Promise<void> {
  const body = seedGameServerSet(network) as { metadata: Json; spec: Json };
  body.metadata.name = name;
  body.spec.replicas = replicas;
  await KubernetesObjectApi.makeApiClient(world.kubeConfig('admin')).create(body as unknown as KubernetesObject);
}

async function deleteSet(world: World, name: string): Promise<void> {
  const admin = http(world);
  await admin('DELETE', `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameserversets/${name}`);
  const sel = `labelSelector=${encodeURIComponent(`game.kruise.io/owner-gss=${name}`)}`;
  await eventually(
    async () =>
      ((await admin('GET', `/api/v1/namespaces/${NS}/pods?${sel}`)).body as { items: unknown[] }).items.length === 0 &&
      (
        (await admin('GET', `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameservers?${sel}`)).body as {
          items: unknown[];
        }
      ).items.length === 0,
    60_000,
    `the rooms of ${name} to be gone`,
  );
}

export const FAIL_SET = 'failing';

/**
 * A release that fails, twice: 2 healthy rooms; the image `…-broken` and 4 rooms (the new ones in ImagePullBackOff,
 * their GameServers Creating); then `…-crash` and 6 rooms (CrashLoopBackOff, NotReady). Each snapshot is taken at a
 * moment when every failing room shows its failure (the pulls retry, the crashes restart).
 */
export async function failureScript(world: World): Promise<Record<string, Json>> {
  const out: Record<string, Json> = {};
  const rooms = (n: number) => Array.from({ length: n }, (_, i) => `${FAIL_SET}-${i}`);
  await createSet(world, FAIL_SET, 2);
  await snapshotWhen(
    world,
    FAIL_SET,
    s => rooms(2).every(r => s.rooms[r]?.gameServer.status.currentState === 'Ready'),
    'two Ready rooms',
  );

  await release(world, FAIL_SET, `${SEED.image}-broken`, 4);
  const pulling = (s: Snapshot) =>
    [2, 3].every(
      i =>
        waitingReason(s, `${FAIL_SET}-${i}`) === 'ImagePullBackOff' &&
        podNormal(s, `${FAIL_SET}-${i}`) === 'ContainersNotReady; ImagePullBackOff' &&
        s.rooms[`${FAIL_SET}-${i}`].gameServer.status.currentState === 'Creating',
    );
  out['F1 -broken: ImagePullBackOff'] = await snapshotWhen(
    world,
    FAIL_SET,
    s =>
      pulling(s) &&
      rooms(2).every(r => s.rooms[r].gameServer.status.currentState === 'Ready') &&
      (s.gameServerSet as Json & { status: Json }).status.currentReplicas === 4,
    'rooms 2 and 3 in ImagePullBackOff',
  );

  await release(world, FAIL_SET, `${SEED.image}-crash`, 6);
  out['F2 -crash: CrashLoopBackOff'] = await snapshotWhen(
    world,
    FAIL_SET,
    s =>
      pulling(s) &&
      [4, 5].every(
        i =>
          waitingReason(s, `${FAIL_SET}-${i}`) === 'CrashLoopBackOff' &&
          restarts(s, `${FAIL_SET}-${i}`) === 1 &&
          podNormal(s, `${FAIL_SET}-${i}`) === 'ContainersNotReady; CrashLoopBackOff; ContainerTerminated:Error' &&
          s.rooms[`${FAIL_SET}-${i}`].gameServer.status.currentState === 'NotReady',
      ),
    'rooms 4 and 5 in their first CrashLoopBackOff, 2 and 3 still in ImagePullBackOff',
  );
  await deleteSet(world, FAIL_SET);
  return out;
}

export const NET_SET = 'networked';

/** A set with each of OKG's Kubernetes network plugins: the rooms' networkStatus once Ready, and what the pods got. */
export async function networkScript(world: World): Promise<Record<string, Json>> {
  const out: Record<string, Json> = {};
  for (const network of [NETWORK_HOST_PORT, NETWORK_NODE_PORT] as const) {
    await createSet(world, NET_SET, 2, network);
    out[`N ${network}`] = await snapshotWhen(
      world,
      NET_SET,
      // and settled: OKG's pod label sync and the set's status counters land after the GameServer says Ready
      s =>
        [0, 1].every(i => {
          const room = s.rooms[`${NET_SET}-${i}`];
          const g = room?.gameServer.status;
          return (
            g?.currentState === 'Ready' &&
            (g.networkStatus as Json | undefined)?.currentNetworkState === 'Ready' &&
            room.pod?.labels?.['game.kruise.io/gs-state'] === 'Ready'
          );
        }) &&
        ['readyReplicas', 'availableReplicas', 'updatedReadyReplicas'].every(
          k => (s.gameServerSet as Json & { status: Json }).status[k] === 2,
        ),
      `the ${network} networks to be Ready`,
    );
    await deleteSet(world, NET_SET);
  }
  return out;
}

/** Field paths where `a` and `b` differ, as `path: a → b` lines. */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as Json), ...Object.keys(b as Json)])].sort();
    return keys.flatMap(k => differences((a as Json)[k], (b as Json)[k], path ? `${path}.${k}` : k));
  }
  return [`${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}
