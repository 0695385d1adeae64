// Activation harness for row 4: loads the bundled extension (dist/extension.cjs) in plain Node with the
// test suite's `vscode` stub served to its require('vscode'), calls activate(), prints the time.
import { createRequire } from 'node:module';
import Module from 'node:module';
import { join, resolve } from 'node:path';
import * as stub from '../test/extension/stub/vscode.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Loader };
const original = mod._load;
mod._load = function load(request: string, parent: unknown, isMain: boolean): unknown {
  return request === 'vscode' ? stub : original.call(this, request, parent, isMain);
};

const t = performance.now();
const ext = require(join(ROOT, 'dist', 'extension.cjs')) as {
  activate(ctx: unknown): unknown;
  deactivate(): Promise<void>;
};
ext.activate(stub.extensionContext());
const ms = performance.now() - t;
process.stdout.write(`activate-ms=${ms.toFixed(2)}\n`);
await ext.deactivate();
process.exit(0);
