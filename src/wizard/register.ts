// The release wizard's place in the extension: `ReleaseWizard.open` is the `okg.release` handler (the command
// table registers it; the palette or a GameServerSet's context menu in the Game Servers view runs it), and the
// wizard registers the serializer that brings its panel back after a reload of VS Code. Disposing it cancels a
// running release and closes its panels. The explorer's (connection, namespace) pairs are its scopes: the same
// clients and shared caches; a release holds its own reference to its cache (host.ts), so a reload of the tree
// never stops it. Wiring (extension.ts): `new ReleaseWizard(context, { scopes: explorerScopes(explorer), log })`.
import * as vscode from 'vscode';
import type { Explorer } from '../views/explorer.js';
import { Disposable, toDisposable } from '../views/lifecycle.js';
import { VIEW_TYPE } from '../webview/protocol.js';
import { scopeId, webviewOptions, WizardHost, type WizardDeps, type WizardScope } from './host.js';
import { WizardRuns } from './run.js';

export type { WizardDeps, WizardScope } from './host.js';
export { scopeId } from './host.js';

export const RELEASE_COMMAND = 'okg.release';
const TITLE = 'Release New Version';

/** The explorer's (connection, namespace) pairs as wizard scopes: same clients, same shared caches. */
export function explorerScopes(explorer: Pick<Explorer, 'scopes' | 'entry'>): () => Promise<WizardScope[]> {
  return async () =>
    (await explorer.scopes()).map(s => ({
      id: scopeId(s.conn.id, s.namespace),
      label: `${s.conn.contextName} / ${s.namespace}`,
      context: s.conn.contextName,
      namespace: s.namespace,
      client: s.conn.client,
      cache: async () => {
        const e = await explorer.entry(s.conn, s.namespace);
        if (e.error) throw new Error(e.error.message);
        return e.cache;
      },
    }));
}

/** What okg.release may be invoked with: a GameServerSet node of the tree, or { namespace, gameServerSet }. */
export function selectionFromArgs(arg: unknown): { scope?: string; namespace?: string; name: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as Record<string, unknown>;
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v.length > 0 && v.length <= 253 ? v : undefined;
  // The tree's node: { kind: 'gss', conn: { id }, namespace, gss: { name } }
  const gss = a.gss as Record<string, unknown> | undefined;
  const conn = a.conn as Record<string, unknown> | undefined;
  if (a.kind === 'gss' && typeof gss === 'object' && gss !== null && str(gss.name) && str(a.namespace)) {
    const connId = typeof conn === 'object' && conn !== null ? str(conn.id) : undefined;
    return {
      name: str(gss.name)!,
      namespace: str(a.namespace),
      ...(connId ? { scope: scopeId(connId, str(a.namespace)!) } : {}),
    };
  }
  if (str(a.gameServerSet))
    return { name: str(a.gameServerSet)!, ...(str(a.namespace) ? { namespace: str(a.namespace) } : {}) };
  return undefined;
}

/** The wizard as its command handler plus the one thing to dispose, for callers that keep a list (tests). */
export function createReleaseWizard(
  context: vscode.ExtensionContext,
  deps: WizardDeps,
): { open: ReleaseWizard['open']; disposables: vscode.Disposable[] } {
  const wizard = new ReleaseWizard(context, deps);
  return { open: wizard.open, disposables: [wizard] };
}

/** The release wizard: its command handler, its `okg.releaseWizard` panel serializer, and its panels. */
export class ReleaseWizard extends Disposable {
  private readonly runs = new WizardRuns();
  private readonly hosts = new Set<WizardHost>();
  private host?: WizardHost;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: WizardDeps,
  ) {
    super();
    this.register(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        // The webview restores its own form from getState(); the host re-sends the live data after `ready`.
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, _state: unknown): Promise<void> => {
          this.attach(panel);
        },
      }),
    );
    this.register(
      toDisposable(() => {
        this.runs.dispose();
        for (const h of [...this.hosts]) h.panel.dispose();
      }),
    );
  }

  /** The `okg.release` handler: opens the wizard, or reveals it on the set the command names. */
  readonly open = async (arg?: unknown): Promise<void> => {
    const select = selectionFromArgs(arg);
    if (this.host) {
      await this.host.reveal(select);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      TITLE,
      vscode.ViewColumn.Active,
      webviewOptions(this.context.extensionUri),
    );
    this.attach(panel, select);
  };

  private attach(
    panel: vscode.WebviewPanel,
    select?: { scope?: string; namespace?: string; name: string },
  ): WizardHost {
    // Long patches of the audit trail go beside the extension's log, where the Output channel's file is.
    const patchDir = this.deps.patchDir ?? vscode.Uri.joinPath(this.context.logUri, 'patches').fsPath;
    const h = new WizardHost(
      panel,
      { ...this.deps, patchDir },
      {
        extensionUri: this.context.extensionUri,
        runs: this.runs,
        select,
        openDocument: async (content, language) => {
          const doc = await vscode.workspace.openTextDocument({ content, language });
          await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
        },
        onDispose: gone => this.closed(gone),
      },
    );
    this.hosts.add(h);
    this.host = h;
    return h;
  }

  /** A panel closed: a release still running goes on in the background, and the user is told so. */
  private closed(h: WizardHost): void {
    this.hosts.delete(h);
    if (this.host === h) this.host = undefined;
    const run = this.runs.current;
    if (!run?.running || this.hosts.size || this.isDisposed) return;
    const name = run.gameServerSet;
    void vscode.window
      .showInformationMessage(
        `The ${run.what} of ${name} continues in the background.`,
        'Show',
        `Cancel ${run.what === 'release' ? 'Release' : 'Rollback'}`,
      )
      .then(choice => {
        if (choice === 'Show') void vscode.commands.executeCommand(RELEASE_COMMAND);
        else if (choice?.startsWith('Cancel') && run.running) run.cancel();
      });
  }
}
