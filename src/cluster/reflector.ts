// One collection of one namespace kept in memory: list, then watch from where the list (or the last event)
// left off, as client-go's reflector does. A failed list or watch is retried after an exponential backoff
// with jitter (0.5 s doubling to 30 s; 401/403/404 start at 30 s, since a token or RBAC rarely fixes itself
// within seconds), and always through a fresh list, so the error clears only once a list has succeeded.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { RawObject } from './okg.js';

export type Obj = RawObject & { metadata: RawObject['metadata'] & { resourceVersion?: string } };

/** Timers and the clock, injectable so a test can step through 30 s of retries without waiting for them. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: h => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  initialMs?: number;
  /** Longest delay, and the first one for failures that need a person to fix them. Default 30 s. */
  capMs?: number;
  /** Random in [0, 1). */
  random?: () => number;
}

/** Exponential backoff with jitter: each delay is the doubled base minus up to 20 %, never above the cap. */
export class Backoff {
  private base = 0;
  constructor(private readonly opts: BackoffOptions = {}) {}

  /** The next delay; `slow` jumps straight to the cap (401, 403, 404: retrying sooner only adds load). */
  next(slow = false): number {
    const initial = this.opts.initialMs ?? 500;
    const cap = this.opts.capMs ?? 30_000;
    this.base = slow ? cap : this.base ? Math.min(cap, this.base * 2) : initial;
    // Jitter downwards only, so the cap holds and two successive retries stay at least 0.8 × base apart.
    return Math.round(this.base * (1 - 0.2 * (this.opts.random ?? Math.random)()));
  }

  reset(): void {
    this.base = 0;
  }
}

/** Failures a retry cannot fix soon: credentials, permissions, a missing resource or namespace. */
export function needsPerson(err: unknown): boolean {
  const e = err as { status?: number; statusCode?: number; code?: unknown; kind?: string } | null;
  const code = e?.status ?? e?.statusCode ?? (typeof e?.code === 'number' ? e.code : undefined);
  return code === 401 || code === 403 || code === 404 || e?.kind === 'authPlugin';
}

export interface ReflectorHandlers {
  change(type: 'add' | 'update' | 'delete', o: Obj): void;
  /** A list succeeded: the collection is complete and current. */
  listed(): void;
  /** A list or watch failed; a retry (always through a list) is scheduled. */
  failed(err: unknown, verb: 'list' | 'watch'): void;
  /** A watch (re)connected. */
  watching(): void;
}

export interface ReflectorOptions {
  backoff?: BackoffOptions;
  timers?: Timers;
}

/** A watch up this long resets the backoff. */
const HEALTHY_MS = 10_000;

export class Reflector {
  private readonly objects = new Map<string, Obj>();
  private rv = '';
  private lists = 0;
  private stopped = false;
  private watch?: AbortController;
  /** The watch whose callbacks still count (an aborted or replaced one is ignored). */
  private current?: object;
  private retry?: unknown;
  private readonly backoff: Backoff;
  private readonly timers: Timers;
  private readonly watcher: Watch;

  constructor(
    kc: KubeConfig,
    private readonly path: string,
    private readonly listFn: () => Promise<Obj[]>,
    private readonly labelSelector: string | undefined,
    private readonly on: ReflectorHandlers,
    opts: ReflectorOptions = {},
    /** What is kept of each object listed or watched (slim.ts; everything by default). */
    private readonly keep: (o: Obj) => Obj = o => o,
  ) {
    this.backoff = new Backoff(opts.backoff);
    this.timers = opts.timers ?? realTimers;
    this.watcher = new Watch(kc);
  }

  get(name: string): Obj | undefined {
    return this.objects.get(name);
  }
  list(): Obj[] {
    return [...this.objects.values()];
  }

  /** Lists now (cancelling a scheduled retry); resolves once the list succeeded, rejects with its failure. */
  async relist(): Promise<void> {
    if (this.stopped) return;
    this.timers.clearTimeout(this.retry);
    this.retry = undefined;
    this.current = undefined;
    this.watch?.abort();
    this.watch = undefined;
    // Only the newest list applies: an older answer arriving late must not bring back deleted objects.
    const gen = ++this.lists;
    let items: Obj[];
    try {
      items = await this.listFn();
    } catch (e) {
      if (gen === this.lists) this.fail(e, 'list');
      throw e;
    }
    if (this.stopped || gen !== this.lists) return;
    this.replace(items);
    this.rv = '';
    this.on.listed();
    void this.rewatch();
  }

