// Step wait-ready: wait (watch-driven) until enough new-version rooms are ready for players (readiness.ts).
// Meanwhile each new room's reason is emitted when it changes (room-waiting); the pod Events come from one
// list and one watch for the whole wait (podEvents.ts). When the new rooms fail in a way that does not heal
// by itself for the grace period (input failFastAfterMs), the wait stops early; a timeout names the reasons.
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
        const evaluate = (): Look => {
          const l = look(run, events, need);
          for (const w of l.rooms) {
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
                const d = describe(now);
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
        const offCache = run.cache.onChange(() => {
          evaluate();
        });
        const offEvents = events.onChange(() => {
          evaluate();
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
