// Pure builders of the objects OpenKruise + kruise-game v1.0 create (API.md §1, §2.1, §3, §4, §5).
// A scenario loader can use them to preload a consistent world; the emulator uses them for every write.
import { createHash } from 'node:crypto';
import { isPodReady } from '../../cluster/okg.js';
import type { OwnerReference } from '../types.js';
import {
  ANN_ASTS_HASH,
  DEFAULT_HOST_IP,
  DEFAULT_NODE_NAME,
  GAME_API_VERSION,
  KRUISE_API_VERSION,
  LABEL_DELETE_PRIORITY,
  LABEL_GS_STATE,
  LABEL_NETWORK_DISABLED,
  LABEL_OPS_STATE,
  LABEL_OWNER_GSS,
  LABEL_POD_NAME,
  LABEL_REVISION,
  LABEL_UPDATE_PRIORITY,
  READINESS_GATE_INPLACE,
  READINESS_GATE_KRUISE_POD_READY,
  LABEL_POD_INDEX,
  LABEL_LIFECYCLE_STATE,
  ANN_LIFECYCLE_TIMESTAMP,
  ANN_GS_TEMPLATE_METADATA_HASH,
} from './constants.js';
import { defaultAdvancedStatefulSet } from './kruiseDefaults.js';
import { astsOrdinals, ordinalOf } from './scale.js';
import { deriveGameServerState } from './state.js';
import { ANN_NETWORK_CONF, ANN_NETWORK_TYPE, networkConfJson, networkStatusOf } from './network.js';
import type {
  AdvancedStatefulSet,
  GameServer,
  GameServerSet,
  Json,
  Pod,
  PodCondition,
  PodStatus,
  PodTemplate,
  UpdateStrategy,
} from './types.js';

/** JSON with sorted keys, so that hashes do not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function shortHash(value: unknown, length = 10): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export function ownerRef(obj: {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; uid?: string };
}): OwnerReference {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function controllerOf(obj: { metadata: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find(r => r.controller === true);
}

/** `game.kruise.io/asts-hash`: hash of GSS updateStrategy + template + network (§5). */
export function astsHash(gss: GameServerSet): string {
  return shortHash({
    updateStrategy: gss.spec.updateStrategy ?? null,
    template: gss.spec.gameServerTemplate ?? null,
    network: gss.spec.network ?? null,
  });
}

/** ASTS update strategy from the GSS one; a present `rollingUpdate` forces RollingUpdate (§2.1 gotcha). */
export function astsUpdateStrategy(s: UpdateStrategy | undefined): UpdateStrategy {
  const rolling = s?.rollingUpdate;
  if (rolling !== undefined && rolling !== null) {
    return {
      type: 'RollingUpdate',
      rollingUpdate: {
        ...clone(rolling),
        unorderedUpdate: { priorityStrategy: { orderPriority: [{ orderedKey: LABEL_UPDATE_PRIORITY }] } },
      },
    };
  }
  return { type: s?.type || 'RollingUpdate' };
}

/** The pod template OKG puts into the ASTS: GSS template + owner-gss label + InPlaceUpdateReady gate (§2.1). */
export function astsTemplate(gss: GameServerSet): PodTemplate {
  const t = gss.spec.gameServerTemplate ?? {};
  const spec: Json = clone(t.spec ?? {}) ?? {};
  const gates = Array.isArray(spec.readinessGates) ? (spec.readinessGates as { conditionType: string }[]) : [];
  if (!gates.some(g => g.conditionType === READINESS_GATE_INPLACE))
    gates.push({ conditionType: READINESS_GATE_INPLACE });
  spec.readinessGates = gates;
  // GetNewAstsFromGss: a GSS network goes to the pods as the network-conf and network-type annotations
  const network = gss.spec.network as { networkType?: string; networkConf?: unknown } | undefined;
  const annotations =
    t.metadata?.annotations || network
      ? {
          ...(t.metadata?.annotations ?? {}),
          ...(network
            ? {
                [ANN_NETWORK_CONF]: networkConfJson(network.networkConf),
                [ANN_NETWORK_TYPE]: network.networkType ?? '',
              }
            : {}),
        }
      : undefined;
  return {
    metadata: {
      labels: { ...(t.metadata?.labels ?? {}), [LABEL_OWNER_GSS]: gss.metadata.name ?? '' },
      ...(annotations ? { annotations } : {}),
    },
    spec,
  };
}

