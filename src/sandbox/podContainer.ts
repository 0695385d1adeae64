// A pod's container as the kubelet's log and exec endpoints see it: which container a request means (the
// kubelet's 400s for a missing or unknown name), and the runs ("instances") its status shows, current and previous.
import type { KubeObject } from './types.js';
import { badRequest } from './status.js';

export interface ContainerSpecJson {
  name: string;
  image?: string;
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort?: number; protocol?: string }[];
}

interface StateJson {
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; startedAt?: string; finishedAt?: string };
  waiting?: { reason?: string; message?: string };
}

export interface ContainerStatusJson {
  name: string;
  restartCount?: number;
  state?: StateJson;
  lastState?: StateJson;
}

export interface PodJson extends KubeObject {
  spec?: { containers?: ContainerSpecJson[]; initContainers?: ContainerSpecJson[]; nodeName?: string };
  status?: { phase?: string; containerStatuses?: ContainerStatusJson[]; podIP?: string; hostIP?: string };
}

/** One run of a container: restart `restart` (0 = the first), from `startedAt` to `finishedAt` (ms) if it ended. */
export interface Instance {
  restart: number;
  startedAt: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
}

/** The container a request names, or the only one; the kubelet's messages otherwise. */
export function pickContainer(pod: PodJson, requested: string | null | undefined): ContainerSpecJson {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const name = pod.metadata.name ?? '';
  if (requested) {
    const c = all.find(x => x.name === requested);
    if (!c) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return c;
  }
  const main = pod.spec?.containers ?? [];
  if (main.length === 1) return main[0];
  throw badRequest(
    `a container name must be specified for pod ${name}, choose one of: [${main.map(c => c.name).join(' ')}]`,
  );
}

export function statusOf(pod: PodJson, container: string): ContainerStatusJson | undefined {
  return pod.status?.containerStatuses?.find(s => s.name === container);
}

const ms = (t: string | undefined): number | undefined => {
  const v = t ? Date.parse(t) : NaN;
  return Number.isFinite(v) ? v : undefined;
};

function instanceOf(state: StateJson | undefined, restart: number): Instance | undefined {
  if (state?.running) {
    const startedAt = ms(state.running.startedAt);
    return startedAt === undefined ? undefined : { restart, startedAt };
  }
  if (state?.terminated) {
    const t = state.terminated;
    const startedAt = ms(t.startedAt) ?? ms(t.finishedAt);
    if (startedAt === undefined) return undefined;
    return { restart, startedAt, finishedAt: ms(t.finishedAt) ?? startedAt, exitCode: t.exitCode, reason: t.reason };
  }
  return undefined;
}

/**
 * The run whose log `kubectl logs` shows: the running or terminated container, or while it waits to restart
 * (CrashLoopBackOff) the run that last exited. A string is why there is none (the kubelet's 400 message).
 */
export function currentInstance(pod: PodJson, container: string): Instance | string {
  const s = statusOf(pod, container);
  const restarts = s?.restartCount ?? 0;
  const now = instanceOf(s?.state, restarts);
  if (now) return now;
  const last = instanceOf(s?.lastState, restarts);
  if (last) return last;
  const reason = s?.state?.waiting?.reason ?? 'ContainerCreating';
  const why = /ImagePull|ErrImage/.test(reason) ? 'trying and failing to pull image' : reason;
  return `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${why}`;
}

/** The run before the current one (`--previous`), or the kubelet's message when there was none. */
export function previousInstance(pod: PodJson, container: string): Instance | string {
  const s = statusOf(pod, container);
  const restarts = s?.restartCount ?? 0;
  const notFound = `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`;
  if (restarts === 0) return notFound;
  const current = currentInstance(pod, container);
  // Running: lastState is the previous run. Waiting after a crash: lastState is the current run, and the one
  // before it left no times in the status, so it is stamped as ending when the current one started.
  if (s?.state?.running) return instanceOf(s.lastState, restarts - 1) ?? notFound;
  if (typeof current === 'string') return notFound;
  return {
    restart: restarts - 1,
    startedAt: current.startedAt,
    finishedAt: current.startedAt,
    exitCode: 1,
    reason: 'Error',
  };
}

/** Whether the container has a running process to exec into. */
export function isRunning(pod: PodJson, container: string): boolean {
  return !!statusOf(pod, container)?.state?.running;
}
