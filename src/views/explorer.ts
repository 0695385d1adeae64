// The Game Servers tree: context → namespace → GameServerSet → GameServer, read from the shared informer
// caches. A context or namespace level with a single entry collapses away. The tree re-renders on cache
// events, debounced, and only while it is visible; errors become items under the node that failed.
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache, type NamespaceCache } from '../cluster/cache.js';
import { OkgClient } from '../cluster/client.js';
import { ClusterError } from '../cluster/errors.js';
import { contextNamespace, loadKubeConfig } from '../cluster/kubeconfig.js';
import type { GameServerSetView, RoomView } from '../cluster/okg.js';
import { gssDescription, gssIcon, gssTooltip, roomDescription, roomIcon, roomTooltip, welcomeState, type IconChoice, type WelcomeState } from './format.js';

export const VIEW_ID = 'okg.gameServers';
const STATE_CONTEXT = 'okg.context';
const STATE_NAMESPACES = 'okg.namespaces';

/** One cluster context the tree shows: the user's chosen kubeconfig context, or the demo cluster. */
export class Connection {
  readonly client: OkgClient;
  readonly cache: ClusterCache;
  readonly namespaceEntries = new Map<string, Promise<NamespaceEntry>>();
  constructor(readonly id: string, readonly contextName: string, readonly kc: KubeConfig, readonly demo: boolean) {
    this.client = new OkgClient(kc);
    this.cache = new ClusterCache(this.client);
  }
  get defaultNamespace(): string { return contextNamespace(this.kc); }
}

export interface NamespaceEntry { cache?: NamespaceCache; error?: ClusterError }

export type Node =
  | { kind: 'context'; conn: Connection }
  | { kind: 'namespace'; conn: Connection; namespace: string }
  | { kind: 'gss'; conn: Connection; namespace: string; gss: GameServerSetView; rooms: RoomView[] }
  | { kind: 'room'; conn: Connection; namespace: string; room: RoomView }
  | { kind: 'message'; id: string; text: string; error: boolean };

export type RoomNode = Extract<Node, { kind: 'room' }>;
export type GssNode = Extract<Node, { kind: 'gss' }>;

export interface DemoTarget { kubeconfig: string; context: string }

/** Reads the `okg.*` settings. */
export function settings() {
  const c = vscode.workspace.getConfiguration('okg');
  const kubeconfig = c.get<string | string[]>('kubeconfig');
  const paths = (Array.isArray(kubeconfig) ? kubeconfig : kubeconfig ? [kubeconfig] : []).filter(p => p.trim());
  return {
    kubeconfig: paths,
    namespaces: (c.get<string[]>('namespaces') ?? []).filter(n => n.trim()),
    confirmDestructiveChanges: c.get<boolean>('confirmDestructiveChanges') ?? true,
    pollFallbackSeconds: c.get<number>('pollFallbackSeconds') ?? 30,
  };
}

const themeIcon = (i: IconChoice) => new vscode.ThemeIcon(i.id, i.color ? new vscode.ThemeColor(i.color) : undefined);

function markdown(text: string): vscode.MarkdownString {
  const m = new vscode.MarkdownString(text, true);
  m.isTrusted = false;
  return m;
}

