// The emulated kubelet's pod status at each stage (Pending, Running, Ready, Crash): conditions, container
// statuses, image IDs and pod IPs that look like a real node's.
import { DEFAULT_HOST_IP, READINESS_GATE_INPLACE, READINESS_GATE_KRUISE_POD_READY } from './constants.js';
import type { Pod, PodCondition, PodStatus } from './types.js';
import { createHash } from 'node:crypto';
import { shortHash } from './hash.js';

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