/** `initAsts` + `GetNewAstsFromGss`: the Advanced StatefulSet for a GSS (same name, owned by it), as kruise's webhook defaults it. */
export function buildAsts(gss: GameServerSet): AdvancedStatefulSet {
  const name = gss.metadata.name ?? '';
  const reserve = gss.spec.reserveGameServerIds ?? [];
  return defaultAdvancedStatefulSet({
    apiVersion: KRUISE_API_VERSION,
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: gss.metadata.namespace,
      annotations: { [ANN_ASTS_HASH]: astsHash(gss) },
      ownerReferences: [ownerRef(gss)],
    },
    spec: {
      replicas: gss.spec.replicas ?? 0,
      ...(reserve.length ? { reserveOrdinals: reserve } : {}),
      selector: { matchLabels: { [LABEL_OWNER_GSS]: name } },
      serviceName: gss.spec.serviceName || name,
      podManagementPolicy: 'Parallel',
      scaleStrategy: {},
      ...workloadFields(gss),
    },
  });
}

/** Fields step 5 (update workload) copies from the GSS into the ASTS spec. */
export function workloadFields(gss: GameServerSet): Json {
  const out: Json = {
    template: astsTemplate(gss),
    updateStrategy: astsUpdateStrategy(gss.spec.updateStrategy),
    volumeClaimTemplates: clone(gss.spec.gameServerTemplate?.volumeClaimTemplates ?? []),
  };
  if (gss.spec.lifecycle) out.lifecycle = clone(gss.spec.lifecycle);
  if (gss.spec.persistentVolumeClaimRetentionPolicy) {
    out.persistentVolumeClaimRetentionPolicy = clone(gss.spec.persistentVolumeClaimRetentionPolicy);
  }
  return out;
}

/** `controller-revision-hash` value of the ASTS's current template: `<name>-<hash>`. */
export function revisionOf(asts: AdvancedStatefulSet): string {
  return `${asts.metadata.name ?? ''}-${shortHash(asts.spec.template ?? {})}`;
}

export interface BuildPodOptions {
  nodeName?: string;
}

/** Pod `<asts>-<ordinal>` as the Advanced StatefulSet controller creates it (owned by the ASTS). */
export function buildPod(asts: AdvancedStatefulSet, ordinal: number, opts: BuildPodOptions = {}): Pod {
  const astsName = asts.metadata.name ?? '';
  const name = `${astsName}-${ordinal}`;
  const template = asts.spec.template ?? {};
  const spec: Json = clone(template.spec ?? {}) ?? {};
  // kruise's pod webhook adds the KruisePodReady gate to the pods of its workloads.
  const gates = (Array.isArray(spec.readinessGates) ? spec.readinessGates : []) as { conditionType: string }[];
  if (!gates.some(g => g.conditionType === READINESS_GATE_KRUISE_POD_READY))
    spec.readinessGates = [...gates, { conditionType: READINESS_GATE_KRUISE_POD_READY }];
  spec.nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
  spec.hostname = name;
  if (asts.spec.serviceName) spec.subdomain = asts.spec.serviceName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: asts.metadata.namespace,
      labels: {
        ...(template.metadata?.labels ?? {}),
        [LABEL_OWNER_GSS]: template.metadata?.labels?.[LABEL_OWNER_GSS] ?? astsName,
        [LABEL_REVISION]: revisionOf(asts),
        [LABEL_POD_NAME]: name,
        [LABEL_POD_INDEX]: String(ordinal),
        [LABEL_LIFECYCLE_STATE]: 'Normal',
      },
      annotations: {
        ...(template.metadata?.annotations ?? {}),
        [ANN_LIFECYCLE_TIMESTAMP]: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
      ownerReferences: [ownerRef(asts)],
    },
    spec,
  };
}

/** Convenience for scenario loaders: the pod a fresh GSS gets at `ordinal`. */
export function buildPodForGss(gss: GameServerSet, ordinal: number, opts: BuildPodOptions = {}): Pod {
  return buildPod(buildAsts(gss), ordinal, opts);
}

export function reclaimPolicyOf(gss: GameServerSet): 'Cascade' | 'Delete' {
  return gss.spec.gameServerTemplate?.reclaimPolicy === 'Delete' ? 'Delete' : 'Cascade';
}

