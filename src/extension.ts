// VS Code glue: the Game Servers view, the command table, the read-only YAML documents, the log, and the
// demo cluster. Everything that talks to a cluster lives in the core (src/cluster, src/release, src/sandbox).
import * as vscode from 'vscode';
import { createReleaseWizard, explorerScopes } from './wizard/register.js';
import { Actions } from './commands/actions.js';
import { commandTable } from './commands/table.js';
import { Explorer, VIEW_ID, type Node } from './views/explorer.js';
import { followKubernetesExtension } from './views/kubernetesExtension.js';
import { YAML_SCHEME, YamlProvider } from './views/yaml.js';

export interface OkgExtension { explorer: Explorer; actions: Actions; view: vscode.TreeView<Node>; log: vscode.LogOutputChannel }

let running: OkgExtension | undefined;

export function activate(context: vscode.ExtensionContext): OkgExtension {
  const log = vscode.window.createOutputChannel('OKG Ops', { log: true });
  const explorer = new Explorer(context.workspaceState, log);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: explorer, canSelectMany: true, showCollapseAll: true });
  const actions = new Actions(explorer, log);
  const yamlDocs = new YamlProvider(explorer);
  context.subscriptions.push(log, explorer, view, explorer.attach(view), yamlDocs,
    vscode.workspace.registerTextDocumentContentProvider(YAML_SCHEME, yamlDocs),
    vscode.workspace.onDidChangeConfiguration(e => {
      if (e.affectsConfiguration('okg.kubeconfig') || e.affectsConfiguration('okg.namespaces')) void explorer.reload();
      if (e.affectsConfiguration('okg.pollFallbackSeconds')) explorer.startPolling();
    }));
  const wizard = createReleaseWizard(context, { scopes: explorerScopes(explorer), log });
  context.subscriptions.push(...wizard.disposables);
  for (const [id, handler] of Object.entries(commandTable(actions, wizard.open))) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
  explorer.startPolling();
  void followKubernetesExtension(explorer, log).then(d => { if (d) context.subscriptions.push(d); });
  running = { explorer, actions, view, log };
  return running;
}

export async function deactivate(): Promise<void> {
  await running?.explorer.close();
  await running?.actions.stopDemoCluster(false);
  running = undefined;
}
