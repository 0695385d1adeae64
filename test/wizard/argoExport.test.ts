// "Export as Argo Workflow" from the wizard (vscode stub): a Save dialog in the workspace folder named
// release-<set>-<date>.yaml, the file written (Argo's lint accepts it), no untitled buffer; a cancelled dialog writes
// nothing; a cluster without Argo gets one sentence; on one that serves Argo's CRDs "Submit to Cluster" creates the
// Workflow; the okg.argo.* settings shape the export and a bad one is refused before the dialog.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { argoLint, argoValidator } from '../release/argoRun.js';
import { argoResources } from '../release/argoWorld.js';
import { NS } from '../release/helpers.js';
import { hostHarness, message, posted, seedRelease, send, until, type Panel } from './harness.js';

describe('release wizard: Export as Argo Workflow (vscode stub)', function () {
  this.timeout(60_000);
  const h = hostHarness();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'okg-wizard-argo-'));
  });
  afterEach(() => {
    h.stub.workspace.workspaceFolders = undefined;
    for (const k of ['okg.argo.image', 'okg.argo.approval']) h.stub.setConfig(k, undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function previewed(p: Panel, scope: string): Promise<void> {
    send(p, { type: 'preview', seq: 1, ...seedRelease(scope) });
    const r = await until(() => message(p, 'preview-result'), 'preview');
    assert.equal(r.ok, true, r.message);
  }
  const notice = (p: Panel, from: number) => until(() => message(p, 'notice', from), 'the notice');
  const prompt = (re: RegExp) =>
    until(() => h.stub.ui.prompts.find(x => re.test(x.text ?? '')), `a prompt matching ${re}`);

  it('saves to the file the Save dialog names (workspace folder, release-minecraft-<date>.yaml): no untitled buffer; a cluster without Argo is said in one sentence', async () => {
    const w = await h.world();
    const p = await h.readyPanel(w);
    await previewed(p, w.scope.id);
    h.stub.workspace.workspaceFolders = [{ uri: h.stub.Uri.file(dir), name: 'games', index: 0 }];
    const target = join(dir, 'chosen.yaml');
    let dialog: { defaultUri?: { path: string }; filters?: Record<string, string[]> } | undefined;
    h.stub.ui.answers.push(q => {
      dialog = q.options as typeof dialog;
      return h.stub.Uri.file(target);
    }, h.stub.button('Open'));
    const from = posted(p).length;
    send(p, { type: 'export-argo', seq: 1 });
    const n = await notice(p, from);
    assert.equal(n.level, 'info');
    assert.equal(n.message, `The Argo release is saved as ${target}.`);
    assert.match(dialog!.defaultUri!.path, new RegExp(`^${dir}/release-minecraft-\\d{8}\\.yaml$`));
    assert.deepEqual(dialog!.filters, { YAML: ['yaml', 'yml'] });
    const said = await prompt(/does not serve Argo/);
    assert.match(
      said.text!,
      /^Saved chosen\.yaml\. The cluster at https:\/\/127\.0\.0\.1:\d+ does not serve Argo Workflows \(no argoproj\.io\/v1alpha1 Workflow and WorkflowTemplate resources\), so the release cannot be submitted there; install Argo Workflows in it, or kubectl create -f the exported file on a cluster that runs Argo\.$/,
    );
    assert.deepEqual(said.buttons, ['Open'], 'no Submit to Cluster without Argo');
    await until(() => h.stub.ui.shownFiles[0], 'the saved file opened');
    assert.equal(h.stub.ui.shownFiles[0].path, target);
    assert.deepEqual(h.stub.ui.shownDocuments, [], 'no untitled buffer');
    const text = readFileSync(target, 'utf8');
    assert.deepEqual(
      (yaml.loadAll(text) as { kind: string }[]).map(d => d.kind),
      ['ServiceAccount', 'Role', 'RoleBinding', 'WorkflowTemplate', 'Workflow'],
    );
    const lint = argoLint((await argoValidator()).bin, text);
    assert.ok(lint.ok, lint.output);
    assert.deepEqual(
      w.sb.server.writeLog().filter(e => e.user === 'admin'),
      [],
      'nothing written to the cluster',
    );
  });

  it('a cancelled Save dialog writes nothing; without a workspace the dialog starts in the home folder', async () => {
    const w = await h.world();
    const p = await h.readyPanel(w);
    await previewed(p, w.scope.id);
    let start = '';
    h.stub.ui.answers.push(q => {
      start = (q.options as { defaultUri: { path: string } }).defaultUri.path;
      return undefined;
    });
    const from = posted(p).length;
    send(p, { type: 'export-argo', seq: 1 });
    assert.equal((await notice(p, from)).message, 'The Argo export was not saved.');
    assert.match(start, new RegExp(`^${homedir()}/release-minecraft-\\d{8}\\.yaml$`));
    assert.deepEqual(h.stub.ui.savedFiles, []);
  });

  it("on a cluster that serves Argo's CRDs, Submit to Cluster creates the objects and the Workflow, shaped by the okg.argo settings", async () => {
    const w = await h.world({ extraResources: await argoResources() });
    const p = await h.readyPanel(w);
    await previewed(p, w.scope.id);
    h.stub.setConfig('okg.argo.image', 'registry.example/kubectl-jq:1.34');
    h.stub.setConfig('okg.argo.approval', true);
    const target = join(dir, 'release.yaml');
    h.stub.ui.answers.push(h.stub.saveAs(target), h.stub.button('Submit to Cluster'));
    send(p, { type: 'export-argo', seq: 1 });
    const offered = await prompt(/Submit to Cluster creates/);
    assert.deepEqual(offered.buttons, ['Submit to Cluster', 'Open']);
    assert.match(
      offered.text!,
      /^Saved release\.yaml\. Submit to Cluster creates its Workflow \(with the ServiceAccount, Role and WorkflowTemplate it uses\) in default on sandbox \/ default\.$/,
    );
    const done = await prompt(/^Workflow release-minecraft-/);
    assert.match(
      done.text!,
      /^Workflow release-minecraft-\w{5} created in default on sandbox \/ default \(created ServiceAccount okg-release-minecraft; created Role okg-release-minecraft; created RoleBinding okg-release-minecraft; created WorkflowTemplate okg-release-minecraft\)\. Follow it in the Argo UI or with: argo watch -n default release-minecraft-\w{5}$/,
    );
    const wfs = w.sb.server.store.list(w.sb.server.resource('workflows'), NS) as unknown as {
      spec: { arguments: { parameters: { name: string; value: string }[] } };
    }[];
    assert.equal(wfs.length, 1);
    const params = Object.fromEntries(wfs[0].spec.arguments.parameters.map(x => [x.name, x.value]));
    assert.deepEqual(
      [params.approval, params.settle],
      ['true', '2'],
      "approval from the setting; the wizard's settle window (2 s)",
    );
    assert.match(readFileSync(target, 'utf8'), /image: registry\.example\/kubectl-jq:1\.34/);
  });

  it('a bad okg.argo setting is refused with its name before the dialog opens', async () => {
    const w = await h.world();
    const p = await h.readyPanel(w);
    await previewed(p, w.scope.id);
    h.stub.setConfig('okg.argo.image', 'not an image');
    const from = posted(p).length;
    send(p, { type: 'export-argo', seq: 1 });
    const n = await notice(p, from);
    assert.equal(n.level, 'error');
    assert.match(
      n.message,
      /^The setting okg\.argo\.image \("not an image"\) is not an image reference; fix it and export again\.$/,
    );
    assert.deepEqual(
      h.stub.ui.prompts.filter(x => x.kind === 'saveDialog'),
      [],
    );
  });
});