/** `initGameServerByPod` (§1, §4.1): GS of the pod's name with default spec; owner Pod (Cascade) or GSS (Delete). */
export function buildGameServer(pod: Pod, gss: GameServerSet): GameServer {
  const t = gss.spec.gameServerTemplate;
  const owner = reclaimPolicyOf(gss) === 'Delete' ? ownerRef(gss) : ownerRef(pod);
  return {
    apiVersion: GAME_API_VERSION,
    kind: 'GameServer',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      labels: { ...(t?.metadata?.labels ?? {}), [LABEL_OWNER_GSS]: gss.metadata.name ?? '' },
      annotations: {
        ...(t?.metadata?.annotations ?? {}),
        [ANN_GS_TEMPLATE_METADATA_HASH]: shortHash(t?.metadata ?? {}),
      },
      ownerReferences: [owner],
    },
    // networkDisabled is omitempty in kruise-game's Go type: a fresh GameServer does not carry it.
    spec: { opsState: 'None', deletionPriority: 0, updatePriority: 0 },
  };
}

/** Pod labels the GS controller maintains (`SyncGsToPod`, §1/§5), from the GS spec and the pod itself. */
export function desiredPodLabels(gs: GameServer | undefined, pod: Pod): Record<string, string> {
  const out: Record<string, string> = { [LABEL_GS_STATE]: deriveGameServerState(pod) };
  if (gs) {
    out[LABEL_OPS_STATE] = gs.spec.opsState ?? '';
    out[LABEL_DELETE_PRIORITY] = gs.spec.deletionPriority === undefined ? '' : String(gs.spec.deletionPriority);
    out[LABEL_UPDATE_PRIORITY] = gs.spec.updatePriority === undefined ? '' : String(gs.spec.updatePriority);
    out[LABEL_NETWORK_DISABLED] = String(gs.spec.networkDisabled === true);
  }
  return out;
}

/** Priority label read back as IntOrString with `intstr.FromString` (§4.2): a string in JSON, "0" and not 0. */
function priorityFromLabel(v: string | undefined): string {
  return v ?? '';
}

/** kruise-game's `polyMessageReason`: joins with "; " what is not already contained. */
function poly(acc: { message: string; reason: string }, message: string, reason: string): void {
  if (acc.message === '' && acc.reason === '') {
    acc.message = message;
    acc.reason = reason;
    return;
  }
  if (!acc.reason.includes(reason)) acc.reason = `${acc.reason}; ${reason}`;
  if (!acc.message.includes(message)) acc.message = `${acc.message}; ${message}`;
}

interface ContainerStatusLike {
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; message?: string; exitCode?: number };
    running?: unknown;
  };
  lastState?: { terminated?: { reason?: string; message?: string; exitCode?: number } };
}

/**
 * The GS condition `PodNormal` as kruise-game v1.0's `getPodConditions` derives it: False with the pod's reason, the
 * not-True conditions (Ready only when ContainersReady is True) and the containers' waiting/terminated reasons.
 */
export function podNormalCondition(pod: Pod): Json {
  const acc = { message: '', reason: '' };
  const st = pod.status ?? {};
  if (typeof st.reason === 'string' && st.reason)
    poly(acc, typeof st.message === 'string' ? st.message : '', st.reason);
  const conds = st.conditions ?? [];
  for (const c of conds) {
    if (['PodScheduled', 'Initialized', 'ContainersReady'].includes(c.type)) {
      if (c.status !== 'True') poly(acc, c.message ?? '', c.reason ?? '');
    } else if (c.type === 'Ready') {
      if (conds.find(x => x.type === 'ContainersReady')?.status === 'True' && c.status === 'False')
        poly(acc, c.message ?? '', c.reason ?? '');
    }
  }
  for (const list of [st.initContainerStatuses, st.containerStatuses] as (ContainerStatusLike[] | undefined)[]) {
    const part = { message: '', reason: '' };
    for (const cs of list ?? []) {
      const w = cs.state?.waiting;
      if (w?.reason) poly(part, w.message ?? '', w.reason);
      const t = cs.state?.terminated;
      const last = cs.lastState?.terminated;
      if (t?.reason) poly(part, `${t.message ?? ''} ExitCode: ${t.exitCode ?? 0}`, `ContainerTerminated:${t.reason}`);
      else if (last?.reason && cs.state?.running === undefined)
        poly(part, `${last.message ?? ''} ExitCode: ${last.exitCode ?? 0}`, `ContainerTerminated:${last.reason}`);
    }
    if (part.message !== '' && part.reason !== '') poly(acc, part.message, part.reason);
  }
  if (acc.message === '' && acc.reason === '') return { type: 'PodNormal', status: 'True' };
  return { type: 'PodNormal', status: 'False', reason: acc.reason, message: acc.message };
}

/**
 * The GS conditions kruise-game's `getConditions` keeps: PodNormal from the pod; NodeNormal and
 * PersistentVolumeNormal True (the sandbox has no nodes or volumes to be unhealthy). A condition keeps its
 * lastTransitionTime while type, status, reason and message stay the same.
 */
