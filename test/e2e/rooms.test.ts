// The operator's everyday flows in real VS Code (code-server in Chromium) against the sandbox's seed
// scenario: what the sidebar shows, and what the cluster holds afterwards.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { opsState } from '../helpers/seed.js';
import type { Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { contextMenu, until } from './workbench.js';
import { kubectl } from '../helpers/kubectl.js';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts');

/** A tree row by its label; VS Code names rows "label description" in aria-label. */
const row = (page: Page, name: string): Locator => page.locator(`.pane-body .monaco-list-row[aria-label^="${name} "]`);

async function rowText(page: Page, name: string): Promise<string> {
  return ((await row(page, name).first().getAttribute('aria-label')) ?? '').replace(/\s+/g, ' ').trim();
}

describe('e2e: rooms explorer in real VS Code (seed scenario)', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  let vs: VsCodeSession;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    vs = await startVsCode({ env: { KUBECONFIG: sandbox.kubeconfigPath('admin') } });
    await vs.page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
  });
  after(async () => {
    await vs?.close();
    await sandbox?.stop();
  });

  it('1. the sidebar shows minecraft with 3 rooms; minecraft-0 reads Ready · Allocated', async () => {
    const { page } = vs;
    await row(page, 'minecraft-2').first().waitFor({ timeout: 60_000 });
    // The set's row was drawn before its rooms were listed ("loading rooms…"); its counts follow in the next render.
    await until(
      async () => /^minecraft 3 rooms/.test(await rowText(page, 'minecraft')),
      30_000,
      "the set's row to show its counts",
    );
    assert.match(await rowText(page, 'minecraft'), /^minecraft 3 rooms · 1 Allocated/);
    assert.match(await rowText(page, 'minecraft-0'), /^minecraft-0 Ready · Allocated · 1\.12\.2/);
    await page.screenshot({ path: join(ARTIFACTS, 'sidebar-dark.png') });
  });

  it('2. right-click minecraft-1 → Set opsState → Maintaining: the row updates live and the GameServer has it', async () => {
    const { page } = vs;
    await contextMenu(page, row(page, 'minecraft-1').first(), ['Set opsState', 'Maintaining']);
    await until(
      async () => (await rowText(page, 'minecraft-1')).includes('Maintaining'),
      30_000,
      'the row to show Maintaining',
    );
    assert.equal(opsState(sandbox, 'minecraft-1'), 'Maintaining');
  });

  it('3. multi-select minecraft-1 and minecraft-2 → WaitToBeDeleted: both change', async () => {
    const { page } = vs;
    await row(page, 'minecraft-1').first().click();
    await row(page, 'minecraft-2')
      .first()
      .click({ modifiers: ['Control'] });
    await contextMenu(page, row(page, 'minecraft-2').first(), ['Set opsState', 'WaitToBeDeleted']);
    // Idle rooms: WaitToBeDeleted alone deletes nothing, so no confirmation is asked (issue 4's rule).
    await until(
      async () =>
        opsState(sandbox, 'minecraft-1') === 'WaitToBeDeleted' &&
        opsState(sandbox, 'minecraft-2') === 'WaitToBeDeleted',
      30_000,
      'both rooms marked',
    );
    await until(
      async () => (await rowText(page, 'minecraft-2')).includes('WaitToBeDeleted'),
      30_000,
      'the rows to update',
    );
    assert.equal(opsState(sandbox, 'minecraft-0'), 'Allocated');
  });

  it('3b. WaitToBeDeleted on the Allocated room asks first, naming the count; Cancel writes nothing', async () => {
    const { page } = vs;
    const before = sandbox.server.writeLog().length;
    await row(page, 'minecraft-0').first().click();
    await contextMenu(page, row(page, 'minecraft-0').first(), ['Set opsState', 'WaitToBeDeleted']);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await dialog.innerText();
    assert.match(text, /\b1\b/, text);
    assert.match(text, /Allocated/, text);
    await page.screenshot({ path: join(ARTIFACTS, 'confirm-dark.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    await new Promise(r => setTimeout(r, 500));
    assert.equal(opsState(sandbox, 'minecraft-0'), 'Allocated');
    assert.deepEqual(
      sandbox.server
        .writeLog()
        .slice(before)
        .filter(e => e.user === 'admin'),
      [],
    );
  });

  it("6. a room changed behind the extension's back (kubectl) appears without a manual refresh", async () => {
    const { page } = vs;
    const r = await kubectl(sandbox.kubeconfigPath('admin'), [
      'patch',
      'gs',
      'minecraft-2',
      '--type=merge',
      '-p',
      '{"spec":{"opsState":"None"}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await until(
      async () => !(await rowText(page, 'minecraft-2')).includes('WaitToBeDeleted'),
      30_000,
      'the row to drop WaitToBeDeleted',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'sidebar-after-dark.png') });
  });
});
