// Step wait-ready: wait (watch-driven) until enough new-version rooms are ready for players (readiness.ts).
// Meanwhile each new room's reason is emitted when it changes (room-waiting); the pod Events come from one
// list and one watch for the whole wait (podEvents.ts). When the new rooms fail in a way that does not heal
// by itself for the grace period (input failFastAfterMs), the wait stops early; a timeout names the reasons.
// A watch event re-reads only the room it names (Tally): the work per event does not grow with the set.
import { isNewVersion } from '../../cluster/okg.js';
import { plural } from '../../cluster/util.js';
import { PodEvents } from '../podEvents.js';
import { readyDefinition, type ReadinessOf } from '../readiness.js';
import { describeGroups, groupReasons, roomWaiting, type RoomWaiting } from '../reasons.js';
import type { ReleaseRun } from '../run.js';
import type { Step } from '../steps.js';
import type { ReasonGroup } from '../types.js';
import { seconds } from '../validate.js';

/** The wait for Ready ended without enough rooms: `early` when it stopped on reasons that do not heal. */
export class NotReadyInTime extends Error {
  constructor(
    message: string,
    readonly reasons: ReasonGroup[],
    readonly early: boolean,
  ) {
    super(message);
  }
}

interface Look {
  rooms: RoomWaiting[];
  ready: number;
  /** Too few rooms can still become ready because some fail permanently. */
  stuck: boolean;
  /** Other problems than the new rooms' reasons (old-image rooms, rooms not created yet). */
  other: string[];
}

function look(run: ReleaseRun, events: PodEvents, need: number): Look {
  const gss: ReadinessOf = run.cache.gameServerSet(run.name) ?? { network: false };
  const live = run.cache.rooms(run.name).filter(r => !r.terminating);
  const baseline = new Set(run.rec.baseline.rooms);
  const rooms: RoomWaiting[] = [];
  const other: string[] = [];
  let pending = 0;
  for (const r of live) {
    if (isNewVersion(r, run.images)) {
      const pod = run.cache.pod(r.name);
      rooms.push(roomWaiting(r, pod, gss, events.lastEvent(r.name, pod?.metadata.uid)));
    } else if (!baseline.has(r.name)) {
      if (r.images.length) other.push(`${r.name} was created with the old image`);
      else pending++; // no pod yet: it may still come up with the new image
    }
  }
  const g = run.cache.gameServerSet(run.name);
  const missing = Math.max(0, run.rec.target.replicas - live.length);
  if (missing > 0)
    other.push(
      `${plural(missing, 'room')} not created yet (${g?.currentReplicas ?? '?'} of ${g?.replicas ?? '?'} pods exist)`,
    );
  if (pending > 0) other.push(`${plural(pending, 'room')} without a pod yet`);
  const ready = rooms.filter(w => w.ready).length;
  const permanent = rooms.filter(w => w.permanent).length;
  const possible = rooms.length - permanent + pending + missing;
  return { rooms, ready, stuck: permanent > 0 && possible < need, other };
}

/** What the wait knows of one live room of the set. */
type Seen = { kind: 'new'; w: RoomWaiting } | { kind: 'created-old' } | { kind: 'no-pod' } | { kind: 'baseline' };

/**
 * The counts `look` computes, kept room by room: a change re-reads the one room it is about (the whole set
 * only when the set itself or the Events list changed), so a release of 1,000 rooms does not re-read 2,000
 * rooms per watch event. `look` stays the whole reading for the messages (timeout, stop-early).
 */
class Tally {
  private readonly seen = new Map<string, Seen>();
  private readonly baseline: Set<string>;
  ready = 0;
  permanent = 0;
  fresh = 0;
  noPod = 0;
  /** The set's definition of ready when the rooms were last all read. */
  private network?: boolean;

  constructor(
    private readonly run: ReleaseRun,
    private readonly events: PodEvents,
  ) {
    this.baseline = new Set(run.rec.baseline.rooms);
  }

  /** Re-reads every room of the set; returns the new-version rooms' readings in the set's order. */
  all(): RoomWaiting[] {
    for (const name of [...this.seen.keys()]) this.count(name, -1);
    this.seen.clear();
    const gss = this.gss();
    this.network = gss.network;
    const out: RoomWaiting[] = [];
    for (const r of this.run.cache.rooms(this.run.name)) {
      const w = this.read(r.name, gss);
      if (w) out.push(w);
    }
    return out;
  }

  /** The set changed: its rooms read differently only when the definition of ready did (a network configured or not). */
  set(): RoomWaiting[] {
    return this.gss().network === this.network ? [] : this.all();
  }

  /** Re-reads the room `name` (a watch event about it); its reading when it is a live new-version room of the set. */
  one(name: string): RoomWaiting[] {
    if (this.seen.has(name)) this.count(name, -1);
    this.seen.delete(name);
    const w = this.read(name, this.gss());
    return w ? [w] : [];
  }

  /** Rooms the release asked for that do not exist yet. */
  missing(): number {
    return Math.max(0, this.run.rec.target.replicas - this.seen.size);
  }

  /** Too few rooms can still become ready because some fail permanently (as `look` says). */
  stuck(need: number): boolean {
    return this.permanent > 0 && this.fresh - this.permanent + this.noPod + this.missing() < need;
  }

  private gss(): ReadinessOf {
    return this.run.cache.gameServerSet(this.run.name) ?? { network: false };
  }

