// The write path every room change from the view takes: hold the namespaces' caches, pass the protected
// gate, confirm when destructive (with counts), write per (context, namespace) through the engine's
// conditional bulk writes, log each write as its kubectl equivalent, and report partial failures per room.
import * as vscode from 'vscode';
import type { CacheLease } from '../cluster/cache.js';
import { plural } from '../cluster/util.js';
import { applyToRooms, summarize, type RoomChange, type RoomResult } from '../release/bulk.js';
import { describeChange, kubectlPatch } from '../commands/kubectl.js';
import { KEEP, protectedGuard } from './actionsGuard.js';
import type { Connection } from './connections.js';
import type { Explorer, RoomNode } from './explorer.js';
import { destructiveOpsState } from './format.js';
import { whereLine } from './identity.js';
import type { RefreshTriggers } from './refresh.js';
import { settings } from './settings.js';

export type Outcome = 'cancelled' | 'invalid' | 'done' | 'partial' | 'nothing';

export interface ChangeReport {
  outcome: Outcome;
  results: RoomResult[];
}

/** What the actions share: the tree (for caches and picks), its refresh, and the log. */
export interface ActionDeps {
  explorer: Explorer;
  triggers: RefreshTriggers;
  log: vscode.LogOutputChannel;
}

export const contextOf = (conn: Connection) => conn.kc.getCurrentContext();

export const confirmEnabled = (): boolean => settings().confirmDestructiveChanges;

/** Runs `fn` holding a reference to each (connection, namespace) of `nodes` until it settles. */
export async function holding<T>(
  explorer: Explorer,
  nodes: readonly { conn: Connection; namespace: string }[],
  fn: () => Promise<T>,
): Promise<T> {
  const leases: CacheLease[] = [];
  try {
    for (const key of new Set(nodes.map(n => `${n.conn.id}\u0000${n.namespace}`))) {
      const n = nodes.find(x => `${x.conn.id}\u0000${x.namespace}` === key)!;
      leases.push(explorer.hold(n.conn, n.namespace));
    }
    return await fn();
  } finally {
    for (const l of leases) l.release();
  }
}

/** Confirms (protected gate, then the destructive modal), writes, reports. `change` is already valid. */
export async function confirmAndWrite(deps: ActionDeps, rooms: RoomNode[], change: RoomChange): Promise<ChangeReport> {
  const { log } = deps;
  const label = describeChange(change);
  const d =
    change.opsState !== undefined
      ? destructiveOpsState(
          rooms.map(r => r.room),
          change.opsState,
        )
      : undefined;
  if (
    !(await protectedGuard(
      log,
      rooms,
      `${label} on ${plural(rooms.length, 'room')}`,
      !!d,
      rooms.map(r => r.room.gameServerSet),
    ))
  ) {
    return { outcome: 'cancelled', results: [] };
  }
  if (change.opsState !== undefined && confirmEnabled()) {
    if (d) {
      const button =
        change.opsState === 'Kill' ? `Kill ${plural(rooms.length, 'room')}` : `Mark ${plural(rooms.length, 'room')}`;
      const detail = `${whereLine(rooms)}\n${rooms.map(r => `${r.room.name} (${r.room.opsState})`).join('\n')}`;
      const answer = await vscode.window.showWarningMessage(d.message, { modal: true, detail }, KEEP, button);
      if (answer !== button) {
        log.info(`${label} on ${plural(rooms.length, 'room')}: cancelled at the confirmation`);
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
                  log.info(kubectlPatch('gs', r.name, room.namespace, r.patch, contextOf(conn)));
                else if (r.outcome === 'unchanged')
                  log.info(`${room.namespace}/${r.name}: already ${label}; nothing sent`);
                else if (r.outcome === 'skipped')
                  log.warn(`${room.namespace}/${r.name}: skipped, ${r.reason ?? 'not written'}`);
                else log.error(`${room.namespace}/${r.name}: failed, ${r.reason ?? 'unknown error'}`);
              },
            })),
          );
        }
      } finally {
        sub.dispose();
      }
    },
  );
  deps.triggers.rerender();
  return { outcome: report(label, results), results };
}

function report(label: string, results: RoomResult[]): Outcome {
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
