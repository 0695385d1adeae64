// The Game Servers tree's elements for one (connection, namespace), kept as one object per set, version group
// and room so VS Code can be told exactly which changed (onDidChangeTreeData with those elements, not the root):
// a room's change refreshes its row, and its set's row only when the set's description moves. A set's rooms,
// its description and its version groups are computed once per change of the set, not once per render.
import type { ChangeEvent, NamespaceCache } from '../cluster/cache.js';
import type { GameServerSetView, RoomView } from '../cluster/okg.js';
import type { Connection } from './connections.js';
import { gssDescription, imagesLabel } from './format.js';
import { byVersion, describeFilter, isActive, matches, type RoomFilter } from './filter.js';
import type { GssNode, Node, RoomNode, VersionNode } from './treeNodes.js';

/** What changed since the tree last heard: everything (`root`), or these elements. */
export interface Pending {
  root: boolean;
  elements: Set<Node>;
  /** Namespaces whose rows changed (a set came or went, a list arrived, an error came or went). */
  namespaces: Set<NamespaceElements>;
  /** Sets one of whose rooms changed: refreshed too if their row's description moved. */
  touched: Set<SetElement>;
}

/** A set's description, and its one child, while its rooms are listing. */
export const LOADING_ROOMS = 'loading rooms…';

export const emptyPending = (): Pending => ({
  root: false,
  elements: new Set(),
  namespaces: new Set(),
  touched: new Set(),
});

export class SetElement implements GssNode {
  readonly kind = 'gss';
  /** Bumped on every change to the set or one of its rooms: the memos below key on it. */
  private rev = 0;
  private roomsMemo?: { rev: number; rooms: RoomView[] };
  private describedMemo?: { key: string; text: string };
  /** The description VS Code shows now (the last one getTreeItem gave). */
  shown?: string;
  /** Its children are version groups now (a room's version change may move it between them). */
  grouped = false;
  readonly versions = new Map<string, VersionNode>();

  constructor(
    readonly conn: Connection,
    readonly namespace: string,
    public gss: GameServerSetView,
    private readonly cache: NamespaceCache,
  ) {}

  get rooms(): RoomView[] {
    if (this.roomsMemo?.rev !== this.rev) this.roomsMemo = { rev: this.rev, rooms: this.cache.rooms(this.gss.name) };
    return this.roomsMemo.rooms;
  }

  touch(): void {
    this.rev++;
  }

  /** The rooms the filter keeps (all of them without one). */
  visibleRooms(filter: RoomFilter | undefined, now: number): RoomView[] {
    return isActive(filter) ? this.rooms.filter(r => matches(r, filter, now)) : this.rooms;
  }

  /** The row's description: counts over the rooms; under a filter, how many of them it shows first. */
  description(filter: RoomFilter | undefined, now: number): string {
    if (!this.cache.hasListed('gameservers') || !this.cache.hasListed('pods')) return LOADING_ROOMS;
    const active = isActive(filter);
    // A "changed in the last N minutes" filter moves with the clock: its memo lasts a minute at most.
    const key = `${this.gss.resourceVersion}/${this.rev}/${active ? describeFilter(filter) : ''}/${active && filter.changedWithinMinutes ? Math.floor(now / 60_000) : ''}`;
    if (this.describedMemo?.key !== key) {
      const all = gssDescription(this.gss, this.rooms);
      const text = active ? `${this.visibleRooms(filter, now).length} of ${all}` : all;
      this.describedMemo = { key, text };
    }
    return this.describedMemo.text;
  }
}

export class NamespaceElements {
  /** VS Code has read its rows (`namespaceRows`, or a "listing" row) at least once. */
  private read = false;
  /** Its rows changed since VS Code last read them: its node is to be refreshed (before the first read it need not). */
  rowsStale = false;
  private readonly sets = new Map<string, SetElement>();
  private readonly roomNodes = new Map<string, RoomNode>();

  constructor(
    readonly conn: Connection,
    readonly namespace: string,
    readonly cache: NamespaceCache,
  ) {}

