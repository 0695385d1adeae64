// A room up close in real VS Code (code-server in Chromium) against the sandbox: Show Logs shows the room's log
// lines and a line the room prints while following appears; Describe shows a failing room's reason; Open
// Terminal round-trips `echo hi`.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import type { Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { contextMenu, until } from './workbench.js';
import { kubectl } from '../helpers/kubectl.js';
import { createOneRoomSet } from '../helpers/seed.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts');
const IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';
/** Every editor's visible text, with Monaco's non-breaking spaces as spaces. */
const editorText = async (page: Page): Promise<string> =>
  (await page.locator('.editor-instance .view-lines').allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
const row = (page: Page, name: string): Locator => page.locator(`.pane-body .monaco-list-row[aria-label^="${name} "]`);

describe('e2e: a room up close in real VS Code', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  let vs: VsCodeSession;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Heartbeats once a minute: the document stays short, so what the test looks for is on screen.
    sandbox = await startSandbox({
      scenario: 'seed',
      readyAfterMs: 50,
      backoffBaseMs: 100,
      logIntervalMs: 60_000,
      failImages: [{ substring: '-crash', mode: 'CrashLoopBackOff' }],
    });
    await createOneRoomSet(sandbox, 'crash', `${IMAGE}-crash`);
    // The DOM renderer puts the terminal's text in the page (the GPU renderers draw it on a canvas).
    vs = await startVsCode({
      env: { KUBECONFIG: sandbox.kubeconfigPath('admin') },
      settings: { 'terminal.integrated.gpuAcceleration': 'off' },
    });
    await vs.page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
    await row(vs.page, 'minecraft-2').first().waitFor({ timeout: 60_000 });
  });
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !vs) return;
    const name = (this.currentTest.title.split(' ')[0] ?? 'test').replace(/\W/g, '');
    await vs.page.screenshot({ path: join(ARTIFACTS, `room-failed-${name}.png`) }).catch(() => undefined);
    const text = await vs.page
      .locator('.editor-instance .view-lines')
      .last()
      .innerText()
      .catch(() => '(no editor)');
    console.log(`--- editor text at failure (${name}):\n${text.slice(0, 2000)}`);
  });
  after(async () => {
    await vs?.close();
    await sandbox?.stop();
  });

  it('Show Logs shows the log lines, and a line printed while following appears', async () => {
    const { page } = vs;
    await contextMenu(page, row(page, 'minecraft-1').first(), ['Show Logs']);
    const text = () => editorText(page);
    await until(async () => /Starting minecraft .* in room minecraft-1/.test(await text()), 30_000, 'the log lines');
    assert.match(await text(), /Preparing world for room minecraft-1/);
    assert.doesNotMatch(await text(), /joined the game/);
    sandbox.server.podLogs.append('default', 'minecraft-1', 'minecraft', 'player Kai joined the game');
    await until(async () => /player Kai joined the game/.test(await text()), 30_000, 'the new line');
    await page.screenshot({ path: join(ARTIFACTS, 'room-logs-dark.png') });
  });

  it("Describe shows a crash-looping room's reason", async () => {
    const { page } = vs;
    await row(page, 'crash-0').first().waitFor({ timeout: 60_000 });
    await until(
      async () => {
        const c = await kubectl(sandbox.kubeconfigPath('admin'), ['get', 'pod', 'crash-0']);
        return c.stdout.includes('CrashLoopBackOff');
      },
      60_000,
      'crash-0 in CrashLoopBackOff',
    );
    await contextMenu(page, row(page, 'crash-0').first(), ['Describe']);
    await until(async () => /Name:\s+crash-0/.test(await editorText(page)), 30_000, 'the describe text');
    // Monaco's view lines are positioned, not in DOM order: look for the reason, not for its place.
    await until(async () => /CrashLoopBackOff/.test(await editorText(page)), 30_000, 'CrashLoopBackOff');
    await page.screenshot({ path: join(ARTIFACTS, 'room-describe-dark.png') });
  });

  it('Open Terminal round-trips echo hi', async () => {
    const { page } = vs;
    await contextMenu(page, row(page, 'minecraft-2').first(), ['Open Terminal']);
    const rows = page.locator('.terminal .xterm-rows').last();
    const screen = async () => (await rows.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
    await until(async () => (await screen()).includes('/ #'), 60_000, 'the prompt');
    await rows.click({ force: true }); // the terminal's widget layer sits on top of its rows
    await page.keyboard.type('echo hi');
    await page.keyboard.press('Enter');
    await until(async () => /echo hi\s*\n\s*hi\b/.test(await screen()), 30_000, 'hi');
    await page.screenshot({ path: join(ARTIFACTS, 'room-terminal-dark.png') });
  });
});
