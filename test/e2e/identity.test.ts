// Which cluster, in real VS Code (code-server in Chromium), issue 14: the view names its context with one context
// and with two side by side (okg.contexts), the status bar too; on a protected context a destructive change asks
// for the set's name typed and writes nothing on Escape or on a wrong name; Scale… down names the rooms OKG will
// remove before anything is written.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { mergedKubeconfig } from '../helpers/kubeconfig.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { ARTIFACTS } from './wizard.js';
import { contextMenu, until } from './workbench.js';

const row = (page: Page, name: string): Locator => page.locator(`.pane-body .monaco-list-row[aria-label^="${name} "]`);
const sidebarText = (page: Page) => page.locator('.part.sidebar').innerText();
const statusText = (page: Page) => page.locator('.part.statusbar').innerText();

async function openView(page: Page): Promise<void> {
  await page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
  await row(page, 'minecraft-2').first().waitFor({ timeout: 60_000 });
}

const clientWrites = (sb: Sandbox) => sb.server.writeLog().filter(w => w.user !== 'controller');

describe('e2e: a protected context in real VS Code', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  let vs: VsCodeSession;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    vs = await startVsCode({
      env: { KUBECONFIG: sandbox.kubeconfigPath('admin') },
      settings: { 'okg.protectedContexts': ['*sandbox*'] },
    });
    await openView(vs.page);
  });
  after(async () => {
    await vs?.close();
    await sandbox?.stop();
  });

  it('the view and the status bar name the context, marked protected', async () => {
    const { page } = vs;
    await until(
      async () => (await sidebarText(page)).includes('okg-sandbox · default · protected'),
      30_000,
      'the view description',
    );
    assert.match(await statusText(page), /okg-sandbox/);
    await page.screenshot({ path: join(ARTIFACTS, 'identity-protected.png') });
  });

  it('Kill asks for the typed name; Escape, and a wrong name, write nothing', async () => {
    const { page } = vs;
    const input = page.locator('.quick-input-widget input');
    for (const attempt of ['escape', 'wrong name'] as const) {
      const before = clientWrites(sandbox).length;
      await contextMenu(page, row(page, 'minecraft-1').first(), ['Set opsState', 'Kill']);
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await until(
        async () => /protected context okg-sandbox/.test(await page.locator('.quick-input-widget').innerText()),
        10_000,
        'the typed-name prompt to name the context',
      );
      if (attempt === 'wrong name') {
        await input.fill('minecraf');
        await page.keyboard.press('Enter');
        await until(
          async () => /type minecraft exactly to confirm/.test(await page.locator('.quick-input-widget').innerText()),
          10_000,
          'the prompt to refuse the wrong name',
        );
        await page.screenshot({ path: join(ARTIFACTS, 'identity-typed-name-wrong.png') });
      }
      await page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: 10_000 });
      await page.waitForTimeout(500);
      assert.deepEqual(clientWrites(sandbox).slice(before), [], `${attempt}: nothing written`);
    }
    const gs = sandbox.server.store.get(sandbox.server.resource('gameservers'), 'default', 'minecraft-1');
    assert.equal((gs?.spec as { opsState?: string }).opsState, 'None');
  });

  it('Scale… down names the rooms OKG will remove before anything is written', async () => {
    const { page } = vs;
    const before = clientWrites(sandbox).length;
    await contextMenu(page, row(page, 'minecraft').first(), ['Scale…']);
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('2');
    await page.keyboard.press('Enter');
    // a scale-down on a protected context: the typed name first, then the preview naming the room
    await until(
      async () => /protected context okg-sandbox/.test(await page.locator('.quick-input-widget').innerText()),
      10_000,
      'the typed-name prompt',
    );
    await input.fill('minecraft');
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await dialog.innerText();
    assert.match(text, /minecraft-2/, text);
    assert.match(text, /okg-sandbox/, text);
    await page.screenshot({ path: join(ARTIFACTS, 'identity-scale-preview.png') });
    await dialog.locator('.monaco-button', { hasText: 'Keep as is' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    await page.waitForTimeout(500);
    assert.deepEqual(clientWrites(sandbox).slice(before), [], 'Keep as is: nothing written');
  });
});

describe('e2e: two contexts side by side in real VS Code', function () {
  this.timeout(240_000);
  let staging: Sandbox;
  let prod: Sandbox;
  let vs: VsCodeSession;

  before(async () => {
    [staging, prod] = await Promise.all([
      startSandbox({ scenario: 'seed', readyAfterMs: 50 }),
      startSandbox({ scenario: 'seed', readyAfterMs: 50 }),
    ]);
    const kubeconfig = mergedKubeconfig([
      ['staging', staging],
      ['prod', prod],
    ]);
    vs = await startVsCode({ env: { KUBECONFIG: kubeconfig }, settings: { 'okg.contexts': ['staging', 'prod'] } });
    await openView(vs.page);
  });
  after(async () => {
    await vs?.close();
    await Promise.all([staging?.stop(), prod?.stop()]);
  });

  it('shows a root per context, the description names both, the status bar the first with +1', async () => {
    const { page } = vs;
    await until(
      async () =>
        (await row(page, 'Kubernetes context staging,').count()) > 0 &&
        (await row(page, 'Kubernetes context prod,').count()) > 0,
      30_000,
      'a row per context',
    );
    await until(
      async () => (await sidebarText(page)).includes('staging · default | prod · default'),
      30_000,
      'the view description',
    );
    assert.match(await statusText(page), /staging \+1/);
    await page.screenshot({ path: join(ARTIFACTS, 'identity-two-contexts.png') });
  });
});
