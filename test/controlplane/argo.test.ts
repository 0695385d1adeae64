// The Argo export against a real kube-apiserver (tier A) with Argo Workflows' full CRDs (as argo-workflows' Go
// module ships them): `kubectl create --dry-run=server` admits every object with strict field validation against
// Argo's own schema, a misspelt field is refused, and once created, the exported Role gives the Workflow's
// ServiceAccount exactly what the steps use in the set's namespace (SubjectAccessReviews through `kubectl auth can-i
// --as`). No Argo controller runs here; Argo's workflow-controller and its mutex run in tier B (argoController.test.ts).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { after, before, describe, it } from 'mocha';
import { argoExportYaml, argoObjects, exportArgo } from '../../src/release/argo.js';
import { previewRelease } from '../../src/release/engine.js';
import type { ReleasePlan } from '../../src/release/types.js';
import { argoValidator } from '../release/argoRun.js';
import { client, GSS, NS, seedInput, startWorld } from '../release/helpers.js';
import { controlPlaneOptOut, kubectlBinary, startControlPlaneWorld, type World } from './world.js';

const SA = `system:serviceaccount:${NS}:okg-release-${GSS}`;

describe("Argo export on kube-apiserver with Argo's full CRDs (tier A)", function () {
  this.timeout(120_000);
  const optOut = controlPlaneOptOut();
  if (optOut) {
    it(`is not run: ${optOut}`, () => {
      assert.ok(optOut);
    });
    return;
  }
  let world: World | undefined;
  let kubectl = 'kubectl';
  let dir: string;
  let plan: ReleasePlan;
  const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const p = spawn(kubectl, args, { env: { ...process.env, KUBECONFIG: world!.kubeconfigPath('admin') } });
      let stdout = '',
        stderr = '';
      p.stdout.on('data', d => {
        stdout += d;
      });
      p.stderr.on('data', d => {
        stderr += d;
      });
      p.on('error', reject);
      p.on('close', status => resolve({ status, stdout, stderr }));
    });
  before(async function () {
    this.timeout(45 * 60_000); // the first build; later runs reuse it
    const { crds } = await argoValidator();
    const sb = await startWorld();
    try {
      const r = await previewRelease(seedInput({ reclaim: 'scale-down' }), { client: client(sb) });
      assert.ok(r.plan, r.message);
      plan = r.plan;
    } finally {
      await sb.stop();
    }
    kubectl = await kubectlBinary();
    world = await startControlPlaneWorld();
    dir = mkdtempSync(join(tmpdir(), 'okg-argo-cp-'));
    const applied = await run(['apply', '--server-side', '--field-manager', 'okg-argo-test', '-f', crds.full]);
    assert.equal(applied.status, 0, applied.stderr);
    // kubectl wait fails while a new CRD has no conditions yet: ask until all three are Established
    const established =
      "{range .items[?(@.spec.group=='argoproj.io')]}{.metadata.name}={.status.conditions[?(@.type=='Established')].status} {end}";
    for (let i = 0; ; i++) {
      const r = await run(['get', 'crd', '-o', `jsonpath=${established}`]);
      if (
        ['workflows', 'workflowtemplates', 'workflowtaskresults'].every(n => r.stdout.includes(`${n}.argoproj.io=True`))
      )
        break;
      assert.ok(i < 300, `Argo's CRDs not Established: ${r.stdout} ${r.stderr}`);
      await new Promise(res => setTimeout(res, 100));
    }
  });
  after(async () => {
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("kubectl create --dry-run=server admits every object of each variant (strict field validation against Argo's schema), storing none", async () => {
    for (const opts of [{}, { approval: true }, { image: 'registry.example/kubectl-jq:1.34' }]) {
      const file = join(dir, 'release.yaml');
      writeFileSync(file, argoExportYaml(plan, opts));
      const r = await run(['create', '--dry-run=server', '--validate=strict', '-f', file, '-o', 'name']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 5, r.stdout);
    }
    const none = await run([
      'get',
      'workflowtemplates.argoproj.io,workflows.argoproj.io,roles,serviceaccounts',
      '-n',
      NS,
      '-o',
      'name',
    ]);
    assert.equal(none.status, 0, none.stderr);
    assert.doesNotMatch(none.stdout, /okg-release|release-minecraft/);
  });

  it('a misspelt field is refused by the API server (the check is live)', async () => {
    const exp = exportArgo(plan);
    (exp.workflowTemplate.spec.templates[1] as Record<string, unknown>).retryStrateggy = { limit: '1' };
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      argoObjects(exp)
        .map(o => yaml.dump(o))
        .join('---\n'),
    );
    const r = await run(['create', '--dry-run=server', '--validate=strict', '-f', file]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /retryStrateggy/);
  });

  it("created, the Role gives the Workflow's ServiceAccount what the steps use in the set's namespace and nothing more", async () => {
    const file = join(dir, 'release.yaml');
    writeFileSync(file, argoExportYaml(plan));
    const created = await run(['create', '-f', file, '-o', 'name']);
    assert.equal(created.status, 0, created.stderr);
    const can = async (args: string[]) => (await run(['auth', 'can-i', ...args, '--as', SA])).stdout.trim();
    const allowed: string[][] = [
      ['get', `gameserversets.game.kruise.io/${GSS}`, '-n', NS],
      ['patch', `gameserversets.game.kruise.io/${GSS}`, '-n', NS],
      ['list', 'gameservers.game.kruise.io', '-n', NS],
      ['get', 'gameservers.game.kruise.io/minecraft-1', '-n', NS],
      ['patch', 'gameservers.game.kruise.io/minecraft-1', '-n', NS],
      ['list', 'pods', '-n', NS],
      ['create', 'workflowtaskresults.argoproj.io', '-n', NS],
      ['patch', 'workflowtaskresults.argoproj.io', '-n', NS],
    ];
    const denied: string[][] = [
      ['patch', 'gameserversets.game.kruise.io/other', '-n', NS],
      ['list', 'gameserversets.game.kruise.io', '-n', NS],
      ['delete', `gameserversets.game.kruise.io/${GSS}`, '-n', NS],
      ['update', `gameserversets.game.kruise.io/${GSS}`, '-n', NS],
      ['delete', 'gameservers.game.kruise.io/minecraft-1', '-n', NS],
      ['create', 'pods', '-n', NS],
      ['delete', 'pods/minecraft-1', '-n', NS],
      ['get', 'secrets', '-n', NS],
      ['list', 'gameservers.game.kruise.io', '-n', 'kube-system'],
      ['patch', 'gameservers.game.kruise.io/x', '-n', 'kruise-game-system'],
      ['create', 'workflows.argoproj.io', '-n', NS],
    ];
    for (const a of allowed) assert.equal(await can(a), 'yes', `may ${a.join(' ')}`);
    for (const a of denied) assert.equal(await can(a), 'no', `may not ${a.join(' ')}`);
    // a second release of the same set: its Workflow (generateName) is admitted next to the first
    const wf = join(dir, 'workflow.yaml');
    writeFileSync(wf, yaml.dump(exportArgo(plan).workflow));
    const second = await run(['create', '-f', wf, '-o', 'name']);
    assert.equal(second.status, 0, second.stderr);
    const list = await run(['get', 'workflows.argoproj.io', '-n', NS, '-o', 'name']);
    assert.equal(list.stdout.trim().split('\n').length, 2, list.stdout);
  });
});
