// The run step's model: the progress fold, every room of the set as the host last showed it (in name order), and
// the counts over time. Each progress message is applied once and says what it changed, so the page updates
// only that. Saved with the page's state in this compact form (never the events themselves).
//
// Pure TypeScript (no node, no vscode, no DOM).
import type { PlannedRollbackStep } from '../release/rollbackTypes.js';
import type { PlannedStep } from '../release/types.js';
import type { FeedEvent, RollbackFeedEvent, RoomRow, Sample } from './feed.js';
import { foldProgress, initialProgress, type Progress } from './progress.js';

/** What one message changed. */
export interface RunChange {
  /** Indexes of the steps that changed. */
  steps: number[];
  /** Warnings added (their index from). */
  warningsFrom: number;
  /** Rooms added or changed; `added`: the order changed. */
  rooms: number;
  added: boolean;
  sample: boolean;
  ready: boolean;
}

export interface SavedRun {
  progress: Progress;
  rooms: RoomRow[];
  samples: Sample[];
}

/** A name's sort key: numbers padded, so a plain comparison puts fleet-9 before fleet-10 (and is cheap). */
const keyOf = (name: string): string => name.replace(/\d+/g, d => d.padStart(12, '0'));

export class RunModel {
  progress: Progress;
  private readonly rows = new Map<string, RoomRow>();
  private order: RoomRow[] = [];
  private keys: string[] = [];
  private readonly at = new Map<string, number>();
  samples: Sample[];

  constructor(progress: Progress, rooms: readonly RoomRow[] = [], samples: readonly Sample[] = []) {
    this.progress = progress;
    for (const r of rooms) this.rows.set(r.name, r);
    this.order = [...this.rows.values()]
      .map(r => [keyOf(r.name), r] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, r]) => r);
    this.keys = this.order.map(r => keyOf(r.name));
    this.index(0);
    this.samples = [...samples];
  }

  /** A run replayed from its events (a snapshot from the host). */
  static replay(
    events: readonly (FeedEvent | RollbackFeedEvent)[],
    rooms: readonly RoomRow[],
    samples: readonly Sample[],
    planned?: readonly (PlannedStep | PlannedRollbackStep)[],
  ): RunModel {
    return new RunModel(events.reduce(foldProgress, initialProgress(planned)), rooms, samples);
  }

  /** A run as the page saved it (checked for shape: a corrupt one starts empty). */
  static restore(saved: unknown): RunModel {
    const s = saved as Partial<SavedRun> | undefined;
    if (
      !s ||
      typeof s !== 'object' ||
      !s.progress ||
      !Array.isArray(s.progress.steps) ||
      !Array.isArray(s.rooms) ||
      !Array.isArray(s.samples)
    )
      return new RunModel(initialProgress());
    return new RunModel(s.progress, s.rooms, s.samples);
  }

  saved(): SavedRun {
    return { progress: this.progress, rooms: this.order, samples: this.samples };
  }

  /** The rooms, in name order (numbers as numbers: fleet-9 before fleet-10). */
  rooms(): readonly RoomRow[] {
    return this.order;
  }

  apply(m: {
    events: readonly (FeedEvent | RollbackFeedEvent)[];
    rooms?: readonly RoomRow[];
    sample?: Sample;
  }): RunChange {
    const before = this.progress;
    let p = before;
    for (const e of m.events) p = foldProgress(p, e);
    this.progress = p;
    const steps: number[] = [];
    p.steps.forEach((s, i) => {
      if (s !== before.steps[i]) steps.push(i);
    });
    let added = false;
    let from = Infinity;
    for (const r of m.rooms ?? []) {
      const old = this.rows.get(r.name);
      this.rows.set(r.name, r);
      if (old) {
        this.order[this.at.get(r.name)!] = r;
        continue;
      }
      // A new room goes where its name sorts (binary search): no re-sort of thousands of rows per message.
      added = true;
      const key = keyOf(r.name);
      let lo = 0,
        hi = this.keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.keys[mid] < key) lo = mid + 1;
        else hi = mid;
      }
      this.keys.splice(lo, 0, key);
      this.order.splice(lo, 0, r);
      from = Math.min(from, lo);
    }
    if (added) this.index(from);
    if (m.sample) this.samples.push(m.sample);
    return {
      steps,
      warningsFrom: before.warnings.length,
      rooms: m.rooms?.length ?? 0,
      added,
      sample: !!m.sample,
      ready: p.ready !== before.ready || p.roomResults !== before.roomResults,
    };
  }

  /** Positions from `from` on (they moved). */
  private index(from: number): void {
    for (let i = from; i < this.order.length; i++) this.at.set(this.order[i].name, i);
  }
}