  stop(): void {
    this.stopped = true;
    this.current = undefined;
    this.timers.clearTimeout(this.retry);
    this.watch?.abort();
    this.watch = undefined;
  }

  private fail(err: unknown, verb: 'list' | 'watch'): void {
    if (this.stopped) return;
    this.on.failed(err, verb);
    this.schedule(this.backoff.next(needsPerson(err)), () => this.relist().catch(() => undefined));
  }

  private schedule(ms: number, fn: () => void): void {
    this.timers.clearTimeout(this.retry);
    this.retry = this.timers.setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) fn();
    }, ms);
  }

  /** Makes the store equal to a fresh list, reporting what changed. */
  private replace(items: Obj[]): void {
    const fresh = new Map(items.map(o => [o.metadata.name, this.keep(o)]));
    for (const [name, old] of this.objects)
      if (!fresh.has(name)) {
        this.objects.delete(name);
        this.on.change('delete', old);
      }
    for (const [name, o] of fresh) {
      const had = this.objects.has(name);
      this.objects.set(name, o);
      this.on.change(had ? 'update' : 'add', o);
    }
  }

  private async rewatch(): Promise<void> {
    if (this.stopped) return;
    const me = {};
    this.current = me;
    const started = this.timers.now();
    let events = 0;
    let ended = false;
    let gone = false;
    let failure: unknown;
    const mine = () => !this.stopped && this.current === me;
    const params: Record<string, string | boolean> = { allowWatchBookmarks: true };
    if (this.rv) params.resourceVersion = this.rv;
    if (this.labelSelector) params.labelSelector = this.labelSelector;
    const onEvent = (phase: string, o: Obj & { code?: number; message?: string }) => {
      if (!mine()) return;
      events++;
      if (phase === 'ERROR') {
        // 410 Gone: our resourceVersion is too old; anything else ends this watch as a failure.
        if (o.code === 410) gone = true;
        else failure = Object.assign(new Error(o.message ?? 'watch error'), { statusCode: o.code });
        return;
      }
      const name = o.metadata?.name;
      if (o.metadata?.resourceVersion) this.rv = o.metadata.resourceVersion;
      if (phase === 'BOOKMARK' || !name) return;
      const kept = this.keep(o);
      if (phase === 'DELETED') {
        if (this.objects.delete(name)) this.on.change('delete', kept);
      } else {
        const had = this.objects.has(name);
        this.objects.set(name, kept);
        this.on.change(had ? 'update' : 'add', kept);
      }
    };
    const onDone = (err: unknown) => {
      ended = true;
      if (!mine()) return;
      this.current = undefined;
      this.watch = undefined;
      const lived = this.timers.now() - started;
      const code = (err as { statusCode?: number } | null)?.statusCode;
      if (gone || code === 410) {
        this.relist().catch(() => undefined);
        return;
      }
      if (err ?? failure) {
        // Only a watch that stayed up a while proves the connection healthy (a successful list alone does
        // not: a server that lists but drops every watch would be listed every 0.5 s).
        if (lived >= HEALTHY_MS) this.backoff.reset();
        this.fail(err ?? failure, 'watch');
        return;
      }
      // The server ended the watch: resume from the last resourceVersion. A watch that ends at once,
      // having shown nothing, waits the next backoff delay first, so a flapping proxy cannot spin us.
      if (events || lived >= 1000) {
        this.backoff.reset();
        void this.rewatch();
      } else this.schedule(this.backoff.next(), () => void this.rewatch());
    };
    let controller: AbortController | undefined;
    try {
      controller = await this.watcher.watch(this.path, params, onEvent, onDone);
    } catch (e) {
      onDone(e);
      return;
    }
    if (!mine() || ended) {
      if (!ended) controller.abort();
      return;
    }
    this.watch = controller;
    this.on.watching();
  }
}