  /** The namespace's sets as elements, by name: the same object for a set as long as its uid stays. */
  setElements(): SetElement[] {
    const views = this.cache.gameServerSets();
    const seen = new Set<string>();
    const out = views.map(gss => {
      seen.add(gss.name);
      let el = this.sets.get(gss.name);
      if (!el || el.gss.uid !== gss.uid) {
        el = new SetElement(this.conn, this.namespace, gss, this.cache);
        this.sets.set(gss.name, el);
      } else if (el.gss.resourceVersion !== gss.resourceVersion) {
        el.gss = gss;
        el.touch();
      }
      return el;
    });
    for (const name of [...this.sets.keys()]) if (!seen.has(name)) this.sets.delete(name);
    return out;
  }

  /** The namespace's rows: its error if failing, its sets (under a filter, those with a room it keeps), or a note. */
  /** VS Code is being given the namespace's rows now. */
  markRead(): void {
    this.read = true;
    this.rowsStale = false;
  }

  /** The namespace's rows changed: stale if VS Code holds older ones. */
  markChanged(): void {
    this.rowsStale = this.read;
  }

  namespaceRows(filter: RoomFilter | undefined, now: number): Node[] {
    this.markRead();
    const { error } = this.cache;
    const parent = `${this.conn.id}/${this.namespace}`;
    const note = (id: string, text: string, isError = false): Node => ({
      kind: 'message',
      id: `${parent}/${id}`,
      text,
      error: isError,
    });
    const out: Node[] = error ? [note('error', error.message, true)] : [];
    const sets = this.setElements();
    // A set's rooms must be in before a filter can leave it out.
    const listed = this.cache.hasListed('gameservers') && this.cache.hasListed('pods');
    const shown = isActive(filter) && listed ? sets.filter(s => s.visibleRooms(filter, now).length) : sets;
    out.push(...shown);
    if (!sets.length && !error) out.push(note('empty', `no GameServerSets in namespace ${this.namespace}`));
    else if (!shown.length && sets.length)
      out.push(note('filtered', `no rooms in namespace ${this.namespace} match the filter`));
    return out;
  }

  /** A set's children: its (filtered) rooms, or version groups when they run more than one version. */
  children(set: SetElement, filter: RoomFilter | undefined, now: number): Node[] {
    const rooms = set.visibleRooms(filter, now);
    const groups = byVersion(rooms, imagesLabel(set.gss.images));
    set.grouped = groups.length > 1;
    if (!set.grouped) return rooms.map(r => this.roomNode(r, set.gss.network));
    const labels = new Set(groups.map(g => g[0]));
    for (const l of [...set.versions.keys()]) if (!labels.has(l)) set.versions.delete(l);
    return groups.map(([label, rs]) => {
      let v = set.versions.get(label);
      if (!v) {
        v = { kind: 'version', conn: set.conn, namespace: set.namespace, set, label, template: false, rooms: rs };
        set.versions.set(label, v);
      }
      v.rooms = rs;
      v.template = label === imagesLabel(set.gss.images);
      return v;
    });
  }

  versionChildren(version: VersionNode): Node[] {
    return version.rooms.map(r => this.roomNode(r, version.set.gss.network));
  }

  private roomNode(room: RoomView, network: boolean): RoomNode {
    let n = this.roomNodes.get(room.name);
    if (!n || n.room.uid !== room.uid) {
      n = { kind: 'room', conn: this.conn, namespace: this.namespace, room, network };
      this.roomNodes.set(room.name, n);
    }
    n.room = room;
    n.network = network;
    return n;
  }

  /** Records what a cache event changed. */
  absorb(e: ChangeEvent, out: Pending): void {
    if (e.kind === 'gameserversets') {
      const el = this.sets.get(e.name);
      // A set came or went: the namespace's children, and maybe the welcome view, change.
      if (e.type !== 'update' || !el) {
        this.markChanged();
        out.namespaces.add(this);
        return;
      }
      const now = this.cache.gameServerSet(e.name);
      if (now) el.gss = now;
      el.touch();
      out.elements.add(el);
      return;
    }
    const el = e.owner === undefined ? undefined : this.sets.get(e.owner);
    if (!el) return; // not shown yet: the set's first render reads it
    el.touch();
    const node = this.roomNodes.get(e.name);
    if (e.type !== 'update') {
      if (e.type === 'delete' && e.kind === 'gameservers') this.roomNodes.delete(e.name);
      out.elements.add(el);
      return;
    }
    if (node) {
      node.room = this.cache.room(e.name) ?? node.room;
      out.elements.add(node);
    }
    out.touched.add(el);
  }
}
