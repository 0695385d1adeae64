// What the host streams to the wizard of a running release (or rollback): the engine's events, translated (feed.ts) and batched
// (at most one message per interval however fast rooms change; a step's progress line replaces the one before it
// in a batch), the rooms of the set as the cache shows them (only those that changed since the last message),
// and the counts of rooms by version and state when they change. Keeps what a webview that reloads is replayed.
import type { NamespaceCache } from '../cluster/cache.js';
import { isNewVersion, type ContainerImage, type RoomView } from '../cluster/okg.js';
import type { RollbackEvent } from '../release/rollbackTypes.js';
import type { ReleaseEvent } from '../release/types.js';
import {
  FeedLog,
  keepSample,
  sameCounts,
  sampleOf,
  toFeed,
  waitingReason,
  type FeedEvent,
  type RollbackFeedEvent,
  type RoomRow,
  type RoomWaiting,
  type Sample,
} from '../webview/feed.js';
import { schemas, type ProgressMessage } from '../webview/protocol.js';

/** The shortest time between two progress messages. */
export const BATCH_MS = 40;
/** Most events in one message (a longer batch is split). */
const MAX_EVENTS = 5000;

export interface FeedSnapshot {
  events: (FeedEvent | RollbackFeedEvent)[];
  rooms: RoomRow[];
  samples: Sample[];
}

export class RunFeed {
  private readonly all = new FeedLog<FeedEvent | RollbackFeedEvent>();
  private readonly pending = new FeedLog<FeedEvent | RollbackFeedEvent>();
  private readonly rows = new Map<string, RoomRow>();
  private readonly reasons = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private readonly refused = new Set<string>();
  /** Rooms, and the counts, that no message has carried yet (at first: all of them). */
  private readonly unsent = new Set<string>();
  private sampleSent = false;
  private samples: Sample[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private lastSent = 0;
  private readonly started = Date.now();
  private readonly unwatch: () => void;
  private stopped = false;
  /** Messages sent (tests read it). */
  messages = 0;

  constructor(
    private readonly cache: Pick<NamespaceCache, 'rooms' | 'room' | 'onChange'>,
    private readonly set: string,
    private readonly images: ContainerImage[],
    private readonly send: (m: ProgressMessage) => void,
    private readonly warn: (line: string) => void,
    private readonly intervalMs = BATCH_MS,
    /** Whose events these are: a release's or a rollback's (each checked against its own schema). */
    private readonly kind: 'release' | 'rollback' = 'release',
  ) {
    for (const r of cache.rooms(set)) if (this.keepRow(this.rowOf(r.name, r))) this.unsent.add(r.name);
    this.samples.push(sampleOf(this.rows.values(), 0));
    this.schedule();
    this.unwatch = cache.onChange(e => {
      if (e.kind !== 'gameservers' && e.kind !== 'pods') return;
      if (!this.rows.has(e.name) && this.cache.room(e.name)?.gameServerSet !== this.set) return;
      this.dirty.add(e.name);
      this.schedule();
    });
  }

  /** One engine event: translated, checked, queued for the next message (a room's waiting reason goes on its row). */
  event(e: ReleaseEvent | RollbackEvent): void {
    if (this.stopped) return;
    if (e.type === 'room-waiting') {
      const reason = waitingReason(e);
      if (reason) this.reasons.set(e.room, reason);
      else this.reasons.delete(e.room);
      this.dirty.add(e.room);
      this.schedule();
      return;
    }
    const fe = this.kind === 'rollback' ? toFeed(e as RollbackEvent) : toFeed(e as Exclude<ReleaseEvent, RoomWaiting>);
    const problem = (this.kind === 'rollback' ? schemas.rollbackFeedEvent : schemas.feedEvent).check(fe, 'event');
    if (problem) {
      this.warn(`release wizard: not sending a ${e.type} event the wizard cannot show (${problem})`);
      return;
    }
    if (fe.type === 'room-changed' && fe.reason) {
      this.reasons.set(fe.room, fe.reason);
      this.dirty.add(fe.room);
    }
    this.all.push(fe);
    this.pending.push(fe);
    this.schedule();
  }

  /** Sends what is queued now (before the run's result, and before a snapshot, so nothing is sent twice). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const name of this.dirty) {
      const row = this.rowOf(name, this.cache.room(name));
      const before = this.rows.get(name);
      if (row && (!before || JSON.stringify(before) !== JSON.stringify(row)) && this.keepRow(row))
        this.unsent.add(name);
    }
    this.dirty.clear();
    const rooms = [...this.unsent].map(n => this.rows.get(n)!);
    this.unsent.clear();
    let sample: Sample | undefined = sampleOf(this.rows.values(), Date.now() - this.started);
    if (sameCounts(sample, this.samples[this.samples.length - 1]))
      sample = this.sampleSent ? undefined : this.samples[this.samples.length - 1];
    else this.samples = keepSample(this.samples, sample);
    this.sampleSent = true;
    const events = this.pending.take();
    if (!events.length && !rooms.length && !sample) return;
    this.lastSent = Date.now();
    for (let i = 0; i === 0 || i < events.length; i += MAX_EVENTS) {
      const last = i + MAX_EVENTS >= events.length;
      this.messages++;
      this.send({
        type: 'progress',
        events: events.slice(i, i + MAX_EVENTS),
        ...(last && rooms.length ? { rooms } : {}),
        ...(last && sample ? { sample } : {}),
      });
    }
  }

  /** Everything so far, for a webview that (re)loads (pending events are sent to the others first). */
  snapshot(): FeedSnapshot {
    if (!this.stopped) this.flush();
    return { events: this.all.events(), rooms: [...this.rows.values()], samples: [...this.samples] };
  }

  /** The run is over: send what is left and stop following the cache. */
  stop(): void {
    if (this.stopped) return;
    this.flush();
    this.stopped = true;
    this.unwatch();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastSent + this.intervalMs - Date.now()));
  }

  /** The room as the cache shows it; a room that is gone keeps what it last was. */
  private rowOf(name: string, r: RoomView | undefined): RoomRow | undefined {
    const before = this.rows.get(name);
    const reason = this.reasons.get(name);
    if (!r || r.terminating) {
      if (!before) return undefined;
      return { ...before, gone: true, ...(reason ? { reason } : {}) };
    }
    return {
      name,
      version: isNewVersion(r, this.images) ? 'new' : 'old',
      state: r.state,
      opsState: r.opsState,
      ...(reason ? { reason } : {}),
    };
  }

  /** Keeps a row that the contract accepts (a room with values the wizard cannot show is left out, once said). */
  private keepRow(row: RoomRow | undefined): boolean {
    if (!row) return false;
    const problem = schemas.roomRow.check(row, 'room');
    if (problem) {
      if (!this.refused.has(row.name))
        this.warn(
          `release wizard: room ${/^[a-z0-9.-]{1,253}$/.test(row.name) ? row.name : '(unnamed)'} has values the wizard cannot show (${problem}); left out`,
        );
      this.refused.add(row.name);
      return false;
    }
    this.rows.set(row.name, row);
    return true;
  }
}