  private read(name: string, gss: ReadinessOf): RoomWaiting | undefined {
    const r = this.run.cache.room(name);
    if (!r || r.gameServerSet !== this.run.name || r.terminating) return undefined;
    let s: Seen;
    if (isNewVersion(r, this.run.images)) {
      const pod = this.run.cache.pod(r.name);
      s = { kind: 'new', w: roomWaiting(r, pod, gss, this.events.lastEvent(r.name, pod?.metadata.uid)) };
    } else if (this.baseline.has(name)) s = { kind: 'baseline' };
    else s = r.images.length ? { kind: 'created-old' } : { kind: 'no-pod' };
    this.seen.set(name, s);
    this.count(name, 1);
    return s.kind === 'new' ? s.w : undefined;
  }

  private count(name: string, by: 1 | -1): void {
    const s = this.seen.get(name);
    if (s?.kind === 'new') {
      this.fresh += by;
      if (s.w.ready) this.ready += by;
      if (s.w.permanent) this.permanent += by;
    } else if (s?.kind === 'no-pod') this.noPod += by;
  }
}

function roomKey(w: RoomWaiting): string {
  return JSON.stringify([w.ready, w.reason, w.message, w.restarts, w.lastEvent ?? '', w.permanent]);
}

export const waitReadyStep: Step = {
  title: a =>
    `wait until at least ${a.ready} new-version room${a.ready === 1 ? ' is' : 's are'} ready for players (${readyDefinition(a)})`,
  recorded: true,
  async run(run) {
    const need = run.rec.target.ready;
    const timeoutMs = run.plan.input.timeoutMs;
    const failFastMs = run.plan.input.failFastAfterMs ?? 0;
    const prefix = `${run.name}-`;
    const events = new PodEvents(run.client, run.ns, n => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)));
    await events.start();
    if (events.unavailable)
      run.emit({
        type: 'warning',
        message: `cannot read the Events of namespace ${run.ns} (${events.unavailable}); the waiting reasons come from the pods alone`,
      });
    const sent = new Map<string, string>();
    let lastReady = -1;
    const gssNow = (): ReadinessOf => run.cache.gameServerSet(run.name) ?? { network: false };
    const describe = (l: Look): { text: string; groups: ReasonGroup[] } => {
      const groups = groupReasons(l.rooms, room => {
        const pod = run.cache.pod(room);
        return events.lastEvent(room, pod?.metadata.uid);
      });
      return {
        text: [describeGroups(groups), ...l.other].filter(Boolean).join('; ') || 'no room is missing any more',
        groups,
      };
    };
    const tally = new Tally(run, events);
    try {
      const got = await new Promise<number>((resolve, reject) => {
        let stuckSince: number | undefined;
        let grace: NodeJS.Timeout | undefined;
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearTimeout(grace);
          offCache();
          offEvents();
          run.signal.removeEventListener('abort', onAbort);
          fn();
        };
        // `room`: the one room a watch event is about; 'set': the set changed; none: re-read the whole set.
        const evaluate = (room?: string | { set: true }): { stuck: boolean } => {
          const changed = room === undefined ? tally.all() : typeof room === 'string' ? tally.one(room) : tally.set();
          const l = { ready: tally.ready, stuck: tally.stuck(need) };
          for (const w of changed) {
            const k = roomKey(w);
            if (sent.get(w.room) === k) continue;
            sent.set(w.room, k);
            run.emit({
              type: 'room-waiting',
              step: 'wait-ready',
              ...w,
              ...(w.lastEvent ? { lastEvent: w.lastEvent } : {}),
            });
          }
          if (l.ready !== lastReady) {
            lastReady = l.ready;
            run.progress(`${l.ready} of ${need} new-version rooms ready for players`, Math.min(l.ready, need), need);
          }
          if (l.ready >= need) {
            finish(() => resolve(l.ready));
            return l;
          }
          if (failFastMs > 0 && l.stuck) {
            if (stuckSince === undefined) {
              stuckSince = Date.now();
              grace = setTimeout(() => {
                const now = evaluate();
                if (stuckSince === undefined || !now.stuck) return;
                const d = describe(look(run, events, need));
                finish(() =>
                  reject(
                    new NotReadyInTime(
                      `the new rooms do not become ready and will not by themselves (for ${seconds(failFastMs)}): ${d.text}`,
                      d.groups,
                      true,
                    ),
                  ),
                );
              }, failFastMs);
            }
          } else if (stuckSince !== undefined) {
            stuckSince = undefined;
            clearTimeout(grace);
          }
          return l;
        };
        const onAbort = () => finish(() => reject(run.signal.reason));
        const timer = setTimeout(() => {
          const l = look(run, events, need);
          const d = describe(l);
          finish(() =>
            reject(
              new NotReadyInTime(
                `only ${l.ready} of ${need} new-version rooms are ready for players (${readyDefinition(gssNow())}) after ${seconds(timeoutMs)}: ${d.text}`,
                d.groups,
                false,
              ),
            ),
          );
        }, timeoutMs);
        const offCache = run.cache.onChange(e => {
          if (e.kind === 'gameserversets') {
            if (e.name === run.name) evaluate({ set: true });
          } else evaluate(e.name);
        });
        const offEvents = events.onChange(pod => {
          evaluate(pod);
        });
        run.signal.addEventListener('abort', onAbort, { once: true });
        if (run.signal.aborted) {
          onAbort();
          return;
        }
        evaluate();
      });
      return { result: 'done', message: `${got} new-version room${got === 1 ? ' is' : 's are'} ready for players` };
    } finally {
      events.stop();
    }
  },
};
