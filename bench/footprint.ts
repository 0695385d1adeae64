// Row 4: what the extension costs to carry and to start: bundle sizes (the activation bundle and the demo cluster's), and activation of the bundled
// extension in a Node harness with the test suite's `vscode` stub (and code-server when available).
import { statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { median, p95, type Row } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

export async function benchFootprint(opts: { reps: number }): Promise<Row[]> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--production'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`production build failed: ${build.stderr}`);
  const size = (f: string) => statSync(join(ROOT, 'dist', f)).size / 1024;
  const row = '4. footprint';
  const rows: Row[] = [
    {
      row,
      subject: 'extension bundle (dist/extension.cjs, minified)',
      unit: 'KiB',
      median: size('extension.cjs'),
      p95: size('extension.cjs'),
      samples: 1,
      goal: '≤ 1536 KiB',
      met: size('extension.cjs') <= 1536,
      note: 'the demo cluster is not in it (next line)',
    },
    {
      row,
      subject: 'demo cluster bundle (dist/sandbox.cjs, minified; loaded when the user starts it)',
      unit: 'KiB',
      median: size('sandbox.cjs'),
      p95: size('sandbox.cjs'),
      samples: 1,
    },
    {
      row,
      subject: 'webview bundle (dist/webview.js, minified)',
      unit: 'KiB',
      median: size('webview.js'),
      p95: size('webview.js'),
      samples: 1,
    },
  ];
  // Activation: load the bundle and call activate() with the stub, in a fresh process each time.
  const harness = join(ROOT, 'out', 'bench', 'activate.js');
  if (existsSync(harness) && existsSync(join(ROOT, 'out', 'test', 'extension', 'stub', 'register.js'))) {
    const times: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      const r = spawnSync(process.execPath, [harness], { cwd: ROOT, encoding: 'utf8' });
      const ms = Number(/activate-ms=([\d.]+)/.exec(r.stdout)?.[1]);
      if (r.status !== 0 || !Number.isFinite(ms)) throw new Error(`activation harness failed: ${r.stderr || r.stdout}`);
      times.push(ms);
    }
    rows.push({
      row,
      subject: 'activation of the bundled extension (Node + vscode stub: require + activate)',
      unit: 'ms',
      median: median(times),
      p95: p95(times),
      samples: times.length,
    });
  } else {
    rows.push({
      row,
      subject: 'activation (Node + vscode stub)',
      unit: 'ms',
      median: NaN,
      p95: NaN,
      samples: 0,
      note: 'the vscode stub is not built (out/test/extension/stub): run npm run compile',
    });
  }
  return rows;
}
