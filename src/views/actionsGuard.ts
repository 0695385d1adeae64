// The protected-context gate for every write from the view: a destructive change on a protected context needs
// each GameServerSet's name typed, any other write a modal naming the context. Also the modal's safe first
// button (KEEP) every confirmation in src/views/actions*.ts passes first.
import * as vscode from 'vscode';
import { isNode } from './clusterActions.js';
import type { Connection } from './connections.js';
import type { Explorer, GssNode } from './explorer.js';
import { isProtected, whereLine } from './identity.js';

/**
 * The first button of every modal confirmation. VS Code gives Enter to the first button passed (there is no
 * API to choose the default one), so a non-destructive one comes first and Enter alone changes nothing.
 */
export const KEEP = 'Keep as is';

/**
 * On a protected context: a destructive change needs each GameServerSet's name typed; any other write asks
 * with a modal naming the context. True to go on. Other contexts: true at once.
 */
export async function protectedGuard(
  log: vscode.LogOutputChannel,
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
        log.info(`${what}: cancelled at the protected-context check (${guarded[0].conn.contextName})`);
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
  if (answer !== go) log.info(`${what}: cancelled at the protected-context check (${guarded[0].conn.contextName})`);
  return answer === go;
}

/**
 * The `okg.release` entry on a protected context, before the wizard opens: the set is picked (when the
 * command came without one) and its name typed. The node to open the wizard with, or undefined to stop.
 */
export async function guardRelease(
  explorer: Explorer,
  log: vscode.LogOutputChannel,
  arg?: unknown,
): Promise<{ go: boolean; arg?: unknown }> {
  let node: GssNode | undefined = isNode(arg) && arg.kind === 'gss' ? arg : undefined;
  if (!node) {
    const guarded = (await explorer.allGameServerSets()).filter(s => isProtected(s.conn));
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
  return { go: await protectedGuard(log, [node], `Release ${node.gss.name}`, true, [node.gss.name]), arg: node };
}
