// Bundles the extension (node, cjs, `vscode` external), the webview (browser) and the `okg` CLI (node, esm).
import { build } from 'esbuild';

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
    banner: { js: "import { createRequire as __okgCreateRequire } from 'module'; const require = __okgCreateRequire(import.meta.url);" },
  }),
]);
