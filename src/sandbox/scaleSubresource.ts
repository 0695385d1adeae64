// The scale subresource of custom resources: the autoscaling/v1 Scale view of an object, and the object a Scale
// body asks for (its replicas written at the CRD's specReplicasPath), with the checks kube-apiserver makes.
import type { KubeObject } from './types.js';
import type { ResourceDef } from './resources.js';
import { badRequest, conflict, invalid } from './status.js';
import { evalJsonPath } from './jsonpath.js';
import { isRecord } from './json.js';

/** The autoscaling/v1 Scale view of an object with a scale subresource. */
export function scaleOf(res: ResourceDef, obj: KubeObject): KubeObject {
  const sc = res.scale!;
  const spec = evalJsonPath(obj, sc.specReplicasPath);
  const status = evalJsonPath(obj, sc.statusReplicasPath);
  const selector = sc.labelSelectorPath ? evalJsonPath(obj, sc.labelSelectorPath) : undefined;
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof spec === 'number' ? spec : 0 },
    status: {
      replicas: typeof status === 'number' ? status : 0,
      ...(typeof selector === 'string' && selector ? { selector } : {}),
    },
  };
}

/** A copy of `old` with the Scale body's replicas; refuses a stale resourceVersion (409) or a non-integer (422). */
export function scaledObject(res: ResourceDef, old: KubeObject, scale: unknown): KubeObject {
  if (!isRecord(scale) || !isRecord(scale.spec)) throw badRequest('the body is not an autoscaling/v1 Scale');
  const meta = isRecord(scale.metadata) ? scale.metadata : {};
  if (
    meta.resourceVersion !== undefined &&
    meta.resourceVersion !== '' &&
    meta.resourceVersion !== old.metadata.resourceVersion
  ) {
    throw conflict({ group: res.group, resource: res.plural }, old.metadata.name!);
  }
  const replicas = scale.spec.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw invalid('Scale', 'autoscaling', old.metadata.name!, [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  }
  // Only custom resources have a scale here: a negative count is written into the resource and refused as the
  // resource (kube-apiserver answers `GameServerSet.game.kruise.io "x" is invalid: [spec.replicas: …]`, no Scale error).
  const path = res.scale!.specReplicasPath.replace(/^\./, '').split('.');
  const next = structuredClone(old) as Record<string, unknown>;
  let cur = next;
  for (const k of path.slice(0, -1)) {
    if (!isRecord(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = replicas;
  return next as KubeObject;
}
