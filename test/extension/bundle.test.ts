// The shipped artifact: dist/extension.cjs (esbuild, CJS, `vscode` external) loads in Node with the stub as
// `vscode`, registers the command table, and its in-process demo cluster serves the seed to the tree. The demo
// cluster's code is its own bundle (dist/sandbox.cjs), loaded only when the user starts it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as stub from './stub/vscode.js';

interface Bundle {
  activate(ctx: unknown): {
    explorer: {
      getChildren(n?: unknown): Promise<unknown[]>;
      getTreeItem(n: unknown): { label: string };
      scopes(): Promise<unknown[]>;
    };
  };
  deactivate(): Promise<void>;
}

describe('extension: the esbuild bundle', () => {
  const bundle = new URL('../../../dist/extension.cjs', import.meta.url);

  it('keeps the demo cluster (sandbox + OKG emulator) out of the activation bundle, in dist/sandbox.cjs', () => {
    // A string literal of the emulator's log: it survives minification, so it marks where the emulator was bundled.
    const marker = '[okg-emulator]';
    const sandbox = new URL('../../../dist/sandbox.cjs', import.meta.url);
    assert.ok(existsSync(sandbox), 'dist/sandbox.cjs is missing: run node scripts/build.mjs (npm test does)');
    assert.ok(readFileSync(sandbox, 'utf8').includes(marker), 'dist/sandbox.cjs holds the emulator');
    const activation = readFileSync(bundle, 'utf8');
    assert.ok(!activation.includes(marker), 'dist/extension.cjs must not bundle the emulator');
    assert.ok(activation.includes('"./sandbox.cjs"'), 'dist/extension.cjs loads dist/sandbox.cjs lazily');
  });

  it('activates from dist/extension.cjs and starts the demo cluster in-process', async function () {
    assert.ok(existsSync(bundle), 'dist/extension.cjs is missing: run node scripts/build.mjs (npm test does)');
    const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
    const original = loader._load;
    loader._load = function (request, parent, isMain) {
      return request === 'vscode' ? stub : original.call(this, request, parent, isMain);
    };
    const context = stub.extensionContext();
    try {
      const ext = createRequire(import.meta.url)(bundle.pathname) as Bundle;
      stub.config.clear();
      stub.config.set('okg.kubeconfig', '/nonexistent/okg-kubeconfig.yaml');
      const api = ext.activate(context);
      assert.ok(stub.commands.registered().includes('okg.retireIdleOldRooms'));
      assert.deepEqual(await api.explorer.getChildren(), []);
      await stub.commands.executeCommand('okg.startDemoCluster');
      const top = await api.explorer.getChildren();
      assert.deepEqual(
        top.map(n => api.explorer.getTreeItem(n).label),
        ['minecraft'],
      );
      // A set whose rooms are still listing shows "loading rooms…" (its children too): once the lists are in, read
      // the row again, as VS Code does on the refresh that follows, then its rooms.
      await api.explorer.scopes();
      const [set] = await api.explorer.getChildren();
      api.explorer.getTreeItem(set);
      const rooms = await api.explorer.getChildren(set);
      assert.deepEqual(
        rooms.map(n => api.explorer.getTreeItem(n).label),
        ['minecraft-0', 'minecraft-1', 'minecraft-2'],
      );
      await ext.deactivate();
    } finally {
      for (const d of context.subscriptions) d.dispose();
      loader._load = original;
    }
  });
});
