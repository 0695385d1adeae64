// Read-only live documents about a room or a set (scheme `okg-room`): a container's log followed through one
// stream, a describe kept current by its watches (GameServer, pod, events), and a set's events. Each open
// document holds its own stream or watch and lets go of it when the document closes; nothing polls.
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import { streamLog } from '../cluster/logs.js';
import { describeRoom, eventsTable } from '../cluster/describe.js';
import { RoomWatch, setEventSources } from '../cluster/describeWatch.js';
import type { Explorer } from './explorer.js';
import { Disposable, toDisposable } from './lifecycle.js';

export const ROOM_SCHEME = 'okg-room';
/** Lines a log document keeps; older ones drop off the top, as a terminal's scrollback does. */
export const LOG_LINES_KEPT = 5000;
/** Changes within this time redraw a document once. */
const REDRAW_MS = 200;

export type RoomDoc =
  | { kind: 'log'; connId: string; namespace: string; name: string; container: string; previous: boolean }
  | { kind: 'describe'; connId: string; namespace: string; name: string }
  | { kind: 'events'; connId: string; namespace: string; name: string };

export function roomDocUri(d: RoomDoc): vscode.Uri {
  const base = `/${encodeURIComponent(d.connId)}/${d.namespace}/${d.kind}/${d.name}`;
  const path =
    d.kind === 'log' ? `${base}/${d.container}${d.previous ? '.previous' : ''}.log` : `${base}.${d.kind}.txt`;
  return vscode.Uri.from({ scheme: ROOM_SCHEME, path });
}

export function parseRoomDocUri(uri: vscode.Uri): RoomDoc | undefined {
  const log = /^\/([^/]+)\/([^/]+)\/log\/([^/]+)\/([^/]+?)(\.previous)?\.log$/.exec(uri.path);
  if (log)
    return {
      kind: 'log',
      connId: decodeURIComponent(log[1]),
      namespace: log[2],
      name: log[3],
      container: log[4],
      previous: !!log[5],
    };
  const other = /^\/([^/]+)\/([^/]+)\/(describe|events)\/([^/]+)\.(describe|events)\.txt$/.exec(uri.path);
  if (other && other[3] === other[5])
    return {
      kind: other[3] as 'describe' | 'events',
      connId: decodeURIComponent(other[1]),
      namespace: other[2],
      name: other[4],
    };
  return undefined;
}

interface Held {
  text: () => string;
  stop: () => void;
}

export class RoomDocs extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  private readonly held = new Map<string, Held>();
  private readonly redraws = new Map<string, NodeJS.Timeout>();

  constructor(private readonly explorer: Explorer) {
    super();
    this.register(vscode.workspace.onDidCloseTextDocument(doc => this.release(doc.uri.toString())));
    this.register(
      toDisposable(() => {
        for (const key of [...this.held.keys()]) this.release(key);
      }),
    );
  }

  /** How many documents hold a stream or watch now (tests: closing lets go). */
  get following(): number {
    return this.held.size;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const d = parseRoomDocUri(uri);
    if (!d) return `not an OKG room document: ${uri.toString()}\n`;
    const key = uri.toString();
    let h = this.held.get(key);
    if (!h) {
      const conn = this.explorer.connection(d.connId);
      if (!conn) return 'The context of this document is no longer shown in the OKG explorer.\n';
      h = this.hold(conn.kc, d, () => this.redraw(uri));
      this.held.set(key, h);
    }
    return h.text();
  }

  private redraw(uri: vscode.Uri): void {
    const key = uri.toString();
    if (this.redraws.has(key) || !this.held.has(key)) return;
    this.redraws.set(
      key,
      setTimeout(() => {
        this.redraws.delete(key);
        this.changed.fire(uri);
      }, REDRAW_MS),
    );
  }

  private hold(kc: KubeConfig, d: RoomDoc, changed: () => void): Held {
    if (d.kind === 'log') return this.holdLog(kc, d, changed);
    let text = `Loading ${d.kind === 'describe' ? `room ${d.name}` : `events of ${d.name} and its rooms`}…\n`;
    let problem = '';
    const render = (body: string) => (problem ? `${problem}\n\n${body}` : body);
    const w = new RoomWatch(
      kc,
      d.namespace,
      d.name,
      snap => {
        problem = '';
        if (d.kind === 'describe')
          text = snap.gs
            ? describeRoom(snap.gs, snap.pod, snap.events)
            : `Room ${d.name} does not exist in namespace ${d.namespace} (deleted, or not created yet).\n`;
        else
          text = `Events of GameServerSet ${d.name} and its rooms in ${d.namespace} (newest last, live)\n\n${eventsTable(snap.events)}\n`;
        changed();
      },
      e => {
        problem = `(not live right now: ${e instanceof Error ? e.message : String(e)}; retrying)`;
        changed();
      },
      d.kind === 'events' ? setEventSources(d.namespace, d.name) : undefined,
    );
    w.start();
    return { text: () => render(text), stop: () => w.stop() };
  }

  private holdLog(kc: KubeConfig, d: Extract<RoomDoc, { kind: 'log' }>, changed: () => void): Held {
    const lines: string[] = [];
    let partial = '';
    let end = '';
    const ac = new AbortController();
    const add = (t: string) => {
      const parts = (partial + t).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > LOG_LINES_KEPT) lines.splice(0, lines.length - LOG_LINES_KEPT);
      changed();
    };
    streamLog(
      kc,
      d.namespace,
      d.name,
      { container: d.container, follow: !d.previous, previous: d.previous },
      add,
      ac.signal,
    )
      .then(() => {
        if (ac.signal.aborted) return;
        end = d.previous
          ? ''
          : '--- the container run ended: the log is complete (Show Logs again for the next run) ---';
        changed();
      })
      .catch((e: unknown) => {
        end = `--- ${e instanceof Error ? e.message : String(e)} ---`;
        changed();
      });
    return {
      text: () => [...lines, ...(partial ? [partial] : []), ...(end ? [end] : [])].join('\n') + '\n',
      stop: () => ac.abort(),
    };
  }

  private release(key: string): void {
    const h = this.held.get(key);
    if (!h) return;
    this.held.delete(key);
    clearTimeout(this.redraws.get(key));
    this.redraws.delete(key);
    h.stop();
  }
}
