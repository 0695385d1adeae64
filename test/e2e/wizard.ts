// Driving the release wizard in real VS Code (code-server in Chromium): its document (nested in two iframes), Next
// until a step shows, axe-core in the webview's own frame, the palette opened while a release runs, and a world
// of 1,000 rooms. Used by the wizard's e2e tests and by bench/ui.ts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startVsCode, type VsCodeSession } from './vscode.js';
import { until } from './workbench.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** The wizard's document: VS Code web nests a webview in two iframes. */
export function wizard(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
}

/** The wizard's frame itself (for evaluate): the one whose document has the wizard's #app. */
export async function wizardFrame(page: Page): Promise<Frame> {
  let found: Frame | undefined;
  await until(
    async () => {
      for (const f of page.frames()) {
        if (
          await f
            .evaluate(() => !!document.getElementById('app') && !!document.getElementById('step'))
            .catch(() => false)
        ) {
          found = f;
          return true;
        }
      }
      return false;
    },
    30_000,
    "the wizard's frame",
  );
  return found!;
}

/** Clicks Next until `selector` shows (the first render can be replaced when the host's data arrives). */
export async function next(w: FrameLocator, selector: string): Promise<void> {
  await until(
    async () => {
      if (await w.locator(selector).first().isVisible()) return true;
      await w.locator('#next').click({ timeout: 2000 });
      await w.locator(selector).first().waitFor({ timeout: 2000 });
      return true;
    },
    60_000,
    `the wizard to show ${selector}`,
  );
}

/** axe-core's serious and critical violations in the wizard's frame ("rule (impact): targets"). */
export async function axeViolations(page: Page): Promise<string[]> {
  const frame = await wizardFrame(page);
  // Evaluated through the debugging protocol, so the page's CSP (nonce scripts only) does not apply to it.
  if (!(await frame.evaluate(() => 'axe' in window)))
    await frame.evaluate(readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  return frame.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: {
          run(
            c: Document,
            o: object,
          ): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(
        v =>
          `${v.id} (${v.impact}): ${v.nodes
            .slice(0, 5)
            .map(n => n.target.join(' '))
            .join(', ')}`,
      );
  });
}

/** Opens the command palette and resolves with how long it took to show (ms), then closes it. */
export async function paletteOpens(page: Page): Promise<number> {
  const input = page.locator('.quick-input-widget input');
  const t = performance.now();
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  const ms = performance.now() - t;
  await page.keyboard.press('Escape');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
  return ms;
}

export const SCALE = {
  namespace: 'games-0',
  set: 'fleet-000',
  rooms: 1000,
  image: 'registry.example.com/games/fleet-000:2.0.0',
} as const;

/** A sandbox with one set of 1,000 Ready rooms, and VS Code showing its namespace. */
export async function scaleWorld(
  theme: 'dark' | 'light',
  readyAfterMs = 300,
): Promise<{ sandbox: Sandbox; vs: VsCodeSession }> {
  const sandbox = await startSandbox({
    scenario: 'scale',
    scale: { gameServerSets: 1, rooms: SCALE.rooms, namespaces: 1 },
    readyAfterMs,
  });
  try {
    const vs = await startVsCode({
      theme,
      env: { KUBECONFIG: sandbox.kubeconfigPath('admin') },
      settings: { 'okg.namespaces': [SCALE.namespace] },
    });
    await vs.page.locator('.activitybar [aria-label^="OpenKruise Game"]').first().click();
    await vs.page
      .locator(`.pane-body .monaco-list-row[aria-label^="${SCALE.set} "]`)
      .first()
      .waitFor({ timeout: 120_000 });
    return { sandbox, vs };
  } catch (e) {
    await sandbox.stop();
    throw e;
  }
}
