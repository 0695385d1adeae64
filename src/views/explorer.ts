// The Game Servers tree: context → namespace → GameServerSet → (version →) GameServer, read from shared
// namespace caches, narrowed by the room filter. A context or namespace level with a single entry collapses
// away; VS Code is told only the elements that changed. No row waits for another namespace's lists: a namespace
// whose sets are still listing, or a set whose rooms are, shows a "loading" row until they arrive. The tree holds one cache
// reference per namespace it shows. `sync()` re-reads the kubeconfig and settings and replaces only what
// changed (a connection whose kubeconfig identity changed, a namespace no longer shown): it lets go of the
// tree's own references and never stops a cache another holder (a release, a YAML document) still uses.
// When to re-render or sync is refresh.ts's decision; errors become items under the node that failed.
import * as vscode from 'vscode';
import type { CacheLease, NamespaceCache } from '../cluster/cache.js';
import { ClusterError } from '../cluster/errors.js';
import { Connection, type KubeconfigProblem } from './connections.js';
import { desiredTargets, STATE_CONTEXT, type DemoTarget, type Target } from './explorerTargets.js';
import { welcomeState, type WelcomeState } from './format.js';
import { isProtected, serverHost, viewDescription } from './identity.js';
import { Disposable, toDisposable } from './lifecycle.js';
import { settings } from './settings.js';
import { describeFilter, isActive, type RoomFilter } from './filter.js';
import { tooltipOf, treeItem } from './treeItems.js';
import { Entries, firstWithSets, outcomeOf, type Entry } from './explorerEntries.js';
import { emptyPending, LOADING_ROOMS, SetElement, type NamespaceElements, type Pending } from './treeModel.js';
import type { GssNode, Node, RoomNode } from './treeNodes.js';

export { Connection } from './connections.js';
export type { DemoTarget } from './explorerTargets.js';
export type { GssNode, Node, RoomNode } from './treeNodes.js';

export const VIEW_ID = 'okg.gameServers';
const STATE_NAMESPACES = 'okg.namespaces';

export interface NamespaceEntry {
  cache: NamespaceCache;
  error?: ClusterError;
}

