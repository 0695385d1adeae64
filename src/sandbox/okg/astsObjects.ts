// Pure builders of the Advanced StatefulSet kruise-game creates for a GameServerSet (API.md §2.1, §5): its hash,
// update strategy, pod template, spec and revision, the status kruise's StatefulSet controller writes, and the
// ordinals it keeps.
import {
  ANN_ASTS_HASH,
  KRUISE_API_VERSION,
  LABEL_OWNER_GSS,
  LABEL_REVISION,
  LABEL_UPDATE_PRIORITY,
  READINESS_GATE_INPLACE,
} from './constants.js';
import type { AdvancedStatefulSet, GameServerSet, Json, Pod, PodTemplate, UpdateStrategy } from './types.js';
import { isPodReady } from '../../cluster/okg.js';
import { defaultAdvancedStatefulSet } from './kruiseDefaults.js';
import { astsOrdinals } from './scale.js';
import { ANN_NETWORK_CONF, ANN_NETWORK_TYPE, networkConfJson } from './network.js';
import { shortHash, jsonCopy } from './hash.js';
import { ownerRef } from './owners.js';

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
        ...jsonCopy(rolling),
        unorderedUpdate: { priorityStrategy: { orderPriority: [{ orderedKey: LABEL_UPDATE_PRIORITY }] } },
      },
    };
  }
  return { type: s?.type || 'RollingUpdate' };
}

/** The pod template OKG puts into the ASTS: GSS template + owner-gss label + InPlaceUpdateReady gate (§2.1). */
export function astsTemplate(gss: GameServerSet): PodTemplate {
  const t = gss.spec.gameServerTemplate ?? {};
  const spec: Json = jsonCopy(t.spec ?? {}) ?? {};
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
    volumeClaimTemplates: jsonCopy(gss.spec.gameServerTemplate?.volumeClaimTemplates ?? []),
  };
  if (gss.spec.lifecycle) out.lifecycle = jsonCopy(gss.spec.lifecycle);
  if (gss.spec.persistentVolumeClaimRetentionPolicy) {
    out.persistentVolumeClaimRetentionPolicy = jsonCopy(gss.spec.persistentVolumeClaimRetentionPolicy);
  }
  return out;
}

/**
 * Template hashes by template object: each ASTS sync and each pod built asked for it again (a sha256 of the whole
 * template, profiled at 100 sets × 100 rooms). Informer objects are replaced on change, never changed in place.
 */
const templateHashes = new WeakMap<object, string>();

/** `controller-revision-hash` value of the ASTS's current template: `<name>-<hash>`. */
export function revisionOf(asts: AdvancedStatefulSet): string {
  const t = asts.spec.template;
  let hash = t ? templateHashes.get(t) : undefined;
  if (hash === undefined) {
    hash = shortHash(t ?? {});
    if (t) templateHashes.set(t, hash);
  }
  return `${asts.metadata.name ?? ''}-${hash}`;
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
