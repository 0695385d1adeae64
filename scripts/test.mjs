// `npm test`: install the npm packages if this clone has none, type-check and compile, lint, build the bundles,
// install the real-browser tier's prerequisites and build the Go control plane (each a visible step, done once and
// cached outside the repo), then every test tier. Prints one closing line "N passed, N failed" (CI reads it) and
// exits non-zero on any failure.
//
//   npm test                       everything
//   npm run test:unit              the plain-Node tiers only: no real browser, no control plane, nothing to build
//   node scripts/test.mjs --only X the test files under out/test/X/ (e.g. --only release)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installDependencies } from './deps.mjs';
import { prerequisites, selectFiles } from './testPlan.mjs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

function fail(name, detail) {
  console.error(`\n${name} failed${detail ? ` (${detail})` : ''}. Nothing else was run.`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

function step(name, cmd, args) {
  process.stdout.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) fail(name, `exit ${r.status ?? r.signal}`);
}

process.stdout.write('\n== npm packages\n');
try {
  installDependencies(line => process.stdout.write(`${line}\n`));
} catch (e) {
  fail('npm packages', e.message);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
rmSync('out', { recursive: true, force: true });
step('type-check and compile (tsc)', npx, ['tsc', '-p', '.']);
step('lint (eslint)', npx, ['eslint', '.']);
step('format (prettier --check; `npm run format` fixes it)', npx, ['prettier', '--check', '--log-level', 'warn', '.']);
step('bundle (esbuild)', process.execPath, ['scripts/build.mjs']);

const walk = dir =>
  readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
const files = selectFiles(walk(join('out', 'test')), only);
if (!files.length) fail('selecting tests', `no test files match --only ${only}`);
for (const p of prerequisites(files, process.env)) step(p.name, process.execPath, [p.script, ...p.args]);

process.stdout.write('\n== tests (mocha)\n');
const { default: Mocha } = await import('mocha');
const mocha = new Mocha({ timeout: 60_000, reporter: 'spec' });
for (const f of files) mocha.addFile(f);
// Extension tests import `vscode`: resolve it to the stub (test/extension/stub) before any test file loads.
if (existsSync(join('out', 'test', 'extension', 'stub', 'register.js')))
  await import(new URL('../out/test/extension/stub/register.js', import.meta.url).href);
await mocha.loadFilesAsync();
const runner = mocha.run(failures => {
  const s = runner.stats ?? { passes: 0, failures, pending: 0 };
  console.log(`\n${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
  process.exit(failures > 0 || s.pending > 0 ? 1 : 0);
});