function gameServerConditions(previous: Json | undefined, now: string, pod: Pod): Json[] {
  const old = (previous?.conditions ?? []) as Json[];
  return [
    podNormalCondition(pod),
    { type: 'NodeNormal', status: 'True' },
    { type: 'PersistentVolumeNormal', status: 'True' },
  ].map(c => {
    const was = old.find(o => o.type === c.type);
    const same =
      was &&
      was.status === c.status &&
      (was.reason ?? '') === (c.reason ?? '') &&
      (was.message ?? '') === (c.message ?? '');
    return {
      ...c,
      lastTransitionTime: same && typeof was.lastTransitionTime === 'string' ? was.lastTransitionTime : now,
    };
  });
}

/** GS status (`SyncPodToGs`, §4.2); `lastTransitionTime` is kept unless currentState changed. */
export function buildGameServerStatus(pod: Pod, previous: Json | undefined, now: string): Json {
  const currentState = deriveGameServerState(pod);
  const changed = previous?.currentState !== currentState || previous?.lastTransitionTime === undefined;
  return {
    desiredState: 'Ready',
    currentState,
    podStatus: clone(pod.status ?? {}),
    deletionPriority: priorityFromLabel(pod.metadata.labels?.[LABEL_DELETE_PRIORITY]),
    updatePriority: priorityFromLabel(pod.metadata.labels?.[LABEL_UPDATE_PRIORITY]),
    networkStatus: networkStatusOf(pod, previous?.networkStatus as Json | undefined, now),
    lastTransitionTime: changed ? now : previous?.lastTransitionTime,
    conditions: gameServerConditions(previous, now, pod),
  };
}

/** ASTS status from its pods (kruise StatefulSet status). */
export function buildAstsStatus(asts: AdvancedStatefulSet, pods: readonly Pod[]): Json {
  const updateRevision = revisionOf(asts);
  const prev = asts.status ?? {};
  const updated = pods.filter(p => p.metadata.labels?.[LABEL_REVISION] === updateRevision);
  const ready = pods.filter(isPodReady);
  let currentRevision = typeof prev.currentRevision === 'string' ? prev.currentRevision : updateRevision;
  if (updated.length === pods.length) currentRevision = updateRevision;
  const current = pods.filter(p => p.metadata.labels?.[LABEL_REVISION] === currentRevision);
  return {
    observedGeneration: asts.metadata.generation ?? 0,
    replicas: pods.length,
    readyReplicas: ready.length,
    availableReplicas: ready.length,
    currentReplicas: current.length,
    updatedReplicas: updated.length,
    updatedReadyReplicas: updated.filter(isPodReady).length,
    updatedAvailableReplicas: updated.filter(isPodReady).length,
    currentRevision,
    updateRevision,
    collisionCount: 0,
    labelSelector: `${LABEL_OWNER_GSS}=${asts.metadata.name ?? ''}`,
  };
}

/** GSS status (SyncStatus, §3). `pods` are all pods with owner-gss (incl. terminating). */
export function buildGssStatus(gss: GameServerSet, asts: AdvancedStatefulSet, pods: readonly Pod[]): Json {
  const updateRevision = revisionOf(asts);
  const updated = pods.filter(p => p.metadata.labels?.[LABEL_REVISION] === updateRevision);
  const label = (p: Pod, k: string): string | undefined => p.metadata.labels?.[k];
  const ready = pods.filter(isPodReady).length;
  return {
    observedGeneration: gss.metadata.generation ?? 0,
    replicas: gss.spec.replicas ?? 0,
    currentReplicas: pods.length,
    readyReplicas: ready,
    availableReplicas: ready,
    updatedReplicas: updated.length,
    updatedReadyReplicas: updated.filter(isPodReady).length,
    maintainingReplicas: pods.filter(p => label(p, LABEL_OPS_STATE) === 'Maintaining').length,
    waitToBeDeletedReplicas: pods.filter(p => label(p, LABEL_OPS_STATE) === 'WaitToBeDeleted').length,
    preDeleteReplicas: pods.filter(p => label(p, LABEL_GS_STATE) === 'PreDelete').length,
    labelSelector: `${LABEL_OWNER_GSS}=${gss.metadata.name ?? ''}`,
  };
}

/** Ordinals the ASTS wants; pods outside it are deleted, missing ones created. */
export function astsDesiredOrdinals(asts: AdvancedStatefulSet): number[] {
  return astsOrdinals(asts.spec.replicas ?? 0, asts.spec.reserveOrdinals);
}

