// A deduplicating work queue keyed by object (like client-go's workqueue): a key is queued at most once, is
// never processed by two workers at once, and a key added while it is being processed runs again afterwards.
// Delayed adds are timers owned by the queue, so `idle()` knows about every pending piece of work — except
// background work (a failing room's endless back-offs): its timers, adds and runs neither keep the queue busy nor
// count as activity. Work added both ways is foreground.

export type Handler = (key: string) => Promise<void>;

export class WorkQueue {
  private readonly items: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  /** keys with foreground work queued or dirty (the next run is foreground) */
  private readonly foregroundPending = new Set<string>();
  /** keys whose current run is foreground */
  private readonly foregroundRunning = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout; background: boolean }>();
  private foregroundTimers = 0;
  private readonly failures = new Map<string, number>();
  private active = 0;
  private stopped = false;
  private waiters: (() => void)[] = [];
  /** time of the last foreground add (for settle detection) */
  lastActivity = Date.now();

  constructor(
    private readonly handler: Handler,
    private readonly concurrency = 32,
    private readonly onError: (key: string, err: unknown) => void = () => undefined,
  ) {}

  add(key: string, background = false): void {
    if (this.stopped) return;
    if (!background) {
      this.lastActivity = Date.now();
      this.foregroundPending.add(key);
    }
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.enqueue(key);
  }

  private enqueue(key: string): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.items.push(key);
    this.pump();
  }

  /**
   * Add `key` after `ms`; an earlier pending timer for the same key wins (and is foreground if either is).
   * A background timer does not keep `idle()` false and its add does not count as activity.
   */
  addAfter(key: string, ms: number, background = false): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key, background);
      return;
    }
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) {
      if (!background && existing.background) {
        existing.background = false;
        this.foregroundTimers++;
      }
      return;
    }
    if (existing) this.clearTimer(key, existing);
    const entry = {
      at,
      background,
      timer: setTimeout(() => {
        this.clearTimer(key, entry);
        this.add(key, entry.background);
        this.notify();
      }, ms),
    };
    this.timers.set(key, entry);
    if (!background) this.foregroundTimers++;
  }

  private clearTimer(key: string, t: { timer: NodeJS.Timeout; background: boolean }): void {
    clearTimeout(t.timer);
    if (this.timers.get(key) === t) this.timers.delete(key);
    if (!t.background) this.foregroundTimers--;
  }

  /** Forget retry back-off for `key` (call after a successful sync). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** No foreground work queued, running or timed. */
  idle(): boolean {
    return this.foregroundPending.size === 0 && this.foregroundRunning.size === 0 && this.foregroundTimers === 0;
  }

  /** Pending foreground timers. */
  pendingTimers(): number {
    return this.foregroundTimers;
  }

  /** Resolves the next time the queue becomes idle (immediately if it is). */
  whenIdle(): Promise<void> {
    if (this.idle() || this.stopped) return Promise.resolve();
    return new Promise(resolve => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.foregroundTimers = 0;
    this.items.length = 0;
    this.head = 0;
    this.queued.clear();
    this.foregroundPending.clear();
    this.notify(true);
  }

  private notify(force = false): void {
    if (!force && !this.idle()) return;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency && this.head < this.items.length) {
      const key = this.items[this.head++];
      if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.processing.add(key);
      if (this.foregroundPending.delete(key)) this.foregroundRunning.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    const background = !this.foregroundRunning.has(key);
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.onError(key, err);
      this.addAfter(key, Math.min(1000, 5 * 2 ** Math.min(n, 10)), background);
    } finally {
      this.processing.delete(key);
      this.foregroundRunning.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.enqueue(key);
      this.pump();
      this.notify();
    }
  }
}
