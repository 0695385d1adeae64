// `npm run bench [-- --quick]`: every benchmark row, as ratios against baselines measured in the same
// run on the same sandbox. Prints one table and writes bench/results/latest.json. Asserts nothing about time.
// `npm run bench -- --ui`: only the release wizard in real VS Code against the CLI (bench/ui.ts; needs Chromium
// and code-server: node scripts/vscode-setup.mjs installs them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchBulk } from './bulk.js';
import { benchRelease } from './release.js';
import { benchScale } from './scale.js';
import { benchFootprint } from './footprint.js';
import { benchMatchmaker } from './matchmaker.js';
import { DEFAULT_SETTLE_MS } from '../src/release/validate.js';
import { benchUi } from './ui.js';
import { benchUiTree } from './uiTree.js';
import { benchSandboxScale } from './sandboxScale.js';
import type { Row } from './stats.js';

const quick = process.argv.includes('--quick');
const ui = process.argv.includes('--ui');
const only = ui ? 'ui' : process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const ROOT = resolve(import.meta.dirname, '..', '..');

const suites: [string, () => Promise<Row[]>][] = [
  [
    'bulk',
    () =>
      benchBulk(
        quick
          ? { rooms: 200, kubectlRooms: 20, reps: 3, rttMs: 2 }
          : { rooms: 1000, kubectlRooms: 100, reps: 5, rttMs: 2 },
      ),
  ],
  ['release', () => benchRelease(quick ? { reps: 3, bigRooms: 30 } : { reps: 7, bigRooms: 100 })],
  [
    'scale',
    () =>
      benchScale(
        quick
          ? { sets: 20, roomsPerSet: 50, changes: 50, cpuReps: 5 }
          : { sets: 100, roomsPerSet: 100, changes: 200, cpuReps: 5 },
      ),
  ],
  [
    'matchmaker',
    () =>
      benchMatchmaker({
        reps: quick ? 4 : 8,
        lagsMs: [0, 250, 500, 1000],
        settleMs: DEFAULT_SETTLE_MS,
        beyondMs: 3000,
      }),
  ],
  ['footprint', () => benchFootprint({ reps: quick ? 3 : 7 })],
  [
    'sandbox',
    () =>
      benchSandboxScale(
        quick
          ? { reps: 1, sizes: [{ sets: 20, rooms: 100, goalS: 4 }] }
          : {
              reps: 3,
              sizes: [
                { sets: 100, rooms: 100, goalS: 20 },
                { sets: 10, rooms: 1000, goalS: 60 },
              ],
            },
      ),
  ],
  // Heavy (a browser and code-server per repetition): only when asked for.
  ...(ui
    ? [
        [
          'ui',
          () =>
            benchUi({
              reps: quick ? 2 : 3,
              add: process.argv.includes('--add') ? Number(process.argv[process.argv.indexOf('--add') + 1]) : 1000,
              previews: 3,
            }),
        ] as [string, () => Promise<Row[]>],
        ['ui', () => benchUiTree({ reps: quick ? 2 : 3, sets: 90, roomsPerSet: 100, bigRooms: 1000 })] as [
          string,
          () => Promise<Row[]>,
        ],
      ]
    : []),
];

const fmt = (n: number) =>
  !Number.isFinite(n) ? '-' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

const rows: Row[] = [];
const started = Date.now();
for (const [name, run] of suites) {
  if (only && only !== name) continue;
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await run()));
}

const header = ['row', 'measured', 'unit', 'median', 'p95', 'n', 'ratio', 'goal', 'met', 'note'];
const cells = rows.map(r => [
  r.row,
  r.subject,
  r.unit,
  fmt(r.median),
  fmt(r.p95),
  String(r.samples),
  r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
  r.goal ?? '',
  r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  r.note ?? '',
]);
const md = [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...cells.map(c => `| ${c.join(' | ')} |`),
].join('\n');
process.stdout.write(`\n${md}\n\n`);
const out = join(ROOT, 'bench', 'results');
mkdirSync(out, { recursive: true });
const base = ui ? 'latest-ui' : 'latest';
writeFileSync(
  join(out, `${base}.json`),
  JSON.stringify(
    { date: new Date().toISOString(), quick, node: process.version, seconds: (Date.now() - started) / 1000, rows },
    null,
    2,
  ),
);
writeFileSync(join(out, `${base}.md`), `${md}\n`);
process.stdout.write(
  `bench: ${rows.length} figures in ${((Date.now() - started) / 1000).toFixed(0)} s → bench/results/${base}.json\n`,
);
process.exit(0);
