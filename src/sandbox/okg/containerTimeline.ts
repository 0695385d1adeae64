// One container's life under a fail rule, as a timeline of steps: what its status shows from each step on and
// which kubelet events the step records. Pure: times are offsets (ms) from the pod's first sight by the kubelet;
// the kubelet (./kubelet.ts) turns them into RFC3339 times, writes the pod status and records the events.
//
// Kubelet time is scaled: `backoffBaseMs` stands for the kubelet's first back-off of 10 s, so every kubelet
// duration here is `seconds × backoffBaseMs / 10` (default 1000 ms: 1 kubelet second = 100 ms, the 300 s cap = 30 s).
// Shapes kept from kubelet 1.34: image pulls and container restarts back off 10 s, doubling, capped at 300 s; a
// crashing container's first exit restarts at once, the next ones wait out the back-off; back-off and failing
// readiness events repeat every sync / probe period (10 s).
import { kubeletBackoffSeconds, kubeletText, type FailImage } from './failures.js';

export interface ContainerSpecLike {
  name: string;
  image: string;
  imagePullPolicy?: string;
  readinessProbe?: unknown;
  ports?: { name?: string; containerPort?: number }[];
}

export type ContainerState = { waiting: { reason: string; message?: string } } | { running: { startedAt: number } };

export interface TerminatedView {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
  restart: number;
}

/** What the container status shows from a step on (times are offsets). */
export interface ContainerView {
  state: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  /** the image was pulled (imageID and containerID are known) */
  pulled: boolean;
  lastTerminated?: TerminatedView;
}

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** `early`: a step on the way to what the container settles into (its first visible failure, or Ready); later ones repeat. */
export interface Step {
  at: number;
  view: ContainerView;
  events: EventSpec[];
  early?: boolean;
}

export interface TimelineOptions {
  /** offset at which the kubelet starts the pod's containers (sandbox created, volumes mounted) */
  startMs: number;
  /** offset at which a healthy container turns Ready */
  readyMs: number;
  /** ms standing for the kubelet's 10 s back-off */
  backoffBaseMs: number;
  /** `namespace/name(uid)` of the pod, as the kubelet's messages print it */
  podDesc: string;
  /** readiness probe output a failing probe reports */
  probeOutput: string;
}

const creating: ContainerView = {
  state: { waiting: { reason: 'ContainerCreating' } },
  ready: false,
  started: false,
  restartCount: 0,
  pulled: false,
};

/** The steps of a container with no rule: ContainerCreating, running at `startMs`, Ready at `readyMs`. */
export function* healthyTimeline(o: TimelineOptions): Generator<Step> {
  yield { at: 0, view: creating, events: [], early: true };
  const running = { startedAt: o.startMs };
  yield {
    at: o.startMs,
    view: { state: { running }, ready: false, started: true, restartCount: 0, pulled: true },
    events: [],
    early: true,
  };
  yield {
    at: Math.max(o.readyMs, o.startMs),
    view: { state: { running }, ready: true, started: true, restartCount: 0, pulled: true },
    events: [],
    early: true,
  };
}

