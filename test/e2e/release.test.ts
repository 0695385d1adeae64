// The seamless release through the wizard in real VS Code (code-server in Chromium): the preview, the live
// run, the final tree and cluster equal to the seed's final table; and a user without rights is refused
// with the plain reason before any write. axe-core on every step, and screenshots of each, in light and dark
// themes. The same at 1,000 rooms: releaseScale.test.ts.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { SEED_FINAL, strip, table } from '../release/helpers.js';
import type { FrameLocator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { ARTIFACTS, axeViolations, next, wizard } from './wizard.js';
import { runCommand, until } from './workbench.js';

/** Checks the step with axe and saves its screenshot; collects the violations in `found`. */
async function shot(page: Page, found: string[], name: string): Promise<void> {
  for (const v of await axeViolations(page)) found.push(`${name}: ${v}`);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

async function toPreview(page: Page, theme: string, found: string[]): Promise<FrameLocator> {
  await runCommand(page, 'OKG: Release New Version…');
  const w = wizard(page);
  await w.locator('#gss').waitFor({ timeout: 60_000 });
  await shot(page, found, `wizard-1-gameserverset-${theme}`);
  await next(w, '#image-0');
  await w.locator('#image-0').fill(SEED.newImage);
  await shot(page, found, `wizard-2-image-${theme}`);
  await next(w, '#add');
  assert.equal(await w.locator('#add').inputValue(), '3');
  await shot(page, found, `wizard-3-rooms-${theme}`);
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
      await vs.page
        .locator('.pane-body .monaco-list-row[aria-label^="minecraft-2 "]')
        .first()
        .waitFor({ timeout: 60_000 });
      sandbox.server.clearWriteLog();
    });
    after(async () => {
      await vs?.close();
      await sandbox?.stop();
    });

    it("4. Release New Version… → image 1.12.2-new, 3 new rooms → preview → Run → the seed's final table", async () => {
      const { page } = vs;
      const found: string[] = [];
      const w = await toPreview(page, theme, found);
      await w.locator('#rooms-table').waitFor({ timeout: 60_000 });
      const preview = await w
        .locator('#rooms-table tbody tr')
        .evaluateAll(trs => trs.map(tr => (tr as HTMLElement).innerText.replace(/\s+/g, ' ')));
      const line = (name: string) => preview.find(r => r.startsWith(`${name} `)) ?? '';
      assert.match(line('minecraft-0'), /protected/i);
      assert.match(line('minecraft-0'), /Allocated/);
      assert.match(line('minecraft-1'), /retire/i);
      assert.match(line('minecraft-2'), /retire/i);
      await shot(page, found, `wizard-4-preview-${theme}`);
      assert.deepEqual(
        sandbox.server.writeLog().filter(e => e.user === 'admin'),
        [],
        'the preview writes nothing',
      );

      await w.locator('#run').click();
      await w.locator('#run-steps').waitFor({ timeout: 30_000 });
      await shot(page, found, `wizard-5-run-${theme}`);
      await w.locator('#outcome').waitFor({ timeout: 120_000 });
      assert.match(await w.locator('#outcome').innerText(), /succeeded/i);
      await w.locator('#run-details summary').click();
      await shot(page, found, `wizard-6-result-${theme}`);
      assert.deepEqual(found, [], 'axe: no serious or critical violation on any step');
      // The run's rooms as the host saw them at the end: the seed's final table.
      const rooms = await w
        .locator('#run-rooms tbody tr')
        .evaluateAll(trs => trs.map(tr => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
      assert.ok(
        rooms.includes('minecraft-0 old Ready Allocated —') &&
          rooms.includes('minecraft-1 old Ready WaitToBeDeleted —') &&
          rooms.includes('minecraft-5 new Ready None —'),
        rooms.join('\n'),
      );

      assert.deepEqual(strip(table(sandbox)), SEED_FINAL);
      // The tree shows the same, live.
      await until(
        async () => {
          const label = await page
            .locator('.pane-body .monaco-list-row[aria-label^="minecraft-5 "]')
            .first()
            .getAttribute('aria-label')
            .catch(() => null);
          return !!label && /Ready · 1\.12\.2-new/.test(label);
        },
        30_000,
        'minecraft-5 in the tree on the new image',
      );
      // (the tree refreshes rows as their watch events arrive; minecraft-1's may come after minecraft-5's)
      await until(
        async () =>
          /WaitToBeDeleted/.test(
            (await page
              .locator('.pane-body .monaco-list-row[aria-label^="minecraft-1 "]')
              .first()
              .getAttribute('aria-label')
              .catch(() => null)) ?? '',
          ),
        30_000,
        'minecraft-1 WaitToBeDeleted in the tree',
      );
      await page.screenshot({ path: join(ARTIFACTS, `sidebar-after-release-${theme}.png`) });

      // The audit trail: the release's own writes are in the Output channel (OKG Ops) as kubectl lines — read
      // from the file VS Code keeps for that log channel, next to the workspace in user-data/logs.
      const logs = join(dirname(vs.server.workspace), 'user-data', 'logs');
      let output = '';
      await until(
        async () => {
          output = readdirSync(logs, { recursive: true, encoding: 'utf8' })
            .filter(f => f.endsWith('OKG Ops.log'))
            .map(f => readFileSync(join(logs, f), 'utf8'))
            .join('\n');
          return /kubectl patch gs minecraft-2 -n default --context okg-sandbox --type=json/.test(output);
        },
        30_000,
        "the release's writes in the Output channel",
      );
      const lines = output.split('\n').filter(l => l.includes('kubectl patch'));
      for (const want of [
        /kubectl patch gss minecraft -n default --context okg-sandbox --type=json -p '.*"path":"\/spec\/gameServerTemplate\/spec\/containers\/0\/image","value":"[^"]*1\.12\.2-new"/,
        /kubectl patch gss minecraft -n default --context okg-sandbox --type=json -p '.*"path":"\/spec\/replicas","value":6/,
        /kubectl patch gs minecraft-1 -n default --context okg-sandbox --type=json -p '.*"op":"test".*"value":"WaitToBeDeleted"/,
      ])
        assert.ok(
          lines.some(l => want.test(l)),
          `${want}\n${lines.map(l => l.slice(0, 300)).join('\n')}`,
        );
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
    await vs.page
      .locator('.pane-body .monaco-list-row[aria-label^="minecraft-2 "]')
      .first()
      .waitFor({ timeout: 60_000 });
    sandbox.server.clearWriteLog();
  });
  after(async () => {
    await vs?.close();
    await sandbox?.stop();
  });

  it('5. gets the plain reason before any write (the sandbox write log stays empty)', async () => {
    const { page } = vs;
    const found: string[] = [];
    const w = await toPreview(page, 'operator', found);
    const error = w.locator('#plan-error');
    await error.waitFor({ timeout: 60_000 });
    const text = await error.innerText();
    assert.match(text, /patch/i, text);
    assert.match(text, /gameserversets/i, text);
    await shot(page, found, 'wizard-refused-dark');
    assert.deepEqual(found, [], 'axe: no serious or critical violation');
    assert.deepEqual(
      sandbox.server.writeLog().filter(e => e.user === 'operator'),
      [],
    );
    assert.equal(await w.locator('#run').count(), 0, 'there is nothing to run');
  });
});
