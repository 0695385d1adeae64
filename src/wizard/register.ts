// Registers the release wizard: the `okg.release` command (from the palette, or a GameServerSet's context
// menu in the Game Servers view) and the serializer that brings the panel back after a reload of VS Code.
// Wiring (extension.ts): context.subscriptions.push(...registerReleaseWizard(context, { scopes: explorerScopes(explorer), log }))
import * as vscode from 'vscode';
import type { Explorer } from '../views/explorer.js';
import { VIEW_TYPE } from '../webview/protocol.js';
import { scopeId, webviewOptions, WizardHost, WizardRuns, type WizardDeps, type WizardScope } from './host.js';

export type { WizardDeps, WizardScope } from './host.js';
export { scopeId } from './host.js';

export const RELEASE_COMMAND = 'okg.release';
const TITLE = 'Release New Version';

/** The explorer's (connection, namespace) pairs as wizard scopes: same clients, same shared caches. */
export function explorerScopes(explorer: Pick<Explorer, 'scopes' | 'namespaceCache'>): () => Promise<WizardScope[]> {
  return async () => (await explorer.scopes()).map(s => ({
    id: scopeId(s.conn.id, s.namespace),
    label: `${s.conn.contextName} / ${s.namespace}`,
    namespace: s.namespace,
    client: s.conn.client,
    cache: async () => {
      const c = await explorer.namespaceCache(s.conn, s.namespace);
      if (!c) throw new Error(s.error?.message ?? `namespace ${s.namespace} cannot be read`);
      return c;
    },
  }));
}

/** What okg.release may be invoked with: a GameServerSet node of the tree, or { namespace, gameServerSet }. */
export function selectionFromArgs(arg: unknown): { scope?: string; namespace?: string; name: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 253 ? v : undefined);
  // The tree's node: { kind: 'gss', conn: { id }, namespace, gss: { name } }
  const gss = a.gss as Record<string, unknown> | undefined;
  const conn = a.conn as Record<string, unknown> | undefined;
  if (a.kind === 'gss' && typeof gss === 'object' && gss !== null && str(gss.name) && str(a.namespace)) {
    const connId = typeof conn === 'object' && conn !== null ? str(conn.id) : undefined;
    return { name: str(gss.name)!, namespace: str(a.namespace), ...(connId ? { scope: scopeId(connId, str(a.namespace)!) } : {}) };
  }
  if (str(a.gameServerSet)) return { name: str(a.gameServerSet)!, ...(str(a.namespace) ? { namespace: str(a.namespace) } : {}) };
  return undefined;
}

export interface ReleaseWizard {
  /** The `okg.release` handler (the command table registers it): opens or reveals the wizard. */
  open(arg?: unknown): Promise<void>;
  /** The panel serializer and the shutdown that cancels a running release; push them to `context.subscriptions`. */
  disposables: vscode.Disposable[];
}

/** The release wizard: its command handler and its `okg.releaseWizard` panel serializer. */
export function createReleaseWizard(context: vscode.ExtensionContext, deps: WizardDeps): ReleaseWizard {
  const runs = new WizardRuns();
  let host: WizardHost | undefined;
  const hosts = new Set<WizardHost>();

  const openDocument = async (content: string, language: string): Promise<void> => {
    const doc = await vscode.workspace.openTextDocument({ content, language });
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  };

  const onDispose = (h: WizardHost): void => {
    hosts.delete(h);
    if (host === h) host = undefined;
    const run = runs.current;
    if (run?.running && hosts.size === 0) {
      const name = run.input.gameServerSet;
      void vscode.window.showInformationMessage(`The release of ${name} continues in the background.`, 'Show', 'Cancel Release').then(choice => {
        if (choice === 'Show') void vscode.commands.executeCommand(RELEASE_COMMAND);
        else if (choice === 'Cancel Release' && run.running) run.cancel();
      });
    }
  };

  const attach = (panel: vscode.WebviewPanel, select?: { scope?: string; namespace?: string; name: string }): WizardHost => {
    const h = new WizardHost(panel, deps, { extensionUri: context.extensionUri, runs, openDocument, select, onDispose });
    hosts.add(h);
    host = h;
    return h;
  };

  const open = async (arg?: unknown): Promise<void> => {
    const select = selectionFromArgs(arg);
    if (host) { await host.reveal(select); return; }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, TITLE, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
    attach(panel, select);
  };

  const serializer: vscode.WebviewPanelSerializer = {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, _state: unknown): Promise<void> {
      // The webview restores its own form from getState(); the host re-sends the live data after `ready`.
      attach(panel);
    },
  };

  return {
    open,
    disposables: [
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
      { dispose: () => { runs.dispose(); for (const h of [...hosts]) h.panel.dispose(); } },
    ],
  };
}
