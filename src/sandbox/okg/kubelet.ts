// The kubelet of the emulated node: takes each scheduled pod Pending → Running (not ready) → Ready on a per-room
// schedule (or holds it NotReady, Pending, or crashes it), and finishes terminating pods after a grace period.
// Pods with a container whose image matches a fail rule (./failures.ts) follow that container's timeline instead
// (./containerTimeline.ts): the status the kubelet shows and the Events it records (./events.ts).
import { buildPodStatus, type KubeletStage } from './podStatus.js';
import { sameCanonicalJson } from './hash.js';
import { DEFAULT_HOST_IP } from './constants.js';
import { ignore, type ControllerContext } from './controller.js';
import { failRuleFor, kubeletText, readinessProbeOutput, type FailImage } from './failures.js';
import {
  failingTimeline,
  healthyTimeline,
  stepAt,
  type ContainerSpecLike,
  type ContainerView,
  type TimelineOptions,
} from './containerTimeline.js';
import { failingPodStatus } from './failingPodStatus.js';
import type { EventRecorder } from './events.js';
import type { Pod, PodStatus } from './types.js';

export interface RoomBehaviour {
  /** time from pod creation to Ready (Running-not-ready at half of it) */
  readyAfterMs?: number;
  /** final kubelet outcome; default Ready */
  outcome?: 'Ready' | 'NotReady' | 'Crash' | 'Pending';
}

export interface KubeletOptions {
  readyAfterMs: number;
  terminatingMs: number;
  hostIP?: string;
  room?: (namespace: string, name: string) => RoomBehaviour | undefined;
  failImages: FailImage[];
  /** ms standing for the kubelet's first back-off of 10 s (see ./containerTimeline.ts) */
  backoffBaseMs: number;
  events: EventRecorder;
}

/** The fail rule of each container, bound when the kubelet first sees the pod (later rule changes: new pods only). */
interface Failing {
  uid: string;
  rules: (FailImage | undefined)[];
  seenSteps: number[];
}

