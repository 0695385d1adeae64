// The GameServerSet as kruise-game writes it: its status from its pods (API.md §3), and the object its `Update` writes
// back after a Kill (§6), Go's zero values included.
import { LABEL_GS_STATE, LABEL_OPS_STATE, LABEL_OWNER_GSS, LABEL_REVISION } from './constants.js';
import type { AdvancedStatefulSet, GameServerSet, Json, Pod } from './types.js';
import { isPodReady } from '../../cluster/okg.js';
import { jsonCopy } from './hash.js';
import { revisionOf } from './astsObjects.js';

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

/**
 * The GameServerSet as kruise-game's `Update` writes it back after a Kill (§6 step 3): the Go types round-trip the
 * object, so zero values appear that the user never wrote (template `metadata.creationTimestamp: null`,
 * `resources: {}` on each container, `scaleStrategy: {}`).
 */
export function gssAfterGoRoundTrip(gss: GameServerSet, replicas: number): GameServerSet {
  const out = jsonCopy(gss);
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
