// The commands about what the view shows, not about rooms: Refresh, Show Log, the demo cluster, Switch
// Context and Select Namespaces. Each changes only the extension's own state (workspace state, an in-memory
// demo kubeconfig) and asks refresh.ts to reconnect; no kubeconfig is ever written.
import * as vscode from 'vscode';
import { loadKubeConfig } from '../cluster/kubeconfig.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { kubeconfigFiles, loadContext, type Connection } from './connections.js';
import type { Explorer, Node } from './explorer.js';
import type { RefreshTriggers } from './refresh.js';
import { settings } from './settings.js';
import { pickFilter } from './filterPick.js';

export const isNode = (x: unknown): x is Node =>
  typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string';

const OPEN_SETTINGS = 'Open Settings';
const START_DEMO = 'Start Demo Cluster';

export class ClusterActions {
  demo?: Sandbox;

  constructor(
    private readonly explorer: Explorer,
    private readonly triggers: RefreshTriggers,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  refresh(): Promise<void> {
    return this.triggers.refresh();
  }

  filterRooms(): Promise<unknown> {
    return pickFilter(this.explorer);
  }

  clearFilter(): Promise<unknown> {
    return this.explorer.setFilter(undefined);
  }

  showLog(): void {
    this.log.show();
  }

  async startDemoCluster(): Promise<string | undefined> {
    if (this.demo) {
      void vscode.window.showInformationMessage(`The OKG demo cluster is already running at ${this.demo.url}.`);
      return this.demo.url;
    }
    try {
      this.demo = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Starting the OKG demo cluster…' },
        // Loaded only now: the demo cluster's code is its own bundle (dist/sandbox.cjs), not in the activation path.
        async () => (await import('../sandbox/sandbox.js')).startSandbox({ scenario: 'seed' }),
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`The OKG demo cluster did not start: ${(e as Error).message}`);
      return undefined;
    }
    const kubeconfig = this.demo.kubeconfigPath('admin');
    // Kept in memory only: the user's kubeconfig is never written.
    this.explorer.demo = { kubeconfig, context: loadKubeConfig({ kubeconfig }).getCurrentContext() };
    this.log.info(`demo cluster running at ${this.demo.url} (seed scenario); its kubeconfig: ${kubeconfig}`);
    this.triggers.reconnect('the demo cluster started');
    void vscode.window.showInformationMessage(
      `OKG demo cluster running at ${this.demo.url}; it is shown in the Game Servers view.`,
    );
    return this.demo.url;
  }

  async stopDemoCluster(reconnect = true): Promise<void> {
    const d = this.demo;
    this.demo = undefined;
    this.explorer.demo = undefined;
    if (reconnect) this.triggers.reconnect('the demo cluster stopped');
    await d?.stop();
  }

  /** An error about the kubeconfig, with the ways out the welcome view offers. */
  private async kubeconfigTrouble(sentence: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(sentence, START_DEMO, OPEN_SETTINGS);
    if (choice === START_DEMO) await this.startDemoCluster();
    else if (choice === OPEN_SETTINGS)
      await vscode.commands.executeCommand('workbench.action.openSettings', 'okg.kubeconfig');
  }

  async switchContext(): Promise<string | undefined> {
    const files = kubeconfigFiles({
      setting: settings().kubeconfig,
      kubernetesExtension: this.explorer.kubernetesExtensionKubeconfig,
    });
    const loaded = 'problem' in files ? files : loadContext(files.files);
    if ('problem' in loaded) {
      await this.kubeconfigTrouble(loaded.problem.sentence);
      return undefined;
    }
    const kc = loaded.kc;
    const shown = new Set(
      this.explorer
        .connections()
        .conns.filter(c => !c.demo)
        .map(c => c.contextName),
    );
    if (!shown.size) shown.add(kc.getCurrentContext());
    const picks = await vscode.window.showQuickPick(
      kc.contexts.map(c => ({
        label: c.name,
        description: `${c.cluster}${c.namespace ? ` · namespace ${c.namespace}` : ''}${shown.has(c.name) ? ' · shown' : ''}`,
        picked: shown.has(c.name),
      })),
      {
        title: 'OKG: Switch Context',
        placeHolder:
          'The Kubernetes contexts the Game Servers view shows; pick several to see them side by side (your kubeconfig is not changed)',
        canPickMany: true,
      },
    );
    if (!picks?.length) return undefined;
    const names = picks.map(p => p.label);
    // One context: remembered in workspace state as before. Several: kept in the setting okg.contexts (workspace
    // settings when a folder is open), which the view reads first.
    const target = vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
    await this.explorer.setContext(names[0]);
    if (names.length > 1 || settings().contexts.length)
      await vscode.workspace.getConfiguration('okg').update('contexts', names.length > 1 ? names : undefined, target);
    this.triggers.reconnect(`context ${names.join(', ')} chosen`);
    this.log.info(`showing context ${names.join(', ')}`);
    return names.join(', ');
  }

  private async pickConnection(node?: Node): Promise<Connection | undefined> {
    if (node && node.kind !== 'message') return node.conn;
    const { conns } = this.explorer.connections();
    if (conns.length <= 1) return conns[0];
    const pick = await vscode.window.showQuickPick(
      conns.map(c => ({ label: c.contextName, conn: c })),
      { title: 'Which context?' },
    );
    return pick?.conn;
  }

  /** Namespaces to offer: all the user may list, else those holding GameServerSets, plus the current choice. */
  private async candidateNamespaces(conn: Connection): Promise<string[]> {
    const found = new Set<string>([...this.explorer.namespaces(conn), conn.defaultNamespace]);
    try {
      for (const name of await conn.client.listNamespaceNames()) found.add(name);
    } catch {
      try {
        for (const g of await conn.client.listGameServerSets())
          if (g.metadata.namespace) found.add(g.metadata.namespace);
      } catch {
        /* offer what we have, plus "Other…" */
      }
    }
    return [...found].sort();
  }

  async selectNamespaces(arg?: unknown): Promise<string[] | undefined> {
    const conn = await this.pickConnection(isNode(arg) ? arg : undefined);
    if (!conn) {
      await this.kubeconfigTrouble(
        'No Kubernetes context to choose namespaces in; set okg.kubeconfig to your kubeconfig file, or start the demo cluster.',
      );
      return undefined;
    }
    const shown = this.explorer.namespaces(conn);
    const other = '$(edit) Other namespace…';
    const items = (await this.candidateNamespaces(conn)).map(ns => ({ label: ns, picked: shown.includes(ns) }));
    const picks = await vscode.window.showQuickPick([...items, { label: other, picked: false, alwaysShow: true }], {
      canPickMany: true,
      title: `OKG: Select Namespaces (${conn.contextName})`,
      placeHolder: 'Namespaces the Game Servers view shows; none picked = the default',
    });
    if (!picks) return undefined;
    const chosen = picks.filter(p => p.label !== other).map(p => p.label);
    if (picks.some(p => p.label === other)) {
      const typed = await vscode.window.showInputBox({
        title: 'Namespace',
        prompt: 'A namespace name',
        validateInput: v =>
          /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v.trim()) && v.trim().length <= 63
            ? undefined
            : 'a namespace name: lower-case letters, digits and "-", at most 63 characters',
      });
      if (typed === undefined) return undefined;
      chosen.push(typed.trim());
    }
    await this.explorer.setNamespaces(conn, chosen);
    this.triggers.reconnect(`namespaces chosen for ${conn.contextName}`);
    const now = this.explorer.namespaces(conn);
    this.log.info(`namespaces shown for ${conn.contextName}: ${now.join(', ')}`);
    return now;
  }
}
