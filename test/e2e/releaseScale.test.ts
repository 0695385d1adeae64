// The release wizard in real VS Code (code-server in Chromium) on a set of 1,000 rooms: the preview's virtual
// tables, the run's picture and per-room list while it runs (the palette still opens), the result; axe-core on
// every step and a screenshot of each, in the dark and light themes. Times are measured by bench/ui.ts, not here.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { VsCodeSession } from './vscode.js';
import { ARTIFACTS, axeViolations, next, paletteOpens, SCALE, scaleWorld, wizard } from './wizard.js';
import { runCommand } from './workbench.js';

async function shot(page: Page, found: string[], name: string): Promise<void> {
  for (const v of await axeViolations(page)) found.push(`${name}: ${v}`);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

for (const theme of ['dark', 'light'] as const) {
  describe(`e2e: release wizard on 1,000 rooms in real VS Code (${theme} theme)`, function () {
    this.timeout(600_000);
    let sandbox: Sandbox;
    let vs: VsCodeSession;

    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      ({ sandbox, vs } = await scaleWorld(theme));
    });
    after(async () => {
      await vs?.close();
      await sandbox?.stop();
    });

    it('preview in virtual tables, a live picture and room list, the palette opens during the run, the result; axe clean on every step', async () => {
      const { page } = vs;
      const found: string[] = [];
      await runCommand(page, 'OKG: Release New Version…');
      const w = wizard(page);
      await w.locator('#gss').waitFor({ timeout: 60_000 });
      assert.match(await w.locator('#gss option:checked').innerText(), /fleet-000 \(1000 rooms\)/);
      await shot(page, found, `wizard-1000-1-gameserverset-${theme}`);
      await next(w, '#image-0');
      await w.locator('#image-0').fill(SCALE.image);
      await shot(page, found, `wizard-1000-2-image-${theme}`);
      await next(w, '#add');
      assert.equal(await w.locator('#add').inputValue(), '1000');
      await w.locator('#add').fill('100');
      await shot(page, found, `wizard-1000-3-rooms-${theme}`);
      await next(w, '#rooms-table, #plan-error');
      await w.locator('#rooms-table').waitFor({ timeout: 60_000 });
      assert.equal(await w.locator('#rooms-table-count').innerText(), '1,100 rooms');
      assert.ok(
        (await w.locator('#rooms-table tbody tr:not(.vt-spacer)').count()) <= 80,
        'only the rows in view are drawn',
      );
      await shot(page, found, `wizard-1000-4-preview-${theme}`);

      await w.locator('#run').click();
      await w.locator('#run-chart').waitFor({ timeout: 30_000 });
      // Mid-run: some new rooms are Ready, the release is still going.
      await w.locator('#ready-count', { hasText: /Ready: [1-9]\d* of 100/ }).waitFor({ timeout: 120_000 });
      assert.ok((await paletteOpens(page)) >= 0, 'the command palette opens while the release runs');
      await shot(page, found, `wizard-1000-5-run-${theme}`);
      await w.locator('#outcome').waitFor({ timeout: 300_000 });
      assert.match(await w.locator('#outcome').innerText(), /succeeded/i);
      await w.locator('#run-details summary').click();
      assert.equal(await w.locator('#run-rooms-count').innerText(), '1,100 rooms');
      assert.equal(await w.locator('#run-chart .legend li').nth(1).innerText(), 'Old, marked: 1,000');
      await shot(page, found, `wizard-1000-6-result-${theme}`);
      assert.deepEqual(found, [], 'axe: no serious or critical violation on any step');
    });
  });
}
