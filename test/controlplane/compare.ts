// Room by room: one script of operator actions run against our OKG emulator and against real OKG, with a snapshot
// of every object OKG owns after each step (GameServerSet, Advanced StatefulSet, Pods, GameServers), reduced to
// what OKG decides — no uids, resourceVersions, timestamps, managedFields or KWOK's kubelet details. Both snapshots
// are compared field by field; every difference must be fixed in the emulator or listed, with its cause, in
// KNOWN_DIFFERENCES (and docs/controlplane.md).
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { OkgClient } from '../../src/cluster/client.js';
import { runRelease } from '../../src/release/engine.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { eventually } from '../helpers/kubectl.js';
import { http } from './http.js';
import { loadSeed, rooms } from './scenarios.js';
import type { World } from './world.js';

type Json = Record<string, unknown>;
interface Obj { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[]; deletionTimestamp?: string }; spec?: Json; status?: Json }

const NS = SEED.namespace;
const GSS = SEED.gameServerSet;

/** Label and annotation values that are names of revisions or times: compared by presence, not value. */
const OPAQUE = /hash|revision|time|Time|generation/;

function keep(map: Record<string, string> | undefined, drop: (k: string) => boolean = () => false): Record<string, string> | undefined {
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
      if (/Time$|^lastProbeTime$|^observedGeneration$|Revision$|^collisionCount$|^labelSelector$/.test(k)) out[k] = x === undefined ? undefined : '<set>';
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
  for (const h of record.history ?? []) for (const k of ['id', 'holder', 'startedAt', 'finishedAt']) if (h[k] !== undefined) h[k] = '<set>';
  return { ...annotations, 'okg-ops/release': JSON.stringify(record) };
}

/**
 * Differences between the emulator and real OKG that are timing, not rules, each with its cause. Everything else
 * must be equal. (docs/controlplane.md lists the ones that were fixed in the emulator.)
 */
export const KNOWN_DIFFERENCES: { pattern: RegExp; cause: string }[] = [
  {
    pattern: /\.pod\.annotations\.game\.kruise\.io\/state-last-changed-time: /,
    cause: 'OKG writes it only when the pod\'s gs-state label changes after its first sync. KWOK makes a pod Ready before OKG first syncs it; the emulator\'s kubelet shows Creating first (readyAfterMs), so which rooms carry it depends on timing.',
  },
];

const owner = (o: Obj) => o.metadata.ownerReferences?.filter(r => r.controller).map(r => `${r.kind}/${r.name}`).join(',');

/** What OKG decided, as one JSON value: the set, its Advanced StatefulSet, and per room the pod and the GameServer. */
export async function snapshot(world: World): Promise<Json> {
  const admin = http(world);
  const get = async (path: string) => (await admin('GET', path)).body as Obj & { items: Obj[] };
  const sel = `labelSelector=${encodeURIComponent(`game.kruise.io/owner-gss=${GSS}`)}`;
  const gss = await get(`/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameserversets/${GSS}`);
  const asts = await get(`/apis/apps.kruise.io/v1beta1/namespaces/${NS}/statefulsets/${GSS}`);
  const pods = (await get(`/api/v1/namespaces/${NS}/pods?${sel}`)).items.filter(p => !p.metadata.deletionTimestamp);
  const gs = (await get(`/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameservers?${sel}`)).items.filter(g => !g.metadata.deletionTimestamp);
  const byName = (a: Obj, b: Obj) => a.metadata.name.localeCompare(b.metadata.name, 'en', { numeric: true });
  const astsSpec = (asts.spec ?? {}) as Json;
  return {
    gameServerSet: { spec: strip(gss.spec), status: strip(gss.status), labels: keep(gss.metadata.labels), annotations: keep(releaseRecord(gss.metadata.annotations)) },
    advancedStatefulSet: {
      owner: owner(asts), labels: keep(asts.metadata.labels), annotations: keep(asts.metadata.annotations),
      spec: strip({ ...astsSpec, template: undefined, selector: astsSpec.selector }),
      template: strip((astsSpec.template as Obj | undefined)),
      status: strip({ replicas: asts.status?.replicas, readyReplicas: asts.status?.readyReplicas, availableReplicas: asts.status?.availableReplicas, updatedReplicas: asts.status?.updatedReplicas }),
    },
    rooms: Object.fromEntries(gs.sort(byName).map(g => {
      const pod = pods.find(p => p.metadata.name === g.metadata.name);
      const podSpec = (pod?.spec ?? {}) as { containers?: { name: string; image: string }[]; readinessGates?: unknown };
      return [g.metadata.name, {
        gameServer: { owner: owner(g), labels: keep(g.metadata.labels), annotations: keep(g.metadata.annotations), spec: strip(g.spec), status: strip({ ...g.status, podStatus: undefined }) },
        pod: pod && {
          owner: owner(pod),
          labels: keep(pod.metadata.labels),
          annotations: keep(pod.metadata.annotations, k => k.startsWith('kwok.x-k8s.io/')),
          containers: podSpec.containers?.map(c => `${c.name}=${c.image}`),
          readinessGates: strip(podSpec.readinessGates),
          conditions: (pod.status?.conditions as { type: string; status: string }[] | undefined)?.map(c => `${c.type}=${c.status}`).sort(),
        },
      }];
    })),
    podsWithoutGameServer: pods.filter(p => !gs.some(g => g.metadata.name === p.metadata.name)).map(p => p.metadata.name).sort(),
  };
}

async function settle(world: World, want: (r: Awaited<ReturnType<typeof rooms>>) => boolean, what: string): Promise<void> {
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
    const r = await runRelease({ namespace: NS, gameServerSet: GSS, images: [{ container: SEED.container, image: SEED.newImage }], add: 3, timeoutMs: 60_000 }, { client: c });
    if (r.outcome !== 'succeeded') throw new Error(`release: ${r.outcome}: ${r.message}`);
  } finally {
    c.close();
  }
  await settle(world, rs => rs.every(r => r.podLabel === r.opsState), 'the pods to carry the opsStates');
  await quiet();
  out['2 after the seed release'] = await snapshot(world);

  const api = KubernetesObjectApi.makeApiClient(world.kubeConfig('admin'));
  const patch = (kind: string, apiVersion: string, name: string, body: Json) => api.patch({ apiVersion, kind, metadata: { name, namespace: NS }, ...body } as KubernetesObject, undefined, undefined, 'okg-compare', undefined, 'application/merge-patch+json' as never);
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

/** Field paths where `a` and `b` differ, as `path: a → b` lines. */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as Json), ...Object.keys(b as Json)])].sort();
    return keys.flatMap(k => differences((a as Json)[k], (b as Json)[k], path ? `${path}.${k}` : k));
  }
  return [`${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}
