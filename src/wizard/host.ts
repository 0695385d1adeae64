// The extension-host side of the release wizard: one WizardHost per webview panel. It speaks only after the
// webview's `ready`, validates every message from the webview (malformed ones are dropped and logged by path,
// never by content), previews releases through the engine, starts them (run.ts: a release outlives its panel, and
// a panel that (re)loads replays its events), cancels them, and saves the Argo export to a file (argoExport.ts). A resume names the recorded
// release by id: its inputs come from the record on the cluster, and the host asks before replaying a record
// someone else made or one that asks for more than the wizard's defaults.
import * as vscode from 'vscode';
import type { NamespaceCache } from '../cluster/cache.js';
import type { OkgClient } from '../cluster/client.js';
import { previewRelease } from '../release/engine.js';
import type { ReleaseInput, ReleasePlan } from '../release/types.js';
import { fitPlan } from '../webview/feed.js';
import {
  PROTOCOL_VERSION,
  readHostMessage,
  readWebviewMessage,
  type HostMessage,
  type Interrupted,
  type ResumeRef,
  type Target,
  type WebviewMessage,
} from '../webview/protocol.js';
import { dispatch, type Handlers } from '../webview/schema.js';
import { saveArgoExport } from './argoExport.js';
import { makeNonce, wizardHtml } from './html.js';
import { confirmResume, resumeOffer, resumes } from './resume.js';
import { planWizardRollback, startWizardRollback, type PlannedRollback } from './rollback.js';
import { WizardRun, type WizardRollback, type WizardRuns } from './run.js';
import { confirmTakeOver, previewInput } from './takeOver.js';
import { listTargets } from './targets.js';

/** One (connection, namespace) the explorer shows: where a release can run. */
export interface WizardScope {
  /** Stable opaque id: [A-Za-z0-9_-] only (see `scopeId`). */
  id: string;
  /** "context / namespace", for display. */
  label: string;
  /** The kubeconfig context's name (named when the wizard asks before a take-over). */
  context: string;
  namespace: string;
  client: OkgClient;
  /** The namespace's shared, started cache (the explorer's). */
  cache(): Promise<NamespaceCache>;
}

export type WizardLog = Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error'>;

export interface WizardDeps {
  /** Everything the Game Servers view shows, in its order. */
  scopes(): Promise<WizardScope[]>;
  log: WizardLog;
  /** Where the audit trail writes patches too long for a log line (default: beside the extension's log). */
  patchDir?: string;
}

/** The opaque scope id for a connection id and a namespace. */
export function scopeId(connectionId: string, namespace: string): string {
  return `s${Buffer.from(`${connectionId}\u0000${namespace}`, 'utf8').toString('base64url')}`;
}

/** The path part of a webview's rejection report ("message.plan.rooms[3].name"): nothing else of it is logged. */
function reportedPath(reason: string): string {
  return /^message(?:\.[A-Za-z][\w-]*|\[\d+\]){0,12}(?=:)/.exec(reason)?.[0] ?? 'an unreadable place';
}

export interface HostOptions {
  extensionUri: vscode.Uri;
  runs: WizardRuns;
  /** Opens text in a new untitled editor. */
  openDocument(content: string, language: string): Promise<void>;
  /** Preselected set (from the tree). */
  select?: { scope?: string; namespace?: string; name: string };
  /** Called once the panel is gone. */
  onDispose?: (host: WizardHost) => void;
}

/** The resource folders the webview may load from. */
export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableForms: false,
    localResourceRoots: resourceRoots(extensionUri),
  };
}

