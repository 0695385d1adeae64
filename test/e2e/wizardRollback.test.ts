// Roll Back from the wizard in real VS Code (code-server in Chromium): a release whose new image never pulls shows
// each room's reason while it waits, stops early, and offers Roll Back; the rollback's preview and its run end with
// the seed's first table. axe-core on each new state, and screenshots of each, in light and dark themes.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { strip, table } from '../release/helpers.js';
import { SEED_FIRST } from '../release/rollbackHelpers.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { ARTIFACTS, axeViolations, next, wizard } from './wizard.js';
import { runCommand } from './workbench.js';

async function shot(page: Page, found: string[], name: string): Promise<void> {
  for (const v of await axeViolations(page)) found.push(`${name}: ${v}`);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

for (const theme of ['dark', 'light'] as const) {
  describe(`e2e: wizard stop-early and Roll Back in real VS Code (${theme} theme)`, function () {
    this.timeout(300_000);
    let sandbox: Sandbox;
    let vs: VsCodeSession;

    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      sandbox = await startSandbox({
        scenario: 'seed',
        readyAfterMs: 300,
        backoffBaseMs: 200,
        failImages: [{ substring: '-broken', mode: 'ImagePullBackOff' }],
      });
      vs = await startVsCode({ theme, env: { KUBECONFIG: sandbox.kubeconfigPath('admin') } });
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

    it("an image that never pulls: reasons while waiting, stop early, Roll Back → the seed's first table", async () => {
      const { page } = vs;
      const found: string[] = [];
      await runCommand(page, 'OKG: Release New Version…');
      const w = wizard(page);
      await w.locator('#gss').waitFor({ timeout: 60_000 });
      await next(w, '#image-0');
      await w.locator('#image-0').fill(`${SEED.image}-broken`);
      await next(w, '#add');
      await w.locator('#fail-fast').fill('8s');
      await w.locator('#reclaim-scale-down').check();
      await w.locator('#settle').fill('3s');
      await shot(page, found, `wizard-3-rooms-stop-early-settle-${theme}`);
      await next(w, '#rooms-table, #plan-error');
      await w.locator('#run').click();
      await w.locator('#run-rooms').waitFor({ timeout: 30_000 });
      await w.locator('#run-rooms tbody tr', { hasText: 'ImagePullBackOff' }).first().waitFor({ timeout: 60_000 });
      await shot(page, found, `wizard-7-run-reasons-${theme}`);

      await w.locator('#outcome').waitFor({ timeout: 120_000 });
      assert.match(await w.locator('#outcome').innerText(), /stopped early/i);
      await w.locator('#suggest-rollback').waitFor();
      await shot(page, found, `wizard-8-stopped-early-${theme}`);

      await w.locator('#rollback').click();
      await w.locator('#rollback-rooms').waitFor({ timeout: 60_000 });
      const predicted = await w
        .locator('#rollback-predicted tbody tr')
        .evaluateAll(trs => trs.map(tr => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
      assert.deepEqual(
        predicted.map(r => r.split(' ').slice(0, 3).join(' ')),
        ['minecraft-0 Ready Allocated', 'minecraft-1 Ready None', 'minecraft-2 Ready None'],
      );
      await shot(page, found, `wizard-9-rollback-preview-${theme}`);

      await w.locator('#rollback-run').click();
      await w.locator('#outcome', { hasText: /rollback/i }).waitFor({ timeout: 120_000 });
      assert.match(await w.locator('#outcome').innerText(), /The rollback succeeded/);
      await shot(page, found, `wizard-10-rollback-result-${theme}`);
      assert.deepEqual(found, [], 'axe: no serious or critical violation on any step');
      assert.deepEqual(strip(table(sandbox)), SEED_FIRST);
    });
  });
}
