// The pod the Advanced StatefulSet controller creates at an ordinal (API.md §2.1): template labels and annotations,
// revision and index labels, kruise's readiness gate, the node and hostname.
import {
  ANN_LIFECYCLE_TIMESTAMP,
  DEFAULT_NODE_NAME,
  LABEL_LIFECYCLE_STATE,
  LABEL_OWNER_GSS,
  LABEL_POD_INDEX,
  LABEL_POD_NAME,
  LABEL_REVISION,
  READINESS_GATE_KRUISE_POD_READY,
} from './constants.js';
import type { AdvancedStatefulSet, GameServerSet, Json, Pod } from './types.js';
import { jsonCopy } from './hash.js';
import { ownerRef } from './owners.js';
import { buildAsts, revisionOf } from './astsObjects.js';

export interface BuildPodOptions {
  nodeName?: string;
}

/** Pod `<asts>-<ordinal>` as the Advanced StatefulSet controller creates it (owned by the ASTS). */
export function buildPod(asts: AdvancedStatefulSet, ordinal: number, opts: BuildPodOptions = {}): Pod {
  const astsName = asts.metadata.name ?? '';
  const name = `${astsName}-${ordinal}`;
  const template = asts.spec.template ?? {};
  const spec: Json = jsonCopy(template.spec ?? {}) ?? {};
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
