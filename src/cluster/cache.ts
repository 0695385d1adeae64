// Watch-driven caches of one namespace: GameServerSets, GameServers and their Pods, through client-node
// informers (list once, then watch; re-list on 410). Shared by every consumer of the same namespace and
// kubeconfig; restarted with backoff when a watch fails; waits are re-evaluated on events, never polled.
import { makeInformer, type Informer, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { OkgClient } from './client.js';
import { gameServerSetView, LABEL_OWNER_GSS, OKG_GROUP, OKG_VERSION, roomView, type GameServerSetView, type RawObject, type RoomView } from './okg.js';
import { ClusterError, toClusterError } from './errors.js';

type Obj = KubernetesObject & RawObject;
type Kind = 'gameserversets' | 'gameservers' | 'pods';

export interface ChangeEvent { kind: Kind; type: 'add' | 'update' | 'delete'; name: string }

export class NamespaceCache {
  private readonly informers = new Map<Kind, Informer<Obj> & ObjectCache<Obj>>();
  private readonly listeners = new Set<(e: ChangeEvent) => void>();
  private started?: Promise<void>;
  private stopped = false;
  private lastError?: ClusterError;
  private refs = 0;
  /** Watch (re)connections per resource, for request accounting. */
  readonly connects = new Map<Kind, number>();
  /** GameServer names by GameServerSet, and room views built once per change, so an event costs O(1) to absorb. */
  private readonly byGss = new Map<string, Set<string>>();
  private readonly gssOf = new Map<string, string>();
  private readonly views = new Map<string, RoomView>();

  constructor(readonly client: OkgClient, readonly namespace: string, private readonly restartDelayMs = 500) {}

  /** The last watch failure, if the caches are currently not live. */
  get error(): ClusterError | undefined { return this.lastError; }

  start(): Promise<void> {
    this.started ??= this.startAll();
    return this.started;
  }

  private async startAll(): Promise<void> {
    const ns = this.namespace;
    const c = this.client;
    const base = `/apis/${OKG_GROUP}/${OKG_VERSION}/namespaces/${ns}`;
    const defs: [Kind, string, () => Promise<{ items: Obj[] }>, string?][] = [
      ['gameserversets', `${base}/gameserversets`, async () => ({ items: (await c.listGameServerSets(ns)) as Obj[] })],
      ['gameservers', `${base}/gameservers`, async () => ({ items: (await c.listGameServers(ns)) as Obj[] })],
      ['pods', `/api/v1/namespaces/${ns}/pods`, async () => ({ items: (await c.listPods(ns, LABEL_OWNER_GSS)) as Obj[] }), LABEL_OWNER_GSS],
    ];
    await Promise.all(defs.map(async ([kind, path, list, selector]) => {
      const inf = makeInformer<Obj>(c.kc, path, list as never, selector);
      for (const type of ['add', 'update', 'delete'] as const) {
        inf.on(type, (o: Obj) => {
          if (kind !== 'gameserversets') this.absorb(kind, type, o);
          this.emit({ kind, type, name: o.metadata.name });
        });
      }
      inf.on('connect', () => {
        this.connects.set(kind, (this.connects.get(kind) ?? 0) + 1);
        this.lastError = undefined;
      });
      inf.on('error', (err: unknown) => {
        if (this.stopped) return;
        this.lastError = toClusterError(err, { verb: 'watch', resource: kind, namespace: ns, server: c.server });
        setTimeout(() => { if (!this.stopped) inf.start().catch(() => undefined); }, this.restartDelayMs);
      });
      this.informers.set(kind, inf);
      await inf.start();
    }));
  }

  /** Keeps the GameServerSet index and drops the stale room view. */
  private absorb(kind: Kind, type: ChangeEvent['type'], o: Obj): void {
    const name = o.metadata.name;
    this.views.delete(name);
    if (kind !== 'gameservers') return;
    const before = this.gssOf.get(name);
    const after = type === 'delete' ? undefined : o.metadata.labels?.[LABEL_OWNER_GSS] ?? '';
    if (before === after) return;
    if (before !== undefined) { this.byGss.get(before)?.delete(name); this.gssOf.delete(name); }
    if (after !== undefined) {
      let set = this.byGss.get(after);
      if (!set) { set = new Set(); this.byGss.set(after, set); }
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
    return this.informers.get(kind)?.list(this.namespace) ?? [];
  }

  gameServerSets(): GameServerSetView[] {
    return this.list('gameserversets').map(o => gameServerSetView(o)).sort((a, b) => a.name.localeCompare(b.name));
  }

  gameServerSet(name: string): GameServerSetView | undefined {
    const o = this.informers.get('gameserversets')?.get(name, this.namespace);
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
    const g = this.informers.get('gameservers')?.get(name, this.namespace);
    if (!g) return undefined;
    const view = roomView(g, this.informers.get('pods')?.get(name, this.namespace));
    this.views.set(name, view);
    return view;
  }

  /** Raw pods with the owner label, for checks on what OKG's scale-down will read. */
  pods(): readonly RawObject[] { return this.list('pods'); }

  /**
   * Resolves with the first non-undefined value of `probe`, evaluated now and after every change.
   * Rejects on timeout (with `describeTimeout()` as the message) or abort.
   */
  waitFor<T>(probe: () => T | undefined, opts: { timeoutMs: number; signal?: AbortSignal; describeTimeout?: () => string }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = probe();
      if (first !== undefined) { resolve(first); return; }
      const finish = (fn: () => void) => { clearTimeout(timer); off(); opts.signal?.removeEventListener('abort', onAbort); fn(); };
      const onAbort = () => finish(() => reject(opts.signal!.reason));
      const timer = setTimeout(() => finish(() => reject(new ClusterError(opts.describeTimeout?.() ?? `timed out after ${opts.timeoutMs} ms`, 'timeout'))), opts.timeoutMs);
      const off = this.onChange(() => {
        const v = probe();
        if (v !== undefined) finish(() => resolve(v));
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  retain(): this { this.refs++; return this; }

  /** Drops one reference; the last one stops the watches. */
  async release(): Promise<void> {
    if (--this.refs > 0) return;
    this.stopped = true;
    await Promise.all([...this.informers.values()].map(i => i.stop()));
    this.informers.clear();
  }
}

/** One NamespaceCache per (client, namespace), shared by the tree, the engine and the CLI. */
export class ClusterCache {
  private readonly caches = new Map<string, NamespaceCache>();

  constructor(readonly client: OkgClient) {}

  async namespace(ns: string): Promise<NamespaceCache> {
    let c = this.caches.get(ns);
    if (!c) {
      c = new NamespaceCache(this.client, ns);
      this.caches.set(ns, c);
    }
    c.retain();
    try {
      await c.start();
    } catch (e) {
      this.caches.delete(ns);
      await c.release();
      throw toClusterError(e, { verb: 'list', resource: 'gameservers.game.kruise.io', namespace: ns, server: this.client.server });
    }
    return c;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.caches.values()].map(c => c.release()));
    this.caches.clear();
  }
}
