// Bundles the extension (node, cjs, `vscode` external), the webview (browser) and the `okg` CLI (node, esm).
// Prints the webview bundle's size and fails above its budget (test/webview/bundle.test.ts checks it too).
import { statSync } from 'node:fs';
import { build } from 'esbuild';

/** The webview bundle's budget (it loads every time the wizard opens). */
const WEBVIEW_BUDGET = 150 * 1024;

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // client-node is ESM and reads import.meta.url in a few places; give the CJS bundle a value for it.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  }),
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
]);

const webview = statSync('dist/webview.js').size;
console.log(
  `webview bundle: dist/webview.js ${(webview / 1024).toFixed(1)} KB (budget ${WEBVIEW_BUDGET / 1024} KB${production ? ', minified' : ''})`,
);
if (webview > WEBVIEW_BUDGET) {
  console.error(
    `dist/webview.js is ${webview} bytes, over its budget of ${WEBVIEW_BUDGET}: the wizard would load slowly. Trim the webview code or its dependencies.`,
  );
  process.exit(1);
}
