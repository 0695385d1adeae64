// "Show Release History…" on a GameServerSet: the releases and rollbacks of its record (src/release/history.ts),
// newest first, in a quick pick (searchable by outcome, who, images and rooms); picking one shows it whole.
// Reads the set fresh from the cluster (the tree's copy may lag a finishing release); writes nothing.
import * as vscode from 'vscode';
import { historyLine, imagesText, releaseHistory, type HistoryRow } from '../release/history.js';
import type { ActionDeps } from './actionsWrite.js';
import type { GssNode } from './explorer.js';

function rooms(r: HistoryRow): string {
  const parts = [
    r.retired !== undefined
      ? `${r.retired} retired${r.retiredRooms?.length ? ` (${r.retiredRooms.join(', ')})` : ''}`
      : undefined,
    r.reclaimed !== undefined ? `${r.reclaimed} reclaimed` : undefined,
  ].filter((x): x is string => !!x);
  return parts.length ? parts.join(', ') : 'no rooms retired';
}

/** The rows shown (undefined when the set could not be read). */
export async function showReleaseHistory(deps: ActionDeps, node: GssNode): Promise<HistoryRow[] | undefined> {
  const { gss, conn, namespace } = node;
  let rows: HistoryRow[];
  try {
    rows = releaseHistory(await conn.client.getGameServerSet(namespace, gss.name));
  } catch (e) {
    const message = `Could not read the release history of ${gss.name}: ${e instanceof Error ? e.message : String(e)}`;
    deps.log.error(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
  if (!rows.length) {
    void vscode.window.showInformationMessage(
      `${gss.name} (${conn.contextName} · ${namespace}): no release has run on it (its record is empty).`,
    );
    return rows;
  }
  const pick = await vscode.window.showQuickPick(
    rows.map(r => ({
      label: `${r.kind === 'rollback' ? 'Rollback' : 'Release'} ${imagesText(r.from)} → ${imagesText(r.to)}`,
      description: `${r.outcome} · ${r.finishedAt ?? r.startedAt} · ${r.who}`,
      detail: `${r.id}${r.rollbackOf ? ` (undid ${r.rollbackOf})` : ''} · ${rooms(r)}${r.outcome === 'succeeded' || !r.message ? '' : ` · ${r.message}`}`,
      row: r,
    })),
    {
      title: `Release history of ${gss.name} (${conn.contextName} · ${namespace}), newest first`,
      placeHolder: 'Type to filter by outcome, image, who or room',
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  if (pick)
    void vscode.window.showInformationMessage(`${pick.row.kind} ${pick.row.id} of ${gss.name}`, {
      modal: true,
      detail: historyLine(pick.row),
    });
  return rows;
}
