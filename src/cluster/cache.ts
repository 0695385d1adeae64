// Watch-driven caches of one namespace: GameServerSets, GameServers and their Pods, each kept by a
// Reflector (list, then watch; re-list on 410 and after any failure, with backoff). One cache per namespace
// and connection, shared by everyone who holds a reference: the tree, a release, an open YAML document.
// Only the last reference stops it, so reloading the tree never stops work in progress. Of each GameServer and
// Pod it keeps only what its readers use (slim.ts).
import type { OkgClient } from './client.js';
import {
  gameServerSetView,
  LABEL_OWNER_GSS,
  OKG_GROUP,
  OKG_VERSION,
  roomView,
  type GameServerSetView,
  type RawObject,
  type RoomView,
} from './okg.js';
import { ClusterError, toClusterError } from './errors.js';
import { Reflector, type Obj, type ReflectorOptions } from './reflector.js';
import { slimGameServer, slimPod } from './slim.js';

type Kind = 'gameserversets' | 'gameservers' | 'pods';
const KINDS: readonly Kind[] = ['gameserversets', 'gameservers', 'pods'];
const RESOURCE: Record<Kind, string> = {
  gameserversets: `gameserversets.${OKG_GROUP}`,
  gameservers: `gameservers.${OKG_GROUP}`,
  pods: 'pods',
};

export interface ChangeEvent {
  kind: Kind;
  type: 'add' | 'update' | 'delete';
  name: string;
  /** The GameServerSet a GameServer or Pod belongs to (its owner label), also on a delete. */
  owner?: string;
}

export interface CacheOptions extends ReflectorOptions {
  /**
   * List the GameServerSets first and the rooms (GameServers, Pods) once that list is in: the tree's first rows
   * need only the sets, and a server busy answering 10,000 rooms would otherwise answer the sets last.
   */
  setsFirst?: boolean;
}

/** One holder's reference to a NamespaceCache. Releasing it twice releases it once. */
export interface CacheLease {
  readonly cache: NamespaceCache;
  release(): void;
  dispose(): void;
}

export class NamespaceCache {
  private readonly reflectors = new Map<Kind, Reflector>();
  private readonly listeners = new Set<(e: ChangeEvent) => void>();
  private readonly statusListeners = new Set<() => void>();
  private readonly stopListeners = new Set<() => void>();
  private readonly errors = new Map<Kind, ClusterError>();
  private readonly listed = new Set<Kind>();
  private waiters: { resolve(): void; reject(e: ClusterError): void }[] = [];
  private begun = false;
  private stopped = false;
  private refs = 0;
  /** Watch (re)connections per resource, for request accounting. */
  readonly connects = new Map<Kind, number>();
  /** GameServer names by GameServerSet, and room views built once per change, so an event costs O(1) to absorb. */
  private readonly byGss = new Map<string, Set<string>>();
  private readonly gssOf = new Map<string, string>();
  private readonly views = new Map<string, RoomView>();

  constructor(
    readonly client: OkgClient,
    readonly namespace: string,
    private readonly opts: CacheOptions = {},
  ) {}

  /** Why the cache is not live now (the first failing collection's sentence); cleared once a list succeeds. */
  get error(): ClusterError | undefined {
    for (const k of KINDS) {
      const e = this.errors.get(k);
      if (e) return e;
    }
    return undefined;
  }

  /** Every collection has been listed and none is failing. */
  get live(): boolean {
    return !this.stopped && this.listed.size === KINDS.length && this.errors.size === 0;
  }

