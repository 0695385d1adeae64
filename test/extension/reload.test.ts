// What reloading the tree must never stop: a release started from the wizard, and an open YAML document.
// Every trigger that re-reads the view (Refresh, Select Namespaces, Switch Context, a settings change, Start
// Demo Cluster) runs while the work is in progress; the work finishes as if nothing happened.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { HostMessage } from '../../src/webview/protocol.js';
import { GSS, NEW, NS, SEED_FINAL, startWorld, strip, table } from '../release/helpers.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { activateWith, deactivateAll, gssNode, patchGs, roomNode, stub } from './harness.js';

type Panel = stub.FakePanel;
const posted = (p: Panel) => p.webview.posted as HostMessage[];

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

/** A copy of a kubeconfig whose context names another namespace: the same cluster and user, a new connection. */
function withNamespace(path: string, namespace: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'okg-reload-')), 'kubeconfig.yaml');
  const kc = yaml.load(readFileSync(path, 'utf8')) as { contexts: { context: { namespace?: string } }[] };
  kc.contexts[0].context.namespace = namespace;
  writeFileSync(out, yaml.dump(kc), { mode: 0o600 });
  return out;
}

describe('extension: reloading the tree never stops work in progress', function () {
  this.timeout(120_000);
  let sandbox: Sandbox | undefined;
  let ext: ReturnType<typeof activateWith> | undefined;

  afterEach(async () => {
    for (const p of stub.webviews.panels) p.dispose();
    stub.webviews.reset();
    await deactivateAll(ext);
    ext = undefined;
    await sandbox?.stop();
    sandbox = undefined;
  });

  /** Runs the seed release from the tree's wizard, calling `atStep` as each step starts. */
  async function releaseWith(atStep: (step: string, n: number) => Promise<unknown>): Promise<string[]> {
    sandbox = await startWorld();
    ext = activateWith({ 'okg.kubeconfig': [sandbox.kubeconfigPath('admin')] });
    await stub.commands.executeCommand('okg.release', await gssNode(ext, GSS));
    const p = stub.webviews.panels[0];
    p.webview.send({ type: 'ready', version: 1 });
    const init = await until(() => posted(p).find((m): m is Extract<HostMessage, { type: 'init' }> => m.type === 'init'), 'init');
    const scope = init.targets[0].scope;
    // Each step's start triggers a reload while the engine is inside that step.
    const reloads: Promise<unknown>[] = [];
    const steps: string[] = [];
    const post = p.webview.postMessage.bind(p.webview);
    p.webview.postMessage = (m: unknown) => {
      const msg = m as HostMessage;
      if (msg.type === 'event' && msg.event.type === 'step-started') {
        steps.push(msg.event.step);
        reloads.push(atStep(msg.event.step, steps.length - 1));
      }
      return post(m);
    };
    p.webview.send({ type: 'run', scope, input: { namespace: NS, gameServerSet: GSS, images: [{ container: SEED.container, image: NEW }], add: 3, timeoutMs: 15_000 } });
    const done = await until(() => posted(p).find((m): m is Extract<HostMessage, { type: 'run-result' }> => m.type === 'run-result'), 'the release to finish', 60_000);
    await Promise.all(reloads);
    assert.equal(done.result.outcome, 'succeeded', done.result.message);
    assert.deepEqual(strip(table(sandbox)), SEED_FINAL);
    return steps;
  }

  it('a wizard release survives OKG: Refresh at every step and ends with the seed\'s final table', async () => {
    const steps = await releaseWith(() => stub.commands.executeCommand('okg.refresh'));
    assert.deepEqual(steps, ['lock', 'patch-image', 'wait-generation', 'scale', 'wait-ready', 'mark', 'reclaim', 'unlock']);
  });

  it('a wizard release survives every reconnecting trigger: namespaces, context, settings, the demo cluster', async () => {
    const triggers: (() => Promise<unknown>)[] = [
      async () => { stub.setConfig('okg.namespaces', ['default', 'games']); },
      async () => { stub.ui.answers.push(stub.pick('default')); await stub.commands.executeCommand('okg.selectNamespaces'); },
      async () => { stub.setConfig('okg.kubeconfig', [withNamespace(sandbox!.kubeconfigPath('admin'), 'games')]); },
      async () => { stub.ui.answers.push(stub.pick('okg-sandbox')); await stub.commands.executeCommand('okg.switchContext'); },
      async () => { stub.setConfig('okg.kubeconfig', [sandbox!.kubeconfigPath('admin')]); },
      () => stub.commands.executeCommand('okg.startDemoCluster'),
      async () => { stub.setConfig('okg.namespaces', []); },
      () => stub.commands.executeCommand('okg.refresh'),
    ];
    await releaseWith((_step, n) => triggers[n % triggers.length]());
  });

  it('an open YAML document keeps following its object after Refresh and after a reconnect', async () => {
    sandbox = await startWorld();
    const admin = sandbox.kubeconfigPath('admin');
    ext = activateWith({ 'okg.kubeconfig': [admin] });
    await stub.commands.executeCommand('okg.openYaml', await roomNode(ext, 'minecraft-1'));
    const doc = stub.ui.shownDocuments[0];
    const follows = async (opsState: string) => {
      await patchGs(sandbox!, 'minecraft-1', { opsState });
      await until(() => (doc.getText().includes(`opsState: ${opsState}\n`) ? true : undefined), `the document to show opsState ${opsState}`, 10_000);
    };
    assert.match(doc.getText(), /\(read-only, live\)/);
    await follows('Maintaining');
    await stub.commands.executeCommand('okg.refresh');
    await follows('None');
    // The same context, read again after its kubeconfig changed: a new connection under the same id.
    stub.setConfig('okg.kubeconfig', [withNamespace(admin, 'default-copy')]);
    await new Promise(r => setTimeout(r, 50));
    await follows('Maintaining');
    stub.setConfig('okg.kubeconfig', [admin]);
    await new Promise(r => setTimeout(r, 50));
    await follows('None');
    stub.closeDocument(doc);
  });
});