export class WizardHost {
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private unsubscribeRun?: () => void;
  private plan?: { seq: number; plan: ReleasePlan };
  /** The rollback preview the page shows, run on its `rollback` message. */
  private rollback?: PlannedRollback;
  private seq = -1;
  private select?: { scope?: string; namespace?: string; name: string };
  private disposed = false;
  /** Messages posted to the webview (for the log of what was sent; tests read it). */
  sent = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: WizardDeps,
    private readonly opts: HostOptions,
  ) {
    this.select = opts.select;
    const webview = panel.webview;
    webview.options = webviewOptions(opts.extensionUri);
    const nonce = makeNonce();
    webview.html = wizardHtml({
      cspSource: webview.cspSource,
      nonce,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(opts.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(opts.extensionUri, 'media', 'wizard.css')).toString(),
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage(m => {
        void this.receive(m);
      }),
      // A hidden webview (no retainContextWhenHidden) is torn down: speak again only after its next `ready`.
      panel.onDidChangeViewState(e => {
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Shows another GameServerSet (okg.release invoked again while the panel is open). */
  async reveal(select?: { scope?: string; namespace?: string; name: string }): Promise<void> {
    this.panel.reveal();
    if (!select) return;
    this.select = select;
    if (!this.ready) return;
    const targets = await this.targets();
    this.post({ type: 'targets', ...targets });
    const t = this.resolveSelect(targets.targets);
    if (t) this.post({ type: 'select', ...t });
  }

  private post(m: HostMessage): void {
    if (!this.ready || this.disposed) return;
    const r = readHostMessage(m);
    if (!r.ok) {
      this.deps.log.error(`release wizard: not sending an invalid ${m.type} message (${r.problem})`);
      return;
    }
    this.sent++;
    void this.panel.webview.postMessage(m);
  }

  private async receive(raw: unknown): Promise<void> {
    const r = readWebviewMessage(raw);
    if (!r.ok) {
      this.deps.log.warn(`release wizard: ignored a malformed message from the webview (${r.problem})`);
      return;
    }
    const m = r.message;
    if (m.type !== 'ready' && !this.ready) {
      this.deps.log.warn(`release wizard: ignored a ${m.type} message that came before the webview was ready`);
      return;
    }
    try {
      await dispatch(this.handlers, m);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.deps.log.error(`release wizard: ${m.type}: ${message}`);
      this.post({ type: 'notice', level: 'error', message });
    }
  }

  /** One handler per webview message type (a type without one fails tsc). */
  private readonly handlers: Handlers<WebviewMessage, Promise<void>> = {
    ready: async m => {
      if (m.version !== PROTOCOL_VERSION)
        this.deps.log.warn(`release wizard: the webview speaks protocol ${m.version}, the host ${PROTOCOL_VERSION}`);
      this.ready = true;
      // A reloaded webview gets the run as a snapshot, then what follows it: nothing from before it, nothing twice.
      this.unsubscribeRun?.();
      this.unsubscribeRun = undefined;
      const targets = await this.targets();
      const run = this.opts.runs.current;
      const select = this.resolveSelect(targets.targets);
      // The tree's choice is sent once: a webview that reloads later keeps the operator's own place.
      this.select = undefined;
      this.post({
        type: 'init',
        version: PROTOCOL_VERSION,
        ...targets,
        ...(select ? { select } : {}),
        ...(run ? { run: run.snapshot() } : {}),
      });
      if (run) this.attach(run);
    },
    refresh: async () => {
      this.forgetFinishedRun();
      this.post({ type: 'targets', ...(await this.targets()) });
    },
    preview: async m => {
      this.forgetFinishedRun();
      this.seq = m.seq;
      this.plan = undefined;
      const { scope, input, resumed } = await this.request(m);
      const r = await previewRelease(previewInput(input, resumed), {
        client: scope.client,
        cache: await scope.cache(),
      });
      if (m.seq !== this.seq) return; // a newer preview was asked for meanwhile
      if (r.outcome === 'succeeded' && r.plan) {
        this.plan = { seq: m.seq, plan: r.plan };
        this.post({ type: 'preview-result', seq: m.seq, ok: true, message: r.message, plan: fitPlan(r.plan) });
      } else {
        this.post({ type: 'preview-result', seq: m.seq, ok: false, message: r.message });
      }
    },
    run: async m => {
      if (this.refuseSecondRun()) return;
      const { scope, input: asked, resumed } = await this.request(m);
      // Planned again now, not trusted from an earlier preview: the record may have changed hands since. A refusal
      // is left to the run, which reports it as its result.
      const fresh = await previewRelease(previewInput(asked, resumed), {
        client: scope.client,
        cache: await scope.cache(),
      });
      const takesOver = fresh.plan?.takesOver;
      const input = takesOver
        ? await confirmTakeOver(scope, asked, takesOver, resumed, this.deps.log)
        : !resumed || (await confirmResume(resumed, this.deps.log))
          ? asked
          : undefined;
      if (!input) {
        const what = takesOver ? `taken over from ${takesOver.holder}` : 'resumed';
        this.post({
          type: 'notice',
          level: 'info',
          message: `Release ${takesOver?.release ?? resumed?.id} was not ${what}; nothing was changed.`,
        });
        return;
      }
      if (this.refuseSecondRun()) return; // one may have started while the question was open
      const run = new WizardRun(scope, input, await scope.cache(), this.deps.log, this.deps.patchDir);
      this.opts.runs.current = run;
      this.post({ type: 'run-started', scope: scope.id, input });
      this.attach(run);
    },
    cancel: async () => {
      const run = this.opts.runs.current;
      if (run?.running) {
        this.deps.log.info(`release wizard: cancelling the ${run.what} of ${run.gameServerSet}`);
        run.cancel();
      }
    },
    'export-argo': async m => {
      if (!this.plan || this.plan.seq !== m.seq)
        throw new Error('There is no current preview to export; preview the release again.');
      // Saved to a file the operator picks (argoExport.ts), then offered for submission; never an untitled buffer.
      const saved = await saveArgoExport(this.plan.plan, await this.deps.scopes(), this.deps.log);
      this.post({ type: 'notice', level: 'info', message: saved.notice });
    },
    'rollback-preview': async m => {
      this.rollback = undefined;
      const r = await planWizardRollback(this.opts.runs, m.seq);
      if (r.ok) this.rollback = r.planned;
      this.post(
        r.ok
          ? { type: 'rollback-preview-result', seq: m.seq, ok: true, message: r.message, plan: fitPlan(r.planned.plan) }
          : { type: 'rollback-preview-result', seq: m.seq, ok: false, message: r.message },
      );
    },
    rollback: async m => {
      const planned = this.rollback;
      if (!planned || planned.seq !== m.seq)
        throw new Error('There is no current rollback preview to run; choose Roll Back… again.');
      if (this.refuseSecondRun()) return;
      this.rollback = undefined;
      const run = await startWizardRollback(planned, this.deps.log, this.deps.patchDir);
      this.opts.runs.current = run;
      this.post({ type: 'run-started', scope: planned.scope.id, rollback: planned.target });
      this.attach(run);
    },
    close: async () => {
      this.panel.dispose();
    },
    rejected: async m => {
      this.deps.log.warn(
        `release wizard: the webview ignored a malformed message from the host (at ${reportedPath(m.reason)})`,
      );
    },
  };

  private refuseSecondRun(): boolean {
    const current = this.opts.runs.current;
    if (!current?.running) return false;
    this.post({
      type: 'notice',
      level: 'error',
      message: `A ${current.what} of ${current.gameServerSet} is already running from this window; wait for it or cancel it.`,
    });
    return true;
  }

  /**
   * What a preview or run asks for: the form's input as sent, or, for a resume, the inputs recorded on the
   * cluster for that release (never the webview's). `resumed`: the recorded release it replays, if any (a form
   * input equal to a record's resumes it too).
   */
  private async request(
    m: { scope: string } & ({ input: ReleaseInput } | { resume: ResumeRef }),
  ): Promise<{ scope: WizardScope; input: ReleaseInput; resumed?: Interrupted }> {
    const name = 'input' in m ? m.input.gameServerSet : m.resume.gameServerSet;
    const scope = await this.scope(m.scope, 'input' in m ? m.input : undefined);
    const g = (await scope.cache()).gameServerSet(name);
    const offer = g && resumeOffer(scope, g, this.deps.log);
    if ('input' in m) return { scope, input: m.input, ...(offer && resumes(offer, m.input) ? { resumed: offer } : {}) };
    if (!offer || offer.id !== m.resume.id) {
      throw new Error(
        `Release ${m.resume.id} is no longer the unfinished release recorded on ${m.resume.gameServerSet}; refresh the wizard to see what is recorded now.`,
      );
    }
    return { scope, input: offer.input, resumed: offer };
  }

  private attach(run: WizardRun | WizardRollback): void {
    this.unsubscribeRun?.();
    this.unsubscribeRun = run.subscribe(msg => this.post(msg));
  }

  private forgetFinishedRun(): void {
    const runs = this.opts.runs;
    if (runs.current && !runs.current.running) {
      runs.current = undefined;
      this.unsubscribeRun?.();
      this.unsubscribeRun = undefined;
    }
  }

  /** The scope a webview request names, checked against the input's namespace. */
  private async scope(id: string, input?: ReleaseInput): Promise<WizardScope> {
    const scope = (await this.deps.scopes()).find(s => s.id === id);
    if (!scope)
      throw new Error(
        'That cluster context or namespace is no longer shown in the Game Servers view; refresh the wizard.',
      );
    if (input && scope.namespace !== input.namespace)
      throw new Error(`The release names namespace ${input.namespace}, but the chosen view shows ${scope.namespace}.`);
    return scope;
  }

  private resolveSelect(targets: Target[]): { scope: string; name: string } | undefined {
    const s = this.select;
    if (!s) return undefined;
    const t = targets.find(
      x =>
        x.name === s.name && (s.scope ? x.scope === s.scope : s.namespace === undefined || x.namespace === s.namespace),
    );
    return t ? { scope: t.scope, name: t.name } : undefined;
  }

  /** Every GameServerSet the explorer shows, with an unfinished release to offer for resume. */
  targets(): Promise<{ targets: Target[]; error?: string }> {
    return listTargets(this.deps);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    this.unsubscribeRun?.();
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.opts.onDispose?.(this);
  }
}
