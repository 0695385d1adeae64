// What `npm test` runs, as pure functions (tested in test/scripts/testPlan.test.ts): which compiled test files,
// and which prerequisites must be installed or built before mocha starts, so no test hook waits for a build
// (the real browser, the Go control plane, Argo's lint).
import { join, sep } from 'node:path';

/** Folders of out/test/ that need more than Node: a real browser and code-server, or the Go-built control plane. */
export const HEAVY = ['e2e', 'controlplane'];
const TIER_B = join('controlplane', 'okg.test.js');
/** Folders whose tests lint Argo exports with Argo's own code (test/controlplane/argo). */
const ARGO_FOLDERS = ['release', 'cli', 'wizard', 'controlplane'];

/** out/test/<folder>/… → folder */
export const folderOf = f => f.split(sep)[2];

/**
 * The test files to run, in order: `only` undefined → all; 'unit' → every plain-Node folder; else that folder.
 * Real OKG (tier B) runs last, after tier A has proven the control plane it builds on.
 */
export function selectFiles(all, only) {
  const wanted = f =>
    only === undefined ? true : only === 'unit' ? !HEAVY.includes(folderOf(f)) : folderOf(f) === only;
  const tierB = f => (f.endsWith(TIER_B) ? 1 : 0);
  return all
    .filter(f => f.endsWith('.test.js'))
    .filter(wanted)
    .sort((a, b) => tierB(a) - tierB(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The steps to run before mocha for these files: [{ name, script, args }]. */
export function prerequisites(files, env) {
  const steps = [];
  if (files.some(f => folderOf(f) === 'e2e')) {
    steps.push({
      name: 'real-browser prerequisites (Chromium, code-server; installed once into ~/.cache/okg-ops)',
      script: 'scripts/vscode-setup.mjs',
      args: [],
    });
  }
  if (files.some(f => folderOf(f) === 'controlplane') && env.OKG_NO_CONTROLPLANE !== '1') {
    const tierB = env.OKG_NO_TIER_B !== '1' && files.some(f => f.endsWith(TIER_B));
    steps.push({
      name: `Go control plane (${tierB ? 'tiers A and B' : 'tier A'}; built once into ~/.cache/okg-ops/controlplane; the first build takes 10–15 minutes)`,
      script: tierB ? 'scripts/controlplane-okg.mjs' : 'scripts/controlplane.mjs',
      args: ['build'],
    });
  }
  if (files.some(f => ARGO_FOLDERS.includes(folderOf(f)))) {
    steps.push({
      name: "Argo's own validation (argo lint --offline from argo-workflows' Go module; built once into ~/.cache/okg-ops/controlplane)",
      script: 'scripts/argo-validate.mjs',
      args: ['build'],
    });
  }
  return steps;
}