export class Kubelet {
  private readonly seen = new Map<string, { uid: string; at: number; startTime: string }>();
  private readonly terminatingSeen = new Map<string, { uid: string; at: number }>();
  private readonly rooms = new Map<string, RoomBehaviour>();
  private readonly failing = new Map<string, Failing>();
  /** Fail rules for pods the kubelet sees from now on. */
  failImages: FailImage[];

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: KubeletOptions,
  ) {
    this.failImages = opts.failImages;
  }

  /** Override one room's behaviour (undefined removes the override); the caller requeues the pod. */
  setRoomBehaviour(namespace: string, name: string, b: RoomBehaviour | undefined): void {
    const key = `${namespace}/${name}`;
    if (b) this.rooms.set(key, b);
    else this.rooms.delete(key);
  }

  private behaviour(ns: string, name: string): RoomBehaviour | undefined {
    return this.rooms.get(`${ns}/${name}`) ?? this.opts.room?.(ns, name);
  }

  async sync(ns: string, name: string, key: string): Promise<void> {
    const { client, queue } = this.ctx;
    const pod = this.ctx.pods.get(ns, name);
    if (!pod) {
      this.seen.delete(key);
      this.terminatingSeen.delete(key);
      const f = this.failing.get(key);
      if (f) {
        this.opts.events.forget(f.uid);
        this.failing.delete(key);
      }
      return;
    }
    if (!pod.spec.nodeName) return;
    const uid = pod.metadata.uid ?? '';
    const now = Date.now();
    if (pod.metadata.deletionTimestamp) {
      let t = this.terminatingSeen.get(key);
      if (!t || t.uid !== uid) this.terminatingSeen.set(key, (t = { uid, at: now }));
      const remaining = t.at + this.opts.terminatingMs - now;
      if (remaining > 0) {
        queue.addAfter(key, remaining);
        return;
      }
      await client.delete('pods', ns, name, { gracePeriodSeconds: 0, uid }).catch(ignore(404, 409));
      return;
    }
    let seen = this.seen.get(key);
    if (!seen || seen.uid !== uid)
      this.seen.set(key, (seen = { uid, at: now, startTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    const override = this.behaviour(ns, name);
    if (!override) {
      let f = this.failing.get(key);
      if (!f || f.uid !== uid) {
        const containers = (pod.spec.containers ?? []) as { image?: string }[];
        const rules = containers.map(c => failRuleFor(c.image ?? '', this.failImages));
        f = { uid, rules, seenSteps: rules.map(() => 0) };
        if (rules.some(Boolean)) this.failing.set(key, f);
        else this.failing.delete(key);
      }
      if (f.rules.some(Boolean)) return this.syncFailing(pod, key, seen.at, f, now);
    }
    const b = override ?? {};
    const readyAfter = b.readyAfterMs ?? this.opts.readyAfterMs;
    const outcome = b.outcome ?? 'Ready';
    const elapsed = now - seen.at;
    const current = stageOf(pod.status);
    if (current === 'Crash') return; // terminal
    let stage: KubeletStage;
    if (outcome === 'Pending' || elapsed < readyAfter / 2) stage = 'Pending';
    else if (outcome === 'Crash') stage = 'Crash';
    else if (outcome === 'NotReady' || elapsed < readyAfter) stage = 'Running';
    else stage = 'Ready';
    if (stage === 'Pending' && outcome !== 'Pending') queue.addAfter(key, Math.ceil(readyAfter / 2 - elapsed));
    else if (stage === 'Running' && outcome === 'Ready') queue.addAfter(key, Math.ceil(readyAfter - elapsed));
    if (current === stage) return;
    const iso = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const status = buildPodStatus(pod, stage, seen.startTime, iso, this.opts.hostIP);
    keepTransitionTimes(status, pod.status);
    await client.patch('pods', ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
  }

  /** A pod with failing containers: each container's step at this moment, its events, and the next step's timer. */
  private async syncFailing(pod: Pod, key: string, t0: number, f: Failing, now: number): Promise<void> {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const hostIP = this.opts.hostIP ?? DEFAULT_HOST_IP;
    const elapsed = now - t0;
    const specs = (pod.spec.containers ?? []) as unknown as ContainerSpecLike[];
    const podDesc = kubeletText.podDesc(name, ns, pod.metadata.uid ?? '');
    const startMs = Math.floor(this.opts.readyAfterMs / 2);
    const views: { name: string; image: string; view: ContainerView }[] = [];
    const toRecord: { container: string; events: Parameters<EventRecorder['record']>[2] }[] = [];
    let next: { at: number; early: boolean } | undefined;
    let more = false;
    specs.forEach((c, i) => {
      const o: TimelineOptions = {
        startMs,
        readyMs: this.opts.readyAfterMs,
        backoffBaseMs: this.opts.backoffBaseMs,
        podDesc,
        probeOutput: readinessProbeOutput(c, pod.status?.podIP ?? ''),
      };
      const rule = f.rules[i];
      const r = stepAt(() => (rule ? failingTimeline(c, rule, o) : healthyTimeline(o)), elapsed, f.seenSteps[i]);
      if (r.index >= f.seenSteps[i]) {
        if (r.events.length) toRecord.push({ container: c.name, events: r.events });
        f.seenSteps[i] = r.index + 1;
      }
      views.push({ name: c.name, image: c.image, view: r.step.view });
      more ||= r.more === true;
      if (r.next && (!next || r.next.at < next.at)) next = { at: r.next.at, early: r.next.early === true };
      else if (r.next && r.next.at === next?.at && r.next.early) next.early = true;
    });
    // A failing room repeats its back-offs and probe failures for ever: those timers do not keep the emulator busy
    // (settled() does not wait for them); the steps on the way to its first failure do.
    if (more) this.ctx.queue.addAfter(key, 1);
    else if (next) this.ctx.queue.addAfter(key, Math.max(1, next.at - elapsed), !next.early);
    const status = failingPodStatus(pod, views, t0, now, hostIP, elapsed >= startMs);
    keepTransitionTimes(status, pod.status);
    if (!sameCanonicalJson(comparable(status), comparable(pod.status ?? {}))) {
      await this.ctx.client.patch('pods', ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
    }
    for (const r of toRecord) await this.opts.events.record(pod, r.container, r.events, now);
  }
}

/** A status as JSON that compares equal however it was read back (typed reads add `.000` to times, drop nulls). */
function comparable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = comparable(x);
    return out;
  }
  return typeof v === 'string' ? v.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.000Z$/, '$1Z') : v;
}

/** Conditions whose status did not change keep their lastTransitionTime. */
function keepTransitionTimes(status: PodStatus, previous: PodStatus | undefined): void {
  for (const c of status.conditions ?? []) {
    const prev = previous?.conditions?.find(p => p.type === c.type);
    if (prev && prev.status === c.status && prev.lastTransitionTime) c.lastTransitionTime = prev.lastTransitionTime;
  }
}

function stageOf(s: PodStatus | undefined): KubeletStage | undefined {
  switch (s?.phase) {
    case 'Pending':
      return s.containerStatuses ? 'Pending' : undefined;
    case 'Failed':
      return 'Crash';
    case 'Running':
      return s.conditions?.some(c => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'Running';
    default:
      return undefined;
  }
}
