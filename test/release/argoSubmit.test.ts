// Submitting the export: a cluster without Argo (the plain sandbox) gets one sentence and nothing is created; a
// sandbox that serves Argo's CRDs admits `kubectl create --dry-run=server -f <export>` (every object, none stored),
// takes the objects from submitArgo (a second release reuses the template), and followWorkflow reports the
// Workflow's phases until it ends. No Argo controller runs in the sandbox: the test moves the Workflow's status
// as the controller would.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { argoExportYaml, exportArgo } from '../../src/release/argo.js';
import {
  ArgoNotServed,
  argoServed,
  followWorkflow,
  stepLabel,
  submitArgo,
  type WorkflowStatus,
} from '../../src/release/argoSubmit.js';
import { previewRelease } from '../../src/release/engine.js';
import type { ReleasePlan } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { startArgoWorld } from './argoWorld.js';
import { client, GSS, NS, seedInput, startWorld } from './helpers.js';

function kubectl(
  args: string[],
  kubeconfig: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } });
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
}

async function plan(sb: Sandbox): Promise<ReleasePlan> {
  const r = await previewRelease(seedInput({ reclaim: 'scale-down' }), { client: client(sb) });
  assert.ok(r.plan, r.message);
  return r.plan;
}

const argoKinds = ['workflows', 'workflowtemplates', 'serviceaccounts', 'roles', 'rolebindings'];
const stored = (sb: Sandbox, plural: string) => sb.server.store.list(sb.server.resource(plural), NS);

describe("the Argo Workflow's steps as the operator reads them", () => {
  it('a step with retries runs as numbered attempts: the first is the step, a later one names its attempt', () => {
    assert.deepEqual(['lock(0)', 'wait-ready(2)', 'approve', 'release', undefined, 'a(b)(0)'].map(stepLabel), [
      'lock',
      'wait-ready (attempt 3)',
      'approve',
      'release',
      '?',
      'a(b)',
    ]);
  });
});

