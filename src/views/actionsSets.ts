// The GameServerSet commands: Scale… (a conditional replicas patch, with OKG's scale-down victims named
// first) and Retire Idle Old-Version Rooms (pick among the None rooms on an old image, mark them WaitToBeDeleted).
import * as vscode from 'vscode';
import { ClusterError } from '../cluster/errors.js';
import { plural } from '../cluster/util.js';
import type { RoomChange } from '../release/bulk.js';
import { kubectlPatch } from '../commands/kubectl.js';
import { KEEP, protectedGuard } from './actionsGuard.js';
import {
  confirmEnabled,
  contextOf,
  holding,
  type ActionDeps,
  type ChangeReport,
  type Outcome,
} from './actionsWrite.js';
import type { GssNode, RoomNode } from './explorer.js';
import { imagesLabel, retireCandidates, roomPickText, scaleDownVictims } from './format.js';
import { whereLine } from './identity.js';

/** A room OKG must never remove unnamed: players on it, under maintenance, or a priority someone set. */
const mustName = (r: { opsState: string; deletionPriority: string }) =>
  r.opsState === 'Allocated' ||
  r.opsState === 'Maintaining' ||
  (r.deletionPriority.trim() !== '' && r.deletionPriority.trim() !== '0');

export async function scaleSet(
  deps: ActionDeps,
  node: GssNode,
): Promise<{ outcome: Outcome; replicas?: number; removed?: string[] }> {
  const { log } = deps;
  return holding(deps.explorer, [node], async () => {
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
      !(await protectedGuard(log, [node], `Scale ${gss.name} from ${gss.replicas} to ${replicas}`, victims.length > 0, [
        gss.name,
      ]))
    )
      return { outcome: 'cancelled' };
    // Scale-down names the rooms OKG will remove (its own order); a room in use or with a deletion
    // priority someone set is named and asked about even with confirmations off.
    const named = victims.filter(mustName);
    if (victims.length && (named.length || confirmEnabled())) {
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
      log.info(kubectlPatch('gss', gss.name, namespace, ops, contextOf(conn)));
    } catch (e) {
      const err = e as ClusterError;
      const message =
        err instanceof ClusterError && err.kind === 'invalid'
          ? `${gss.name} was not scaled: its replicas changed since you looked (it was ${gss.replicas}); nothing was written`
          : `${gss.name} was not scaled: ${err.message}`;
      log.error(message);
      void vscode.window.showErrorMessage(message);
      return { outcome: 'partial' };
    }
    deps.triggers.rerender();
    const removed = victims.length
      ? ` OKG removes ${victims.map(r => r.name).join(', ')} (its scale-down order, as previewed).`
      : '';
    if (removed) log.info(`${namespace}/${gss.name}: scale-down removes ${victims.map(r => r.name).join(', ')}`);
    void vscode.window.showInformationMessage(
      `Scaled ${gss.name} from ${gss.replicas} to ${replicas} replicas.${removed}`,
    );
    return { outcome: 'done', replicas, removed: victims.map(r => r.name) };
  });
}

export async function retireIdleOld(
  deps: ActionDeps,
  node: GssNode,
  apply: (rooms: RoomNode[], change: RoomChange) => Promise<ChangeReport>,
): Promise<ChangeReport> {
  return holding(deps.explorer, [node], async () => {
    const { gss } = node;
    const candidates = retireCandidates(gss, node.rooms);
    if (!candidates.length) {
      void vscode.window.showInformationMessage(
        `${gss.name} has no idle old-version rooms: every room with opsState None runs ${imagesLabel(gss.images)}.`,
      );
      return { outcome: 'nothing', results: [] };
    }
    // Every candidate comes picked; typing a state, opsState or image narrows the list to unpick some.
    const picks = await vscode.window.showQuickPick(
      candidates.map(room => ({ label: room.name, ...roomPickText(room), picked: true, room })),
      {
        canPickMany: true,
        title: `Retire idle old-version rooms of ${gss.name} (current version ${imagesLabel(gss.images)})`,
        placeHolder: 'Rooms to mark WaitToBeDeleted: type a name, state, opsState or image',
        matchOnDescription: true,
        matchOnDetail: true,
      },
    );
    if (!picks?.length) return { outcome: 'cancelled', results: [] };
    const chosen = picks.map(p => p.room);
    if (
      !(await protectedGuard(
        deps.log,
        [node],
        `Mark ${plural(chosen.length, 'idle old-version room')} of ${gss.name} WaitToBeDeleted`,
        false,
        [gss.name],
      ))
    ) {
      return { outcome: 'cancelled', results: [] };
    }
    if (confirmEnabled()) {
      const button = `Mark ${plural(chosen.length, 'room')}`;
      const answer = await vscode.window.showWarningMessage(
        `Mark ${plural(chosen.length, 'idle old-version room')} of ${gss.name} WaitToBeDeleted?`,
        {
          modal: true,
          detail: `${whereLine([node])}\n${chosen.map(r => `${r.name} (${imagesLabel(r.images)})`).join('\n')}\n\nOnly rooms still None are changed (a room allocated meanwhile is skipped). OKG deletes WaitToBeDeleted rooms when replicas drop (the KEDA scaler, or Scale…); the current version is ${imagesLabel(gss.images)}.`,
        },
        KEEP,
        button,
      );
      if (answer !== button) return { outcome: 'cancelled', results: [] };
    }
    return apply(
      chosen.map(room => ({ kind: 'room', conn: node.conn, namespace: node.namespace, room })),
      { opsState: 'WaitToBeDeleted' },
    );
  });
}
