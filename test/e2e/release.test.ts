// The seamless release through the wizard in real VS Code (code-server in Chromium): the preview, the live
// run, the final tree and cluster equal to the seed's final table; and a user without rights is refused
// with the plain reason before any write. Screenshots of each step in light and dark themes.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { SEED_FINAL, strip, table } from '../release/helpers.js';
import type { FrameLocator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { runCommand, until } from './workbench.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts');

/** The wizard's document: VS Code web nests a webview in two iframes. */
function wizard(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
}

/** Clicks Next until `selector` shows (the first render can be replaced when the host's data arrives). */
async function next(w: FrameLocator, selector: string): Promise<void> {
  await until(async () => {
    if (await w.locator(selector).isVisible()) return true;
    await w.locator('#next').click({ timeout: 2000 });
    await w.locator(selector).waitFor({ timeout: 2000 });
    return true;
  }, 60_000, `the wizard to show ${selector}`);
}

async function toPreview(page: Page, theme: string): Promise<FrameLocator> {
  await runCommand(page, 'OKG: Release New Version…');
  const w = wizard(page);
  await w.locator('#gss').waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(ARTIFACTS, `wizard-1-gameserverset-${theme}.png`) });
  await next(w, '#image-0');
  await w.locator('#image-0').fill(SEED.newImage);
  await page.screenshot({ path: join(ARTIFACTS, `wizard-2-image-${theme}.png`) });
  await next(w, '#add');
  assert.equal(await w.locator('#add').inputValue(), '3');
  await page.screenshot({ path: join(ARTIFACTS, `wizard-3-rooms-${theme}.png`) });
  await next(w, '#rooms-table, #plan-error');
  return w;
}

for (const theme of ['dark', 'light'] as const) {
  describe(`e2e: release wizard in real VS Code (${theme} theme)`, function () {
    this.timeout(300_000);
    let sandbox: Sandbox;
    let vs: VsCodeSession;

    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 300 });
      vs = await startVsCode({ theme, env: { KUBECONFIG: sandbox.kubeconfigPath('admin') } });
      await vs.page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
      await vs.page.locator('.pane-body .monaco-list-row[aria-label^="minecraft-2 "]').first().waitFor({ timeout: 60_000 });
      sandbox.server.clearWriteLog();
    });
    after(async () => { await vs?.close(); await sandbox?.stop(); });

    it('4. Release New Version… → image 1.12.2-new, 3 new rooms → preview → Run → the seed\'s final table', async () => {
      const { page } = vs;
      const w = await toPreview(page, theme);
      await w.locator('#rooms-table').waitFor({ timeout: 60_000 });
      const preview = await w.locator('#rooms-table tbody tr').evaluateAll(trs => trs.map(tr => (tr as HTMLElement).innerText.replace(/\s+/g, ' ')));
      const line = (name: string) => preview.find(r => r.startsWith(`${name} `)) ?? '';
      assert.match(line('minecraft-0'), /protected/i);
      assert.match(line('minecraft-0'), /Allocated/);
      assert.match(line('minecraft-1'), /retire/i);
      assert.match(line('minecraft-2'), /retire/i);
      await page.screenshot({ path: join(ARTIFACTS, `wizard-4-preview-${theme}.png`) });
      assert.deepEqual(sandbox.server.writeLog().filter(e => e.user === 'admin'), [], 'the preview writes nothing');

      await w.locator('#run').click();
      await w.locator('#run-steps').waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, `wizard-5-run-${theme}.png`) });
      await w.locator('#outcome').waitFor({ timeout: 120_000 });
      assert.match(await w.locator('#outcome').innerText(), /succeeded/i);
      await page.screenshot({ path: join(ARTIFACTS, `wizard-6-result-${theme}.png`) });

      assert.deepEqual(strip(table(sandbox)), SEED_FINAL);
      // The tree shows the same, live.
      await until(async () => {
        const label = await page.locator('.pane-body .monaco-list-row[aria-label^="minecraft-5 "]').first().getAttribute('aria-label').catch(() => null);
        return !!label && /Ready · 1\.12\.2-new/.test(label);
      }, 30_000, 'minecraft-5 in the tree on the new image');
      // (the tree refreshes rows as their watch events arrive; minecraft-1's may come after minecraft-5's)
      await until(async () => /WaitToBeDeleted/.test((await page.locator('.pane-body .monaco-list-row[aria-label^="minecraft-1 "]').first().getAttribute('aria-label').catch(() => null)) ?? ''),
        30_000, 'minecraft-1 WaitToBeDeleted in the tree');
      await page.screenshot({ path: join(ARTIFACTS, `sidebar-after-release-${theme}.png`) });
    });
  });
}

describe('e2e: a user who may not change GameServerSets starts a release', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let vs: VsCodeSession;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    vs = await startVsCode({ env: { KUBECONFIG: sandbox.kubeconfigPath('operator') } });
    await vs.page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
    await vs.page.locator('.pane-body .monaco-list-row[aria-label^="minecraft-2 "]').first().waitFor({ timeout: 60_000 });
    sandbox.server.clearWriteLog();
  });
  after(async () => { await vs?.close(); await sandbox?.stop(); });

  it('5. gets the plain reason before any write (the sandbox write log stays empty)', async () => {
    const { page } = vs;
    const w = await toPreview(page, 'operator');
    const error = w.locator('#plan-error');
    await error.waitFor({ timeout: 60_000 });
    const text = await error.innerText();
    assert.match(text, /patch/i, text);
    assert.match(text, /gameserversets/i, text);
    await page.screenshot({ path: join(ARTIFACTS, 'wizard-refused-dark.png') });
    assert.deepEqual(sandbox.server.writeLog().filter(e => e.user === 'operator'), []);
    assert.equal(await w.locator('#run').count(), 0, 'there is nothing to run');
  });
});