interface Shown {
  conns: Connection[];
  problem?: KubeconfigProblem;
}
export class Explorer extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this.register(new vscode.EventEmitter<Node | Node[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cacheChanged = this.register(new vscode.EventEmitter<void>());
  /** A shown cache changed (objects, or an error came or went); refresh.ts debounces the re-render. */
  readonly onDidChangeCache = this.cacheChanged.event;
  private readonly reconnected = this.register(new vscode.EventEmitter<void>());
  /** Connections were replaced or namespaces changed; other holders may move to the new connection. */
  readonly onDidReconnect = this.reconnected.event;
  private shown?: Shown;
  private view?: vscode.TreeView<Node>;
  private status?: vscode.StatusBarItem;
  private reported?: string;
  /** What changed since the last render (cache events add to it; `flush` tells VS Code). */
  private pending: Pending = emptyPending();
  private readonly entries = new Entries(
    () => this.pending,
    () => this.cacheChanged.fire(),
    e => this.statusChanged(e),
  );
  private roomFilter?: RoomFilter;
  /** The kubeconfig path the Kubernetes extension uses, when it is installed. */
  kubernetesExtensionKubeconfig?: string;
  /** The context the Kubernetes extension has active, when it is installed. */
  kubernetesExtensionContext?: string;
  demo?: DemoTarget;
  /** The last welcome state set, for tests and the status of the view. */
  welcome: WelcomeState | undefined;
  /** The `okg.welcome` context key as last set (null: never set). */
  private welcomeContext: WelcomeState | undefined | null = null;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(
      toDisposable(() => {
        for (const c of this.shown?.conns ?? []) this.dropConnection(c);
        this.shown = undefined;
      }),
    );
  }

  attach(view: vscode.TreeView<Node>, status?: vscode.StatusBarItem): void {
    this.view = view;
    this.status = status;
  }

  /** Says which cluster is shown: the view's description and the status bar item (hidden with nothing shown). */
  private showIdentity(conns: readonly Connection[]): void {
    const shown = conns.map(conn => ({ conn, namespaces: this.namespaces(conn) }));
    const where = viewDescription(shown);
    const filter = this.roomFilter ? `filter: ${describeFilter(this.roomFilter)}` : undefined;
    if (this.view) this.view.description = [where, filter].filter(Boolean).join(' · ') || undefined;
    if (!this.status) return;
    if (!shown.length) {
      this.status.hide();
      return;
    }
    const main = shown.find(s => !s.conn.demo) ?? shown[0];
    const guard = isProtected(main.conn);
    const others = shown.filter(s => !s.conn.demo && s !== main).length;
    this.status.text = `${guard || shown.some(s => isProtected(s.conn)) ? '$(shield)' : '$(cloud)'} ${main.conn.contextName}${others ? ` +${others}` : ''}`;
    this.status.tooltip =
      shown
        .map(
          s =>
            `Kubernetes context ${s.conn.contextName}${isProtected(s.conn) ? ' (protected: writes ask first)' : ''}, server ${serverHost(s.conn.client.server)}, namespace ${s.namespaces.join(', ')}`,
        )
        .join('\n') + '\nClick to switch context.';
    this.status.command = 'okg.switchContext';
    this.status.show();
  }

  /**
   * A namespace's list arrived or its error came or went: at the next flush its node is refreshed, or the whole
   * tree when the namespace level is collapsed away (its rows are the root's) or the welcome view comes or goes.
   */
  private statusChanged(e: Entry): void {
    e.elements.markChanged();
    this.pending.namespaces.add(e.elements);
    this.cacheChanged.fire();
  }

  /** The namespaces' nodes whose rows changed, or the root when one's level is collapsed away or the welcome moves. */
  private namespaceNodes(changed: ReadonlySet<NamespaceElements>): Node[] | undefined {
    let sameWelcome = false;
    try {
      sameWelcome = this.welcomeNow() === this.welcome;
    } catch {
      // A connection was replaced meanwhile: the root re-renders.
    }
    if (!sameWelcome) return undefined;
    const out: Node[] = [];
    const all = this.entries.all();
    for (const els of changed) {
      // VS Code read its rows after they changed, or has not read them yet: it has or will get them.
      if (!els.rowsStale) continue;
      const e = all.find(x => x.elements === els);
      if (!e || this.namespaces(els.conn).length <= 1) return undefined;
      out.push(e.node);
    }
    return out;
  }

  /** The welcome state the shown namespaces' lists give now (what `roots()` would decide). */
  private welcomeNow(): WelcomeState | undefined {
    const { conns, problem } = this.shown ?? { conns: [] };
    const scopes = conns.flatMap(c => this.namespaces(c).map(ns => this.entries.held(c, ns)));
    return welcomeState(conns.length, scopes.map(outcomeOf), problem?.state);
  }

  /** The whole tree is to be re-rendered at the next flush. */
  invalidate(): void {
    this.pending.root = true;
  }

  /** Re-renders the whole tree now. */
  render(): void {
    this.pending.root = true;
    this.flush();
  }

  /**
   * Tells VS Code what changed since the last call (refresh.ts coalesces cache events before calling this):
   * the changed sets and rooms, a set only when its row's description moved, the root when sets came or went.
   */
  flush(): void {
    if (this.isDisposed) return;
    const p = this.pending;
    this.pending = emptyPending();
    if (p.namespaces.size) {
      const nodes = this.namespaceNodes(p.namespaces);
      if (nodes) for (const n of nodes) p.elements.add(n);
      else p.root = true;
    }
    const now = Date.now();
    for (const set of p.touched)
      if (isActive(this.roomFilter) || set.grouped || set.description(this.roomFilter, now) !== set.shown)
        p.elements.add(set);
    // Past a thousand elements one refresh of the root costs VS Code less than as many handles.
    if (p.root || p.elements.size > 1000) this.changed.fire(undefined);
    else if (p.elements.size) this.changed.fire([...p.elements]);
  }

  /** The room filter shown (undefined: every room). */
  get filter(): RoomFilter | undefined {
    return this.roomFilter;
  }

  /** Shows only the rooms `filter` keeps (undefined or empty: all), says so in the view, and re-renders. */
  async setFilter(filter: RoomFilter | undefined): Promise<void> {
    this.roomFilter = isActive(filter) ? filter : undefined;
    await vscode.commands.executeCommand('setContext', 'okg.filtered', !!this.roomFilter);
    this.showIdentity(this.shown?.conns ?? []);
    this.render();
  }

  /** The connections the tree shows (read on first use, then on each `sync()`). */
  connections(): Shown {
    if (!this.shown) this.apply(this.desired());
    return this.shown!;
  }

  connection(id: string): Connection | undefined {
    return this.connections().conns.find(c => c.id === id);
  }

  /**
   * Re-reads the kubeconfig, the context and namespace choices and the settings; replaces only connections
   * whose identity changed and lets go of namespaces no longer shown, then re-renders. True when anything
   * was replaced or dropped.
   */
  sync(render = true): boolean {
    const changed = this.apply(this.desired());
    if (changed) this.reconnected.fire();
    if (render) this.render();
    return changed;
  }

  /** Refresh: sync, then list every shown namespace again (the caches stay; nobody else's work stops), render once. */
  async refresh(): Promise<void> {
    this.sync(false);
    await Promise.all(this.entries.all().map(e => e.lease.cache.resync().catch(() => undefined)));
    this.render();
  }

  private apply(want: { targets: Target[]; problem?: KubeconfigProblem }): boolean {
    const old = this.shown?.conns ?? [];
    const conns = want.targets.map(
      t =>
        old.find(c => c.id === t.id && c.identity === t.identity) ??
        new Connection(t.id, t.contextName, t.kc, t.demo, t.identity),
    );
    let changed = !!this.shown && (conns.length !== old.length || conns.some((c, i) => c !== old[i]));
    for (const c of old) if (!conns.includes(c)) this.dropConnection(c);
    this.shown = { conns, problem: want.problem };
    for (const c of conns) {
      const showing = new Set(this.namespaces(c));
      for (const ns of this.entries.namespaces(c)) {
        if (!showing.has(ns)) {
          this.entries.release(c, ns);
          changed = true;
        }
      }
    }
    if (want.problem?.sentence !== this.reported) {
      this.reported = want.problem?.sentence;
      if (want.problem) this.log.warn(want.problem.sentence);
    }
    return changed;
  }

  private desired(): { targets: Target[]; problem?: KubeconfigProblem } {
    return desiredTargets({
      state: this.state,
      log: this.log,
      kubernetesExtensionKubeconfig: this.kubernetesExtensionKubeconfig,
      kubernetesExtensionContext: this.kubernetesExtensionContext,
      demo: this.demo,
    });
  }

  /** Namespaces shown for a connection: the quick-pick choice, else the setting, else the context's namespace. */
  namespaces(conn: Connection): string[] {
    const chosen = this.state.get<Record<string, string[]>>(STATE_NAMESPACES)?.[conn.contextName];
    if (chosen?.length) return [...chosen];
    const s = settings().namespaces;
    return s.length ? s : [conn.defaultNamespace];
  }

  /** Remembers the namespace choice for the context (workspace state); the caller syncs. */
  async setNamespaces(conn: Connection, namespaces: string[]): Promise<void> {
    const all = { ...(this.state.get<Record<string, string[]>>(STATE_NAMESPACES) ?? {}) };
    if (namespaces.length) all[conn.contextName] = [...new Set(namespaces)].sort();
    else delete all[conn.contextName];
    await this.state.update(STATE_NAMESPACES, all);
  }

  /** Remembers the chosen context (workspace state; the kubeconfig is never written); the caller syncs. */
  async setContext(context: string | undefined): Promise<void> {
    await this.state.update(STATE_CONTEXT, context);
  }

  /** The namespace's cache through the tree's own reference (taken on first use), once its first list settled. */
  async entry(conn: Connection, namespace: string): Promise<NamespaceEntry> {
    const e = this.entries.held(conn, namespace);
    await e.started;
    return { cache: e.lease.cache, error: e.lease.cache.error };
  }

  /** A reference of a holder's own (a command, a document) to a namespace's cache; release it when done. */
  hold(conn: Connection, namespace: string): CacheLease {
    return conn.acquire(namespace);
  }

  /** Whether a shown namespace is failing now (the poll fallback re-renders while one is). */
  anyFailing(): boolean {
    return this.entries.all().some(e => e.lease.cache.error !== undefined);
  }

  private dropConnection(conn: Connection): void {
    this.entries.drop(conn);
    conn.drop();
  }

  // ---- TreeDataProvider

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.roots();
    if (node.kind !== 'message' && node.conn.isDropped) return [];
    switch (node.kind) {
      case 'context':
        return this.contextChildren(node.conn);
      case 'namespace':
        return this.namespaceChildren(node.conn, node.namespace);
      case 'gss': {
        // Rooms are read only for a set VS Code expands. While they are listing the set says so: VS Code draws
        // no row of the tree until every expanded row's children are in. Its rows also wait while VS Code shows
        // the set as loading (their arrival has a refresh of both on its way): rooms never show under "loading".
        if (!(node instanceof SetElement)) return [];
        const e = this.entries.held(node.conn, node.namespace);
        const c = e.lease.cache;
        if (!c.error && (!(c.hasListed('gameservers') && c.hasListed('pods')) || node.shown === LOADING_ROOMS))
          return [{ kind: 'message', id: `${node.gss.uid}/loading`, text: LOADING_ROOMS, error: false }];
        return e.elements.children(node, this.roomFilter, Date.now());
      }
      case 'version':
        return this.entries.held(node.conn, node.namespace).elements.versionChildren(node);
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (!(node instanceof SetElement)) return treeItem(node);
    node.shown = node.description(this.roomFilter, Date.now());
    return treeItem(node, node.shown);
  }

  /** Builds a set's or a room's Markdown tooltip when it is hovered, not for every row rendered. */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    item.tooltip ??= tooltipOf(node);
    return item;
  }

  private async roots(): Promise<Node[]> {
    const { conns, problem } = this.connections();
    let outcomes: { errorKind?: string; gameServerSets: number }[];
    try {
      const scopes = conns.flatMap(c => this.namespaces(c).map(ns => this.entries.held(c, ns)));
      await firstWithSets(scopes);
      outcomes = scopes.map(outcomeOf);
    } catch (e) {
      // A sync replaced a connection while this render read it: render what is shown now.
      if (conns.some(c => c.isDropped)) return this.roots();
      throw e;
    }
    this.showIdentity(conns);
    const welcome = welcomeState(conns.length, outcomes, problem?.state);
    this.welcome = welcome;
    // A message hides the welcome view and its buttons: show one only above a tree. VS Code hides a view's
    // description when it is the only view of its container (the e2e saw it), so the message line names what is
    // shown too, after the problem if there is one.
    if (this.view) {
      const shown = this.view.description;
      this.view.message = welcome
        ? undefined
        : problem
          ? `${problem.sentence}${shown ? ` Shown: ${shown}.` : ''}`
          : shown;
    }
    // Set when it changes, and not waited for: the rows need no round trip to the workbench first.
    if (welcome !== this.welcomeContext) {
      this.welcomeContext = welcome;
      void vscode.commands.executeCommand('setContext', 'okg.welcome', welcome ?? '');
    }
    if (welcome) return [];
    if (conns.length === 1) return this.contextChildren(conns[0]);
    return conns.map(conn => ({ kind: 'context', conn }));
  }

  private async contextChildren(conn: Connection): Promise<Node[]> {
    const nss = this.namespaces(conn);
    if (nss.length === 1) return this.namespaceChildren(conn, nss[0]);
    return nss.map(namespace => this.entries.held(conn, namespace).node);
  }

  /** The namespace's rows; while its sets are listing, a row that says so (the other namespaces show meanwhile). */
  private async namespaceChildren(conn: Connection, namespace: string): Promise<Node[]> {
    if (conn.isDropped) return [];
    const e = this.entries.held(conn, namespace);
    const c = e.lease.cache;
    if (!c.hasListed('gameserversets') && !c.error) {
      e.elements.markRead();
      return [
        { kind: 'message', id: `${conn.id}/${namespace}/listing`, text: 'listing GameServerSets…', error: false },
      ];
    }
    return e.elements.namespaceRows(this.roomFilter, Date.now());
  }

  // ---- lookups for commands

  /** Every (connection, namespace) the tree shows, with its cache and current error. */
  async scopes(): Promise<({ conn: Connection; namespace: string } & NamespaceEntry)[]> {
    const { conns } = this.connections();
    return Promise.all(
      conns.flatMap(conn =>
        this.namespaces(conn).map(async namespace => ({ conn, namespace, ...(await this.entry(conn, namespace)) })),
      ),
    );
  }

  async allRooms(): Promise<RoomNode[]> {
    return (await this.scopes()).flatMap(s =>
      s.cache.rooms().map(room => ({ kind: 'room' as const, conn: s.conn, namespace: s.namespace, room })),
    );
  }

  async allGameServerSets(): Promise<GssNode[]> {
    return (await this.scopes()).flatMap(s =>
      s.cache.gameServerSets().map(gss => ({
        kind: 'gss' as const,
        conn: s.conn,
        namespace: s.namespace,
        gss,
        rooms: s.cache.rooms(gss.name),
      })),
    );
  }

  /** The namespace's cache when it is readable now, else undefined (its error is in `entry`). */
  async namespaceCache(conn: Connection, namespace: string): Promise<NamespaceCache | undefined> {
    const e = await this.entry(conn, namespace);
    return e.error ? undefined : e.cache;
  }
}
