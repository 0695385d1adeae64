// Starts code-server (real VS Code 1.100.3 in the browser) with the packaged OKG Ops extension, in fresh
// user-data and extensions folders. Used by `npm run demo` and by the e2e tests (test/e2e/vscode.ts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, ensureDebianPackages } from './vscode-setup.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Installs code-server (and its Debian packages) on first use; returns its entry script. */
export function codeServerEntry() {
  ensureDebianPackages();
  return ensureCodeServer();
}

/** Packages the extension (bundles only) into a .vsix in a temporary folder. */
export function packageVsix() {
  const out = join(mkdtempSync(join(tmpdir(), 'okg-vsix-')), 'okg-ops.vsix');
  const r = spawnSync(
    'npx',
    [
      'vsce',
      'package',
      '--no-dependencies',
      '--skip-license',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '-o',
      out,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0)
    throw new Error(
      `packaging the extension failed (npx vsce package): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
    );
  return out;
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * Starts code-server with the extension installed. Options: vsix, settings (user settings.json), env
 * (for the extension host), port, theme ('dark' | 'light'), nodeArgs (Node options for code-server; its
 * extension host inherits them, e.g. `--inspect-port` for a bench). Resolves once it answers /healthz.
 */
export async function startCodeServer({ vsix, settings = {}, env = {}, port, theme = 'dark', nodeArgs = [] } = {}) {
  const entry = codeServerEntry();
  const base = mkdtempSync(join(tmpdir(), 'okg-vscode-'));
  const userData = join(base, 'user-data');
  const extensions = join(base, 'extensions');
  const workspace = join(base, 'workspace');
  for (const d of [userData, extensions, workspace, join(userData, 'User')]) mkdirSync(d, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.colorTheme': theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern',
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        ...settings,
      },
      null,
      2,
    ),
  );
  const install = spawnSync(
    process.execPath,
    [entry, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix ?? packageVsix()],
    { encoding: 'utf8' },
  );
  if (install.status !== 0 || !readdirSync(extensions).some(d => d.startsWith('okg-ops.'))) {
    throw new Error(`installing the .vsix into code-server failed: ${install.stderr || install.stdout}`);
  }
  const p = port ?? (await freePort());
  let output = '';
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${p}`,
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      workspace,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', d => {
    output += d;
  });
  child.stderr.on('data', d => {
    output += d;
  });
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}): ${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer within 60 s: ${output.slice(-2000)}`);
    await new Promise(r => setTimeout(r, 200));
  }
  return {
    url: `${url}/?folder=${encodeURIComponent(workspace)}`,
    workspace,
    log: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise(r => child.once('exit', r));
    },
  };
}
