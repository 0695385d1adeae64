// The room and GameServerSet commands of the Game Servers view (the RoomActions the command table calls):
// which rooms or set a command acts on, the questions it asks, then the shared write path (actionsWrite.ts),
// the protected-context gate (actionsGuard.ts) and the set commands (actionsSets.ts). Each holds its own
// reference to the namespace's cache (through the connection) from the first question to the last write, so
// a reconnect meanwhile does not end its connection. Handlers return what happened so tests can assert on it.
import * as vscode from 'vscode';
import { RESERVED_OPS_STATES } from '../cluster/okg.js';
import { plural } from '../cluster/util.js';
import { validateChange, type RoomChange } from '../release/bulk.js';
import type { HistoryRow } from '../release/history.js';
import { guardRelease, protectedGuard } from './actionsGuard.js';
import { showReleaseHistory } from './actionsHistory.js';
import { retireIdleOld, scaleSet } from './actionsSets.js';
import { confirmAndWrite, holding, type ActionDeps, type ChangeReport, type Outcome } from './actionsWrite.js';
import { isNode } from './clusterActions.js';
import type { Connection } from './connections.js';
import type { Explorer, GssNode, RoomNode } from './explorer.js';
import { roomPickText } from './format.js';
import type { RefreshTriggers } from './refresh.js';
import { yamlUri } from './yaml.js';

export { KEEP } from './actionsGuard.js';
export type { ChangeReport, Outcome } from './actionsWrite.js';

export class RoomActions {
  private readonly deps: ActionDeps;

  constructor(
    private readonly explorer: Explorer,
    triggers: RefreshTriggers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.deps = { explorer, triggers, log };
  }

  /** Runs `fn` holding a reference to each (connection, namespace) of `nodes` until it settles. */
  private holding<T>(nodes: readonly { conn: Connection; namespace: string }[], fn: () => Promise<T>): Promise<T> {
    return holding(this.explorer, nodes, fn);
  }

  // ---- rooms

  /**
   * The rooms a command acts on: the tree's multi-selection, the clicked room, or a pick (of a clicked set's
   * rooms, or of every room shown), matched on name, state, opsState, priorities and image.
   */
  private async targetRooms(arg: unknown, selected: unknown, title: string): Promise<RoomNode[] | undefined> {
    const many = Array.isArray(selected) ? selected.filter(isNode).filter((n): n is RoomNode => n.kind === 'room') : [];
    if (many.length) return many;
    if (isNode(arg) && arg.kind === 'room') return [arg];
    const set = isNode(arg) && arg.kind === 'gss' ? arg : undefined;
    const rooms: RoomNode[] = set
      ? set.rooms.map(room => ({ kind: 'room', conn: set.conn, namespace: set.namespace, room }))
      : await this.explorer.allRooms();
    if (!rooms.length) {
      void vscode.window.showInformationMessage(
        set ? `${set.gss.name} has no rooms.` : 'No rooms are shown in the Game Servers view.',
      );
      return undefined;
    }
    const multi = new Set(rooms.map(r => `${r.conn.id}/${r.namespace}`)).size > 1;
    const picks = await vscode.window.showQuickPick(
      rooms.map(r => {
        const text = roomPickText(r.room);
        return {
          label: r.room.name,
          description: text.description,
          detail: multi ? `${text.detail} · ${r.conn.contextName} · ${r.namespace}` : text.detail,
          node: r,
        };
      }),
      {
        canPickMany: true,
        title: set ? `${title}: rooms of ${set.gss.name}` : title,
        placeHolder: 'Rooms to change: type a name, state, opsState or image',
        matchOnDescription: true,
        matchOnDetail: true,
      },
    );
    return picks?.length ? picks.map(p => p.node) : undefined;
  }

  async setOpsState(arg?: unknown, selected?: unknown, value?: string): Promise<ChangeReport> {
    const rooms = await this.targetRooms(arg, selected, 'OKG: Set opsState');
    if (!rooms) return { outcome: 'cancelled', results: [] };
    return this.holding(rooms, async () => {
      let opsState = value;
      if (opsState === undefined) {
        const custom = 'Custom…';
        const pick = await vscode.window.showQuickPick(
          [...RESERVED_OPS_STATES, custom].map(label => ({ label })),
          {
            title: `Set opsState of ${plural(rooms.length, 'room')}`,
          },
        );
        if (!pick) return { outcome: 'cancelled', results: [] };
        opsState = pick.label === custom ? await this.askCustomOpsState() : pick.label;
        if (opsState === undefined) return { outcome: 'cancelled', results: [] };
      } else if (value === '') {
        opsState = await this.askCustomOpsState();
        if (opsState === undefined) return { outcome: 'cancelled', results: [] };
      }
      return this.applyChange(rooms, { opsState });
    });
  }

  private askCustomOpsState(): Thenable<string | undefined> {
    return vscode.window
      .showInputBox({
        title: 'Custom opsState',
        prompt: 'Any value; OKG ranks custom values like None at scale-down',
        validateInput: v => validateChange({ opsState: v.trim() })[0],
      })
      .then(v => v?.trim());
  }