/** The steps of a container under `rule`; endless for the failing modes (each back-off period is a step). */
export function* failingTimeline(c: ContainerSpecLike, rule: FailImage, o: TimelineOptions): Generator<Step> {
  const k = (seconds: number): number => Math.max(1, Math.round((seconds * o.backoffBaseMs) / 10));
  const pullPolicy =
    c.imagePullPolicy ??
    (/:latest$|^[^:@]*$/.test(c.image.slice(c.image.lastIndexOf('/') + 1)) ? 'Always' : 'IfNotPresent');
  const startEvents = (): EventSpec[] => [
    ...(pullPolicy === 'Always'
      ? [
          { type: 'Normal' as const, reason: 'Pulling', message: kubeletText.pulling(c.image) },
          { type: 'Normal' as const, reason: 'Pulled', message: kubeletText.pulled(c.image) },
        ]
      : [
          {
            type: 'Normal' as const,
            reason: 'Pulled',
            message: `Container image "${c.image}" already present on machine`,
          },
        ]),
    { type: 'Normal', reason: 'Created', message: kubeletText.created(c.name) },
    { type: 'Normal', reason: 'Started', message: kubeletText.started(c.name) },
  ];
  yield { at: 0, view: creating, events: [], early: true };

  if (rule.mode === 'ImagePullBackOff') {
    const errView: ContainerView = {
      ...creating,
      state: { waiting: { reason: 'ErrImagePull', message: kubeletText.pullErrorWaiting(c.image) } },
    };
    const backOffView: ContainerView = {
      ...creating,
      state: { waiting: { reason: 'ImagePullBackOff', message: kubeletText.backOffPullingWaiting(c.image) } },
    };
    const backOffEvents: EventSpec[] = [
      { type: 'Normal', reason: 'BackOff', message: kubeletText.backOffPulling(c.image) },
      { type: 'Warning', reason: 'Failed', message: kubeletText.errImagePullBackOff },
    ];
    let t = o.startMs;
    let shown: ContainerView = creating;
    for (let attempt = 1; ; attempt++) {
      const early = attempt === 1;
      yield {
        at: t,
        view: shown,
        events: [{ type: 'Normal', reason: 'Pulling', message: kubeletText.pulling(c.image) }],
        early,
      };
      const failedAt = t + k(1);
      yield {
        at: failedAt,
        view: errView,
        early,
        events: [
          { type: 'Warning', reason: 'Failed', message: kubeletText.failedToPull(c.image) },
          { type: 'Warning', reason: 'Failed', message: kubeletText.errImagePull },
        ],
      };
      const retryAt = failedAt + k(kubeletBackoffSeconds(attempt));
      for (let s = failedAt + k(1); s < retryAt; s += k(10))
        yield { at: s, view: backOffView, events: backOffEvents, early: early && s === failedAt + k(1) };
      shown = backOffView;
      t = retryAt;
    }
  }

  if (rule.mode === 'CrashLoopBackOff') {
    const runFor = k(1);
    let t = o.startMs;
    let last: TerminatedView | undefined;
    for (let restart = 0; ; restart++) {
      yield {
        at: t,
        view: {
          state: { running: { startedAt: t } },
          ready: false,
          started: true,
          restartCount: restart,
          pulled: true,
          lastTerminated: last,
        },
        events: startEvents(),
        early: restart <= 1,
      };
      const exitAt = t + runFor;
      last = { exitCode: 1, reason: 'Error', startedAt: t, finishedAt: exitAt, restart };
      if (restart === 0) {
        t = exitAt;
        continue;
      } // the first exit is restarted at once (no back-off entry yet)
      const backoff = kubeletBackoffSeconds(restart);
      const view: ContainerView = {
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: kubeletText.crashLoopWaiting(backoff, c.name, o.podDesc) },
        },
        ready: false,
        started: false,
        restartCount: restart,
        pulled: true,
        lastTerminated: last,
      };
      const events: EventSpec[] = [
        { type: 'Warning', reason: 'BackOff', message: kubeletText.backOffRestarting(c.name, o.podDesc) },
      ];
      const restartAt = exitAt + k(backoff);
      for (let s = exitAt; s < restartAt; s += k(10))
        yield { at: s, view, events, early: restart === 1 && s === exitAt };
      t = restartAt;
    }
  }

  // NeverReady / SlowReady: running, readiness probe failing (every probe period) until Ready, if ever.
  const running = { running: { startedAt: o.startMs } };
  const notReady: ContainerView = { state: running, ready: false, started: true, restartCount: 0, pulled: true };
  const unhealthy: EventSpec[] = [
    { type: 'Warning', reason: 'Unhealthy', message: kubeletText.readinessFailed(o.probeOutput) },
  ];
  yield { at: o.startMs, view: notReady, events: startEvents(), early: true };
  const readyAt = rule.mode === 'SlowReady' ? o.startMs + Math.round((rule.seconds ?? 0) * 1000) : Infinity;
  for (let s = o.startMs + k(1); s < readyAt; s += k(10)) yield { at: s, view: notReady, events: unhealthy };
  if (readyAt !== Infinity) yield { at: readyAt, view: { ...notReady, ready: true }, events: [] };
}

/**
 * The step in force at `elapsed`, the events of every step after `seenSteps` up to it, and the next step. An early
 * step not yet seen is shown even when the next one is due too (`more`: call again), so each is written once.
 */
export function stepAt(
  steps: () => Generator<Step>,
  elapsed: number,
  seenSteps: number,
): { step: Step; index: number; events: EventSpec[]; next?: Step; more?: boolean } {
  let index = -1;
  let step: Step | undefined;
  const events: EventSpec[] = [];
  for (const s of steps()) {
    if (s.at > elapsed) return { step: step ?? s, index, events, next: s };
    if (step?.early && index >= seenSteps) return { step, index, events, next: s, more: true };
    index++;
    step = s;
    if (index >= seenSteps) events.push(...s.events);
  }
  return { step: step!, index, events };
}
