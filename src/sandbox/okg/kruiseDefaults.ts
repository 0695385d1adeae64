// What OpenKruise's mutating webhooks add to the objects the emulator writes, found by comparing the emulator with
// real kruise-manager v1.8.3 room by room (docs/controlplane.md, tier B). The sandbox runs no webhooks, so the
// emulator — which stands in for kruise-manager too — applies them itself before each write.
import type { AdvancedStatefulSet, Json } from './types.js';

const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

function fill(obj: Json, defaults: Json): void {
  for (const [k, v] of Object.entries(defaults)) if (obj[k] === undefined) obj[k] = v;
}

/** kruise `SetDefaultPodSpec` (apis/apps/defaults/pod.go): kubernetes' pod defaults, and imagePullPolicy Always. */
export function defaultPodSpec(spec: Json): void {
  fill(spec, {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  });
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of (Array.isArray(list) ? list : []) as Json[]) {
      fill(c, {
        imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
      });
      for (const p of (Array.isArray(c.ports) ? c.ports : []) as Json[]) fill(p, { protocol: 'TCP' });
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe])
        if (probe && typeof probe === 'object') fill(probe as Json, PROBE_DEFAULTS);
    }
  }
}

/** kruise `SetDefaultsStatefulSet(obj, true)` (apis/apps/defaults/v1beta1.go) with the default feature gates. */
export function defaultAdvancedStatefulSet(asts: AdvancedStatefulSet): AdvancedStatefulSet {
  const spec = asts.spec as Json;
  fill(spec, {
    podManagementPolicy: 'OrderedReady',
    revisionHistoryLimit: 10,
    scaleStrategy: {},
    volumeClaimUpdateStrategy: {},
  });
  const strategy = (spec.updateStrategy ??= {}) as Json;
  fill(strategy, { type: 'RollingUpdate' });
  if (strategy.type === 'RollingUpdate') {
    const rolling = (strategy.rollingUpdate ??= {}) as Json;
    fill(rolling, { partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate', minReadySeconds: 0 });
  }
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {}) as Json;
  fill(retention, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  if (Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length === 0)
    delete spec.volumeClaimTemplates;
  const template = (spec.template ??= {}) as Json;
  const metadata = (template.metadata ??= {}) as Json;
  if (metadata.creationTimestamp === undefined) metadata.creationTimestamp = null;
  defaultPodSpec((template.spec ??= {}) as Json);
  return asts;
}
