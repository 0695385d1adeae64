// The @vscode/test-electron suite: runs INSIDE a downloaded VS Code desktop (extension host), where the
// real `vscode` module exists. Bundled to CJS by scripts/test-electron.mjs; not part of `npm test` (VS Code
// cannot be downloaded on our CI machines — the same behaviours are proven there in code-server, test/e2e/).
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import Mocha from 'mocha';
import type { OkgExtension } from '../../src/extension.js';

async function extension(): Promise<OkgExtension> {
  const ext = vscode.extensions.getExtension<OkgExtension>('okg-ops.okg-ops');
  assert.ok(ext, 'the extension is installed in the development host');
  return ext.isActive ? ext.exports : ext.activate();
}

function suite(mocha: Mocha): void {
  mocha.suite.addTest(
    new Mocha.Test('contributes and registers the OKG commands', async () => {
      await extension();
      const all = await vscode.commands.getCommands(true);
      for (const id of [
        'okg.refresh',
        'okg.showLog',
        'okg.startDemoCluster',
        'okg.setOpsState',
        'okg.selectNamespaces',
      ]) {
        assert.ok(all.includes(id), `${id} is registered`);
      }
    }),
  );
  mocha.suite.addTest(
    new Mocha.Test('Start Demo Cluster shows the seed in the Game Servers tree', async () => {
      const ext = await extension();
      await vscode.commands.executeCommand('okg.startDemoCluster');
      const deadline = Date.now() + 60_000;
      let labels: string[] = [];
      while (Date.now() < deadline) {
        const walk = async (parent?: Parameters<typeof ext.explorer.getChildren>[0]): Promise<string[]> => {
          const out: string[] = [];
          for (const n of await ext.explorer.getChildren(parent)) {
            const item = ext.explorer.getTreeItem(n);
            out.push(String(typeof item.label === 'string' ? item.label : (item.label?.label ?? '')));
            out.push(...(await walk(n)));
          }
          return out;
        };
        labels = await walk();
        if (['minecraft-0', 'minecraft-1', 'minecraft-2'].every(l => labels.includes(l))) return;
        await new Promise(r => setTimeout(r, 250));
      }
      assert.fail(`the tree shows ${labels.join(', ')}`);
    }),
  );
}

/** Entry point VS Code calls (extensionTestsPath). */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: true });
  suite(mocha);
  return new Promise((resolve, reject) => {
    mocha.run(failures => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
