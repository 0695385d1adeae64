// VS Code glue: the Game Servers view, its refresh triggers, the command table (each handler guarded), the
// read-only YAML documents, the release wizard, the log, and the demo cluster. Everything that talks to a
// cluster lives in the core (src/cluster, src/release, src/sandbox).
import * as vscode from 'vscode';
import { guarded } from './commands/guard.js';
import { commandTable } from './commands/table.js';
import { RoomActions } from './views/actions.js';
import { ClusterActions } from './views/clusterActions.js';
import { Explorer, VIEW_ID, type Node } from './views/explorer.js';
import { followKubernetesExtension } from './views/kubernetesExtension.js';
import { RefreshTriggers } from './views/refresh.js';
import { rollBackLastRelease } from './views/rollback.js';
import { YAML_SCHEME, YamlProvider } from './views/yaml.js';
import { ROOM_SCHEME, RoomDocs } from './views/roomDocs.js';
import { RoomCloseUp } from './views/roomActions.js';
import { explorerScopes, ReleaseWizard } from './wizard/register.js';

export interface OkgExtension {
  explorer: Explorer;
  refresh: RefreshTriggers;
  actions: RoomActions;
  cluster: ClusterActions;
  view: vscode.TreeView<Node>;
  status: vscode.StatusBarItem;
  log: vscode.LogOutputChannel;
  closeUp: RoomCloseUp;
  roomDocs: RoomDocs;
}

let running: OkgExtension | undefined;

export function activate(context: vscode.ExtensionContext): OkgExtension {
  const log = vscode.window.createOutputChannel('OKG Ops', { log: true });
  const explorer = new Explorer(context.workspaceState, log);
  const view = vscode.window.createTreeView(VIEW_ID, {
    treeDataProvider: explorer,
    canSelectMany: true,
    showCollapseAll: true,
  });
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.name = 'OKG Ops context';
  explorer.attach(view, status);
  const refresh = new RefreshTriggers(explorer, view, log);
  const cluster = new ClusterActions(explorer, refresh, log);
  const actions = new RoomActions(explorer, refresh, log);
  const yamlDocs = new YamlProvider(explorer);
  const roomDocs = new RoomDocs(explorer);
  const closeUp = new RoomCloseUp();
  const wizard = new ReleaseWizard(context, { scopes: explorerScopes(explorer), log });
  // Disposed in reverse: the wizard (cancels a release) first, the explorer (lets go of its caches) last.
  context.subscriptions.push(
    log,
    explorer,
    view,
    status,
    refresh,
    yamlDocs,
    vscode.workspace.registerTextDocumentContentProvider(YAML_SCHEME, yamlDocs),
    roomDocs,
    vscode.workspace.registerTextDocumentContentProvider(ROOM_SCHEME, roomDocs),
    wizard,
  );
  // A release on a protected context asks for the set's name here, before the wizard opens.
  const releaseGuarded = async (arg?: unknown): Promise<void> => {
    const g = await actions.guardRelease(arg);
    if (g.go) await wizard.open(g.arg);
  };
  const report = {
    log: (line: string) => log.error(line),
    show: (message: string) => {
      void vscode.window.showErrorMessage(message);
    },
  };
  for (const [id, handler] of Object.entries(
    commandTable(cluster, actions, releaseGuarded, arg => rollBackLastRelease(arg, log), closeUp),
  )) {
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(id, handler, report)));
  }
  void followKubernetesExtension(explorer, refresh, log).then(d => {
    if (d) context.subscriptions.push(d);
  });
  running = { explorer, refresh, actions, cluster, view, status, log, closeUp, roomDocs };
  return running;
}

export async function deactivate(): Promise<void> {
  running?.explorer.dispose();
  await running?.cluster.stopDemoCluster(false);
  running = undefined;
}
