// The Argo export: valid against Argo's published Workflow schema (@kubernetes-models/argo-workflows), the
// seed's mistakes corrected, and — run step by step with bash, kubectl and jq against the sandbox, retrying
// as Argo's retryStrategy would — it performs the same release.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { Workflow } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow';
import { argoWorkflowYaml, exportArgoWorkflow, type ArgoWorkflow } from '../../src/release/argo.js';
import { previewRelease } from '../../src/release/engine.js';
import type { ReleasePlan, ReclaimMode } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, gssObject, seedInput, SEED_FINAL, startWorld, strip, table } from './helpers.js';

interface Tpl { name: string; script?: { source: string }; retryStrategy?: { limit: string; retryPolicy: string }; dag?: { tasks: { name: string; template: string; dependencies?: string[] }[] }; resource?: unknown; outputs?: unknown }

const templates = (wf: ArgoWorkflow) => wf.spec.templates as unknown as Tpl[];

/** Runs a script asynchronously (the sandbox serves from this very process: a sync spawn would deadlock). */
function bash(source: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', source], { env });
    let stdout = '', stderr = '';
    p.stdout.on('data', d => { stdout += d; });
    p.stderr.on('data', d => { stderr += d; });
    p.on('error', reject);
    p.on('close', status => resolve({ status, stdout, stderr }));
  });
}

function hasBash(): boolean {
  return spawnSync('bash', ['-c', 'command -v kubectl && command -v jq'], { encoding: 'utf8' }).status === 0;
}

