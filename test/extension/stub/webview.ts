// Webview panels for the `vscode` stub (what the release wizard uses): a panel records what the host posts to
// its webview, `webview.send` delivers a message from the page to the host, `setVisible` hides or shows it as
// switching editor tabs does. Serializers are kept by view type. Self-contained (vscode.ts re-exports it).

type Listener<T> = (e: T) => unknown;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (l: Listener<T>): { dispose(): void } => {
    this.listeners.add(l);
    return {
      dispose: () => {
        this.listeners.delete(l);
      },
    };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
  Two = 2,
  Three = 3,
}

export const CSP_SOURCE = 'https://webview.test';

export class FakeWebview {
  html = '';
  options: Record<string, unknown> = {};
  readonly cspSource = CSP_SOURCE;
  readonly posted: unknown[] = [];
  private readonly received = new Emitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  postMessage(m: unknown): Promise<boolean> {
    this.posted.push(structuredClone(m));
    return Promise.resolve(true);
  }
  asWebviewUri(u: { path: string }): { toString(): string } {
    const s = `${CSP_SOURCE}${u.path}`;
    return { toString: () => s };
  }
  /** A message from the page to the host. */
  send(m: unknown): void {
    this.received.fire(m);
  }
}

export class FakePanel {
  readonly webview = new FakeWebview();
  visible = true;
  disposed = false;
  revealed = 0;
  private readonly disposeEmitter = new Emitter<void>();
  private readonly stateEmitter = new Emitter<{ webviewPanel: FakePanel }>();
  readonly onDidDispose = this.disposeEmitter.event;
  readonly onDidChangeViewState = this.stateEmitter.event;
  constructor(
    readonly viewType: string,
    public title: string,
    options: Record<string, unknown> = {},
  ) {
    this.webview.options = options;
  }
  reveal(): void {
    this.revealed++;
    this.setVisible(true);
  }
  setVisible(v: boolean): void {
    if (this.visible === v) return;
    this.visible = v;
    this.stateEmitter.fire({ webviewPanel: this });
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
}

export interface PanelSerializer {
  deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void>;
}

export const webviews = {
  panels: [] as FakePanel[],
  serializers: new Map<string, PanelSerializer>(),
  reset(): void {
    this.panels = [];
  },
};

export const webviewWindow = {
  createWebviewPanel(
    viewType: string,
    title: string,
    _column: unknown,
    options: Record<string, unknown> = {},
  ): FakePanel {
    const p = new FakePanel(viewType, title, options);
    webviews.panels.push(p);
    return p;
  },
  registerWebviewPanelSerializer(viewType: string, s: PanelSerializer): { dispose(): void } {
    webviews.serializers.set(viewType, s);
    return {
      dispose: () => {
        webviews.serializers.delete(viewType);
      },
    };
  },
};
