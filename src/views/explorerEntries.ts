// The Game Servers tree's own references to the namespace caches it shows, one per (connection, namespace),
// each with its stable tree elements (its namespace node, treeModel.ts) and what it listens to: a cache event
// records which elements changed; a list arriving or an error coming or going is reported for the explorer to
// decide what it moves. Letting go of an entry releases only the tree's reference, never a cache another holder
// still uses.
import type { CacheLease } from '../cluster/cache.js';
import { ClusterError } from '../cluster/errors.js';
import type { Connection } from './connections.js';
import type { Node } from './treeNodes.js';
import { DisposableStore, toDisposable } from './lifecycle.js';
import { NamespaceElements, type Pending } from './treeModel.js';

export interface Entry {
  lease: CacheLease;
  started: Promise<void>;
  /** Settles once the sets are listed (or the first list failed): their rows show before the rooms are in. */
  setsListed: Promise<void>;
  elements: NamespaceElements;
  /** The namespace's node: the same object for as long as the entry lives, so it alone can be refreshed. */
  node: Extract<Node, { kind: 'namespace' }>;
  subs: DisposableStore;
}

export class Entries {
  private readonly map = new Map<Connection, Map<string, Entry>>();

  /**
   * `pending()` is where changes are recorded now; `changed` is told after each one; `statusChanged` when one of
   * an entry's lists arrived or its error came or went (it records what that moves, then tells `changed`).
   */
  constructor(
    private readonly pending: () => Pending,
    private readonly changed: () => void,
    private readonly statusChanged: (e: Entry) => void,
  ) {}

  all(): Entry[] {
    return [...this.map.values()].flatMap(m => [...m.values()]);
  }

  namespaces(conn: Connection): string[] {
    return [...(this.map.get(conn)?.keys() ?? [])];
  }

  /** The tree's entry for the namespace, taken on first use; its lists may still be on their way. */
  held(conn: Connection, namespace: string): Entry {
    // A connection replaced since the caller looked (a stale scope or node): the tree holds nothing there.
    if (conn.isDropped)
      throw new ClusterError(
        `the Game Servers view reconnected; context ${conn.contextName} is shown anew, choose again`,
        'other',
      );
    let byNs = this.map.get(conn);
    if (!byNs) {
      byNs = new Map();
      this.map.set(conn, byNs);
    }
    return byNs.get(namespace) ?? this.create(conn, namespace, byNs);
  }

  private create(conn: Connection, namespace: string, byNs: Map<string, Entry>): Entry {
    const lease = conn.acquire(namespace);
    const cache = lease.cache;
    const elements = new NamespaceElements(conn, namespace, cache);
    const subs = new DisposableStore();
    let setsArrived!: () => void;
    const setsListed = new Promise<void>(r => (setsArrived = r));
    subs.add(
      toDisposable(
        cache.onChange(ev => {
          elements.absorb(ev, this.pending());
          this.changed();
        }),
      ),
    );
    const started = cache.start().catch(() => undefined);
    const e: Entry = { lease, subs, started, setsListed, elements, node: { kind: 'namespace', conn, namespace } };
    subs.add(
      toDisposable(
        cache.onStatus(() => {
          if (cache.hasListed('gameserversets') || cache.error) setsArrived();
          // A list arrived or an error came or went: the namespace's rows and descriptions, maybe the welcome, move.
          this.statusChanged(e);
        }),
      ),
    );
    subs.add(lease);
    void started.then(setsArrived);
    byNs.set(namespace, e);
    return e;
  }

  release(conn: Connection, namespace: string): void {
    const byNs = this.map.get(conn);
    byNs?.get(namespace)?.subs.dispose();
    byNs?.delete(namespace);
  }

  /** Lets go of every entry of the connection. */
  drop(conn: Connection): void {
    for (const ns of this.namespaces(conn)) this.release(conn, ns);
    this.map.delete(conn);
  }
}

/** Resolves once every namespace's sets are listed, or sooner, once one of them has sets to show. */
export function firstWithSets(entries: readonly Entry[]): Promise<void> {
  return new Promise(resolve => {
    let left = entries.length;
    if (!left) resolve();
    for (const e of entries)
      void e.setsListed.then(() => {
        if (e.lease.cache.gameServerSets().length || --left === 0) resolve();
      });
  });
}

/** What the welcome decision needs of a namespace; one still listing is neither empty nor failing (yet). */
export function outcomeOf(e: Entry): { errorKind?: string; gameServerSets: number } {
  const c = e.lease.cache;
  if (!c.hasListed('gameserversets') && !c.error) return { errorKind: 'pending', gameServerSets: 0 };
  return { errorKind: c.error?.kind, gameServerSets: c.gameServerSets().length };
}
