// A room up close, from its context menu: Show Logs (container picked when there are several, the previous
// run offered after a restart), Describe, Open Terminal, Copy Address; and Show Events on a GameServerSet.
// The documents live in roomDocs.ts, the terminal in roomTerminal.ts.
import * as vscode from 'vscode';
import { getJson } from '../cluster/describeWatch.js';
import { containerNames, defaultContainer } from '../cluster/logs.js';
import type { RawObject } from '../cluster/okg.js';
import { isNode } from './clusterActions.js';
import type { GssNode, RoomNode } from './treeNodes.js';
import { roomDocUri, type RoomDoc } from './roomDocs.js';
import { RoomPty } from './roomTerminal.js';

interface ContainerChoice {
  label: string;
  description?: string;
  container: string;
  previous: boolean;
}

const roomOf = (arg: unknown): RoomNode | undefined => (isNode(arg) && arg.kind === 'room' ? arg : undefined);
const gssOf = (arg: unknown): GssNode | undefined => (isNode(arg) && arg.kind === 'gss' ? arg : undefined);

function restarts(pod: RawObject, container: string): number {
  const cs = (pod.status as { containerStatuses?: { name?: string; restartCount?: number }[] } | undefined)
    ?.containerStatuses;
  return cs?.find(c => c.name === container)?.restartCount ?? 0;
}

export class RoomCloseUp {
  /** Terminals opened (tests drive their pseudoterminals). */
  readonly terminals: RoomPty[] = [];

  private async pod(n: RoomNode): Promise<RawObject | undefined> {
    const pod = await getJson(
      n.conn.kc,
      `/api/v1/namespaces/${encodeURIComponent(n.namespace)}/pods/${encodeURIComponent(n.room.name)}`,
      { verb: 'get', resource: 'pods', namespace: n.namespace, name: n.room.name },
    );
    if (!pod)
      void vscode.window.showWarningMessage(
        `Room ${n.room.name} has no pod right now (it is being created or deleted); try again in a moment.`,
      );
    return pod;
  }

  private async open(uri: vscode.Uri): Promise<vscode.Uri> {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    return uri;
  }

  /** Show Logs: follows the chosen container's log in a read-only document. */
  async showLogs(arg?: unknown): Promise<vscode.Uri | undefined> {
    const n = roomOf(arg);
    if (!n) return undefined;
    const pod = await this.pod(n);
    if (!pod) return undefined;
    const names = containerNames(pod);
    const choices: ContainerChoice[] = [];
    for (const c of names) {
      choices.push({ label: c, description: 'follow the log', container: c, previous: false });
      const r = restarts(pod, c);
      if (r > 0)
        choices.push({
          label: `${c} (previous run)`,
          description: `the log before the last of ${r} restart${r === 1 ? '' : 's'}`,
          container: c,
          previous: true,
        });
    }
    let pick: ContainerChoice | undefined = choices.find(c => c.container === defaultContainer(pod) && !c.previous);
    if (choices.length > 1) {
      pick = (await vscode.window.showQuickPick(choices, {
        title: `Show Logs of ${n.room.name}`,
        placeHolder: 'Container (a restarted one also offers its previous run)',
      })) as ContainerChoice | undefined;
    }
    if (!pick) return undefined;
    const d: RoomDoc = {
      kind: 'log',
      connId: n.conn.id,
      namespace: n.namespace,
      name: n.room.name,
      container: pick.container,
      previous: pick.previous,
    };
    return this.open(roomDocUri(d));
  }

  /** Describe: the room and its pod as kubectl describe shows them, kept current. */
  async describe(arg?: unknown): Promise<vscode.Uri | undefined> {
    const n = roomOf(arg);
    if (!n) return undefined;
    return this.open(roomDocUri({ kind: 'describe', connId: n.conn.id, namespace: n.namespace, name: n.room.name }));
  }

  /** Show Events: the set's and its rooms' events, kept current. */
  async showEvents(arg?: unknown): Promise<vscode.Uri | undefined> {
    const g = gssOf(arg);
    if (!g) return undefined;
    return this.open(roomDocUri({ kind: 'events', connId: g.conn.id, namespace: g.namespace, name: g.gss.name }));
  }

  /** Open Terminal: a shell in the chosen container. */
  async openTerminal(arg?: unknown): Promise<RoomPty | undefined> {
    const n = roomOf(arg);
    if (!n) return undefined;
    const pod = await this.pod(n);
    if (!pod) return undefined;
    const names = containerNames(pod);
    let container = defaultContainer(pod);
    if (names.length > 1) {
      const p = (await vscode.window.showQuickPick(
        names.map(c => ({ label: c })),
        { title: `Open Terminal in ${n.room.name}`, placeHolder: 'Container' },
      )) as { label: string } | undefined;
      container = p?.label;
    }
    if (!container) return undefined;
    const pty = new RoomPty(n.conn.kc, n.namespace, n.room.name, container);
    this.terminals.push(pty);
    const t = vscode.window.createTerminal({ name: `${n.room.name} (${n.conn.contextName})`, pty });
    t.show();
    return pty;
  }

  /** Copy Address: the room's external ip:port, the one players connect to. */
  async copyAddress(arg?: unknown): Promise<string | undefined> {
    const n = roomOf(arg);
    if (!n) return undefined;
    const ext = n.room.addresses?.external ?? [];
    if (!ext.length) {
      void vscode.window.showInformationMessage(
        n.room.networkState
          ? `Room ${n.room.name} has no external address yet (network ${n.room.networkState}).`
          : `Room ${n.room.name} has no external address: its GameServerSet configures no network (spec.network).`,
      );
      return undefined;
    }
    let chosen = ext[0];
    if (ext.length > 1) {
      const p = (await vscode.window.showQuickPick(
        ext.map(a => ({ label: a.replace(/\/\w+$/, ''), description: a.slice(a.lastIndexOf('/') + 1) })),
        { title: `Copy Address of ${n.room.name}` },
      )) as { label: string } | undefined;
      if (!p) return undefined;
      chosen = p.label;
    }
    const text = chosen.replace(/\/\w+$/, '');
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied ${text}`, 3000);
    return text;
  }
}
