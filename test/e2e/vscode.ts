// Real VS Code (code-server 1.100.3) with the packaged extension, driven by Debian's Chromium through
// playwright-core — the recipe in shared/recipes/real-vscode-in-chromium.md. Each session gets fresh
// user-data and extensions folders; the code-server install itself is cached (scripts/vscode-setup.mjs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export const CHROMIUM = process.env.OKG_CHROMIUM ?? '/usr/bin/chromium';

/** The code-server entry script, installing it on first use. */
export function codeServerEntry(): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'vscode-setup.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('installing code-server failed (scripts/vscode-setup.mjs); see the lines above');
  return r.stdout.trim().split('\n').pop()!;
}

let vsixPath: string | undefined;

/** Packages the extension once per test run (npm run package → .vsix of the bundles only). */
export function packagedVsix(): string {
  if (vsixPath) return vsixPath;
  const out = join(mkdtempSync(join(tmpdir(), 'okg-vsix-')), 'okg-ops.vsix');
  const r = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', out], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vsce package failed: ${r.stderr || r.stdout}`);
  vsixPath = out;
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface VsCodeOptions {
  /** User settings (settings.json). */
  settings?: Record<string, unknown>;
  theme?: 'light' | 'dark';
  /** Extra environment for the extension host (e.g. KUBECONFIG). */
  env?: Record<string, string>;
}

export interface VsCodeSession {
  url: string;
  workspace: string;
  page: Page;
  browser: Browser;
  log(): string;
  close(): Promise<void>;
}

export async function startVsCode(opts: VsCodeOptions = {}): Promise<VsCodeSession> {
  const entry = codeServerEntry();
  const vsix = packagedVsix();
  const base = mkdtempSync(join(tmpdir(), 'okg-e2e-'));
  const userData = join(base, 'user-data');
  const extensions = join(base, 'extensions');
  const workspace = join(base, 'workspace');
  for (const d of [userData, extensions, workspace, join(userData, 'User')]) mkdirSync(d, { recursive: true });
  const theme = opts.theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern';
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.colorTheme': theme, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false, ...opts.settings,
  }, null, 2));
  const install = spawnSync(process.execPath, [entry, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix], { encoding: 'utf8' });
  if (install.status !== 0 || !readdirSync(extensions).some(d => d.startsWith('okg-ops.'))) {
    throw new Error(`installing the .vsix into code-server failed: ${install.stderr || install.stdout}`);
  }
  const port = await freePort();
  let output = '';
  const server: ChildProcess = spawn(process.execPath, [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', workspace], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', d => { output += d; });
  server.stderr?.on('data', d => { output += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (server.exitCode !== null) throw new Error(`code-server exited (${server.exitCode}): ${output}`);
    if (Date.now() > deadline) throw new Error(`code-server did not start within 60 s: ${output}`);
    await new Promise(r => setTimeout(r, 200));
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: opts.theme ?? 'dark' });
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return {
    url, workspace, page, browser,
    log: () => output,
    async close() {
      await browser.close().catch(() => undefined);
      server.kill('SIGTERM');
      await new Promise(r => (server.exitCode !== null ? r(null) : server.once('exit', r)));
    },
  };
}
