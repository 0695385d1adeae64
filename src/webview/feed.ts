// What the host sends of a running release (or rollback), as it sends it: the engine's events with long room lists taken out
// of their text (summarised as "1,000 rooms; first 20: …" and sent as data), an event log that keeps only the
// last progress line of each step (replayed to a webview that reloads), the rooms as the host's cache shows them,
// and the counts of rooms by version and state sampled over time (the run's picture).
//
// Pure TypeScript (no node, no vscode, no DOM): the host builds these, the webview and tests read them.
import type { RollbackEvent, RollbackStepName } from '../release/rollbackTypes.js';
import type { ReleaseEvent, StepName } from '../release/types.js';

/** An engine event whose text may have had its room lists taken out into `rooms`. */
type Listed<E> = E extends { message: string } ? E & { rooms?: string[] } : E;
/** A room's waiting reason: not sent as an event, the host puts it on the room's row. */
export type RoomWaiting = Extract<ReleaseEvent, { type: 'room-waiting' }>;
export type FeedEvent = Listed<Exclude<ReleaseEvent, RoomWaiting>>;
/** A rollback's event as the host sends it (the same translation as a release's). */
export type RollbackFeedEvent = Listed<RollbackEvent>;

/** One room as the host's cache shows it now. `gone`: deleted or being deleted. */
export interface RoomRow {
  name: string;
  version: 'old' | 'new';
  state: string;
  opsState: string;
  gone?: boolean;
  /** Why the room is where it is (the engine's reason for a skip or failure; later: waiting reason, restarts). */
  reason?: string;
}

/** Rooms by version and state at time `t` (ms since the run started). */
export interface Sample {
  t: number;
  /** Old-version rooms, neither marked nor gone (idle, protected or with players). */
  old: number;
  newReady: number;
  newNotReady: number;
  /** Old-version rooms marked WaitToBeDeleted or Kill, not gone yet. */
  marked: number;
  /** Old-version rooms deleted (or being deleted) since the run started. */
  reclaimed: number;
}
export const SERIES = [
  'old',
  'marked',
  'reclaimed',
  'newNotReady',
  'newReady',
] as const satisfies readonly (keyof Sample)[];

/** Lists longer than this are summarised in text. */
export const LIST_SHOWN = 20;
/** Longest text the host sends in an event (the contract's limit is 8192). */
export const FEED_TEXT = 4000;

// A name as Kubernetes spells it, optionally followed by one parenthesised remark: "minecraft-7 (WaitToBeDeleted)".
const NAME = '[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?';
const ITEM = `${NAME}(?: \\([^()]{0,200}\\))?`;
const LONG_LIST = new RegExp(`(?<![-a-z0-9.])${ITEM}(?:, ${ITEM}){${LIST_SHOWN},}(?![-a-z0-9]|\\.[a-z0-9])`, 'g');
const HAS_LONG_LIST = new RegExp(LONG_LIST.source);
const ITEM_NAME = new RegExp(`^${NAME}`);

const thousands = (n: number): string => n.toLocaleString('en-US');

/**
 * `text` with every comma-separated list of more than LIST_SHOWN room names replaced by "N rooms; first 20: …",
 * the names of those lists in `rooms` (in order), and the result cut to `max` characters.
 */
export function summarise(text: string, max = FEED_TEXT): { text: string; rooms?: string[] } {
  const rooms: string[] = [];
  const short = text.replace(LONG_LIST, list => {
    const items = list.split(', ');
    for (const it of items) rooms.push(ITEM_NAME.exec(it)![0]);
    return `${thousands(items.length)} rooms; first ${LIST_SHOWN}: ${items.slice(0, LIST_SHOWN).join(', ')}, …`;
  });
  const cut = short.length > max ? `${short.slice(0, max - 1)}…` : short;
  return rooms.length ? { text: cut, rooms } : { text: cut };
}

/** The plan (a release's or a rollback's) with its warnings summarised (a warning can name every room of a large set). */
export function fitPlan<P extends { warnings: string[] }>(plan: P): P {
  return plan.warnings.some(w => w.length > FEED_TEXT || HAS_LONG_LIST.test(w))
    ? { ...plan, warnings: plan.warnings.map(w => summarise(w).text) }
    : plan;
}

