// What reloading the tree must never stop: a release started from the wizard, and an open YAML document.
// Every trigger that re-reads the view (Refresh, Select Namespaces, Switch Context, a settings change, Start
// Demo Cluster) runs while the work is in progress; the work finishes as if nothing happened.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { PROTOCOL_VERSION, type HostMessage } from '../../src/webview/protocol.js';
import { GSS, NEW, NS, SEED_FINAL, startWorld, strip, table } from '../release/helpers.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import type { Node } from '../../src/views/explorer.js';
import { activateWith, deactivateAll, gssNode, patchGs, patchGss, roomNode, stub } from './harness.js';

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

interface KubeconfigFile {
  users: { name: string }[];
  contexts: { context: { namespace?: string; user: string } }[];
}

/**
 * A copy of a kubeconfig with the context's namespace changed (the same connection, other namespaces shown),
 * or its user entry renamed (the same context name, token and cluster: a new connection under the same id).
 */
function kubeconfigCopy(path: string, change: { namespace?: string; user?: string }): string {
  const out = join(mkdtempSync(join(tmpdir(), 'okg-reload-')), 'kubeconfig.yaml');
  const kc = yaml.load(readFileSync(path, 'utf8')) as KubeconfigFile;
  if (change.namespace) kc.contexts[0].context.namespace = change.namespace;
  if (change.user) {
    kc.users[0].name = change.user;
    kc.contexts[0].context.user = change.user;
  }
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
    p.webview.send({ type: 'ready', version: PROTOCOL_VERSION });
    const init = await until(
      () => posted(p).find((m): m is Extract<HostMessage, { type: 'init' }> => m.type === 'init'),
      'init',
    );
    const scope = init.targets[0].scope;
    // Each step's start triggers a reload while the engine is inside that step.
    const reloads: Promise<unknown>[] = [];
    const steps: string[] = [];
    const post = p.webview.postMessage.bind(p.webview);
    p.webview.postMessage = (m: unknown) => {
      const msg = m as HostMessage;
      // The wizard's host batches events: several steps can start in one message; their triggers run in turn.
      for (const e of msg.type === 'progress' ? msg.events : []) {
        if (e.type !== 'step-started') continue;
        steps.push(e.step);
        const n = steps.length - 1;
        reloads.push((reloads[reloads.length - 1] ?? Promise.resolve()).then(() => atStep(e.step, n)));
      }
      return post(m);
    };
    p.webview.send({
      type: 'run',
      scope,
      input: {
        namespace: NS,
        gameServerSet: GSS,
        images: [{ container: SEED.container, image: NEW }],
        add: 3,
        timeoutMs: 15_000,
        reclaim: 'none',
      },
    });
    const done = await until(
      () => posted(p).find((m): m is Extract<HostMessage, { type: 'run-result' }> => m.type === 'run-result'),
      'the release to finish',
      60_000,
    );
    await Promise.all(reloads);
    assert.deepEqual(
      stub.ui.prompts.filter(q => q.kind === 'error').map(q => q.text),
      [],
      'every trigger ran',
    );
    assert.equal(done.result.outcome, 'succeeded', done.result.message);
    assert.deepEqual(strip(table(sandbox)), SEED_FINAL);
    return steps;
  }

  it("a wizard release survives OKG: Refresh at every step and ends with the seed's final table", async () => {
    const steps = await releaseWith(() => stub.commands.executeCommand('okg.refresh'));
    assert.deepEqual(steps, [
      'lock',
      'patch-image',
      'wait-generation',
      'scale',
      'wait-ready',
      'mark',
      'reclaim',
      'unlock',
    ]);
  });

  it('a wizard release survives every reconnecting trigger: namespaces, context, settings, the demo cluster', async () => {
    const triggers: (() => Promise<unknown>)[] = [
      async () => {
        stub.setConfig('okg.namespaces', ['default', 'games']);
      },
      async () => {
        stub.ui.answers.push(stub.pick('default'));
        await stub.commands.executeCommand('okg.selectNamespaces');
      },
      async () => {
        stub.setConfig('okg.kubeconfig', [kubeconfigCopy(sandbox!.kubeconfigPath('admin'), { namespace: 'games' })]);
      },
      async () => {
        stub.ui.answers.push(stub.pick('okg-sandbox'));
        await stub.commands.executeCommand('okg.switchContext');
      },
      async () => {
        stub.setConfig('okg.kubeconfig', [sandbox!.kubeconfigPath('admin')]);
      },
      () => stub.commands.executeCommand('okg.startDemoCluster'),
      async () => {
        stub.setConfig('okg.namespaces', []);
      },
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
      await until(
        () => (doc.getText().includes(`opsState: ${opsState}\n`) ? true : undefined),
        `the document to show opsState ${opsState}`,
        10_000,
      );
    };
    assert.match(doc.getText(), /\(read-only, live\)/);
    await follows('Maintaining');
    await stub.commands.executeCommand('okg.refresh');
    await follows('None');
    // Other namespaces shown: the tree lets go of default; the document still holds it.
    stub.setConfig('okg.kubeconfig', [kubeconfigCopy(admin, { namespace: 'games' })]);
    await follows('Maintaining');
    // The same context with another user entry: a new connection under the same id; the document moves to it.
    const before = ext.explorer.connection('kc:okg-sandbox');
    stub.setConfig('okg.kubeconfig', [kubeconfigCopy(admin, { user: 'someone-else' })]);
    assert.notEqual(ext.explorer.connection('kc:okg-sandbox'), before, 'a new connection');
    assert.ok(before?.isDropped);
    await follows('None');
    let oldIdle = false;
    before!.cache.whenIdle(() => {
      oldIdle = true;
    });
    assert.ok(oldIdle, 'the document let go of the old connection when it moved');
    stub.closeDocument(doc);
  });

  it('Refresh lists the shown namespaces again and keeps their caches: it re-renders, it does not reconnect', async () => {
    sandbox = await startWorld();
    ext = activateWith({ 'okg.kubeconfig': [sandbox.kubeconfigPath('admin')] });
    const before = (await ext.explorer.scopes())[0];
    const lists = () => before.conn.client.requests.get('list gameservers') ?? 0;
    const listed = lists();
    await stub.commands.executeCommand('okg.refresh');
    const after = (await ext.explorer.scopes())[0];
    assert.equal(after.conn, before.conn, 'the same connection');
    assert.equal(after.cache, before.cache, 'the same cache, not stopped and replaced');
    assert.equal(after.cache.isStopped, false);
    assert.equal(lists(), listed + 1, 'one fresh list of the rooms');
  });

  it('only a change of context, kubeconfig identity or namespaces reconnects, and only what changed', async () => {
    sandbox = await startWorld();
    const admin = sandbox.kubeconfigPath('admin');
    ext = activateWith({ 'okg.kubeconfig': [admin] });
    const first = (await ext.explorer.scopes())[0];
    // Settings that do not name a kubeconfig or namespaces, and the same kubeconfig written differently: nothing.
    stub.setConfig('okg.confirmDestructiveChanges', false);
    stub.setConfig('okg.kubeconfig', admin);
    stub.setConfig('okg.kubeconfig', [admin, admin]);
    let now = (await ext.explorer.scopes())[0];
    assert.equal(now.conn, first.conn);
    assert.equal(now.cache, first.cache);
    // Another namespace as well: the connection and default's cache stay, kube-system is added.
    stub.ui.answers.push(stub.pick('default', 'kube-system'));
    await stub.commands.executeCommand('okg.selectNamespaces');
    const both = await ext.explorer.scopes();
    assert.deepEqual(
      both.map(s => s.namespace),
      ['default', 'kube-system'],
    );
    assert.equal(both[0].conn, first.conn);
    assert.equal(both[0].cache, first.cache);
    // Back to default only: kube-system is let go (nobody else holds it), default stays.
    stub.ui.answers.push(stub.pick('default'));
    await stub.commands.executeCommand('okg.selectNamespaces');
    assert.equal(both[1].cache.isStopped, true);
    now = (await ext.explorer.scopes())[0];
    assert.equal(now.cache, first.cache);
    // The same context with another user entry: a new connection, and the old cache stops (nobody holds it).
    stub.setConfig('okg.kubeconfig', [kubeconfigCopy(admin, { user: 'someone-else' })]);
    now = (await ext.explorer.scopes())[0];
    assert.notEqual(now.conn, first.conn);
    assert.equal(first.cache.isStopped, true);
    assert.deepEqual(
      now.cache.rooms(GSS).map(r => r.name),
      ['minecraft-0', 'minecraft-1', 'minecraft-2'],
    );
    assert.deepEqual(
      stub.ui.prompts.filter(q => q.kind === 'error').map(q => q.text),
      [],
    );
  });

  /** The seed with a new image in the template: minecraft-1 and minecraft-2 are idle old-version rooms. */
  async function oldRooms(): Promise<void> {
    const s = sandbox!;
    await patchGss(s, { template: NEW });
    await s.waitFor(() => {
      const g = s.server.store.get(s.server.resource('gameserversets'), NS, GSS);
      return (g?.status as { observedGeneration?: number } | undefined)?.observedGeneration === g?.metadata.generation;
    });
  }

  /** An answer that reconnects the view to a new connection of the same context before it answers. */
  function reconnectThen(
    answer: string,
    seen: { idle?: boolean },
    conn: { cache: { whenIdle(fn: () => void): void } },
  ): stub.Answer {
    return async () => {
      stub.setConfig('okg.kubeconfig', [kubeconfigCopy(sandbox!.kubeconfigPath('admin'), { user: 'reconnected' })]);
      let idle = false;
      conn.cache.whenIdle(() => {
        idle = true;
      });
      seen.idle = idle;
      return answer;
    };
  }

  it('Retire and Scale hold their connection from the question to the write, through a reconnect', async () => {
    sandbox = await startWorld();
    ext = activateWith({ 'okg.kubeconfig': [sandbox.kubeconfigPath('admin')] });
    await oldRooms();
    let node = (await gssNode(ext, GSS)) as Extract<Node, { kind: 'gss' }>;
    const retire: { idle?: boolean } = {};
    stub.ui.answers.push(p => p.items, reconnectThen('Mark 2 rooms', retire, node.conn));
    const r = (await stub.commands.executeCommand('okg.retireIdleOldRooms', node)) as { outcome: string };
    assert.equal(retire.idle, false, 'while it asked, Retire still held the connection the tree had let go of');
    assert.equal(r.outcome, 'done');
    assert.deepEqual(
      strip(table(sandbox)).map(x => x.opsState),
      ['Allocated', 'WaitToBeDeleted', 'WaitToBeDeleted'],
    );
    assert.ok(node.conn.isDropped);
    let idle = false;
    node.conn.cache.whenIdle(() => {
      idle = true;
    });
    assert.ok(idle, 'and let go once done');

    stub.setConfig('okg.kubeconfig', [sandbox.kubeconfigPath('admin')]);
    node = (await gssNode(ext, GSS)) as Extract<Node, { kind: 'gss' }>;
    const scale: { idle?: boolean } = {};
    stub.ui.answers.push(reconnectThen('4', scale, node.conn));
    const s = (await stub.commands.executeCommand('okg.scale', node)) as { outcome: string };
    assert.equal(scale.idle, false, 'while it asked, Scale still held the connection');
    assert.equal(s.outcome, 'done');
    assert.equal(
      (sandbox.server.store.get(sandbox.server.resource('gameserversets'), NS, GSS)?.spec as { replicas?: number })
        .replicas,
      4,
    );
  });
});
