// `okg release` with Argo: --export-argo writes a file Argo's own lint accepts (shaped by --argo-image,
// --argo-approval and the release's --settle), bad Argo flags are refused before the cluster is contacted, --submit-argo on a
// cluster without Argo says so in one line and creates nothing, and on a sandbox serving Argo's CRDs it creates the
// Workflow and follows it to its end (the test moves the Workflow's status as Argo's controller would).
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { releaseCommand } from '../../src/cli/releaseCommand.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { argoLint, argoValidator } from '../release/argoRun.js';
import { startArgoWorld } from '../release/argoWorld.js';
import { NS, startWorld } from '../release/helpers.js';
import { clientWrites, runVerb, seedRelease } from './run.js';

const ours = clientWrites;

const okg = (argv: string[]) => runVerb(releaseCommand, argv);

describe('okg release with Argo (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'okg-cli-argo-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('on a cluster without Argo', () => {
    let sb: Sandbox;
    before(async () => {
      sb = await startWorld();
    });
    after(async () => {
      await sb?.stop();
    });
    const base = () => [...seedRelease(sb.kubeconfigPath('admin'))];

    it("--export-argo FILE with --argo-image, --argo-approval and --settle writes what Argo's lint accepts, and nothing to the cluster", async () => {
      const file = join(dir, 'release-minecraft.yaml');
      sb.server.clearWriteLog();
      const r = await okg([
        ...base(),
        '--reclaim',
        'kill',
        '--export-argo',
        file,
        '--argo-image',
        'registry.example/kubectl-jq:1.34',
        '--argo-approval',
        '--settle',
        '45s',
      ]);
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.match(
        r.out.at(-1)!,
        new RegExp(
          `^Argo release written to ${file} \\(ServiceAccount, Role, RoleBinding, WorkflowTemplate, Workflow\\); kubectl create -f ${file} where Argo Workflows runs, or okg release … --submit-argo; nothing was changed$`,
        ),
      );
      const text = readFileSync(file, 'utf8');
      const lint = argoLint((await argoValidator()).bin, text);
      assert.ok(lint.ok, lint.output);
      const docs = yaml.loadAll(text) as {
        kind: string;
        spec?: {
          arguments?: { parameters: { name: string; value: string }[] };
          templates?: { script?: { image: string } }[];
        };
      }[];
      assert.deepEqual(
        docs.map(d => d.kind),
        ['ServiceAccount', 'Role', 'RoleBinding', 'WorkflowTemplate', 'Workflow'],
      );
      const params = Object.fromEntries(docs[4].spec!.arguments!.parameters.map(p => [p.name, p.value]));
      assert.deepEqual([params.reclaim, params.approval, params.settle], ['kill', 'true', '45']);
      assert.ok(
        docs[3]
          .spec!.templates!.filter(t => t.script)
          .every(t => t.script!.image === 'registry.example/kubectl-jq:1.34'),
      );
      assert.deepEqual(ours(sb), []);
    });

    const bad: [string, string[], RegExp][] = [
      [
        '--argo-image without an export',
        ['--argo-image', 'x:1'],
        /^okg: --argo-image shapes an Argo export; add --export-argo FILE or --submit-argo$/,
      ],
      [
        '--argo-approval without an export',
        ['--argo-approval'],
        /^okg: --argo-approval shapes an Argo export; add --export-argo FILE or --submit-argo$/,
      ],
      [
        '--argo-image with a space',
        ['--export-argo', 'f.yaml', '--argo-image', 'a b'],
        /^okg: --argo-image takes an image reference without spaces, got "a b"$/,
      ],
      ['--submit-argo with a value', ['--submit-argo=yes'], /^okg: --submit-argo takes no value/],
    ];
    for (const [what, extra, re] of bad) {
      it(`refuses ${what}: one line, exit 2, nothing written`, async () => {
        sb.server.clearWriteLog();
        const r = await okg([...base(), ...extra]);
        assert.equal(r.code, 2, r.err.join(' | '));
        assert.equal(r.err.length, 1);
        assert.match(r.err[0], re);
        assert.deepEqual(ours(sb), []);
      });
    }

    it('--submit-argo says in one line that the cluster does not serve Argo, exit 1, nothing created', async () => {
      sb.server.clearWriteLog();
      const r = await okg([...base(), '--submit-argo']);
      assert.equal(r.code, 1);
      assert.deepEqual(r.err.length, 1, r.err.join('\n'));
      assert.match(
        r.err[0],
        /^okg: The cluster at https:\/\/127\.0\.0\.1:\d+ does not serve Argo Workflows \(no argoproj\.io\/v1alpha1 Workflow and WorkflowTemplate resources\), so the release cannot be submitted there; install Argo Workflows in it, or kubectl create -f the exported file on a cluster that runs Argo\.$/,
      );
      assert.deepEqual(ours(sb), []);
    });
  });

  describe("on a cluster that serves Argo's CRDs", () => {
    let sb: Sandbox;
    before(async () => {
      sb = await startArgoWorld();
    });
    after(async () => {
      await sb?.stop();
    });

    it('--submit-argo creates the objects and the Workflow, follows it and exits with its outcome', async () => {
      const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig('admin'));
      // Argo's controller, played by the test: the first Workflow that appears runs, then fails
      const controller = (async () => {
        const wfs = sb.server.resource('workflows');
        await sb.waitFor(() => sb.server.store.list(wfs, NS).length > 0, 30_000, 'the Workflow');
        const name = sb.server.store.list(wfs, NS)[0].metadata.name!;
        const set = async (status: Record<string, unknown>) => {
          const wf = await api.read({
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Workflow',
            metadata: { name, namespace: NS },
          });
          await api.replace({ ...wf, status } as KubernetesObject);
        };
        await set({ phase: 'Running', nodes: { a: { displayName: 'wait-ready', phase: 'Running', type: 'Pod' } } });
        await new Promise(r => setTimeout(r, 2500));
        await set({ phase: 'Failed', message: 'child failed', nodes: {} });
        return name;
      })();
      const r = await okg([...seedRelease(sb.kubeconfigPath('admin')), '--submit-argo']);
      const name = await controller;
      assert.equal(r.code, 1, `a failed Workflow is a failed release: ${r.err.join('\n')}`);
      const text = r.out.join('\n');
      assert.match(
        text,
        new RegExp(
          `created ServiceAccount okg-release-minecraft; created Role okg-release-minecraft; created RoleBinding okg-release-minecraft; created WorkflowTemplate okg-release-minecraft; created Workflow ${name} in namespace default`,
        ),
      );
      assert.match(text, new RegExp(`Workflow ${name}: Running \\(running: wait-ready\\)`));
      assert.match(text, new RegExp(`Workflow ${name}: Failed: child failed$`));
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user === 'admin' && w.resource === 'gameserversets'),
        [],
        'the release itself runs in Argo, not here',
      );
    });
  });
});
