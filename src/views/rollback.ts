// "Roll Back Last Release…" on a GameServerSet's context menu: the rollback engine's preview (which release, room
// by room, the predicted table) in a modal, then the run under a cancellable progress notification.
import * as vscode from 'vscode';
import { auditWrites } from '../release/audit.js';
import { previewRollback, runRollback } from '../release/rollback.js';
import type { RollbackPlan, RollbackResult } from '../release/rollbackTypes.js';
import type { Node } from './explorer.js';

const isGss = (x: unknown): x is Extract<Node, { kind: 'gss' }> =>
  typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'gss';

/** The preview as the modal's detail: one line per room, then the predicted table and the warnings. */
export function previewDetail(plan: RollbackPlan): string {
  const tag = (images: { image: string }[]) =>
    images.map(c => c.image.slice(c.image.lastIndexOf(':') + 1)).join(',') || '-';
  const rooms = plan.rooms.map(
    r =>
      `${r.name} (${r.version}, ${r.opsState || '-'}, ${tag(r.images)}): ${r.action}${r.to ? ` → ${r.to}` : ''}${r.reason ? ` — ${r.reason}` : ''}`,
  );
  const after = plan.predicted.map(r => `${r.name} ${r.state} ${r.opsState} ${tag(r.images)}`);
  return [
    ...rooms,
    '',
    `After the rollback (${plan.toReplicas} replicas):`,
    ...after,
    ...plan.warnings.map(w => `\nWarning: ${w}`),
  ].join('\n');
}

/**
 * The command's handler; resolves with the engine's result (undefined when cancelled before any write). Each
 * write goes to `log` as its kubectl line (the audit trail).
 */
export async function rollBackLastRelease(
  arg?: unknown,
  log?: Pick<vscode.LogOutputChannel, 'info'>,
): Promise<RollbackResult | undefined> {
  if (!isGss(arg)) {
    void vscode.window.showInformationMessage(
      'Run "Roll Back Last Release…" from a GameServerSet\'s context menu in the Game Servers view.',
    );
    return undefined;
  }
  const input = { namespace: arg.namespace, gameServerSet: arg.gss.name };
  const client = arg.conn.client;
  const preview = await previewRollback(input, { client });
  if (preview.outcome === 'refused' || !preview.plan) {
    void vscode.window.showErrorMessage(`${arg.gss.name} was not rolled back: ${preview.message}`);
    return preview;
  }
  const plan = preview.plan;
  if (!plan.steps.length) {
    void vscode.window.showInformationMessage(`${arg.gss.name}: ${preview.message}.`);
    return preview;
  }
  const button = 'Roll Back';
  const answer = await vscode.window.showWarningMessage(
    `Roll back release ${plan.release.id} of ${arg.gss.name} (${plan.release.outcome})? Replicas ${plan.fromReplicas} → ${plan.toReplicas}; rooms with players are never touched.`,
    { modal: true, detail: previewDetail(plan) },
    button,
  );
  if (answer !== button) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Rolling back ${arg.gss.name}`, cancellable: true },
    (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort(new Error('cancelled in VS Code')));
      return runRollback(input, {
        client: log ? auditWrites(client, line => log.info(line)) : client,
        signal: ac.signal,
        onEvent: e => {
          if (e.type === 'step-started') progress.report({ message: `${e.index}/${e.total} ${e.title}` });
        },
      });
    },
  );
  if (result.outcome === 'succeeded') void vscode.window.showInformationMessage(`${result.message}.`);
  else
    void vscode.window.showErrorMessage(
      `${arg.gss.name}: ${result.message}${result.outcome === 'failed' || result.outcome === 'cancelled' ? '; run Roll Back Last Release… again to resume' : ''}`,
    );
  return result;
}
