// `npm test`: type-check and compile, lint, build the bundles, then every test tier that exists.
// Prints one closing line "N passed, N failed" (CI reads it) and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

function step(name, cmd, args) {
  process.stdout.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status}). Nothing else was run.`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
rmSync('out', { recursive: true, force: true });
step('type-check and compile (tsc)', npx, ['tsc', '-p', '.']);
step('lint (eslint)', npx, ['eslint', '.']);
step('bundle (esbuild)', process.execPath, ['scripts/build.mjs']);
step('real-browser prerequisites (Chromium, code-server; installed once into ~/.cache/okg-ops)', process.execPath, ['scripts/vscode-setup.mjs']);

process.stdout.write('\n== tests (mocha)\n');
const mocha = new Mocha({ timeout: 60_000, reporter: 'spec' });
const walk = dir => readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
// Real OKG (tier B, controlplane/okg.test.js) runs last, after tier A has proven the control plane it builds on.
const tierB = f => (f.endsWith(join('controlplane', 'okg.test.js')) ? 1 : 0);
const files = walk('out/test').filter(f => f.endsWith('.test.js')).filter(f => !only || f.includes(`/${only}/`) || only === 'unit').sort((a, b) => tierB(a) - tierB(b) || (a < b ? -1 : a > b ? 1 : 0));
for (const f of files) mocha.addFile(f);
// Extension tests import `vscode`: resolve it to the stub (test/extension/stub) before any test file loads.
if (files.some(f => f.includes('/extension/'))) await import(new URL('../out/test/extension/stub/register.js', import.meta.url).href);
await mocha.loadFilesAsync();
const runner = mocha.run(failures => {
  const s = runner.stats ?? { passes: 0, failures, pending: 0 };
  console.log(`\n${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
  process.exit(failures > 0 || s.pending > 0 ? 1 : 0);
});
