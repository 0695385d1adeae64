#!/usr/bin/env node
// The `okg` command. Runs the bundled CLI; builds it first on a fresh clone.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'okg.mjs');
if (!existsSync(bundle)) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('okg: building the CLI failed; run `npm install` in the okg-ops folder, then try again');
    process.exit(1);
  }
}
await import(pathToFileURL(bundle).href);
