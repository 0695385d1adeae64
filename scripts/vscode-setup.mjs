// Installs what the real-VS-Code tier needs, idempotently, following shared/recipes/real-vscode-in-chromium.md:
// Debian packages (Chromium and code-server's native build deps) and code-server 4.100.3 (VS Code 1.100.3)
// from the npm registry without its network-bound install scripts. The cache lives outside the repo
// (~/.cache/okg-ops, or $OKG_CACHE), so a fresh clone reuses it. Prints the code-server entry path.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
const APT = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium'];

export function cacheDir() {
  return process.env.OKG_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'okg-ops');
}

function log(line) {
  process.stderr.write(`[vscode-setup] ${line}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error?.code === 'ENOENT') throw new Error(`${cmd} is not on PATH; install it and run again`);
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})${opts.cwd ? ` in ${opts.cwd}` : ''}`);
}

function missingDebianPackages() {
  return APT.filter(
    p =>
      spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes(
        'install ok installed',
      ) !== true,
  );
}

export function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (!missing.length) return;
  if (process.getuid?.() !== 0)
    throw new Error(`missing Debian packages ${missing.join(' ')}; run: sudo apt-get install -y ${missing.join(' ')}`);
  log(`installing Debian packages: ${missing.join(' ')}`);
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  run('apt-get', ['update', '-qq'], quiet);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], quiet);
}

/** Installs code-server into the cache once; returns the path of its entry script. */
export function ensureCodeServer() {
  const dir = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const marker = join(dir, '.complete');
  if (existsSync(marker) && existsSync(entry)) return entry;
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (first run only; a few minutes)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'okg-code-server', private: true }));
  const npm = {
    cwd: dir,
    env: { ...process.env, npm_config_yes: 'true', npm_config_fund: 'false', npm_config_audit: 'false' },
  };
  run('npm', ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], npm);
  const vscodeDir = join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
  run('npm', ['install', '--ignore-scripts', '--omit=dev'], { ...npm, cwd: vscodeDir });
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(execFileSync('which', ['rg'], { encoding: 'utf8' }).trim(), join(rgDir, 'rg'));
  run(
    'npm',
    ['rebuild', 'kerberos', 'node-pty', '@vscode/spdlog', '@parcel/watcher', 'native-watchdog', '@vscode/deviceid'],
    { ...npm, cwd: vscodeDir },
  );
  if (!existsSync(join(vscodeDir, 'node_modules.asar')))
    symlinkSync('node_modules', join(vscodeDir, 'node_modules.asar'));
  run('npm', ['install', '--ignore-scripts', '--omit=dev'], { ...npm, cwd: join(vscodeDir, 'extensions') });
  run('npm', ['rebuild', 'argon2'], npm);
  writeFileSync(marker, new Date().toISOString());
  return entry;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureDebianPackages();
    process.stdout.write(`${ensureCodeServer()}\n`);
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
