// Which cluster the view shows, and the protected-context rule (issue 14): the view's description and the
// status bar name the context even with one context and one namespace; every confirmation names context and
// namespace; on a protected context writes ask first and destructive ones need the set's name typed (Cancel
// or a wrong name writes nothing); Scale… down names the rooms OKG removes, in OKG's order, before writing.
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { ChangeReport } from '../../src/views/actions.js';
import { serverHost } from '../../src/views/identity.js';
import { isProtectedContext, parsePatterns } from '../../src/cluster/protected.js';
import { activateWith, deactivateAll, gssNode, patchGs, resetSeed, roomNode, rows, stub, until } from './harness.js';

const run = (id: string, ...args: unknown[]) => stub.commands.executeCommand(id, ...args) as Promise<ChangeReport>;

describe('extension: cluster identity and protected contexts (seed sandbox)', function () {
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;
  const clientWrites = () => sandbox.server.writeLog().filter(w => w.user !== 'controller');
  const gs = (name: string) =>
    sandbox.server.store.get(sandbox.server.resource('gameservers'), 'default', name)?.spec as { opsState?: string };
  const status = () => stub.statusBarItems.at(-1)!;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed' });
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin'), 'okg.confirmDestructiveChanges': true });
  });
  after(async () => {
    await deactivateAll(ext);
    await sandbox?.stop();
  });
  beforeEach(async () => {
    stub.setConfig('okg.protectedContexts', undefined);
    stub.config.set('okg.confirmDestructiveChanges', true);
    await resetSeed(ext, sandbox);
  });

  it('names the context and namespace in the view description and the status bar, even flattened', async () => {
    const r = await rows(ext);
    assert.equal(r[0].depth, 0, 'one context and one namespace: the tree is flattened');
    assert.equal(ext.view.description, 'okg-sandbox · default');
    assert.equal(ext.view.message, 'okg-sandbox · default', 'also as the message line, which VS Code always shows');
    assert.equal(status().text, '$(cloud) okg-sandbox');
    assert.equal(status().visible, true);
    assert.equal(status().command, 'okg.switchContext');
    assert.match(
      status().tooltip ?? '',
      /^Kubernetes context okg-sandbox, server 127\.0\.0\.1:\d+, namespace default\nClick to switch context\.$/,
    );
  });

  it('shows the server as a host only, never a URL with userinfo or a token', () => {
    assert.equal(serverHost('https://admin:s3cret@k8s.example.com:6443/base?token=abc'), 'k8s.example.com:6443');
    assert.equal(serverHost('https://127.0.0.1:40000'), '127.0.0.1:40000');
    assert.doesNotMatch(serverHost('not a url user:pw@host/x'), /pw/);
  });

  it('matches protected contexts by glob pattern', () => {
    assert.deepEqual(parsePatterns(' *prod*, staging-?  '), ['*prod*', 'staging-?']);
    assert.equal(isProtectedContext('kind-prod', ['*prod*']), true);
    assert.equal(isProtectedContext('kind-dev', ['*prod*']), false);
    assert.equal(isProtectedContext('staging-1', ['staging-?']), true);
    assert.equal(isProtectedContext('staging-12', ['staging-?']), false);
    assert.equal(isProtectedContext('a.b', ['a?b']), true);
    assert.equal(isProtectedContext('axb', ['a.b']), false, 'a dot is literal');
  });

  it('marks a protected context in the view and the status bar', async () => {
    stub.setConfig('okg.protectedContexts', ['okg-*']);
    await rows(ext);
    assert.equal(ext.view.description, 'okg-sandbox · default · protected');
    assert.equal(status().text, '$(shield) okg-sandbox');
    assert.match(status().tooltip ?? '', /protected: writes ask first/);
  });

  it('on a protected context asks before any write, naming the context; Cancel writes nothing', async () => {
    stub.setConfig('okg.protectedContexts', ['*sandbox*']);
    const m1 = await roomNode(ext, 'minecraft-1');
    stub.ui.answers.push(stub.cancel);
    assert.equal((await run('okg.setOpsState.maintaining', m1)).outcome, 'cancelled');
    const ask = stub.ui.prompts.find(p => p.kind === 'warning')!;
    assert.equal(ask.text, 'opsState Maintaining on 1 room on protected context okg-sandbox?');
    assert.deepEqual(ask.buttons, ['Keep as is', 'Write to okg-sandbox']);
    assert.match(
      String((ask.options as { detail?: string }).detail),
      /^Context okg-sandbox \(protected\) \(127\.0\.0\.1:\d+\), namespace default\.$/,
    );
    assert.equal(clientWrites().length, 0);

    stub.ui.answers.push(stub.button('Write to okg-sandbox'));
    assert.equal((await run('okg.setOpsState.maintaining', m1)).outcome, 'done');
    assert.equal(gs('minecraft-1').opsState, 'Maintaining');
  });

  it('on a protected context Kill needs the set name typed: Cancel or a wrong name writes nothing', async () => {
    stub.setConfig('okg.protectedContexts', ['*sandbox*']);
    const m1 = await roomNode(ext, 'minecraft-1');
    stub.ui.answers.push(stub.cancel);
    assert.equal((await run('okg.setOpsState.kill', m1)).outcome, 'cancelled');
    const typed = stub.ui.prompts[0];
    assert.equal(typed.kind, 'inputBox', 'the typed name comes first: Enter alone cannot confirm');
    assert.match(
      String((typed.options as { prompt?: string }).prompt),
      /Context okg-sandbox \(protected\).*namespace default\. Type the GameServerSet's name \(minecraft\)/,
    );

    stub.ui.prompts = [];
    stub.ui.answers.push(stub.input('minecraf'));
    assert.equal((await run('okg.setOpsState.kill', m1)).outcome, 'cancelled');
    assert.equal(stub.ui.prompts[0].validation, 'type minecraft exactly to confirm, or press Escape');
    stub.ui.answers.push(stub.input(''));
    assert.equal(
      (await run('okg.setOpsState.kill', m1)).outcome,
      'cancelled',
      'Enter on an empty box confirms nothing',
    );
    assert.equal(clientWrites().length, 0);
    assert.equal(gs('minecraft-1').opsState, 'None');

    // WaitToBeDeleted on an Allocated room is destructive too.
    const m0 = await roomNode(ext, 'minecraft-0');
    stub.ui.prompts = [];
    stub.ui.answers.push(stub.cancel);
    assert.equal((await run('okg.setOpsState.waitToBeDeleted', m0)).outcome, 'cancelled');
    assert.equal(stub.ui.prompts[0].kind, 'inputBox');
    assert.equal(clientWrites().length, 0);

    stub.ui.answers.push(stub.input('minecraft'), stub.button('Kill 1 room'));
    assert.equal((await run('okg.setOpsState.kill', m1)).outcome, 'done');
    assert.equal(clientWrites().length, 1);
  });

  it('on a protected context a release asks for the set name before the wizard opens', async () => {
    stub.setConfig('okg.protectedContexts', ['*sandbox*']);
    const panels = stub.webviews.panels.length;
    stub.ui.answers.push(stub.input('wrong'));
    await stub.commands.executeCommand('okg.release', await gssNode(ext, 'minecraft'));
    assert.equal(stub.ui.prompts[0].kind, 'inputBox');
    assert.match(
      String((stub.ui.prompts[0].options as { title?: string }).title),
      /^Release minecraft on protected context okg-sandbox$/,
    );
    assert.equal(stub.webviews.panels.length, panels, 'no wizard opened');
    stub.ui.answers.push(stub.cancel);
    await stub.commands.executeCommand('okg.release');
    assert.equal(stub.ui.prompts[1].kind, 'inputBox', 'from the palette too: the set is found, then its name asked');
    assert.equal(stub.webviews.panels.length, panels);
    assert.equal(clientWrites().length, 0);
  });
});

