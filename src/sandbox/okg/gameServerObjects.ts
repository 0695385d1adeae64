// Pure builders of what kruise-game's GameServer controller writes (API.md §1, §4): the GameServer of a pod, the
// pod labels it keeps in step with the GameServer's spec, and the GameServer's status and conditions.
import {
  ANN_GS_TEMPLATE_METADATA_HASH,
  GAME_API_VERSION,
  LABEL_DELETE_PRIORITY,
  LABEL_GS_STATE,
  LABEL_NETWORK_DISABLED,
  LABEL_OPS_STATE,
  LABEL_OWNER_GSS,
  LABEL_UPDATE_PRIORITY,
} from './constants.js';
import type { GameServer, GameServerSet, Json, Pod } from './types.js';
import { deriveGameServerState } from './state.js';
import { networkStatusOf } from './network.js';
import { shortHash, jsonCopy } from './hash.js';
import { ownerRef } from './owners.js';

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
    podStatus: jsonCopy(pod.status ?? {}),
    deletionPriority: priorityFromLabel(pod.metadata.labels?.[LABEL_DELETE_PRIORITY]),
    updatePriority: priorityFromLabel(pod.metadata.labels?.[LABEL_UPDATE_PRIORITY]),
    networkStatus: networkStatusOf(pod, previous?.networkStatus as Json | undefined, now),
    lastTransitionTime: changed ? now : previous?.lastTransitionTime,
    conditions: gameServerConditions(previous, now, pod),
  };
}