  async setPriority(
    field: 'deletionPriority' | 'updatePriority',
    arg?: unknown,
    selected?: unknown,
  ): Promise<ChangeReport> {
    const what = field === 'deletionPriority' ? 'Deletion Priority' : 'Update Priority';
    const rooms = await this.targetRooms(arg, selected, `OKG: Set ${what}`);
    if (!rooms) return { outcome: 'cancelled', results: [] };
    return this.holding(rooms, async () => {
      const same = new Set(rooms.map(r => r.room[field]));
      const text = await vscode.window.showInputBox({
        title: `Set ${what} of ${plural(rooms.length, 'room')}`,
        prompt:
          field === 'deletionPriority'
            ? 'Higher is deleted first (within the same opsState)'
            : 'Higher is updated first',
        value: same.size === 1 ? [...same][0] : '',
        validateInput: v => validateChange({ [field]: v.trim() })[0],
      });
      if (text === undefined) return { outcome: 'cancelled', results: [] };
      return this.applyChange(rooms, { [field]: Number(text.trim()) });
    });
  }

  /** The protected-context gate (actionsGuard.ts). */
  protectedGuard(
    targets: readonly { conn: Connection; namespace: string }[],
    what: string,
    destructive: boolean,
    sets: readonly string[],
  ): Promise<boolean> {
    return protectedGuard(this.log, targets, what, destructive, sets);
  }

  /** The `okg.release` entry's protected-context check, before the wizard opens (actionsGuard.ts). */
  guardRelease(arg?: unknown): Promise<{ go: boolean; arg?: unknown }> {
    return guardRelease(this.explorer, this.log, arg);
  }

  /** Validates, confirms when destructive, writes per (context, namespace) through the engine, reports. */
  async applyChange(rooms: RoomNode[], change: RoomChange): Promise<ChangeReport> {
    const reasons = validateChange(change);
    if (reasons.length) {
      void vscode.window.showErrorMessage(reasons.join('; '));
      return { outcome: 'invalid', results: [] };
    }
    return this.holding(rooms, () => confirmAndWrite(this.deps, rooms, change));
  }

  async copyName(arg?: unknown, selected?: unknown): Promise<string | undefined> {
    const nodes = Array.isArray(selected) && selected.length ? selected.filter(isNode) : isNode(arg) ? [arg] : [];
    const names = nodes
      .map(n => (n.kind === 'room' ? n.room.name : n.kind === 'gss' ? n.gss.name : undefined))
      .filter((n): n is string => !!n);
    if (!names.length) return undefined;
    const text = names.join('\n');
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied ${names.length === 1 ? names[0] : plural(names.length, 'name')}`, 3000);
    return text;
  }

  async openYaml(arg?: unknown, selected?: unknown): Promise<vscode.Uri[]> {
    let nodes = Array.isArray(selected) && selected.length ? selected.filter(isNode) : isNode(arg) ? [arg] : [];
    if (!nodes.length) {
      const g = await this.pickGss('OKG: Open YAML');
      nodes = g ? [g] : [];
    }
    const uris: vscode.Uri[] = [];
    for (const n of nodes.slice(0, 10)) {
      if (n.kind === 'room') uris.push(yamlUri(n.conn.id, n.namespace, 'gameservers', n.room.name));
      else if (n.kind === 'gss') uris.push(yamlUri(n.conn.id, n.namespace, 'gameserversets', n.gss.name));
    }
    for (const uri of uris) {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: uris.length === 1 });
    }
    return uris;
  }

  // ---- GameServerSets

  private async pickGss(title: string, arg?: unknown): Promise<GssNode | undefined> {
    if (isNode(arg) && arg.kind === 'gss') return arg;
    const sets = await this.explorer.allGameServerSets();
    if (!sets.length) {
      void vscode.window.showInformationMessage('No GameServerSets are shown in the Game Servers view.');
      return undefined;
    }
    if (sets.length === 1) return sets[0];
    const pick = await vscode.window.showQuickPick(
      sets.map(s => ({ label: s.gss.name, description: `${s.conn.contextName} · ${s.namespace}`, node: s })),
      { title },
    );
    return pick?.node;
  }

  async scale(arg?: unknown): Promise<{ outcome: Outcome; replicas?: number; removed?: string[] }> {
    const node = await this.pickGss('OKG: Scale', arg);
    if (!node) return { outcome: 'cancelled' };
    return scaleSet(this.deps, node);
  }

  async showReleaseHistory(arg?: unknown): Promise<HistoryRow[] | undefined> {
    const node = await this.pickGss('OKG: Show Release History', arg);
    return node ? showReleaseHistory(this.deps, node) : undefined;
  }

  async retireIdleOldRooms(arg?: unknown): Promise<ChangeReport> {
    const node = await this.pickGss('OKG: Retire Idle Old-Version Rooms', arg);
    if (!node) return { outcome: 'cancelled', results: [] };
    return retireIdleOld(this.deps, node, (rooms, change) => this.applyChange(rooms, change));
  }
}
