// Real VS Code (code-server 1.100.3) with the packaged extension, driven by Debian's Chromium through
// playwright-core — the recipe in shared/recipes/real-vscode-in-chromium.md.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CodeServer } from '../../scripts/vscode-server.mjs';

/** scripts/ is not compiled into out/: load it from the repository root at run time. */
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
type Scripts = typeof import('../../scripts/vscode-server.mjs');
const scripts = (): Promise<Scripts> =>
  import(pathToFileURL(join(ROOT, 'scripts', 'vscode-server.mjs')).href) as Promise<Scripts>;

export const CHROMIUM = process.env.OKG_CHROMIUM ?? '/usr/bin/chromium';

let vsix: string | undefined;

export interface VsCodeSession {
  page: Page;
  browser: Browser;
  server: CodeServer;
  close(): Promise<void>;
}

export async function startVsCode(
  opts: {
    settings?: Record<string, unknown>;
    env?: Record<string, string>;
    theme?: 'dark' | 'light';
    /** Node options for code-server, which its extension host inherits (the bench's `--inspect-port`). */
    nodeArgs?: string[];
  } = {},
): Promise<VsCodeSession> {
  const { packageVsix, startCodeServer } = await scripts();
  vsix ??= packageVsix();
  const server = await startCodeServer({ vsix, ...opts });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: opts.theme ?? 'dark' });
  await page.goto(server.url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return {
    page,
    browser,
    server,
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}