/** reserveOrdinals that make the ASTS keep exactly `desired`: every hole below max(desired) plus `reserved`. */
export function reserveOrdinalsFor(desired: readonly number[], reserved: readonly number[]): number[] {
  const want = new Set(desired);
  const out = new Set(reserved);
  const max = desired.length ? Math.max(...desired) : -1;
  for (let i = 0; i < max; i++) if (!want.has(i)) out.add(i);
  return [...out].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------------------------
// Kubelet: realistic pod status per stage.

export type KubeletStage = 'Pending' | 'Running' | 'Ready' | 'Crash';

export function imageIdOf(image: string): string {
  const repo = image.includes('/') ? image : `docker.io/library/${image}`;
  return `${repo.replace(/:[^/:]+$/, '')}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

export function podIpFor(name: string): string {
  const h = createHash('sha256').update(name).digest();
  return `10.${244 + (h[0] % 10)}.${h[1]}.${(h[2] % 253) + 1}`;
}

/** `containers with unready status: [a b]` (Go's %v of a string slice), the kubelet's Ready/ContainersReady message. */
export function unreadyMessage(names: readonly string[]): string {
  return `containers with unready status: [${names.join(' ')}]`;
}

/** Pod status the emulated kubelet writes at `stage`. `startTime` is the time the pod was first scheduled. */
export function buildPodStatus(
  pod: Pod,
  stage: KubeletStage,
  startTime: string,
  now: string,
  hostIP = DEFAULT_HOST_IP,
): PodStatus {
  const containers = (pod.spec.containers ?? []) as { name?: string; image?: string }[];
  const running = stage === 'Running' || stage === 'Ready';
  const ready = stage === 'Ready';
  const gates = (pod.spec.readinessGates ?? []).map(g => g.conditionType);
  const unready = stage === 'Crash' ? undefined : unreadyMessage(containers.map(c => c.name ?? ''));
  const cond = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
    ...(ok || !reason ? {} : { reason }),
    ...(ok || !message ? {} : { message }),
  });
  const conditions: PodCondition[] = [];
  if (gates.includes(READINESS_GATE_INPLACE)) conditions.push(cond(READINESS_GATE_INPLACE, true));
  if (gates.includes(READINESS_GATE_KRUISE_POD_READY)) conditions.push(cond(READINESS_GATE_KRUISE_POD_READY, true));
  conditions.push(
    cond('Initialized', true),
    cond('Ready', ready, stage === 'Crash' ? 'PodFailed' : 'ContainersNotReady', unready),
    cond('ContainersReady', ready, stage === 'Crash' ? 'PodFailed' : 'ContainersNotReady', unready),
    cond('PodScheduled', true),
  );
  const containerStatuses = containers.map(c => {
    const image = c.image ?? '';
    const base = { name: c.name ?? '', image, imageID: stage === 'Pending' ? '' : imageIdOf(image), restartCount: 0 };
    if (stage === 'Pending')
      return { ...base, ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
    if (stage === 'Crash') {
      return {
        ...base,
        ready: false,
        started: false,
        containerID: `containerd://${shortHash([pod.metadata.uid, c.name], 64)}`,
        state: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: startTime,
            finishedAt: now,
            containerID: `containerd://${shortHash([pod.metadata.uid, c.name], 64)}`,
          },
        },
      };
    }
    return {
      ...base,
      ready,
      started: running,
      containerID: `containerd://${shortHash([pod.metadata.uid, c.name], 64)}`,
      state: { running: { startedAt: startTime } },
    };
  });
  const podIP = stage === 'Pending' ? undefined : podIpFor(pod.metadata.name ?? '');
  return {
    phase: stage === 'Pending' ? 'Pending' : stage === 'Crash' ? 'Failed' : 'Running',
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime,
    containerStatuses,
    qosClass: 'BestEffort',
  };
}

export { ordinalOf };

/**
 * The GameServerSet as kruise-game's `Update` writes it back after a Kill (§6 step 3): the Go types round-trip the
 * object, so zero values appear that the user never wrote (template `metadata.creationTimestamp: null`,
 * `resources: {}` on each container, `scaleStrategy: {}`).
 */
export function gssAfterGoRoundTrip(gss: GameServerSet, replicas: number): GameServerSet {
  const out = clone(gss);
  out.spec.replicas = replicas;
  out.spec.scaleStrategy ??= {};
  const t = (out.spec.gameServerTemplate ??= {});
  (t as Json).metadata ??= {};
  const meta = (t as Json).metadata as Json;
  if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  for (const c of ((t.spec as Json | undefined)?.containers ?? []) as Json[]) c.resources ??= {};
  delete (out as { status?: unknown }).status;
  return out;
}
