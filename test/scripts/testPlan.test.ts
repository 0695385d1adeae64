// What `npm test` runs before mocha, and which files `--only` selects (scripts/testPlan.mjs, scripts/deps.mjs).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..', '..');
// The scripts are plain ESM outside out/: import them from the clone, typed by their .d.mts.
const script = <T>(name: string): Promise<T> => import(pathToFileURL(join(ROOT, 'scripts', name)).href) as Promise<T>;
const { prerequisites, selectFiles } = await script<typeof import('../../scripts/testPlan.mjs')>('testPlan.mjs');
const { dependenciesStale } = await script<typeof import('../../scripts/deps.mjs')>('deps.mjs');
const f = (...p: string[]) => join('out', 'test', ...p);
const ALL = [
  f('cluster', 'cache.test.js'),
  f('controlplane', 'okg.test.js'),
  f('controlplane', 'wire.test.js'),
  f('e2e', 'smoke.test.js'),
  f('release', 'engine.test.js'),
  f('release', 'helpers.js'),
];

describe('npm test: what runs', () => {
  it('--only unit leaves out the real-browser and control-plane tiers', () => {
    assert.deepEqual(selectFiles(ALL, 'unit'), [f('cluster', 'cache.test.js'), f('release', 'engine.test.js')]);
  });
  it('--only FOLDER selects that folder; no --only selects every test file with tier B last', () => {
    assert.deepEqual(selectFiles(ALL, 'release'), [f('release', 'engine.test.js')]);
    assert.equal(selectFiles(ALL, undefined).at(-1), f('controlplane', 'okg.test.js'));
    assert.equal(selectFiles(ALL, undefined).length, 5);
  });
  it('builds the Go control plane as its own step before mocha, and only when its tests run', () => {
    const steps = prerequisites(selectFiles(ALL, undefined), {});
    assert.deepEqual(
      steps.map(s => [s.script, ...s.args]),
      [['scripts/vscode-setup.mjs'], ['scripts/controlplane-okg.mjs', 'build'], ['scripts/argo-validate.mjs', 'build']],
    );
    // the release tests lint every Argo export with Argo's own code: its build is the unit tier's one prerequisite
    assert.deepEqual(
      prerequisites(selectFiles(ALL, 'unit'), {}).map(s => [s.script, ...s.args]),
      [['scripts/argo-validate.mjs', 'build']],
    );
    assert.deepEqual(prerequisites([f('cluster', 'cache.test.js')], {}), []);
    assert.deepEqual(
      prerequisites(selectFiles(ALL, undefined), { OKG_NO_TIER_B: '1' }).map(s => s.script),
      ['scripts/vscode-setup.mjs', 'scripts/controlplane.mjs', 'scripts/argo-validate.mjs'],
    );
    assert.deepEqual(
      prerequisites(selectFiles(ALL, 'controlplane'), { OKG_NO_CONTROLPLANE: '1' }).map(s => s.script),
      ['scripts/argo-validate.mjs'],
    );
  });
  it('installs the npm packages before importing any of them', () => {
    // A static import of an npm package (mocha) fails before any install can run on a fresh clone.
    const src = readFileSync(join(ROOT, 'scripts', 'test.mjs'), 'utf8');
    const statics = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map(m => m[1]);
    assert.deepEqual(
      statics.filter(s => !s.startsWith('node:') && !s.startsWith('./')),
      [],
    );
    assert.ok(src.indexOf('installDependencies(') < src.indexOf("import('mocha')"));
  });
  it('knows when a clone has no packages or a lock file newer than its install', () => {
    const dir = mkdtempSync(join(tmpdir(), 'okg-deps-'));
    writeFileSync(join(dir, 'package-lock.json'), '{}');
    assert.match(dependenciesStale(dir) ?? '', /no npm packages are installed/);
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{}');
    utimesSync(join(dir, 'package-lock.json'), new Date(), new Date(Date.now() + 60_000));
    assert.match(dependenciesStale(dir) ?? '', /package-lock.json changed/);
    utimesSync(join(dir, 'node_modules', '.package-lock.json'), new Date(), new Date(Date.now() + 120_000));
    assert.equal(dependenciesStale(dir), undefined);
  });
});
