// Export as Argo Workflow from the wizard in real VS Code (code-server in Chromium): a Save dialog that defaults to
// the workspace and release-<set>-<date>.yaml, no untitled buffer, and a saved file that kubectl admits
// (`kubectl create --dry-run=server -f`) on a sandbox that serves Argo's CRDs; nothing is written to the cluster.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'mocha';
import { argoFileName } from '../../src/release/argo.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { startArgoWorld } from '../release/argoWorld.js';
import { GSS, NS } from '../release/helpers.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { ARTIFACTS, next, wizard } from './wizard.js';
import { runCommand, until } from './workbench.js';

describe('e2e: Export as Argo Workflow saves a file kubectl admits', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let vs: VsCodeSession;

  before(async () => {
    sandbox = await startArgoWorld();
    vs = await startVsCode({ env: { KUBECONFIG: sandbox.kubeconfigPath('admin') } });
    await vs.page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
    await vs.page
      .locator('.pane-body .monaco-list-row[aria-label^="minecraft-2 "]')
      .first()
      .waitFor({ timeout: 60_000 });
  });
  after(async () => {
    await vs?.close();
    await sandbox?.stop();
  });

  it('Save dialog at the workspace with release-<set>-<date>.yaml; the file passes kubectl create --dry-run=server', async () => {
    const { page } = vs;
    await runCommand(page, 'OKG: Release New Version…');
    const w = wizard(page);
    await w.locator('#gss').waitFor({ timeout: 60_000 });
    await next(w, '#image-0');
    await w.locator('#image-0').fill(SEED.newImage);
    await next(w, '#add');
    await next(w, '#rooms-table, #plan-error');
    await w.locator('#export').waitFor({ timeout: 60_000 });
    sandbox.server.clearWriteLog();
    await w.locator('#export').click();
    // code-server's Save dialog is VS Code's own (a quick input holding the path): it proposes the workspace folder
    const input = page.locator('.quick-input-widget input');
    const name = argoFileName(GSS);
    await until(async () => (await input.inputValue()).endsWith(name), 30_000, `the Save dialog to propose ${name}`);
    const proposed = await input.inputValue();
    assert.ok(
      proposed.startsWith(vs.server.workspace) || proposed.includes(vs.server.workspace.replace(/^\//, '')),
      `${proposed} is in the workspace ${vs.server.workspace}`,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'argo-export-save-dialog.png') });
    await page.keyboard.press('Enter');
    const file = join(vs.server.workspace, name);
    await until(async () => existsSync(file), 30_000, `${file} to be saved`);
    await until(
      async () => (await w.locator('body').innerText()).includes(`The Argo release is saved as ${file}`),
      30_000,
      'the wizard to say where it saved the export',
    );
    assert.equal(await page.locator('.tab[aria-label^="Untitled"]').count(), 0, 'no untitled buffer');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /kind: WorkflowTemplate/);
    // async: the sandbox serves from this process, so kubectl must not block its event loop
    const r = await promisify(execFile)(
      'kubectl',
      ['create', '--dry-run=server', '--validate=false', '-f', file, '-o', 'name'],
      { env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath('admin') }, encoding: 'utf8' },
    );
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map(l => l.replace(/release-minecraft-\w+$/, 'release-minecraft-…')),
      [
        `serviceaccount/okg-release-${GSS}`,
        `role.rbac.authorization.k8s.io/okg-release-${GSS}`,
        `rolebinding.rbac.authorization.k8s.io/okg-release-${GSS}`,
        `workflowtemplate.argoproj.io/okg-release-${GSS}`,
        'workflow.argoproj.io/release-minecraft-…',
      ],
    );
    for (const k of ['workflows', 'workflowtemplates', 'serviceaccounts', 'roles', 'rolebindings'])
      assert.deepEqual(sandbox.server.store.list(sandbox.server.resource(k), NS), [], `${k}: nothing stored`);
    assert.deepEqual(
      sandbox.server.writeLog().filter(e => e.user === 'admin' && !e.dryRun),
      [],
      'neither the export nor the dry run wrote to the cluster',
    );
  });
});
