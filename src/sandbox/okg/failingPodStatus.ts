// The pod status the kubelet writes for a pod with failing containers (./containerTimeline.ts views): phase as
// kubelet's getPhase (a container waiting that never ran keeps the pod Pending; one that ran and waits to restart
// does not), Ready/ContainersReady False with ContainersNotReady and the unready containers, container states,
// restart counts and the last termination.
import { READINESS_GATE_INPLACE, READINESS_GATE_KRUISE_POD_READY } from './constants.js';
import { imageIdOf, podIpFor, unreadyMessage } from './podStatus.js';
import { shortHash } from './hash.js';
import type { ContainerView } from './containerTimeline.js';
import type { Json, Pod, PodCondition, PodStatus } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * @param t0 the time (ms) the kubelet first saw the pod: view offsets are relative to it
 * @param sandboxReady the pod sandbox exists (it has its IP)
 */
export function failingPodStatus(
  pod: Pod,
  views: readonly { name: string; image: string; view: ContainerView }[],
  t0: number,
  now: number,
  hostIP: string,
  sandboxReady: boolean,
): PodStatus {
  const uid = pod.metadata.uid ?? '';
  const containerId = (name: string, restart: number): string => `containerd://${shortHash([uid, name, restart], 64)}`;
  const gates = (pod.spec.readinessGates ?? []).map(g => g.conditionType);
  const unready = views.filter(v => !v.view.ready).map(v => v.name);
  const ts = iso(now);
  const cond = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: ts,
    ...(ok || !reason ? {} : { reason }),
    ...(ok || !message ? {} : { message }),
  });
  const ready = unready.length === 0;
  const conditions: PodCondition[] = [];
  if (gates.includes(READINESS_GATE_INPLACE)) conditions.push(cond(READINESS_GATE_INPLACE, true));
  if (gates.includes(READINESS_GATE_KRUISE_POD_READY)) conditions.push(cond(READINESS_GATE_KRUISE_POD_READY, true));
  conditions.push(
    cond('Initialized', true),
    cond('Ready', ready, 'ContainersNotReady', unreadyMessage(unready)),
    cond('ContainersReady', ready, 'ContainersNotReady', unreadyMessage(unready)),
    cond('PodScheduled', true),
  );
  const containerStatuses: Json[] = views.map(({ name, image, view }) => {
    const last = view.lastTerminated;
    const state =
      'running' in view.state
        ? { running: { startedAt: iso(t0 + view.state.running.startedAt) } }
        : { waiting: { ...view.state.waiting } };
    const out: Json = {
      name,
      image,
      imageID: view.pulled ? imageIdOf(image) : '',
      ready: view.ready,
      started: view.started,
      restartCount: view.restartCount,
      state,
    };
    if (view.pulled)
      out.containerID = containerId(
        name,
        'running' in view.state ? view.restartCount : (last?.restart ?? view.restartCount),
      );
    if (last) {
      out.lastState = {
        terminated: {
          exitCode: last.exitCode,
          reason: last.reason,
          startedAt: iso(t0 + last.startedAt),
          finishedAt: iso(t0 + last.finishedAt),
          containerID: containerId(name, last.restart),
        },
      };
    }
    return out;
  });
  const pending = views.some(v => 'waiting' in v.view.state && !v.view.lastTerminated);
  const podIP = sandboxReady ? podIpFor(pod.metadata.name ?? '') : undefined;
  return {
    phase: pending ? 'Pending' : 'Running',
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: iso(t0),
    containerStatuses,
    qosClass: 'BestEffort',
  };
}
