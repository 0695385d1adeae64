// When the Game Servers view re-renders and when it reconnects: the one owner of refresh triggers (after
// vscode-docker's RefreshManager). Re-render (cheap; coalesced per frame; only while the view is visible): a
// cache event, a command's write, the poll fallback while a namespace is failing; the explorer then tells
// VS Code only the elements that changed. Reconnect (re-read the
// kubeconfig and settings; replace only what changed): Switch Context, Select Namespaces, a change of
// okg.kubeconfig or okg.namespaces, the demo cluster starting or stopping, the Kubernetes extension's
// kubeconfig or context. Refresh: reconnect if anything changed, then list every shown namespace again.
// None of them stops a cache that someone else (a release, a YAML document) still holds.
import * as vscode from 'vscode';
import type { Explorer, Node } from './explorer.js';
import { Disposable, toDisposable } from './lifecycle.js';
import { RECONNECT_SETTINGS, settings } from './settings.js';

export class RefreshTriggers extends Disposable {
  private visible: boolean;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  /** Refreshes in progress: each ends with one render, which covers every event before it. */
  private refreshing = 0;

  constructor(
    private readonly explorer: Explorer,
    view: vscode.TreeView<Node>,
    private readonly log: vscode.LogOutputChannel,
    // One frame: VS Code coalesces tree refreshes itself, so a longer wait here only delays what the user sees.
    readonly debounceMs = 16,
  ) {
    super();
    this.visible = view.visible;
    this.register(
      view.onDidChangeVisibility(e => {
        this.visible = e.visible;
        if (e.visible && this.dirty) {
          this.dirty = false;
          this.explorer.flush();
        }
      }),
    );
    this.register(explorer.onDidChangeCache(() => this.rerender()));
    this.register(
      vscode.workspace.onDidChangeConfiguration(e => {
        if (RECONNECT_SETTINGS.some(s => e.affectsConfiguration(s))) this.reconnect('the okg settings changed');
        if (e.affectsConfiguration('okg.pollFallbackSeconds')) this.startPolling();
        if (e.affectsConfiguration('okg.protectedContexts')) this.explorer.render();
      }),
    );
    this.register(
      toDisposable(() => {
        clearTimeout(this.timer);
        clearInterval(this.poll);
      }),
    );
    this.startPolling();
  }

  /** Tells the view what changed, soon (coalesced), or when the view next becomes visible. */
  rerender(): void {
    if (this.isDisposed || this.refreshing) return;
    if (!this.visible) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.refreshing) return;
      if (!this.visible) {
        this.dirty = true;
        return;
      }
      this.dirty = false;
      this.explorer.flush();
    }, this.debounceMs);
  }

  /** The kubeconfig, context, namespaces or demo cluster may have changed: reconnect what did. */
  reconnect(reason: string): void {
    if (this.isDisposed) return;
    if (this.explorer.sync()) this.log.info(`Game Servers view reconnected: ${reason}`);
  }

  /** OKG: Refresh: one render at the end, whatever the re-lists stirred up meanwhile. */
  async refresh(): Promise<void> {
    this.refreshing++;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.explorer.refresh();
    } finally {
      this.refreshing--;
    }
  }

  /** The poll fallback: re-renders while a namespace is failing, so errors show and clear. */
  startPolling(): void {
    clearInterval(this.poll);
    const seconds = settings().pollFallbackSeconds;
    if (seconds <= 0 || this.isDisposed) return;
    this.poll = setInterval(() => {
      if (!this.explorer.anyFailing()) return;
      this.explorer.invalidate();
      this.rerender();
    }, seconds * 1000);
    this.poll.unref?.();
  }
}
