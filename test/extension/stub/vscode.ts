// A small stand-in for the `vscode` module, enough for the extension's glue to run in plain Node: tree items,
// events, commands, configuration, virtual documents, and a scripted UI. Tests queue answers for quick
// picks, input boxes, message buttons and Save dialogs in `ui.answers` (an answer may be async, to act before it
// answers), and read back every prompt in `ui.prompts`; files saved through workspace.fs are written to disk and
// listed in `ui.savedFiles`.
// The loader hook (hooks.ts) makes `import * as vscode from 'vscode'` resolve here. Webview panels: webview.ts.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webviewWindow } from './webview.js';

export { ViewColumn, webviews, FakePanel, FakeWebview } from './webview.js';

export type Listener<T> = (e: T) => unknown;
export type Event<T> = (listener: Listener<T>) => Disposable;

export class Disposable {
  constructor(private readonly fn: () => unknown) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach(i => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event: Event<T> = listener => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}
export enum QuickPickItemKind {
  Separator = -1,
  Default = 0,
}
export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export class ThemeColor {
  constructor(readonly id: string) {}
}
export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class MarkdownString {
  isTrusted = false;
  constructor(
    public value = '',
    public supportThemeIcons = false,
  ) {}
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: ThemeIcon;
  contextValue?: string;
  constructor(
    readonly label: string,
    public collapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static from(c: { scheme: string; path: string }): Uri {
    return new Uri(c.scheme, c.path);
  }
  static parse(s: string): Uri {
    const i = s.indexOf(':');
    return new Uri(s.slice(0, i), s.slice(i + 1));
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static joinPath(u: Uri, ...parts: string[]): Uri {
    return new Uri(u.scheme, [u.path.replace(/\/$/, ''), ...parts].join('/'));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}:${this.path}`;
  }
}

// ---- scripted UI

export interface Prompt {
  kind: 'quickPick' | 'inputBox' | 'info' | 'warning' | 'error' | 'saveDialog';
  text?: string;
  items?: unknown[];
  options?: unknown;
  buttons?: string[];
  validation?: string;
}
export type Answer = (p: Prompt) => unknown;

export const ui = {
  answers: [] as Answer[],
  prompts: [] as Prompt[],
  clipboard: '',
  statusBar: [] as string[],
  shownDocuments: [] as TextDocument[],
  /** Files opened by URI (showTextDocument(uri)). */
  shownFiles: [] as Uri[],
  /** Files written through workspace.fs (they are written to disk too). */
  savedFiles: [] as { uri: Uri; text: string }[],
  reset(): void {
    this.answers = [];
    this.prompts = [];
    this.clipboard = '';
    this.statusBar = [];
    this.shownDocuments = [];
    this.shownFiles = [];
    this.savedFiles = [];
  },
  next(p: Prompt): unknown {
    this.prompts.push(p);
    const a = this.answers.shift();
    return a ? a(p) : undefined;
  },
};

interface Labeled {
  label: string;
}

/** Picks the items with these labels (an array when the pick allows several). */
export const pick =
  (...labels: string[]): Answer =>
  p => {
    const items = (p.items ?? []) as Labeled[];
    const found = labels.map(l => {
      const i = items.find(x => x.label === l);
      if (!i) throw new Error(`no quick pick item "${l}" in ${items.map(x => x.label).join(', ')}`);
      return i;
    });
    return (p.options as { canPickMany?: boolean } | undefined)?.canPickMany ? found : found[0];
  };
export const input =
  (text: string): Answer =>
  () =>
    text;
export const button =
  (label: string): Answer =>
  () =>
    label;
export const cancel: Answer = () => undefined;
/** Answers a Save dialog with this file path. */
export const saveAs =
  (path: string): Answer =>
  () =>
    Uri.file(path);

// ---- window

export interface LogOutputChannel {
  name: string;
  lines: string[];
  info(m: string): void;
  warn(m: string): void;
  error(m: string): void;
  debug(m: string): void;
  trace(m: string): void;
  append(m: string): void;
  appendLine(m: string): void;
  show(): void;
  shown: number;
  dispose(): void;
}

export const channels: LogOutputChannel[] = [];

export interface TreeView<T> {
  visible: boolean;
  message?: string;
  description?: string;
  selection: T[];
  onDidChangeVisibility: Event<{ visible: boolean }>;
  setVisible(v: boolean): void;
  dispose(): void;
  provider: unknown;
}

export interface TextDocument {
  uri: Uri;
  languageId: string;
  getText(): string;
}

function createOutputChannel(name: string): LogOutputChannel {
  const lines: string[] = [];
  const ch: LogOutputChannel = {
    name,
    lines,
    shown: 0,
    info: m => lines.push(`[info] ${m}`),
    warn: m => lines.push(`[warning] ${m}`),
    error: m => lines.push(`[error] ${m}`),
    debug: m => lines.push(`[debug] ${m}`),
    trace: m => lines.push(`[trace] ${m}`),
    append: m => lines.push(m),
    appendLine: m => lines.push(m),
    show: () => {
      ch.shown++;
    },
    dispose: () => undefined,
  };
  channels.push(ch);
  return ch;
}

export interface StatusBarItem {
  name?: string;
  text: string;
  tooltip?: string;
  command?: string;
  alignment: StatusBarAlignment;
  priority?: number;
  visible: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
}

/** Status bar items the glue created, newest last. */
export const statusBarItems: StatusBarItem[] = [];

function createStatusBarItem(alignment = StatusBarAlignment.Left, priority?: number): StatusBarItem {
  const item: StatusBarItem = {
    text: '',
    alignment,
    priority,
    visible: false,
    show: () => {
      item.visible = true;
    },
    hide: () => {
      item.visible = false;
    },
    dispose: () => {
      item.visible = false;
    },
  };
  statusBarItems.push(item);
  return item;
}

type MessageOptions = { modal?: boolean; detail?: string };

function message(kind: 'info' | 'warning' | 'error') {
  return (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as MessageOptions) : undefined;
    const buttons = rest.filter((b): b is string => typeof b === 'string');
    const p: Prompt = { kind, text, options, buttons };
    if (!buttons.length) {
      ui.prompts.push(p);
      return Promise.resolve(undefined);
    }
    // An answer may be async: it can do something (a reload, a write elsewhere) before the user "clicks".
    return Promise.resolve(ui.next(p)).then(a => (typeof a === 'string' && buttons.includes(a) ? a : undefined));
  };
}

/** Terminals the glue opened, newest last: their pseudoterminal, as VS Code would drive it. */
export interface FakeTerminal {
  name: string;
  pty: { close(): void };
  shown: number;
  disposed: boolean;
  show(): void;
  dispose(): void;
}
export const terminals: FakeTerminal[] = [];

export const window = {
  createOutputChannel,
  createTerminal(options: { name: string; pty: { close(): void } }): FakeTerminal {
    const t: FakeTerminal = {
      name: options.name,
      pty: options.pty,
      shown: 0,
      disposed: false,
      show: () => {
        t.shown++;
      },
      dispose: () => {
        if (t.disposed) return;
        t.disposed = true;
        t.pty.close();
      },
    };
    terminals.push(t);
    return t;
  },
  createStatusBarItem,
  createTreeView<T>(_id: string, options: { treeDataProvider: unknown }): TreeView<T> {
    const visibility = new EventEmitter<{ visible: boolean }>();
    const view: TreeView<T> = {
      visible: true,
      selection: [],
      provider: options.treeDataProvider,
      onDidChangeVisibility: visibility.event,
      setVisible(v: boolean) {
        view.visible = v;
        visibility.fire({ visible: v });
      },
      dispose: () => visibility.dispose(),
    };
    return view;
  },
  async showQuickPick(items: unknown[] | Promise<unknown[]>, options?: unknown): Promise<unknown> {
    return ui.next({ kind: 'quickPick', items: await items, options });
  },
  async showInputBox(options?: { validateInput?: (v: string) => unknown }): Promise<string | undefined> {
    const p: Prompt = { kind: 'inputBox', options };
    const a = await ui.next(p);
    if (typeof a !== 'string') return undefined;
    const v = await options?.validateInput?.(a);
    if (typeof v === 'string' && v) {
      p.validation = v;
      return undefined;
    }
    return a;
  },
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  async withProgress<R>(
    _o: unknown,
    task: (
      p: { report(v: unknown): void },
      t: { isCancellationRequested: boolean; onCancellationRequested: Event<unknown> },
    ) => Promise<R>,
  ): Promise<R> {
    const cancel = new EventEmitter<unknown>();
    return task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: cancel.event });
  },
  setStatusBarMessage(text: string): Disposable {
    ui.statusBar.push(text);
    return new Disposable(() => undefined);
  },
  async showTextDocument(doc: TextDocument | Uri): Promise<unknown> {
    if (doc instanceof Uri) ui.shownFiles.push(doc);
    else ui.shownDocuments.push(doc);
    return {};
  },
  async showSaveDialog(options?: {
    defaultUri?: Uri;
    filters?: Record<string, string[]>;
    saveLabel?: string;
    title?: string;
  }): Promise<Uri | undefined> {
    const a = await ui.next({ kind: 'saveDialog', options });
    return a instanceof Uri ? a : undefined;
  },
  ...webviewWindow,
};

// ---- commands

const registered = new Map<string, (...args: unknown[]) => unknown>();
export const contextKeys = new Map<string, unknown>();

export const commands = {
  registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
    if (registered.has(id)) throw new Error(`command ${id} already registered`);
    registered.set(id, fn);
    return new Disposable(() => registered.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    if (id === 'setContext') {
      contextKeys.set(String(args[0]), args[1]);
      return undefined;
    }
    const fn = registered.get(id);
    if (!fn) throw new Error(`command ${id} not found`);
    return fn(...args);
  },
  registered(): string[] {
    return [...registered.keys()];
  },
};

// ---- workspace

export const config = new Map<string, unknown>();
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}
/** Settings the extension wrote, in order. */
export const configUpdates: { key: string; value: unknown; target?: ConfigurationTarget }[] = [];
const configChanged = new EventEmitter<{ affectsConfiguration(s: string): boolean }>();
const closed = new EventEmitter<TextDocument>();
const providers = new Map<
  string,
  { provideTextDocumentContent(uri: Uri): string | Promise<string>; onDidChange?: Event<Uri> }
>();

export const workspace = {
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  fs: {
    async writeFile(uri: Uri, content: Uint8Array): Promise<void> {
      if (uri.scheme !== 'file') throw new Error(`the stub writes file: URIs only, not ${uri.toString()}`);
      const text = new TextDecoder().decode(content);
      writeFileSync(uri.path, text);
      ui.savedFiles.push({ uri, text });
    },
  },
  getConfiguration(section: string) {
    return {
      get: <T>(key: string): T | undefined => config.get(`${section}.${key}`) as T | undefined,
      /** As the settings editor would write it (the target is kept in `configUpdates`). */
      async update(key: string, value: unknown, target?: ConfigurationTarget): Promise<void> {
        configUpdates.push({ key: `${section}.${key}`, value, target });
        setConfig(`${section}.${key}`, value);
      },
    };
  },
  onDidChangeConfiguration: configChanged.event,
  onDidCloseTextDocument: closed.event,
  registerTextDocumentContentProvider(
    scheme: string,
    p: { provideTextDocumentContent(uri: Uri): string | Promise<string> },
  ): Disposable {
    providers.set(scheme, p);
    return new Disposable(() => providers.delete(scheme));
  },
  async openTextDocument(arg: Uri | { content?: string; language?: string }): Promise<TextDocument> {
    if (!(arg instanceof Uri)) {
      const text = arg.content ?? '';
      return {
        uri: Uri.from({ scheme: 'untitled', path: 'Untitled-1' }),
        languageId: arg.language ?? 'plaintext',
        getText: () => text,
      };
    }
    const uri = arg;
    const p = providers.get(uri.scheme);
    if (!p) throw new Error(`no content provider for ${uri.scheme}`);
    let text = await p.provideTextDocumentContent(uri);
    p.onDidChange?.(u => {
      if (u.toString() === uri.toString())
        void Promise.resolve(p.provideTextDocumentContent(uri)).then(t => {
          text = t;
        });
    });
    return { uri, languageId: 'plaintext', getText: () => text };
  },
};

/** Changes a setting and tells listeners, as the settings editor does. */
export function setConfig(key: string, value: unknown): void {
  if (value === undefined) config.delete(key);
  else config.set(key, value);
  configChanged.fire({ affectsConfiguration: s => key === s || key.startsWith(`${s}.`) });
}

export function closeDocument(doc: TextDocument): void {
  closed.fire(doc);
}

export const languages = {
  async setTextDocumentLanguage(doc: TextDocument, languageId: string): Promise<TextDocument> {
    doc.languageId = languageId;
    return doc;
  },
};

export const env = {
  clipboard: {
    async writeText(t: string): Promise<void> {
      ui.clipboard = t;
    },
    async readText(): Promise<string> {
      return ui.clipboard;
    },
  },
};

export const extensions = { getExtension: (_id: string): undefined => undefined };

// ---- extension context

export class Memento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
}

export function extensionContext() {
  return {
    subscriptions: [] as { dispose(): unknown }[],
    workspaceState: new Memento(),
    globalState: new Memento(),
    extensionUri: Uri.file('/okg-ops'),
    logUri: Uri.file(join(tmpdir(), 'okg-ops-stub-log')),
  };
}
