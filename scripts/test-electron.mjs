// `npm run test:electron`: the @vscode/test-electron suite in VS Code desktop. Where VS Code can be
// downloaded, @vscode/test-electron fetches it; elsewhere set VSCODE_EXECUTABLE to a local `code` binary
// (e.g. /usr/share/code/code). CI machines here have neither: there the e2e tier (code-server) runs instead.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (b.status !== 0) process.exit(1);
const suite = join(root, 'out', 'electron', 'suite.cjs');
await build({
  entryPoints: [join(root, 'test', 'electron', 'suite.ts')],
  outfile: suite,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
});
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(
    `test:electron failed: ${e.message ?? e} (set VSCODE_EXECUTABLE to a local VS Code when it cannot be downloaded)`,
  );
  process.exit(1);
}