  /** This collection's first list has arrived (the tree shows the sets before the rooms are in). */
  hasListed(kind: Kind): boolean {
    return this.listed.has(kind);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Starts the watches (once). Resolves when every collection has been listed (at once, if that happened
   * before); rejects with the failure when a collection's first list fails. After a rejection the cache
   * keeps retrying with backoff until its last holder lets go, and reports through `onStatus` when it
   * becomes live. A later failure does not reject: `error` says what is failing now.
   */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    if (!this.begun) {
      this.begun = true;
      for (const kind of KINDS) this.reflectors.set(kind, this.reflector(kind));
      const rooms = () => {
        for (const k of ['gameservers', 'pods'] as const)
          this.reflectors
            .get(k)!
            .relist()
            .catch(() => undefined);
      };
      const sets = this.reflectors.get('gameserversets')!.relist();
      // Either way the rooms are listed: a failed sets list is retried by its reflector, as any other.
      if (this.opts.setsFirst) void sets.then(rooms, rooms);
      else {
        sets.catch(() => undefined);
        rooms();
      }
    }
    if (this.listed.size === KINDS.length) return Promise.resolve();
    const never = KINDS.find(k => !this.listed.has(k) && this.errors.has(k));
    if (never) return Promise.reject(this.errors.get(never));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Lists every collection again now (Refresh), skipping any backoff; settles like `start()`. */
  async resync(): Promise<void> {
    if (!this.begun) return this.start();
    if (this.stopped) throw this.stoppedError();
    try {
      await Promise.all([...this.reflectors.values()].map(r => r.relist()));
    } catch {
      throw this.error ?? new ClusterError(`the caches of namespace ${this.namespace} could not be listed`, 'other');
    }
  }

  private reflector(kind: Kind): Reflector {
    const ns = this.namespace;
    const c = this.client;
    const base = `/apis/${OKG_GROUP}/${OKG_VERSION}/namespaces/${ns}`;
    const selector = kind === 'pods' ? LABEL_OWNER_GSS : undefined;
    const path = kind === 'pods' ? `/api/v1/namespaces/${ns}/pods` : `${base}/${kind}`;
    const list = async (): Promise<Obj[]> =>
      (kind === 'gameserversets'
        ? c.listGameServerSets(ns)
        : kind === 'gameservers'
          ? c.listGameServers(ns)
          : c.listPods(ns, LABEL_OWNER_GSS)) as Promise<Obj[]>;
    return new Reflector(
      c.kc,
      path,
      list,
      selector,
      {
        change: (type, o) => {
          if (kind !== 'gameserversets') this.absorb(kind, type, o);
          this.emit({ kind, type, name: o.metadata.name, owner: o.metadata.labels?.[LABEL_OWNER_GSS] });
        },
        listed: () => {
          const first = !this.listed.has(kind);
          this.listed.add(kind);
          const had = this.errors.delete(kind);
          if (this.listed.size === KINDS.length) for (const w of this.waiters.splice(0)) w.resolve();
          if (had || first) this.status();
        },
        failed: (err, verb) => {
          const e = toClusterError(err, { verb, resource: RESOURCE[kind], namespace: ns, server: c.server });
          this.errors.set(kind, e);
          // Only a collection that never listed makes start() fail; later failures are retried in the background.
          if (!this.listed.has(kind)) for (const w of this.waiters.splice(0)) w.reject(e);
          this.status();
        },
        watching: () => {
          this.connects.set(kind, (this.connects.get(kind) ?? 0) + 1);
        },
      },
      this.opts,
      kind === 'gameservers' ? slimGameServer : kind === 'pods' ? slimPod : undefined,
    );
  }

  /** Keeps the GameServerSet index and drops the stale room view. */
  private absorb(kind: Kind, type: ChangeEvent['type'], o: Obj): void {
    const name = o.metadata.name;
    this.views.delete(name);
    if (kind !== 'gameservers') return;
    const before = this.gssOf.get(name);
    const after = type === 'delete' ? undefined : (o.metadata.labels?.[LABEL_OWNER_GSS] ?? '');
    if (before === after) return;
    if (before !== undefined) {
      this.byGss.get(before)?.delete(name);
      this.gssOf.delete(name);
    }
    if (after !== undefined) {
      let set = this.byGss.get(after);
      if (!set) {
        set = new Set();
        this.byGss.set(after, set);
      }
      set.add(name);
      this.gssOf.set(name, after);
    }
  }

  private emit(e: ChangeEvent): void {
    for (const l of this.listeners) l(e);
  }

  onChange(listener: (e: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private list(kind: Kind): readonly Obj[] {
    return this.reflectors.get(kind)?.list() ?? [];
  }

  gameServerSets(): GameServerSetView[] {
    return this.list('gameserversets')
      .map(o => gameServerSetView(o))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  gameServerSet(name: string): GameServerSetView | undefined {
    const o = this.reflectors.get('gameserversets')?.get(name);
    return o ? gameServerSetView(o) : undefined;
  }

  /** Rooms of one GameServerSet (or all), by ordinal. */
  rooms(gameServerSet?: string): RoomView[] {
    const names = gameServerSet === undefined ? [...this.gssOf.keys()] : [...(this.byGss.get(gameServerSet) ?? [])];
    const out: RoomView[] = [];
    for (const n of names) {
      const r = this.room(n);
      if (r) out.push(r);
    }
    return out.sort((a, b) => a.gameServerSet.localeCompare(b.gameServerSet) || a.ordinal - b.ordinal);
  }

  room(name: string): RoomView | undefined {
    const cached = this.views.get(name);
    if (cached) return cached;
    const g = this.reflectors.get('gameservers')?.get(name);
    if (!g) return undefined;
    const view = roomView(g, this.reflectors.get('pods')?.get(name));
    this.views.set(name, view);
    return view;
  }

  /** A room's pod as kept (slim.ts: its container states and conditions say why it is not ready). */
  pod(name: string): RawObject | undefined {
    return this.reflectors.get('pods')?.get(name);
  }

  /** The pods with the owner label, as kept (slim.ts: their opsState and deletion-priority labels). */
  pods(): readonly RawObject[] {
    return this.list('pods');
  }

  /**
   * Resolves with the first non-undefined value of `probe`, evaluated now and after every change.
   * Rejects on timeout (with `describeTimeout()` as the message) or abort.
   */
  waitFor<T>(
    probe: () => T | undefined,
    opts: { timeoutMs: number; signal?: AbortSignal; describeTimeout?: () => string },
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = probe();
      if (first !== undefined) {
        resolve(first);
        return;
      }
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        off();
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => finish(() => reject(opts.signal!.reason));
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new ClusterError(opts.describeTimeout?.() ?? `timed out after ${opts.timeoutMs} ms`, 'timeout')),
          ),
        opts.timeoutMs,
      );
      const off = this.onChange(() => {
        const v = probe();
        if (v !== undefined) finish(() => resolve(v));
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Takes a reference (see `acquire`). Throws once the cache has stopped. */
  retain(): this {
    if (this.stopped) throw this.stoppedError();
    this.refs++;
    return this;
  }

  /** Drops one reference; the last one stops the watches. */
  async release(): Promise<void> {
    if (this.refs <= 0) return;
    if (--this.refs === 0) this.stop();
  }

  /** A reference for one holder: hold it for as long as you read the cache or wait on it. */
  acquire(): CacheLease {
    this.retain();
    let held = true;
    const release = (): void => {
      if (held) {
        held = false;
        void this.release();
      }
    };
    return { cache: this, release, dispose: release };
  }

  /** Called when any collection starts or stops failing (the tree shows or clears an error). */
  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called once, when the cache stops. */
  onStop(listener: () => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /** Stops now, whoever holds it (shutdown). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const r of this.reflectors.values()) r.stop();
    for (const w of this.waiters.splice(0)) w.reject(this.stoppedError());
    for (const l of [...this.stopListeners]) l();
    this.stopListeners.clear();
  }

  private status(): void {
    for (const l of [...this.statusListeners]) l();
  }

  private stoppedError(): ClusterError {
    return new ClusterError(
      `the cache of namespace ${this.namespace} on ${this.client.server} has stopped; open it again from the Game Servers view`,
      'other',
    );
  }
}

/** One NamespaceCache per namespace of one connection, shared by every holder (tree, releases, CLI). */
export class ClusterCache {
  private readonly caches = new Map<string, NamespaceCache>();
  private idle: (() => void)[] = [];

  constructor(
    readonly client: OkgClient,
    private readonly opts: CacheOptions = {},
  ) {}

  /** A reference to the namespace's shared cache, started (or starting: await `lease.cache.start()`). */
  acquire(ns: string): CacheLease {
    let c = this.caches.get(ns);
    if (!c || c.isStopped) {
      const fresh = new NamespaceCache(this.client, ns, this.opts);
      fresh.onStop(() => {
        if (this.caches.get(ns) === fresh) this.caches.delete(ns);
        if (!this.caches.size) for (const f of this.idle.splice(0)) f();
      });
      this.caches.set(ns, fresh);
      c = fresh;
    }
    const lease = c.acquire();
    c.start().catch(() => undefined);
    return lease;
  }

  /** A started cache with a reference taken (release it once); rejects, holding nothing, when a first list fails. */
  async namespace(ns: string): Promise<NamespaceCache> {
    const lease = this.acquire(ns);
    try {
      await lease.cache.start();
    } catch (e) {
      lease.release();
      throw e instanceof ClusterError
        ? e
        : toClusterError(e, {
            verb: 'list',
            resource: RESOURCE.gameservers,
            namespace: ns,
            server: this.client.server,
          });
    }
    return lease.cache;
  }

  /** Runs `fn` once no namespace cache is held any more (now, if none is). */
  whenIdle(fn: () => void): void {
    if (!this.caches.size) fn();
    else this.idle.push(fn);
  }

  /** Stops every cache now, whoever holds it: for shutdown only. */
  async dispose(): Promise<void> {
    for (const c of [...this.caches.values()]) c.stop();
    this.caches.clear();
  }
}