describe('extension: Scale… down preview (seed sandbox)', function () {
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;
  const clientWrites = () => sandbox.server.writeLog().filter(w => w.user !== 'controller');
  const replicas = () =>
    (
      sandbox.server.store.get(sandbox.server.resource('gameserversets'), 'default', 'minecraft')?.spec as {
        replicas: number;
      }
    ).replicas;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed' });
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin') });
    await resetSeed(ext, sandbox);
  });
  after(async () => {
    await deactivateAll(ext);
    await sandbox?.stop();
  });

  it('Scale… down names the rooms OKG removes (a deletion priority set) before writing, even with confirmations off, then says which', async () => {
    stub.config.set('okg.confirmDestructiveChanges', false);
    await patchGs(sandbox, 'minecraft-1', { deletionPriority: 5 });
    await until(
      ext,
      'minecraft-1',
      r => r.deletionPriority === '5' && (r as { podDeletionPriority?: string }).podDeletionPriority === '5',
    );
    sandbox.server.clearWriteLog();
    stub.ui.prompts = [];
    stub.ui.answers.push(stub.input('2'), stub.cancel);
    const cancelled = (await stub.commands.executeCommand('okg.scale', await gssNode(ext, 'minecraft'))) as {
      outcome: string;
    };
    assert.equal(cancelled.outcome, 'cancelled');
    const ask = stub.ui.prompts.find(p => p.kind === 'warning')!;
    assert.equal(
      ask.text,
      'Scale minecraft from 3 to 2? OKG would delete 1 room: minecraft-1, 1 of them with a deletion priority set.',
    );
    assert.deepEqual(ask.buttons, ['Keep as is', 'Scale to 2']);
    assert.match(
      String((ask.options as { detail?: string }).detail),
      /^Context okg-sandbox \(127\.0\.0\.1:\d+\), namespace default\.\nRooms OKG removes, in its order .*\nminecraft-1 \(None, deletionPriority 5\)$/,
    );
    assert.equal(clientWrites().length, 0);
    assert.equal(replicas(), 3);

    stub.ui.answers.push(stub.input('2'), stub.button('Scale to 2'));
    const done = (await stub.commands.executeCommand('okg.scale', await gssNode(ext, 'minecraft'))) as {
      outcome: string;
      removed?: string[];
    };
    assert.equal(done.outcome, 'done');
    assert.deepEqual(done.removed, ['minecraft-1']);
    assert.match(
      stub.ui.prompts.at(-1)!.text ?? '',
      /^Scaled minecraft from 3 to 2 replicas\. OKG removes minecraft-1 /,
    );
    assert.equal(replicas(), 2);
  });
});