/** A waiting room's Reason cell: why it is not ready, its restarts and its pod's last Event (empty once ready). */
export function waitingReason(e: RoomWaiting): string | undefined {
  if (e.ready) return undefined;
  const parts = [e.message && e.message !== e.reason ? `${e.reason}: ${e.message}` : e.reason];
  if (e.restarts) parts.push(`${e.restarts} restart${e.restarts === 1 ? '' : 's'}`);
  if (e.lastEvent && e.lastEvent !== e.message) parts.push(`last event: ${e.lastEvent}`);
  return summarise(parts.filter(Boolean).join(' · '), 1000).text || undefined;
}

/** The event as the host sends it: its text summarised, its long room lists as data. */
export function toFeed(e: Exclude<ReleaseEvent, RoomWaiting>): FeedEvent;
export function toFeed(e: RollbackEvent): RollbackFeedEvent;
export function toFeed(e: Exclude<ReleaseEvent, RoomWaiting> | RollbackEvent): FeedEvent | RollbackFeedEvent {
  switch (e.type) {
    case 'step-progress':
    case 'step-done':
    case 'warning':
    case 'failed': {
      const s = summarise(e.message);
      return { ...e, message: s.text, ...(s.rooms ? { rooms: s.rooms } : {}) };
    }
    case 'planned':
      return { ...e, plan: fitPlan<typeof e.plan>(e.plan) } as FeedEvent | RollbackFeedEvent;
    case 'room-changed':
      return e.reason !== undefined && e.reason.length > 1000 ? { ...e, reason: summarise(e.reason, 1000).text } : e;
    default:
      return e;
  }
}

/**
 * Events in order, where a step's progress line replaces the one before it (the run view shows only the last):
 * what a batch carries and what a webview that reloads gets replayed.
 */
export class FeedLog<E extends FeedEvent | RollbackFeedEvent = FeedEvent> {
  private items: (E | undefined)[] = [];
  private lastProgress = new Map<StepName | RollbackStepName, number>();
  private holes = 0;

  push(e: E): void {
    if (e.type === 'step-progress') {
      const at = this.lastProgress.get(e.step);
      if (at !== undefined) {
        this.items[at] = undefined;
        this.holes++;
      }
      this.lastProgress.set(e.step, this.items.length);
    }
    this.items.push(e);
    if (this.holes > 1000 && this.holes > this.items.length / 2) this.compact();
  }

  get length(): number {
    return this.items.length - this.holes;
  }

  events(): E[] {
    return this.items.filter((e): e is E => e !== undefined);
  }

  /** The events, emptying the log. */
  take(): E[] {
    const out = this.events();
    this.items = [];
    this.lastProgress.clear();
    this.holes = 0;
    return out;
  }

  private compact(): void {
    const kept = this.events();
    this.items = kept;
    this.holes = 0;
    this.lastProgress.clear();
    kept.forEach((e, i) => {
      if (e.type === 'step-progress') this.lastProgress.set(e.step, i);
    });
  }
}

const MARKS = ['WaitToBeDeleted', 'Kill'];

/** The counts of `rows` at time `t`. */
export function sampleOf(rows: Iterable<RoomRow>, t: number): Sample {
  const s: Sample = { t, old: 0, newReady: 0, newNotReady: 0, marked: 0, reclaimed: 0 };
  for (const r of rows) {
    if (r.version === 'new') {
      if (!r.gone) {
        if (r.state === 'Ready') s.newReady++;
        else s.newNotReady++;
      }
    } else if (r.gone) s.reclaimed++;
    else if (MARKS.includes(r.opsState)) s.marked++;
    else s.old++;
  }
  return s;
}

/** Same counts (the time aside). */
export const sameCounts = (a: Sample, b: Sample): boolean => SERIES.every(k => a[k] === b[k]);

/**
 * Samples kept to at most `max`: when full, every other one of the older half is dropped (the first and the
 * latest stay), so a long run keeps its whole shape at a coarser grain.
 */
export function keepSample(samples: Sample[], s: Sample, max = 600): Sample[] {
  samples.push(s);
  if (samples.length <= max) return samples;
  const half = Math.floor(samples.length / 2);
  return [samples[0], ...samples.slice(1, half).filter((_, i) => i % 2 === 1), ...samples.slice(half)];
}
