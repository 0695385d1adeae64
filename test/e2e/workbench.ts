// Small, patient helpers for driving the VS Code workbench in the browser the way a person does.
import type { Locator, Page } from 'playwright-core';

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise(r => setTimeout(r, 150));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Opens the command palette and runs the command with this title (e.g. "OKG: Refresh"). */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await until(
    async () => {
      if (!(await input.isVisible())) await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 2000 });
      // Re-enter the text each time: commands contributed by an extension appear only once the extension
      // host has scanned it, and the palette does not re-filter for an unchanged value.
      await input.fill('>');
      await input.pressSequentially(title, { delay: 5 });
      await page.waitForTimeout(200);
      const text = await page.locator('.quick-input-list').innerText({ timeout: 2000 });
      return text.split('\n').some(l => l.trim() === title);
    },
    timeoutMs,
    `the command "${title}" in the palette`,
  );
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
}

/** Text of the visible quick pick rows. */
export async function quickPickItems(page: Page): Promise<string[]> {
  const text = await page.locator('.quick-input-list').innerText();
  return text
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean);
}

/**
 * Right-click `target`, then the menu items of `path` in turn (hovering opens a submenu), and Enter on the last. A
 * right-click the workbench swallowed under load (no menu shows) is tried again, up to three times.
 */
export async function contextMenu(page: Page, target: Locator, path: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await target.click({ button: 'right' });
    const first = page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${path[0]}$`) });
    const shown = await first
      .last()
      .waitFor({ state: 'visible', timeout: 10_000 })
      .then(
        () => true,
        (e: unknown) => {
          if (attempt >= 3) throw e;
          return false;
        },
      );
    if (shown) break;
    await page.keyboard.press('Escape');
  }
  for (const label of path) {
    const item = page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${label}$`) }).last();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.hover();
    await page.waitForTimeout(250); // menus open submenus on a hover delay; a click before that can be lost
  }
  await page.keyboard.press('Enter');
}
