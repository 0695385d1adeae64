// The kubelet of the emulated node: takes each scheduled pod Pending → Running (not ready) → Ready on a per-room
// schedule (or holds it NotReady, Pending, or crashes it), and finishes terminating pods after a grace period.
import { buildPodStatus, type KubeletStage } from './objects.js';
import { ignore, type ControllerContext } from './controller.js';
import type { PodStatus } from './types.js';

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
}

export class Kubelet {
  private readonly seen = new Map<string, { uid: string; at: number; startTime: string }>();
  private readonly terminatingSeen = new Map<string, { uid: string; at: number }>();
  private readonly rooms = new Map<string, RoomBehaviour>();

  constructor(private readonly ctx: ControllerContext, private readonly opts: KubeletOptions) {}

  /** Override one room's behaviour (undefined removes the override); the caller requeues the pod. */
  setRoomBehaviour(namespace: string, name: string, b: RoomBehaviour | undefined): void {
    const key = `${namespace}/${name}`;
    if (b) this.rooms.set(key, b);
    else this.rooms.delete(key);
  }

  private behaviour(ns: string, name: string): RoomBehaviour {
    return this.rooms.get(`${ns}/${name}`) ?? this.opts.room?.(ns, name) ?? {};
  }

  async sync(ns: string, name: string, key: string): Promise<void> {
    const { client, queue } = this.ctx;
    const pod = this.ctx.pods.get(ns, name);
    if (!pod) {
      this.seen.delete(key);
      this.terminatingSeen.delete(key);
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
    if (!seen || seen.uid !== uid) this.seen.set(key, (seen = { uid, at: now, startTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    const b = this.behaviour(ns, name);
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
    // keep transition times of conditions whose status did not change
    for (const c of status.conditions ?? []) {
      const prev = pod.status?.conditions?.find((p) => p.type === c.type);
      if (prev && prev.status === c.status && prev.lastTransitionTime) c.lastTransitionTime = prev.lastTransitionTime;
    }
    await client.patch('pods', ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
  }
}

function stageOf(s: PodStatus | undefined): KubeletStage | undefined {
  switch (s?.phase) {
    case 'Pending': return s.containerStatuses ? 'Pending' : undefined;
    case 'Failed': return 'Crash';
    case 'Running': return s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'Running';
    default: return undefined;
  }
}
