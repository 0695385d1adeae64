// The wizard's "Export as Argo Workflow": a Save dialog (the workspace folder, release-<set>-<date>.yaml), the file
// written there, then — when the set's cluster serves Argo's CRDs — an offer to "Submit to Cluster" (the objects
// are created and the Workflow's name is said); a cluster without Argo gets one sentence saying so.
// The export's image and approval come from the okg.argo.* settings (the settle window is the release's own).
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { clip } from '../cluster/clip.js';
import { argoExportYaml, argoFileName, exportArgo, type ArgoOptions } from '../release/argo.js';
import { argoServed, noArgoMessage, submitArgo } from '../release/argoSubmit.js';
import type { ReleasePlan } from '../release/types.js';
import type { WizardLog, WizardScope } from './host.js';

export const SUBMIT = 'Submit to Cluster';
export const OPEN = 'Open';

/** The export options from the settings; a bad setting is refused with its name. */
export function argoSettings(): ArgoOptions {
  const c = vscode.workspace.getConfiguration('okg');
  const image = c.get<string>('argo.image')?.trim();
  if (image && (/\s/.test(image) || image.length > 512))
    throw new Error(
      `The setting okg.argo.image ("${clip(image)}") is not an image reference; fix it and export again.`,
    );
  return { ...(image ? { image } : {}), ...(c.get<boolean>('argo.approval') ? { approval: true } : {}) };
}

/** The scopes the Game Servers view shows for this set (the Submit target). */
async function scopesOf(plan: ReleasePlan, scopes: WizardScope[]): Promise<WizardScope[]> {
  const out: WizardScope[] = [];
  for (const s of scopes.filter(x => x.namespace === plan.input.namespace)) {
    try {
      if ((await s.cache()).gameServerSet(plan.input.gameServerSet)) out.push(s);
    } catch {
      /* a scope that cannot be read is no target */
    }
  }
  return out;
}

export interface SavedExport {
  /** For the wizard's status line. */
  notice: string;
  /** The offer after the save (Submit to Cluster / Open), running on its own; resolves when it is answered. */
  offer?: Promise<void>;
}

/** Saves the export of `plan` where the operator says (nothing is written when the dialog is cancelled), then offers to submit it. */
export async function saveArgoExport(plan: ReleasePlan, scopes: WizardScope[], log: WizardLog): Promise<SavedExport> {
  const opts = argoSettings();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const uri = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(folder, argoFileName(plan.input.gameServerSet)),
    filters: { YAML: ['yaml', 'yml'] },
    saveLabel: 'Export',
    title: `Export the release of ${plan.input.gameServerSet} as an Argo Workflow`,
  });
  if (!uri) return { notice: 'The Argo export was not saved.' };
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(argoExportYaml(plan, opts)));
  const file = uri.fsPath;
  log.info(`release wizard: Argo export of ${plan.input.gameServerSet} saved to ${file}`);
  return {
    notice: `The Argo release is saved as ${file}.`,
    offer: offer(plan, opts, uri, await scopesOf(plan, scopes), log),
  };
}

async function offer(
  plan: ReleasePlan,
  opts: ArgoOptions,
  uri: vscode.Uri,
  targets: WizardScope[],
  log: WizardLog,
): Promise<void> {
  const name = uri.path.split('/').pop();
  try {
    const target = targets[0];
    const served = target ? await argoServed(target.client.kc) : false;
    if (!served) {
      const why = target
        ? noArgoMessage(target.client.server)
        : `No cluster in the Game Servers view shows ${plan.input.gameServerSet} in ${plan.input.namespace}, so the release cannot be submitted from here.`;
      if ((await vscode.window.showInformationMessage(`Saved ${name}. ${why}`, OPEN)) === OPEN)
        await vscode.window.showTextDocument(uri);
      return;
    }
    const choice = await vscode.window.showInformationMessage(
      `Saved ${name}. ${SUBMIT} creates its Workflow (with the ServiceAccount, Role and WorkflowTemplate it uses) in ${plan.input.namespace} on ${targets.map(t => t.label).join(' or ')}.`,
      SUBMIT,
      OPEN,
    );
    if (choice === OPEN) {
      await vscode.window.showTextDocument(uri);
      return;
    }
    if (choice !== SUBMIT) return;
    let scope = target;
    if (targets.length > 1) {
      const picked = await vscode.window.showQuickPick(
        targets.map(t => ({ label: t.label, scope: t })),
        { title: `Submit the release of ${plan.input.gameServerSet} to` },
      );
      if (!picked) return;
      scope = picked.scope;
    }
    const r = await submitArgo(scope.client.kc, exportArgo(plan, opts));
    log.info(`release wizard: submitted to ${scope.label}: ${r.actions.join('; ')}`);
    void vscode.window.showInformationMessage(
      `Workflow ${r.workflow} created in ${r.namespace} on ${scope.label} (${r.actions.filter(a => a !== `created Workflow ${r.workflow}`).join('; ')}). Follow it in the Argo UI or with: argo watch -n ${r.namespace} ${r.workflow}`,
    );
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log.error(`release wizard: Argo submit of ${plan.input.gameServerSet}: ${message}`);
    void vscode.window.showErrorMessage(`The release was not submitted: ${message}`);
  }
}
