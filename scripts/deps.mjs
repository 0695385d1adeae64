// The npm packages, installed with `npm ci` when this clone has none or its lock file changed since the last
// install, so `npm test` and `npm run demo` work as the first command on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/** Why the installed packages are missing or stale, or undefined when they match package-lock.json. */
export function dependenciesStale(root = ROOT) {
  const installed = join(root, 'node_modules', '.package-lock.json'); // npm writes it at the end of every install
  if (!existsSync(installed)) return 'no npm packages are installed in this clone';
  if (statSync(join(root, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs)
    return 'package-lock.json changed since the last install';
  return undefined;
}

export function installDependencies(log) {
  const why = dependenciesStale();
  if (!why) {
    log('npm packages are installed');
    return;
  }
  log(`${why}: npm ci (first run: about a minute)…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (r.error) throw new Error(`npm could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`npm ci failed (exit ${r.status}); see its output above`);
}
