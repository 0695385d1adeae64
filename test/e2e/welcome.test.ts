// First run in real VS Code (code-server in Chromium): with no kubeconfig at all, and with KUBECONFIG naming a
// file that does not exist, the Game Servers view shows its welcome with the Start Demo Cluster and Open
// Settings buttons (nothing hides them); Start Demo Cluster from there fills the tree. okg.kubeconfig is found
// under User settings and edited there with the list editor.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { runCommand, until } from './workbench.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts');

/** The welcome content of the Game Servers view. */
const welcome = (page: Page) => page.locator('.pane-body .welcome-view-content');
const button = (page: Page, label: string) =>
  welcome(page).locator('a.monaco-button, .monaco-button', { hasText: label });

async function openView(page: Page): Promise<void> {
  await page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
}

const cases = [
  {
    name: 'no kubeconfig anywhere',
    env: (): Record<string, string> => ({ KUBECONFIG: '', HOME: mkdtempSync(join(tmpdir(), 'okg-home-')) }),
    says: /No kubeconfig found/,
  },
  {
    name: 'KUBECONFIG naming a missing file',
    env: (): Record<string, string> => ({ KUBECONFIG: join(mkdtempSync(join(tmpdir(), 'okg-kc-')), 'missing.yaml') }),
    says: /does not exist/,
  },
];

for (const c of cases) {
  describe(`e2e: first run with ${c.name}`, function () {
    this.timeout(240_000);
    let vs: VsCodeSession;

    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      vs = await startVsCode({ env: c.env() });
      await openView(vs.page);
    });
    after(async () => {
      await vs?.close();
    });

    it('shows the welcome sentence with Start Demo Cluster and Open Settings; Start Demo Cluster fills the tree', async () => {
      const { page } = vs;
      await welcome(page).first().waitFor({ timeout: 60_000 });
      await until(async () => c.says.test(await welcome(page).first().innerText()), 30_000, 'the welcome sentence');
      assert.doesNotMatch(await welcome(page).first().innerText(), /--kubeconfig/);
      await button(page, 'Open Settings').first().waitFor({ timeout: 10_000 });
      await button(page, 'Start Demo Cluster').first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: join(ARTIFACTS, `welcome-${c.name.replace(/\W+/g, '-')}.png`) });
      await button(page, 'Start Demo Cluster').first().click();
      await page
        .locator('.pane-body .monaco-list-row[aria-label^="minecraft-2 "]')
        .first()
        .waitFor({ timeout: 90_000 });
      assert.equal(await welcome(page).count(), 0, 'the welcome is gone once the tree has rows');
      assert.match(
        (await page
          .locator('.pane-body .monaco-list-row[aria-label^="minecraft "]')
          .first()
          .getAttribute('aria-label')) ?? '',
        /3 rooms/,
      );
    });
  });
}

describe('e2e: okg.kubeconfig in the settings editor', function () {
  this.timeout(240_000);
  let vs: VsCodeSession;
  before(async () => {
    vs = await startVsCode({ env: { KUBECONFIG: '' } });
  });
  after(async () => {
    await vs?.close();
  });

  it('is listed under User settings and gets a list editor that writes an array', async () => {
    const { page } = vs;
    await runCommand(page, 'Preferences: Open User Settings');
    const search = page
      .locator(
        '.settings-editor .suggest-input-container .monaco-editor textarea, .settings-editor .settings-header textarea',
      )
      .first();
    await search.waitFor({ timeout: 60_000 });
    await search.fill('okg.kubeconfig');
    const item = page
      .locator('.settings-editor .setting-item', { hasText: 'Kubeconfig' })
      .filter({ hasText: 'merged in order' })
      .first();
    await item.waitFor({ timeout: 30_000 });
    // Add Item focuses the new row's input; the settings editor re-renders its rows while it loads, so a located
    // input can be detached under load: wait for the focus and type into it instead of filling a located element
    // (and click Add Item again if a re-render swallowed the first click).
    const focused = () =>
      page.evaluate(() => {
        const a = document.activeElement;
        return a instanceof HTMLInputElement && !!a.closest('.setting-item');
      });
    for (let attempt = 1; ; attempt++) {
      await item.hover();
      await item.locator('.monaco-button', { hasText: 'Add Item' }).click();
      const ok = await until(focused, 10_000, "the list editor's input to have the focus").then(
        () => true,
        (e: unknown) => {
          if (attempt >= 3) throw e;
          return false;
        },
      );
      if (ok) break;
    }
    // Under load a re-render can take keystrokes (seen once: settings.json never got the list): Enter only once
    // the focused input holds the whole path, typed again if it does not.
    const PATH = '/tmp/okg-e2e-kubeconfig.yaml';
    const typed = () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value ?? '');
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.type(PATH);
      const ok = await until(
        async () => (await typed()) === PATH,
        5_000,
        `the list editor's input to hold ${PATH}`,
      ).then(
        () => true,
        (e: unknown) => {
          if (attempt >= 3) throw e;
          return false;
        },
      );
      if (ok) break;
      await until(focused, 10_000, "the list editor's input to have the focus");
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
    }
    await page.keyboard.press('Enter');
    // startCodeServer keeps user-data next to the workspace folder.
    const settingsFile = join(dirname(vs.server.workspace), 'user-data', 'User', 'settings.json');
    await until(
      async () =>
        /"okg\.kubeconfig":\s*\[\s*"\/tmp\/okg-e2e-kubeconfig\.yaml"\s*\]/.test(readFileSync(settingsFile, 'utf8')),
      30_000,
      'settings.json to hold the list',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'settings-kubeconfig.png') });
  });
});
