// The commands that change rooms and GameServerSets. Room changes go through the engine's conditional bulk
// writes; every write is logged as its kubectl equivalent; destructive changes ask first with counts; partial
// failures are listed per room. Each holds its own reference to the namespace's cache (through the
// connection) from the first question to the last write, so a reconnect meanwhile does not end its connection.
// Handlers return what happened so tests can assert on it.
import * as vscode from 'vscode';
import type { CacheLease } from '../cluster/cache.js';
import { ClusterError } from '../cluster/errors.js';
import { RESERVED_OPS_STATES } from '../cluster/okg.js';
import { plural } from '../cluster/util.js';
import { applyToRooms, summarize, validateChange, type RoomChange, type RoomResult } from '../release/bulk.js';
import { describeChange, kubectlPatch } from '../commands/kubectl.js';
import { isNode } from './clusterActions.js';
import type { Connection } from './connections.js';
import type { Explorer, GssNode, RoomNode } from './explorer.js';
import { destructiveOpsState, imagesLabel, retireCandidates, roomDescription, scaleDownVictims } from './format.js';
import { isProtected, whereLine } from './identity.js';
import type { RefreshTriggers } from './refresh.js';
import { settings } from './settings.js';
import { yamlUri } from './yaml.js';

export type Outcome = 'cancelled' | 'invalid' | 'done' | 'partial' | 'nothing';

export interface ChangeReport {
  outcome: Outcome;
  results: RoomResult[];
}

const contextOf = (conn: Connection) => conn.kc.getCurrentContext();

/**
 * The first button of every modal confirmation. VS Code gives Enter to the first button passed (there is no
 * API to choose the default one), so a non-destructive one comes first and Enter alone changes nothing.
 */
export const KEEP = 'Keep as is';

/** A room OKG must never remove unnamed: players on it, under maintenance, or a priority someone set. */
const mustName = (r: { opsState: string; deletionPriority: string }) =>
  r.opsState === 'Allocated' ||
  r.opsState === 'Maintaining' ||
  (r.deletionPriority.trim() !== '' && r.deletionPriority.trim() !== '0');

