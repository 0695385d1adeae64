// The sandbox's etcd: objects by resource and key, one global monotonic resourceVersion, a bounded
// event history for watch resumption (older versions answer 410 Gone, as after an etcd compaction),
// and an owner index for garbage collection. Stored objects are never mutated: writers store new ones.
import type { KubeObject } from './types.js';
import type { ResourceDef } from './resources.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  res: ResourceDef;
  object: KubeObject;
  /** The object before this event (MODIFIED and DELETED), so selector watches can send ADDED/DELETED on (un)matching. */
  previous?: KubeObject;
}

interface Table {
  objects: Map<string, KubeObject>;
  sorted: string[] | null;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class Store {
  private rv = 1;
  private readonly tables = new Map<ResourceDef, Table>();
  private history: StoreEvent[] = [];
  /** The oldest resourceVersion a watch may resume from. */
  private floor = 1;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly refs = new Map<string, { res: ResourceDef; namespace?: string; name: string }>();
  private readonly uids = new Set<string>();

  constructor(readonly historyLimit = 20000) {}

  currentRv(): number {
    return this.rv;
  }
  oldestRv(): number {
    return this.floor;
  }

  private table(res: ResourceDef): Table {
    let t = this.tables.get(res);
    if (!t) {
      t = { objects: new Map(), sorted: null };
      this.tables.set(res, t);
    }
    return t;
  }

  get(res: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.table(res).objects.get(objectKey(res.namespaced ? namespace : undefined, name));
  }

  /** Objects in key order (namespace/name), as etcd lists them. `after` resumes after a key (continue tokens). */
  list(res: ResourceDef, namespace?: string, after?: string): KubeObject[] {
    const t = this.table(res);
    if (!t.sorted) t.sorted = [...t.objects.keys()].sort();
    const prefix = namespace ? `${namespace}/` : '';
    let i = 0;
    if (after !== undefined || prefix) {
      i = lowerBound(t.sorted, after !== undefined && after >= prefix ? `${after}\u0000` : prefix);
    }
    const out: KubeObject[] = [];
    for (; i < t.sorted.length; i++) {
      const k = t.sorted[i];
      if (prefix && !k.startsWith(prefix)) break;
      out.push(t.objects.get(k)!);
    }
    return out;
  }

  count(res: ResourceDef): number {
    return this.table(res).objects.size;
  }

  /** Assigns the next resourceVersion to a new object and stores it. */
  insert(res: ResourceDef, obj: KubeObject): KubeObject {
    const t = this.table(res);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    const stored = withRv(obj, ++this.rv);
    t.objects.set(key, stored);
    t.sorted = null;
    this.indexOwners(res, stored, undefined);
    this.emit({ rv: this.rv, type: 'ADDED', res, object: stored });
    return stored;
  }

  replace(res: ResourceDef, obj: KubeObject, previous: KubeObject): KubeObject {
    const t = this.table(res);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    const stored = withRv(obj, ++this.rv);
    t.objects.set(key, stored);
    this.indexOwners(res, stored, previous);
    this.emit({ rv: this.rv, type: 'MODIFIED', res, object: stored, previous });
    return stored;
  }

  remove(res: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const t = this.table(res);
    const key = objectKey(res.namespaced ? namespace : undefined, name);
    const previous = t.objects.get(key);
    if (!previous) return undefined;
    t.objects.delete(key);
    t.sorted = null;
    const gone = withRv(previous, ++this.rv);
    this.indexOwners(res, undefined, previous);
    this.emit({ rv: this.rv, type: 'DELETED', res, object: gone, previous });
    return gone;
  }

  /** Whether an object with this uid is stored (garbage collection asks before deleting dependents). */
  hasUid(uid: string): boolean {
    return this.uids.has(uid);
  }

  /** Keys of objects whose ownerReferences name this uid. */
  dependentsOf(uid: string): { res: ResourceDef; namespace?: string; name: string }[] {
    const keys = this.dependents.get(uid);
    if (!keys) return [];
    return [...keys].map(k => this.refs.get(k)!).filter(Boolean);
  }

  /** Events after `rv`, or 'expired' when history no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.floor - 1) return 'expired';
    let lo = 0,
      hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Forgets all history, like an etcd compaction: every watch resuming from an older version gets 410 Gone. */
  compact(): void {
    this.history = [];
    this.floor = this.rv + 1;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    // Drop the oldest events in batches (not one slice per event): amortised O(1) per write.
    if (this.history.length > this.historyLimit + Math.max(1, this.historyLimit >> 3)) {
      const drop = this.history.length - this.historyLimit;
      this.floor = this.history[drop].rv;
      this.history = this.history.slice(drop);
    }
    for (const l of this.listeners) l(e);
  }

  private indexOwners(res: ResourceDef, now: KubeObject | undefined, before: KubeObject | undefined): void {
    const obj = now ?? before!;
    const ref = `${res.group}/${res.plural}|${obj.metadata.namespace ?? ''}|${obj.metadata.name}`;
    for (const o of before?.metadata.ownerReferences ?? []) this.dependents.get(o.uid)?.delete(ref);
    if (now) {
      if (now.metadata.uid) this.uids.add(now.metadata.uid);
      this.refs.set(ref, { res, namespace: now.metadata.namespace, name: now.metadata.name! });
      for (const o of now.metadata.ownerReferences ?? []) {
        let s = this.dependents.get(o.uid);
        if (!s) {
          s = new Set();
          this.dependents.set(o.uid, s);
        }
        s.add(ref);
      }
    } else {
      this.refs.delete(ref);
      if (before?.metadata.uid) this.uids.delete(before.metadata.uid);
      const uid = before?.metadata.uid;
      if (uid && this.dependents.get(uid)?.size === 0) this.dependents.delete(uid);
    }
  }
}

function withRv(obj: KubeObject, rv: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