export class Explorer implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private conns?: { conns: Connection[]; error?: string };
  private view?: vscode.TreeView<Node>;
  private visible = true;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[] = [];
  /** The kubeconfig path the Kubernetes extension uses, when it is installed. */
  kubernetesExtensionKubeconfig?: string;
  /** The context the Kubernetes extension has active, when it is installed. */
  kubernetesExtensionContext?: string;
  demo?: DemoTarget;
  /** The last welcome state set, for tests and the status of the view. */
  welcome: WelcomeState | undefined;

  constructor(private readonly state: vscode.Memento, private readonly log: vscode.LogOutputChannel, readonly debounceMs = 250) {}

  attach(view: vscode.TreeView<Node>): vscode.Disposable {
    this.view = view;
    this.visible = view.visible;
    return view.onDidChangeVisibility(e => {
      this.visible = e.visible;
      if (e.visible && this.dirty) this.changed.fire(undefined);
    });
  }

  /** Re-renders soon (debounced), or when the view next becomes visible. */
  scheduleRefresh(): void {
    if (!this.visible) { this.dirty = true; return; }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dirty = false;
      this.changed.fire(undefined);
    }, this.debounceMs);
  }

  /** Starts the poll fallback: re-renders while a namespace's watch is failing, so errors show and clear. */
  startPolling(): void {
    clearInterval(this.poll);
    const seconds = settings().pollFallbackSeconds;
    if (seconds <= 0) return;
    this.poll = setInterval(() => {
      void this.anyFailing().then(failing => { if (failing) this.scheduleRefresh(); });
    }, seconds * 1000);
    this.poll.unref?.();
  }

  private async anyFailing(): Promise<boolean> {
    for (const c of this.conns?.conns ?? []) {
      for (const p of c.namespaceEntries.values()) {
        const e = await p;
        if (e.error || e.cache?.error) return true;
      }
    }
    return false;
  }

  /** Drops every connection and cache and re-reads the kubeconfig and settings. */
  async reload(): Promise<void> {
    const old = this.conns?.conns ?? [];
    this.conns = undefined;
    for (const u of this.unsubscribe.splice(0)) u();
    await Promise.all(old.map(c => c.cache.dispose().catch(() => undefined)));
    this.changed.fire(undefined);
  }

  /** The connections the tree shows (built once per reload). */
  connections(): { conns: Connection[]; error?: string } {
    if (this.conns) return this.conns;
    const conns: Connection[] = [];
    let error: string | undefined;
    const s = settings();
    const files = s.kubeconfig.length ? s.kubeconfig : this.kubernetesExtensionKubeconfig ? [this.kubernetesExtensionKubeconfig] : undefined;
    const chosen = this.state.get<string>(STATE_CONTEXT) ?? this.kubernetesExtensionContext;
    try {
      const kc = loadKubeConfig({ kubeconfig: files, context: chosen });
      conns.push(new Connection(`kc:${kc.getCurrentContext()}`, kc.getCurrentContext(), kc, false));
    } catch (e) {
      error = (e as Error).message;
      // A remembered context that has since gone: fall back to the kubeconfig's current one.
      if (chosen) {
        try {
          const kc = loadKubeConfig({ kubeconfig: files });
          conns.push(new Connection(`kc:${kc.getCurrentContext()}`, kc.getCurrentContext(), kc, false));
        } catch { /* the first error says it */ }
      }
    }
    if (this.demo) {
      try {
        const kc = loadKubeConfig({ kubeconfig: this.demo.kubeconfig, context: this.demo.context });
        conns.push(new Connection('demo', `${this.demo.context} (demo)`, kc, true));
      } catch (e) {
        this.log.error(`demo cluster kubeconfig: ${(e as Error).message}`);
      }
    }
    if (error && !conns.length) this.log.warn(error);
    this.conns = { conns, error };
    return this.conns;
  }

  connection(id: string): Connection | undefined {
    return this.connections().conns.find(c => c.id === id);
  }

  /** Namespaces shown for a connection: the quick-pick choice, else the setting, else the context's namespace. */
  namespaces(conn: Connection): string[] {
    const chosen = this.state.get<Record<string, string[]>>(STATE_NAMESPACES)?.[conn.contextName];
    if (chosen?.length) return [...chosen];
    const s = settings().namespaces;
    return s.length ? s : [conn.defaultNamespace];
  }

  async setNamespaces(conn: Connection, namespaces: string[]): Promise<void> {
    const all = { ...(this.state.get<Record<string, string[]>>(STATE_NAMESPACES) ?? {}) };
    if (namespaces.length) all[conn.contextName] = [...new Set(namespaces)].sort();
    else delete all[conn.contextName];
    await this.state.update(STATE_NAMESPACES, all);
    await this.reload();
  }

  async setContext(context: string | undefined): Promise<void> {
    await this.state.update(STATE_CONTEXT, context);
    await this.reload();
  }

  /** The namespace's shared cache (started once, watched for changes), or the error that prevented it. */
  entry(conn: Connection, namespace: string): Promise<NamespaceEntry> {
    let p = conn.namespaceEntries.get(namespace);
    if (!p) {
      p = conn.cache.namespace(namespace).then(cache => {
        this.unsubscribe.push(cache.onChange(() => this.scheduleRefresh()));
        return { cache };
      }, (e: unknown) => ({ error: e instanceof ClusterError ? e : new ClusterError(String(e), 'other') }));
      conn.namespaceEntries.set(namespace, p);
    }
    return p;
  }

  // ---- TreeDataProvider

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'context': return this.contextChildren(node.conn);
      case 'namespace': return this.namespaceChildren(node.conn, node.namespace);
      case 'gss': return node.rooms.map(room => ({ kind: 'room', conn: node.conn, namespace: node.namespace, room }));
      default: return [];
    }
  }

  private async roots(): Promise<Node[]> {
    const { conns, error } = this.connections();
    if (this.view) this.view.message = error;
    const outcomes = await Promise.all(conns.flatMap(c => this.namespaces(c).map(async ns => {
      const e = await this.entry(c, ns);
      const err = e.error ?? e.cache?.error;
      return { errorKind: err?.kind, gameServerSets: e.cache?.gameServerSets().length ?? 0 };
    })));
    const welcome = welcomeState(conns.length, outcomes);
    this.welcome = welcome;
    await vscode.commands.executeCommand('setContext', 'okg.welcome', welcome ?? '');
    if (welcome) return [];
    if (conns.length === 1) return this.contextChildren(conns[0]);
    return conns.map(conn => ({ kind: 'context', conn }));
  }

  private async contextChildren(conn: Connection): Promise<Node[]> {
    const nss = this.namespaces(conn);
    if (nss.length === 1) return this.namespaceChildren(conn, nss[0]);
    return nss.map(namespace => ({ kind: 'namespace', conn, namespace }));
  }

  private async namespaceChildren(conn: Connection, namespace: string): Promise<Node[]> {
    const e = await this.entry(conn, namespace);
    const parent = `${conn.id}/${namespace}`;
    const err = e.error ?? e.cache?.error;
    const out: Node[] = err ? [{ kind: 'message', id: `${parent}/error`, text: err.message, error: true }] : [];
    if (!e.cache) return out;
    const sets = e.cache.gameServerSets();
    for (const gss of sets) out.push({ kind: 'gss', conn, namespace, gss, rooms: e.cache.rooms(gss.name) });
    if (!sets.length && !err) out.push({ kind: 'message', id: `${parent}/empty`, text: `no GameServerSets in namespace ${namespace}`, error: false });
    return out;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const Collapsible = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'context': {
        const item = new vscode.TreeItem(node.conn.contextName, Collapsible.Expanded);
        item.id = `context/${node.conn.id}`;
        item.contextValue = 'okg.context';
        item.iconPath = new vscode.ThemeIcon(node.conn.demo ? 'beaker' : 'cloud');
        item.tooltip = `Kubernetes context ${node.conn.contextName} (${node.conn.client.server})`;
        return item;
      }
      case 'namespace': {
        const item = new vscode.TreeItem(node.namespace, Collapsible.Expanded);
        item.id = `namespace/${node.conn.id}/${node.namespace}`;
        item.contextValue = 'okg.namespace';
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        return item;
      }
      case 'gss': {
        const item = new vscode.TreeItem(node.gss.name, node.rooms.length > 50 ? Collapsible.Collapsed : Collapsible.Expanded);
        item.id = node.gss.uid;
        item.description = gssDescription(node.gss, node.rooms);
        item.tooltip = markdown(gssTooltip(node.gss, node.rooms));
        item.iconPath = themeIcon(gssIcon(node.gss));
        item.contextValue = 'okg.gameServerSet';
        return item;
      }
      case 'room': {
        const item = new vscode.TreeItem(node.room.name, Collapsible.None);
        item.id = node.room.uid;
        item.description = roomDescription(node.room);
        item.tooltip = markdown(roomTooltip(node.room));
        item.iconPath = themeIcon(roomIcon(node.room));
        item.contextValue = 'okg.gameServer';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, Collapsible.None);
        item.id = node.id;
        item.tooltip = node.text;
        item.contextValue = node.error ? 'okg.error' : 'okg.info';
        item.iconPath = node.error ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  // ---- lookups for commands

  /** Every (connection, namespace) the tree shows, with its cache when it started. */
  async scopes(): Promise<{ conn: Connection; namespace: string; cache?: NamespaceCache; error?: ClusterError }[]> {
    const { conns } = this.connections();
    return Promise.all(conns.flatMap(conn => this.namespaces(conn).map(async namespace => ({ conn, namespace, ...(await this.entry(conn, namespace)) }))));
  }

  async allRooms(): Promise<RoomNode[]> {
    return (await this.scopes()).flatMap(s => (s.cache?.rooms() ?? []).map(room => ({ kind: 'room' as const, conn: s.conn, namespace: s.namespace, room })));
  }

  async allGameServerSets(): Promise<GssNode[]> {
    return (await this.scopes()).flatMap(s => (s.cache?.gameServerSets() ?? [])
      .map(gss => ({ kind: 'gss' as const, conn: s.conn, namespace: s.namespace, gss, rooms: s.cache!.rooms(gss.name) })));
  }

  async namespaceCache(conn: Connection, namespace: string): Promise<NamespaceCache | undefined> {
    return (await this.entry(conn, namespace)).cache;
  }

  /** Stops every watch and waits for it (deactivation). */
  async close(): Promise<void> {
    const conns = this.conns?.conns ?? [];
    this.conns = undefined;
    this.dispose();
    await Promise.all(conns.map(c => c.cache.dispose().catch(() => undefined)));
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    for (const u of this.unsubscribe.splice(0)) u();
    for (const c of this.conns?.conns ?? []) void c.cache.dispose().catch(() => undefined);
    this.conns = undefined;
    this.changed.dispose();
  }
}