export class RoomActions {
  constructor(
    private readonly explorer: Explorer,
    private readonly triggers: RefreshTriggers,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Runs `fn` holding a reference to each (connection, namespace) of `nodes` until it settles. */
  private async holding<T>(
    nodes: readonly { conn: Connection; namespace: string }[],
    fn: () => Promise<T>,
  ): Promise<T> {
    const leases: CacheLease[] = [];
    try {
      for (const key of new Set(nodes.map(n => `${n.conn.id}\u0000${n.namespace}`))) {
        const n = nodes.find(x => `${x.conn.id}\u0000${x.namespace}` === key)!;
        leases.push(this.explorer.hold(n.conn, n.namespace));
      }
      return await fn();
    } finally {
      for (const l of leases) l.release();
    }
  }

  // ---- rooms

  /** The rooms a command acts on: the tree's multi-selection, the clicked room, or a pick. */
  private async targetRooms(arg: unknown, selected: unknown, title: string): Promise<RoomNode[] | undefined> {
    const many = Array.isArray(selected) ? selected.filter(isNode).filter((n): n is RoomNode => n.kind === 'room') : [];
    if (many.length) return many;
    if (isNode(arg) && arg.kind === 'room') return [arg];
    if (isNode(arg) && arg.kind === 'gss')
      return arg.rooms.map(room => ({ kind: 'room', conn: arg.conn, namespace: arg.namespace, room }));
    const rooms = await this.explorer.allRooms();
    if (!rooms.length) {
      void vscode.window.showInformationMessage('No rooms are shown in the Game Servers view.');
      return undefined;
    }
    const multi = new Set(rooms.map(r => `${r.conn.id}/${r.namespace}`)).size > 1;
    const picks = await vscode.window.showQuickPick(
      rooms.map(r => ({
        label: r.room.name,
        description: roomDescription(r.room),
        detail: multi ? `${r.conn.contextName} · ${r.namespace}` : undefined,
        node: r,
      })),
      { canPickMany: true, title, placeHolder: 'Rooms to change' },
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

  /**
   * On a protected context: a destructive change needs each GameServerSet's name typed; any other write asks
   * with a modal naming the context. True to go on. Other contexts: true at once.
   */
  async protectedGuard(
    targets: readonly { conn: Connection; namespace: string }[],
    what: string,
    destructive: boolean,
    sets: readonly string[],
  ): Promise<boolean> {
    const guarded = targets.filter(t => isProtected(t.conn));
    if (!guarded.length) return true;
    const where = whereLine(guarded);
    if (destructive) {
      for (const name of [...new Set(sets)]) {
        const typed = await vscode.window.showInputBox({
          title: `${what} on protected context ${guarded[0].conn.contextName}`,
          prompt: `${where} Type the GameServerSet's name (${name}) to confirm; Escape cancels.`,
          placeHolder: name,
          validateInput: v => (v.trim() === name ? undefined : `type ${name} exactly to confirm, or press Escape`),
        });
        if (typed?.trim() !== name) {
          this.log.info(`${what}: cancelled at the protected-context check (${guarded[0].conn.contextName})`);
          return false;
        }
      }
      return true;
    }
    const go = `Write to ${guarded[0].conn.contextName}`;
    const answer = await vscode.window.showWarningMessage(
      `${what} on protected context ${guarded[0].conn.contextName}?`,
      { modal: true, detail: where },
      KEEP,
      go,
    );
    if (answer !== go)
      this.log.info(`${what}: cancelled at the protected-context check (${guarded[0].conn.contextName})`);
    return answer === go;
  }

  /**
   * The `okg.release` entry on a protected context, before the wizard opens: the set is picked (when the
   * command came without one) and its name typed. The node to open the wizard with, or undefined to stop.
   */
  async guardRelease(arg?: unknown): Promise<{ go: boolean; arg?: unknown }> {
    let node: GssNode | undefined = isNode(arg) && arg.kind === 'gss' ? arg : undefined;
    if (!node) {
      const guarded = (await this.explorer.allGameServerSets()).filter(s => isProtected(s.conn));
      if (!guarded.length) return { go: true, arg };
      const pick =
        guarded.length === 1
          ? guarded[0]
          : (
              await vscode.window.showQuickPick(
                guarded.map(s => ({
                  label: s.gss.name,
                  description: `${s.conn.contextName} · ${s.namespace} · protected`,
                  node: s,
                })),
                { title: 'OKG: Release (protected context): which GameServerSet?' },
              )
            )?.node;
      if (!pick) return { go: false };
      node = pick;
    }
    return { go: await this.protectedGuard([node], `Release ${node.gss.name}`, true, [node.gss.name]), arg: node };
  }

  private confirmEnabled(): boolean {
    return settings().confirmDestructiveChanges;
  }

  /** Validates, confirms when destructive, writes per (context, namespace) through the engine, reports. */
  async applyChange(rooms: RoomNode[], change: RoomChange): Promise<ChangeReport> {
    const reasons = validateChange(change);
    if (reasons.length) {
      void vscode.window.showErrorMessage(reasons.join('; '));
      return { outcome: 'invalid', results: [] };
    }
    return this.holding(rooms, () => this.confirmAndWrite(rooms, change));
  }

  private async confirmAndWrite(rooms: RoomNode[], change: RoomChange): Promise<ChangeReport> {
    const label = describeChange(change);
    const d =
      change.opsState !== undefined
        ? destructiveOpsState(
            rooms.map(r => r.room),
            change.opsState,
          )
        : undefined;
    if (
      !(await this.protectedGuard(
        rooms,
        `${label} on ${plural(rooms.length, 'room')}`,
        !!d,
        rooms.map(r => r.room.gameServerSet),
      ))
    ) {
      return { outcome: 'cancelled', results: [] };
    }
    if (change.opsState !== undefined && this.confirmEnabled()) {
      if (d) {
        const button =
          change.opsState === 'Kill' ? `Kill ${plural(rooms.length, 'room')}` : `Mark ${plural(rooms.length, 'room')}`;
        const detail = `${whereLine(rooms)}\n${rooms.map(r => `${r.room.name} (${r.room.opsState})`).join('\n')}`;
        const answer = await vscode.window.showWarningMessage(d.message, { modal: true, detail }, KEEP, button);
        if (answer !== button) {
          this.log.info(`${label} on ${plural(rooms.length, 'room')}: cancelled at the confirmation`);
          return { outcome: 'cancelled', results: [] };
        }
      }
    }
    const groups = new Map<string, RoomNode[]>();
    for (const r of rooms) {
      const key = `${r.conn.id}\u0000${r.namespace}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const results: RoomResult[] = [];
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Setting ${label}…`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
        let done = 0;
        try {
          for (const group of groups.values()) {
            const { conn } = group[0];
            const seen = group.map(g => g.room);
            const byName = new Map(seen.map(r => [r.name, r]));
            results.push(
              ...(await applyToRooms(conn.client, seen, change, {
                concurrency: 8,
                signal: abort.signal,
                onResult: r => {
                  done++;
                  progress.report({ message: `${done}/${rooms.length}`, increment: 100 / rooms.length });
                  const room = byName.get(r.name)!;
                  if (r.outcome === 'changed' && r.patch)
                    this.log.info(kubectlPatch('gs', r.name, room.namespace, r.patch, contextOf(conn)));
                  else if (r.outcome === 'unchanged')
                    this.log.info(`${room.namespace}/${r.name}: already ${label}; nothing sent`);
                  else if (r.outcome === 'skipped')
                    this.log.warn(`${room.namespace}/${r.name}: skipped, ${r.reason ?? 'not written'}`);
                  else this.log.error(`${room.namespace}/${r.name}: failed, ${r.reason ?? 'unknown error'}`);
                },
              })),
            );
          }
        } finally {
          sub.dispose();
        }
      },
    );
    this.triggers.rerender();
    return { outcome: this.report(label, results), results };
  }

  private report(label: string, results: RoomResult[]): Outcome {
    const c = summarize(results);
    const parts = [`${c.changed} changed`];
    if (c.unchanged) parts.push(`${c.unchanged} already set`);
    if (c.skipped) parts.push(`${c.skipped} skipped`);
    if (c.failed) parts.push(`${c.failed} failed`);
    const summary = `${label}: ${parts.join(', ')}`;
    if (!c.skipped && !c.failed) {
      void vscode.window.showInformationMessage(summary);
      return c.changed ? 'done' : 'nothing';
    }
    const detail = results
      .filter(r => r.outcome === 'skipped' || r.outcome === 'failed')
      .map(r => `${r.name}: ${r.outcome}, ${r.reason ?? 'no reason given'}`)
      .join('\n');
    void vscode.window.showWarningMessage(summary, { modal: true, detail });
    return 'partial';
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
    return this.holding([node], async () => {
      const { gss, conn, namespace } = node;
      const text = await vscode.window.showInputBox({
        title: `Scale ${gss.name}`,
        prompt: `Replicas (now ${gss.replicas}; ${plural(node.rooms.length, 'room')})`,
        value: String(gss.replicas),
        validateInput: v =>
          /^\d+$/.test(v.trim()) && Number(v) <= 10_000 ? undefined : 'a whole number from 0 to 10000',
      });
      if (text === undefined) return { outcome: 'cancelled' };
      const replicas = Number(text.trim());
      if (replicas === gss.replicas) return { outcome: 'nothing', replicas };
      const victims = scaleDownVictims(node.rooms, replicas);
      if (
        !(await this.protectedGuard(
          [node],
          `Scale ${gss.name} from ${gss.replicas} to ${replicas}`,
          victims.length > 0,
          [gss.name],
        ))
      )
        return { outcome: 'cancelled' };
      // Scale-down names the rooms OKG will remove (its own order); a room in use or with a deletion
      // priority someone set is named and asked about even with confirmations off.
      const named = victims.filter(mustName);
      if (victims.length && (named.length || this.confirmEnabled())) {
        const button = `Scale to ${replicas}`;
        const inUse = named.filter(r => r.opsState === 'Allocated' || r.opsState === 'Maintaining');
        const why = named.length
          ? `, ${named.length} of them ${inUse.some(r => r.opsState === 'Allocated') ? 'Allocated (players on it)' : inUse.length ? 'Maintaining' : 'with a deletion priority set'}`
          : '';
        const answer = await vscode.window.showWarningMessage(
          `Scale ${gss.name} from ${gss.replicas} to ${replicas}? OKG would delete ${plural(victims.length, 'room')}: ${victims.map(r => r.name).join(', ')}${why}.`,
          {
            modal: true,
            detail: `${whereLine([node])}\nRooms OKG removes, in its order (opsState, then deletion priority, then highest ordinal):\n${victims.map(r => `${r.name} (${r.opsState}, deletionPriority ${r.deletionPriority || '0'})`).join('\n')}`,
          },
          KEEP,
          button,
        );
        if (answer !== button) return { outcome: 'cancelled' };
      }
      const ops = [
        { op: 'test' as const, path: '/spec/replicas', value: gss.replicas },
        { op: 'replace' as const, path: '/spec/replicas', value: replicas },
      ];
      try {
        await conn.client.patchGameServerSet(namespace, gss.name, ops);
        this.log.info(kubectlPatch('gss', gss.name, namespace, ops, contextOf(conn)));
      } catch (e) {
        const err = e as ClusterError;
        const message =
          err instanceof ClusterError && err.kind === 'invalid'
            ? `${gss.name} was not scaled: its replicas changed since you looked (it was ${gss.replicas}); nothing was written`
            : `${gss.name} was not scaled: ${err.message}`;
        this.log.error(message);
        void vscode.window.showErrorMessage(message);
        return { outcome: 'partial' };
      }
      this.triggers.rerender();
      const removed = victims.length
        ? ` OKG removes ${victims.map(r => r.name).join(', ')} (its scale-down order, as previewed).`
        : '';
      if (removed) this.log.info(`${namespace}/${gss.name}: scale-down removes ${victims.map(r => r.name).join(', ')}`);
      void vscode.window.showInformationMessage(
        `Scaled ${gss.name} from ${gss.replicas} to ${replicas} replicas.${removed}`,
      );
      return { outcome: 'done', replicas, removed: victims.map(r => r.name) };
    });
  }

  async retireIdleOldRooms(arg?: unknown): Promise<ChangeReport> {
    const node = await this.pickGss('OKG: Retire Idle Old-Version Rooms', arg);
    if (!node) return { outcome: 'cancelled', results: [] };
    return this.holding([node], async () => {
      const { gss } = node;
      const candidates = retireCandidates(gss, node.rooms);
      if (!candidates.length) {
        void vscode.window.showInformationMessage(
          `${gss.name} has no idle old-version rooms: every room with opsState None runs ${imagesLabel(gss.images)}.`,
        );
        return { outcome: 'nothing', results: [] };
      }
      if (
        !(await this.protectedGuard(
          [node],
          `Mark ${plural(candidates.length, 'idle old-version room')} of ${gss.name} WaitToBeDeleted`,
          false,
          [gss.name],
        ))
      ) {
        return { outcome: 'cancelled', results: [] };
      }
      if (this.confirmEnabled()) {
        const button = `Mark ${plural(candidates.length, 'room')}`;
        const answer = await vscode.window.showWarningMessage(
          `Mark ${plural(candidates.length, 'idle old-version room')} of ${gss.name} WaitToBeDeleted?`,
          {
            modal: true,
            detail: `${whereLine([node])}\n${candidates.map(r => `${r.name} (${imagesLabel(r.images)})`).join('\n')}\n\nOnly rooms still None are changed (a room allocated meanwhile is skipped). OKG deletes WaitToBeDeleted rooms when replicas drop (the KEDA scaler, or Scale…); the current version is ${imagesLabel(gss.images)}.`,
          },
          KEEP,
          button,
        );
        if (answer !== button) return { outcome: 'cancelled', results: [] };
      }
      return this.applyChange(
        candidates.map(room => ({ kind: 'room', conn: node.conn, namespace: node.namespace, room })),
        { opsState: 'WaitToBeDeleted' },
      );
    });
  }
}