describe('Argo Workflow export', function () {
  this.timeout(90_000);
  let sb: Sandbox;
  const plans = new Map<ReclaimMode, ReleasePlan>();
  before(async () => {
    sb = await startWorld();
    for (const reclaim of ['none', 'scale-down', 'kill'] as const) {
      const r = await previewRelease(seedInput({ reclaim }), { client: client(sb) });
      assert.ok(r.plan, r.message);
      plans.set(reclaim, r.plan);
    }
  });
  after(async () => { await sb?.stop(); });

  for (const reclaim of ['none', 'scale-down', 'kill'] as const) {
    it(`reclaim ${reclaim}: validates against Argo's Workflow schema, round-trips through YAML, scripts parse`, () => {
      const plan = plans.get(reclaim)!;
      const wf = exportArgoWorkflow(plan);
      new Workflow(wf as never).validate();
      const back = yaml.load(argoWorkflowYaml(plan)) as ArgoWorkflow;
      assert.deepEqual(back, JSON.parse(JSON.stringify(wf)));
      new Workflow(back as never).validate();
      const tasks = templates(wf).find(t => t.name === 'main')!.dag!.tasks;
      const names = tasks.map(s => s.template);
      tasks.forEach((t, i) => assert.deepEqual(t.dependencies, i ? [tasks[i - 1].name] : undefined, 'strictly sequential'));
      const expected = ['patch-image', 'wait-generation', 'scale', 'check-ready', 'mark'];
      assert.deepEqual(names, reclaim === 'none' ? expected : [...expected, 'settle', `reclaim-${reclaim}`]);
      if (reclaim !== 'none') assert.match(templates(wf).find(t => t.name === 'settle')!.script!.source, /\nsleep 2$/, 'the default settle window, 2 s');
      for (const t of templates(wf).filter(x => x.script)) {
        const r = spawnSync('bash', ['-n'], { input: t.script!.source, encoding: 'utf8' });
        assert.equal(r.status, 0, `${t.name}: ${r.stderr}`);
      }
    });
  }

  it('the settle window of the plan is the sleep before reclaim; none with --settle 0', async () => {
    const r = await previewRelease(seedInput({ reclaim: 'kill', settleMs: 1500 }), { client: client(sb) });
    assert.match(templates(exportArgoWorkflow(r.plan!)).find(t => t.name === 'settle')!.script!.source, /\nsleep 1.5$/);
    const off = await previewRelease(seedInput({ reclaim: 'kill', settleMs: 0 }), { client: client(sb) });
    assert.deepEqual(templates(exportArgoWorkflow(off.plan!)).find(t => t.name === 'main')!.dag!.tasks.map(t => t.name).slice(-2), ['mark', 'reclaim-kill']);
  });

  it('the schema check is live: a broken workflow is rejected', () => {
    const wf = exportArgoWorkflow(plans.get('none')!);
    (wf.spec.templates[1] as Record<string, unknown>).retryStrategy = { limit: { nested: true } };
    (wf.spec.templates[0] as Record<string, unknown>).dag = { tasks: [{ template: 'x' }] };
    assert.throws(() => new Workflow(wf as never).validate());
  });

  it('corrects the seed: ≥ N ready check that really retries, conditional writes, no merge patches', () => {
    const wf = exportArgoWorkflow(plans.get('scale-down')!);
    const t = (n: string) => templates(wf).find(x => x.name === n)!;
    assert.match(t('check-ready').script!.source, /\[ "\$COUNT" -ge 3 \]/);
    assert.doesNotMatch(t('check-ready').script!.source, /-eq/);
    for (const n of ['check-ready', 'wait-generation', 'patch-image', 'scale', 'reclaim-scale-down']) {
      assert.equal(t(n).retryStrategy?.retryPolicy, 'Always', n);
      assert.ok(Number(t(n).retryStrategy?.limit) > 0, n);
    }
    assert.ok(templates(wf).every(x => !x.resource), 'no unconditional resource (merge) patches');
    assert.match(t('mark').script!.source, /"op":"test","path":"\/spec\/opsState","value":\$ops/);
    assert.match(t('mark').script!.source, /"op":"test","path":"\/metadata\/uid"/);
    assert.match(t('patch-image').script!.source, /"op":"test","path":"\/spec\/gameServerTemplate\/spec\/containers\/0\/image","value":"registry.cn-hangzhou.aliyuncs.com\/acs\/minecraft-demo:1.12.2"/);
    assert.match(t('patch-image').script!.source, /observedGeneration == \.metadata\.generation/);
    assert.match(t('reclaim-scale-down').script!.source, /game\.kruise\.io\/gs-opsState/);
  });

  it('executed step by step against the sandbox (bash + kubectl + jq, retries as Argo would) it performs the release', async function () {
    assert.ok(hasBash(), 'bash, kubectl and jq must be on PATH to execute the exported workflow (apt-get install jq; .ci/run does)');
    const world = await startWorld();
    const dir = mkdtempSync(join(tmpdir(), 'okg-argo-run-'));
    try {
      const wf = exportArgoWorkflow(plans.get('scale-down')!);
      const env = { ...process.env, KUBECONFIG: world.kubeconfigPath('admin'), HOME: dir };
      let marked = '';
      for (const step of templates(wf).find(x => x.name === 'main')!.dag!.tasks) {
        const t = templates(wf).find(x => x.name === step.template)!;
        const source = t.script!.source.replaceAll('/tmp/marked', join(dir, 'marked')).replaceAll('{{inputs.parameters.marked}}', marked);
        const limit = Number(t.retryStrategy?.limit ?? 0);
        let r = await bash(source, env);
        for (let i = 0; r.status !== 0 && i < limit; i++) {
          await new Promise(res => setTimeout(res, 200));
          r = await bash(source, env);
        }
        assert.equal(r.status, 0, `${step.template} failed: ${r.stdout}\n${r.stderr}`);
        if (step.template === 'mark') marked = readFileSync(join(dir, 'marked'), 'utf8').trim().split('\n').join(' ');
      }
      assert.equal(marked, 'minecraft-1 minecraft-2');
      await world.waitFor(() => table(world).length === 4, 20_000, 'the reclaim');
      assert.deepEqual(strip(table(world)), [SEED_FINAL[0], ...SEED_FINAL.slice(3)]);
      assert.equal(gssObject(world).spec.replicas, 4);
    } finally {
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