describe('submitting the Argo export', function () {
  this.timeout(120_000);

  describe('a cluster without Argo (the sandbox)', () => {
    let sb: Sandbox;
    before(async () => {
      sb = await startWorld();
    });
    after(async () => {
      await sb?.stop();
    });

    it('is recognised, and submitting gets one sentence saying so; nothing is created', async () => {
      const kc = sb.kubeConfig('admin');
      assert.equal(await argoServed(kc), false);
      const p = await plan(sb);
      sb.server.clearWriteLog();
      await assert.rejects(submitArgo(kc, exportArgo(p)), (e: Error) => {
        assert.ok(e instanceof ArgoNotServed);
        assert.match(
          e.message,
          /^The cluster at https:\/\/127\.0\.0\.1:\d+ does not serve Argo Workflows \(no argoproj\.io\/v1alpha1 Workflow and WorkflowTemplate resources\), so the release cannot be submitted there; install Argo Workflows in it, or kubectl create -f the exported file on a cluster that runs Argo\.$/,
        );
        assert.ok(!e.message.includes('\n'));
        return true;
      });
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user === 'admin'),
        [],
      );
    });
  });

  describe("a cluster that serves Argo's CRDs (the sandbox with Argo's minimal CRDs and RBAC objects)", () => {
    let sb: Sandbox;
    let dir: string;
    before(async () => {
      sb = await startArgoWorld();
      dir = mkdtempSync(join(tmpdir(), 'okg-argo-submit-'));
    });
    after(async () => {
      await sb?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('kubectl create --dry-run=server -f <export> admits the ServiceAccount, Role, RoleBinding, WorkflowTemplate and Workflow, and stores none', async () => {
      const file = join(dir, 'release.yaml');
      writeFileSync(file, argoExportYaml(await plan(sb), { approval: true }));
      // --validate=false: the sandbox serves no OpenAPI document for kubectl's client-side check (the real
      // kube-apiserver with Argo's full CRDs checks every field: test/controlplane/argo.test.ts)
      const r = await kubectl(
        ['create', '--dry-run=server', '--validate=false', '-f', file, '-o', 'name'],
        sb.kubeconfigPath('admin'),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(
        r.stdout
          .trim()
          .split('\n')
          .map(l => l.replace(/release-minecraft-\w+$/, 'release-minecraft-…')),
        [
          `serviceaccount/okg-release-${GSS}`,
          `role.rbac.authorization.k8s.io/okg-release-${GSS}`,
          `rolebinding.rbac.authorization.k8s.io/okg-release-${GSS}`,
          `workflowtemplate.argoproj.io/okg-release-${GSS}`,
          'workflow.argoproj.io/release-minecraft-…',
        ],
      );
      for (const k of argoKinds) assert.deepEqual(stored(sb, k), [], `${k}: a dry run stores nothing`);
    });

    it("submitArgo creates every object and the Workflow; a second release reuses the set's template (updated) and makes a new Workflow", async () => {
      const kc = sb.kubeConfig('admin');
      assert.equal(await argoServed(kc), true);
      const p = await plan(sb);
      const first = await submitArgo(kc, exportArgo(p));
      assert.equal(first.namespace, NS);
      assert.match(first.workflow, /^release-minecraft-\w{5}$/);
      assert.deepEqual(first.actions, [
        `created ServiceAccount okg-release-${GSS}`,
        `created Role okg-release-${GSS}`,
        `created RoleBinding okg-release-${GSS}`,
        `created WorkflowTemplate okg-release-${GSS}`,
        `created Workflow ${first.workflow}`,
      ]);
      const second = await submitArgo(kc, exportArgo(p, { image: 'registry.example/kubectl-jq:1.34' }));
      assert.notEqual(second.workflow, first.workflow);
      assert.deepEqual(second.actions, [
        `kept ServiceAccount okg-release-${GSS}`,
        `updated Role okg-release-${GSS}`,
        `updated RoleBinding okg-release-${GSS}`,
        `updated WorkflowTemplate okg-release-${GSS}`,
        `created Workflow ${second.workflow}`,
      ]);
      assert.equal(stored(sb, 'workflowtemplates').length, 1);
      assert.equal(stored(sb, 'workflows').length, 2);
      const tpl = stored(sb, 'workflowtemplates')[0] as unknown as {
        spec: { templates: { script?: { image: string } }[] };
      };
      assert.equal(
        tpl.spec.templates.find(t => t.script)!.script!.image,
        'registry.example/kubectl-jq:1.34',
        'the template is the latest export',
      );
      // a Role someone else made is kept, not overwritten
      const api = KubernetesObjectApi.makeApiClient(kc);
      const role = await api.read({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `okg-release-${GSS}`, namespace: NS },
      });
      await api.replace({
        ...role,
        metadata: { ...role.metadata, labels: { owner: 'platform-team' } },
      } as KubernetesObject);
      const third = await submitArgo(kc, exportArgo(p));
      assert.ok(third.actions.includes(`kept Role okg-release-${GSS} (not made by OKG Ops)`), third.actions.join('; '));
    });

    it('followWorkflow reports each phase and running step until the Workflow ends', async () => {
      const kc = sb.kubeConfig('admin');
      const { workflow } = await submitArgo(kc, exportArgo(await plan(sb)));
      const api = KubernetesObjectApi.makeApiClient(kc);
      const setStatus = async (status: Record<string, unknown>) => {
        const wf = await api.read({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          metadata: { name: workflow, namespace: NS },
        });
        await api.replace({ ...wf, status } as KubernetesObject);
      };
      const seen: WorkflowStatus[] = [];
      // as Argo's controller would: Running at the approval, then Succeeded
      const controller = (async () => {
        await new Promise(r => setTimeout(r, 50));
        await setStatus({
          phase: 'Running',
          nodes: {
            a: { displayName: 'wait-ready', phase: 'Succeeded', type: 'Pod' },
            b: { displayName: 'approve', phase: 'Running', type: 'Suspend' },
          },
        });
        await new Promise(r => setTimeout(r, 150));
        await setStatus({ phase: 'Succeeded', nodes: {} });
      })();
      const final = await followWorkflow(kc, NS, workflow, s => seen.push(s), { intervalMs: 20 });
      await controller;
      assert.equal(final.phase, 'Succeeded');
      assert.deepEqual(
        seen.map(s => `${s.phase} ${s.running.join(',')}`),
        ['Pending ', 'Running approve (waiting for approval: argo resume)', 'Succeeded '],
      );
    });
  });
});
