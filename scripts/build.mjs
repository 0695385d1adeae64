// Bundles the extension (node, cjs, `vscode` external), the demo cluster (the sandbox and the OKG emulator, node,
// cjs: loaded by the extension only when the user starts it), the webview (browser) and the `okg` CLI (node, esm).
// Prints the sizes and fails above a budget (test/extension/bundle.test.ts and test/webview check them too).
import { statSync } from 'node:fs';
import { build } from 'esbuild';

/** The webview bundle's budget (it loads every time the wizard opens). */
const WEBVIEW_BUDGET = 150 * 1024;
/** The extension's activation bundle, minified (the demo cluster is not in it). */
const EXTENSION_BUDGET = 1.5 * 1024 * 1024;

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // client-node is ESM and reads import.meta.url in a few places; give the CJS bundle a value for it.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/**
 * The extension's `await import('../sandbox/sandbox.js')` becomes `require('./sandbox.cjs')` at run time: the
 * demo cluster's code stays out of the activation bundle. A static import of it would still be bundled (and
 * fail the budget below).
 */
const lazySandbox = {
  name: 'lazy-sandbox',
  setup(b) {
    b.onResolve({ filter: /[\\/]sandbox[\\/]sandbox\.js$/ }, args =>
      args.kind === 'dynamic-import' ? { path: './sandbox.cjs', external: true } : undefined,
    );
  },
};

await Promise.all([
  build({ ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.cjs', plugins: [lazySandbox] }),
  build({ ...node, entryPoints: ['src/sandbox/sandbox.ts'], outfile: 'dist/sandbox.cjs' }),
  build({
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/okg.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: {
      js: "import { createRequire as __okgCreateRequire } from 'module'; const require = __okgCreateRequire(import.meta.url);",
    },
  }),
  // The OKG emulator's worker thread, which `okg sandbox` starts beside itself (src/sandbox/okg/emulatorThread.ts).
  build({
    ...common,
    entryPoints: ['src/sandbox/okg/emulatorWorker.ts'],
    outfile: 'dist/okg-emulator.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: {
      js: "import { createRequire as __okgCreateRequire } from 'module'; const require = __okgCreateRequire(import.meta.url);",
    },
  }),
]);

const kb = n => `${(n / 1024).toFixed(1)} KB`;
const webview = statSync('dist/webview.js').size;
const extension = statSync('dist/extension.cjs').size;
const sandbox = statSync('dist/sandbox.cjs').size;
const how = production ? ', minified' : '';
console.log(`webview bundle: dist/webview.js ${kb(webview)} (budget ${kb(WEBVIEW_BUDGET)}${how})`);
console.log(
  `extension bundle: dist/extension.cjs ${kb(extension)}${production ? ` (budget ${kb(EXTENSION_BUDGET)}, minified)` : ''}; demo cluster, loaded when started: dist/sandbox.cjs ${kb(sandbox)}`,
);
if (webview > WEBVIEW_BUDGET) {
  console.error(
    `dist/webview.js is ${webview} bytes, over its budget of ${WEBVIEW_BUDGET}: the wizard would load slowly. Trim the webview code or its dependencies.`,
  );
  process.exit(1);
}
// Only the minified build is what ships; the development build carries readable code and is larger.
if (production && extension > EXTENSION_BUDGET) {
  console.error(
    `dist/extension.cjs is ${extension} bytes, over its budget of ${EXTENSION_BUDGET}: activation would load slowly. Keep the demo cluster behind its lazy import and the generated Kubernetes API clients out of the activation path.`,
  );
  process.exit(1);
}
