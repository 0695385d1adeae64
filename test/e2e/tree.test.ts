// The room filter in real VS Code (code-server in Chromium) against the seed scenario: Filter Rooms… narrows
// the tree to the rooms picked, the view says so, and the title bar's Clear Filter brings every room back.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { runCommand, until } from './workbench.js';
import { ARTIFACTS } from './wizard.js';

const row = (page: Page, name: string): Locator => page.locator(`.pane-body .monaco-list-row[aria-label^="${name} "]`);

describe('e2e: the room filter in real VS Code (seed scenario)', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  let vs: VsCodeSession;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    vs = await startVsCode({ env: { KUBECONFIG: sandbox.kubeconfigPath('admin') } });
    await vs.page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
    await row(vs.page, 'minecraft-2').first().waitFor({ timeout: 60_000 });
  });
  after(async () => {
    await vs?.close();
    await sandbox?.stop();
  });

  it('Filter Rooms… → opsState Allocated shows only minecraft-0; Clear Filter shows all three again', async () => {
    const { page } = vs;
    await runCommand(page, 'OKG: Filter Rooms…');
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: 'opsState: Allocated' }).first();
    await item.waitFor({ timeout: 15_000 });
    // In a multi-select pick a click on the row ticks it; Enter accepts the ticked rows.
    await item.click();
    await until(async () => (await item.getAttribute('aria-checked')) === 'true', 10_000, 'the row to be ticked');
    await page.keyboard.press('Enter');
    await until(async () => (await row(page, 'minecraft-1').count()) === 0, 30_000, 'minecraft-1 to be filtered out');
    assert.equal(await row(page, 'minecraft-0').count(), 1);
    // The view's description carries the filter (a lone view's header is folded into the container's title).
    await until(
      async () => (await page.locator('.pane-header[aria-label*="filter: opsState Allocated"]').count()) > 0,
      10_000,
      "the view's description to name the filter",
    );
    await page.screenshot({ path: join(ARTIFACTS, 'tree-filter-dark.png') });
    await page.locator('.action-label[aria-label="Clear Filter"]').first().click();
    await row(page, 'minecraft-2').first().waitFor({ timeout: 30_000 });
    assert.equal(await row(page, 'minecraft-1').count(), 1);
  });
});
