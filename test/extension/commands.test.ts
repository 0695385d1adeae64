// Every command handler, run the way VS Code runs them (executeCommand with the clicked node and the
// multi-selection), against a real sandbox: writes, confirmations, partial failures, and the log.
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import type { ChangeReport } from '../../src/views/actions.js';
import type { Node } from '../../src/views/explorer.js';
import { activateWith, deactivateAll, gssNode, patchGs, resetSeed, roomNode, rows, stub, until } from './harness.js';

const run = (id: string, ...args: unknown[]) => stub.commands.executeCommand(id, ...args) as Promise<ChangeReport>;

describe('extension: room commands (seed sandbox)', function () {
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;
  const clientWrites = () => sandbox.server.writeLog().filter(w => w.user !== 'controller');
  const log = () => stub.channels.at(-1)!.lines.join('\n');
  const opsOf = (name: string) =>
    (sandbox.server.store.get(sandbox.server.resource('gameservers'), 'default', name)?.spec as { opsState?: string })
      .opsState;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed' });
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin'), 'okg.confirmDestructiveChanges': true });
  });
  after(async () => {
    await deactivateAll(ext);
    await sandbox?.stop();
  });
  beforeEach(async () => {
    stub.config.set('okg.confirmDestructiveChanges', true);
    await resetSeed(ext, sandbox);
  });

  it('sets opsState on a multi-selection from the submenu, logging each write as kubectl', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    const m2 = await roomNode(ext, 'minecraft-2');
    const r = await run('okg.setOpsState.waitToBeDeleted', m1, [m1, m2]);
    assert.equal(r.outcome, 'done');
    assert.deepEqual(
      r.results.map(x => [x.name, x.outcome]),
      [
        ['minecraft-1', 'changed'],
        ['minecraft-2', 'changed'],
      ],
    );
    assert.deepEqual([opsOf('minecraft-1'), opsOf('minecraft-2')], ['WaitToBeDeleted', 'WaitToBeDeleted']);
    assert.equal(
      stub.ui.prompts.filter(p => p.kind === 'warning').length,
      0,
      'no confirmation: no Allocated room, not Kill',
    );
    assert.deepEqual(
      stub.ui.prompts.filter(p => p.kind === 'info').map(p => p.text),
      ['opsState WaitToBeDeleted: 2 changed'],
    );
    const uid = (m1 as Extract<Node, { kind: 'room' }>).room.uid;
    assert.ok(
      log().includes(
        `kubectl patch gs minecraft-1 -n default --context okg-sandbox --type=json -p '[{"op":"test","path":"/spec/opsState","value":"None"},{"op":"test","path":"/metadata/uid","value":"${uid}"},{"op":"replace","path":"/spec/opsState","value":"WaitToBeDeleted"}]'`,
      ),
      log(),
    );
    assert.match(log(), /kubectl patch gs minecraft-2 /);
    assert.equal(clientWrites().length, 2);
    await until(ext, 'minecraft-2', x => x.opsState === 'WaitToBeDeleted');
  });

  it('asks with counts before WaitToBeDeleted on Allocated rooms; cancelling writes nothing, confirming writes', async () => {
    const m0 = await roomNode(ext, 'minecraft-0');
    const m1 = await roomNode(ext, 'minecraft-1');
    stub.ui.answers.push(stub.cancel);
    const cancelled = await run('okg.setOpsState.waitToBeDeleted', m0, [m0, m1]);
    assert.equal(cancelled.outcome, 'cancelled');
    const ask = stub.ui.prompts.find(p => p.kind === 'warning')!;
    assert.equal(
      ask.text,
      'Mark 2 rooms WaitToBeDeleted, 1 of them Allocated (players on it)? They are deleted at the next scale-down.',
    );
    assert.deepEqual(ask.buttons, ['Keep as is', 'Mark 2 rooms'], 'the first (Enter) button changes nothing');
    assert.match(
      String((ask.options as { detail?: string }).detail),
      /^Context okg-sandbox \(127\.0\.0\.1:\d+\), namespace default\.\n/,
    );
    assert.equal((ask.options as { modal?: boolean }).modal, true);
    assert.match(
      String((ask.options as { detail?: string }).detail),
      /minecraft-0 \(Allocated\)\nminecraft-1 \(None\)/,
    );
    assert.equal(clientWrites().length, 0);
    assert.equal(opsOf('minecraft-0'), 'Allocated');

    stub.ui.answers.push(stub.button('Mark 2 rooms'));
    const done = await run('okg.setOpsState.waitToBeDeleted', m0, [m0, m1]);
    assert.equal(done.outcome, 'done');
    assert.equal(opsOf('minecraft-0'), 'WaitToBeDeleted');
  });

  it('asks before Kill even without Allocated rooms, and not at all when confirmations are off', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    stub.ui.answers.push(stub.cancel);
    assert.equal((await run('okg.setOpsState.kill', m1)).outcome, 'cancelled');
    assert.equal(stub.ui.prompts[0].text, 'Kill 1 room? OKG deletes them right away.');
    assert.equal(clientWrites().length, 0);

    stub.config.set('okg.confirmDestructiveChanges', false);
    stub.ui.prompts = [];
    const m0 = await roomNode(ext, 'minecraft-0');
    const r = await run('okg.setOpsState.waitToBeDeleted', m0);
    assert.equal(r.outcome, 'done');
    assert.equal(stub.ui.prompts.filter(p => p.kind === 'warning').length, 0);
  });

  it('lists partial failures per room: a room allocated after it was seen is skipped, never overwritten', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    const m2 = await roomNode(ext, 'minecraft-2');
    await patchGs(sandbox, 'minecraft-2', { opsState: 'Allocated' }); // the matchmaker, meanwhile
    sandbox.server.clearWriteLog();
    const r = await run('okg.setOpsState.waitToBeDeleted', m1, [m1, m2]);
    assert.equal(r.outcome, 'partial');
    assert.deepEqual(
      r.results.map(x => [x.name, x.outcome]),
      [
        ['minecraft-1', 'changed'],
        ['minecraft-2', 'skipped'],
      ],
    );
    assert.equal(opsOf('minecraft-2'), 'Allocated');
    const warn = stub.ui.prompts.find(p => p.kind === 'warning')!;
    assert.equal(warn.text, 'opsState WaitToBeDeleted: 1 changed, 1 skipped');
    assert.match(
      String((warn.options as { detail?: string }).detail),
      /^minecraft-2: skipped, Allocated now \(was None at selection\); not overwritten$/,
    );
    assert.match(log(), /\[warning\] default\/minecraft-2: skipped, Allocated now/);
  });

  it('sets a custom opsState, refusing a case variant of a reserved one', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    stub.ui.answers.push(stub.input('kill'));
    assert.equal((await run('okg.setOpsState.custom', m1)).outcome, 'cancelled');
    assert.match(stub.ui.prompts[0].validation ?? '', /differs from OKG's "Kill" only in case/);
    stub.ui.answers.push(stub.input('Busy'));
    assert.equal((await run('okg.setOpsState.custom', m1)).outcome, 'done');
    assert.equal(opsOf('minecraft-1'), 'Busy');
    await until(ext, 'minecraft-1', x => x.opsState === 'Busy');
    await new Promise(r => setTimeout(r, ext.refresh.debounceMs + 50));
    const row = (await rows(ext)).find(x => x.label === 'minecraft-1')!;
    assert.deepEqual([row.description, row.icon, row.color], ['Ready · Busy · 1.12.2', 'tag', 'charts.yellow']);
  });

  it('from the command palette: picks rooms, then the opsState', async () => {
    stub.ui.answers.push(stub.pick('minecraft-1', 'minecraft-2'), stub.pick('Maintaining'));
    const r = await run('okg.setOpsState');
    assert.equal(r.outcome, 'done');
    assert.deepEqual(
      r.results.map(x => x.name),
      ['minecraft-1', 'minecraft-2'],
    );
    assert.equal(opsOf('minecraft-2'), 'Maintaining');
    const roomsPick = stub.ui.prompts[0];
    assert.deepEqual(
      (roomsPick.items as { label: string }[]).map(i => i.label),
      ['minecraft-0', 'minecraft-1', 'minecraft-2'],
    );
    assert.equal((roomsPick.options as { canPickMany?: boolean }).canPickMany, true);
    // Typing a state, opsState (None too), a priority or an image finds rooms, not only a name.
    assert.deepEqual(
      ['matchOnDescription', 'matchOnDetail'].map(k => (roomsPick.options as Record<string, unknown>)[k]),
      [true, true],
    );
    assert.deepEqual(
      (roomsPick.items as { description: string; detail: string }[]).map(i => [i.description, i.detail]),
      [
        ['Ready · Allocated · 1.12.2', `opsState Allocated · deletionPriority 0 · updatePriority 0 · ${SEED.image}`],
        ['Ready · 1.12.2', `opsState None · deletionPriority 0 · updatePriority 0 · ${SEED.image}`],
        ['Ready · 1.12.2', `opsState None · deletionPriority 0 · updatePriority 0 · ${SEED.image}`],
      ],
    );
  });

  it('Set opsState… on a set picks among its rooms (matched on state, opsState and image) and changes only those', async () => {
    stub.ui.answers.push(stub.pick('minecraft-2'));
    const r = await run('okg.setOpsState.maintaining', await gssNode(ext, 'minecraft'));
    assert.equal(r.outcome, 'done');
    assert.deepEqual(
      r.results.map(x => [x.name, x.outcome]),
      [['minecraft-2', 'changed']],
    );
    const ask = stub.ui.prompts[0];
    assert.equal(ask.kind, 'quickPick');
    const opts = ask.options as Record<string, unknown>;
    assert.equal(opts.title, 'OKG: Set opsState: rooms of minecraft');
    assert.deepEqual([opts.canPickMany, opts.matchOnDescription, opts.matchOnDetail], [true, true, true]);
    assert.deepEqual(
      (ask.items as { label: string }[]).map(i => i.label),
      ['minecraft-0', 'minecraft-1', 'minecraft-2'],
    );
    assert.equal(opsOf('minecraft-2'), 'Maintaining');
    assert.equal(opsOf('minecraft-1'), 'None', 'not every room of the set');
    assert.equal(opsOf('minecraft-0'), 'Allocated');
  });

  it('sets deletion and update priorities, validated as OKG can carry them', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    const m2 = await roomNode(ext, 'minecraft-2');
    stub.ui.answers.push(stub.input('-1'));
    assert.equal((await run('okg.setDeletionPriority', m1, [m1, m2])).outcome, 'cancelled');
    assert.match(stub.ui.prompts[0].validation ?? '', /negative/);
    stub.ui.answers.push(stub.input('10'));
    const r = await run('okg.setDeletionPriority', m1, [m1, m2]);
    assert.deepEqual(
      r.results.map(x => x.outcome),
      ['changed', 'changed'],
    );
    assert.match(log(), /kubectl patch gs minecraft-1 .*"path":"\/spec\/deletionPriority","value":10/);
    stub.ui.answers.push(stub.input('5'));
    const u = await run('okg.setUpdatePriority', m2);
    assert.deepEqual(
      u.results.map(x => [x.name, x.outcome]),
      [['minecraft-2', 'changed']],
    );
    const spec = sandbox.server.store.get(sandbox.server.resource('gameservers'), 'default', 'minecraft-2')?.spec as {
      deletionPriority?: unknown;
      updatePriority?: unknown;
    };
    assert.deepEqual([spec?.deletionPriority, spec?.updatePriority], [10, 5]);
  });

  it('copies names of the selection, shows the log, refreshes', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    const m2 = await roomNode(ext, 'minecraft-2');
    assert.equal(await stub.commands.executeCommand('okg.copyName', m1, [m1, m2]), 'minecraft-1\nminecraft-2');
    assert.equal(stub.ui.clipboard, 'minecraft-1\nminecraft-2');
    const shown = stub.channels.at(-1)!.shown;
    await stub.commands.executeCommand('okg.showLog');
    assert.equal(stub.channels.at(-1)!.shown, shown + 1);
    let fired = 0;
    const sub = ext.explorer.onDidChangeTreeData(() => {
      fired++;
    });
    await stub.commands.executeCommand('okg.refresh');
    sub.dispose();
    assert.equal(fired, 1);
    assert.equal((await rows(ext)).length, 4);
  });

  it('a handler that fails is logged with its stack and shown as one error message; the command still resolves', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    const original = stub.env.clipboard.writeText;
    stub.env.clipboard.writeText = async () => {
      throw new Error('the clipboard is not available');
    };
    try {
      assert.equal(await stub.commands.executeCommand('okg.copyName', m1), undefined);
    } finally {
      stub.env.clipboard.writeText = original;
    }
    const errors = stub.ui.prompts.filter(p => p.kind === 'error');
    assert.deepEqual(
      errors.map(p => p.text),
      ['OKG: okg.copyName failed: the clipboard is not available. The OKG Ops log has the details.'],
    );
    assert.match(log(), /\[error\] okg\.copyName failed: Error: the clipboard is not available\n\s+at /);
  });

  it("reports every room of a user who may not write as failed, with the server's reason", async () => {
    await deactivateAll(ext);
    const viewer = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('viewer') });
    try {
      const m1 = await roomNode(viewer, 'minecraft-1');
      const m2 = await roomNode(viewer, 'minecraft-2');
      const r = await run('okg.setOpsState.maintaining', m1, [m1, m2]);
      assert.equal(r.outcome, 'partial');
      assert.deepEqual(
        r.results.map(x => x.outcome),
        ['failed', 'failed'],
      );
      const warn = stub.ui.prompts.find(p => p.kind === 'warning')!;
      assert.equal(warn.text, 'opsState Maintaining: 0 changed, 2 failed');
      assert.match(
        String((warn.options as { detail?: string }).detail),
        /minecraft-1: failed, not allowed to patch .*403 Forbidden/,
      );
    } finally {
      await deactivateAll(viewer);
      ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin'), 'okg.confirmDestructiveChanges': true });
    }
  });

  it('never logs a token or a certificate', async () => {
    const m1 = await roomNode(ext, 'minecraft-1');
    await run('okg.setOpsState.maintaining', m1);
    const all = stub.channels.map(c => c.lines.join('\n')).join('\n');
    for (const token of Object.values(sandbox.server.tokens)) assert.ok(!all.includes(token));
    assert.doesNotMatch(all, /BEGIN CERTIFICATE|certificate-authority-data|Bearer/);
  });
});

describe('extension: GameServerSet commands and Kill (seed sandbox, mid-release)', function () {
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;
  const log = () => stub.channels.at(-1)!.lines.join('\n');
  const replicas = () =>
    (
      sandbox.server.store.get(sandbox.server.resource('gameserversets'), 'default', 'minecraft')?.spec as {
        replicas: number;
      }
    ).replicas;
  const gsNames = () =>
    sandbox.server.store
      .list(sandbox.server.resource('gameservers'), 'default')
      .map(o => o.metadata.name)
      .sort();

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin') });
    await rows(ext);
  });
  after(async () => {
    await deactivateAll(ext);
    await sandbox?.stop();
  });

  it('Retire with nothing old says so and writes nothing', async () => {
    const r = await run('okg.retireIdleOldRooms', await gssNode(ext, 'minecraft'));
    assert.equal(r.outcome, 'nothing');
    assert.match(
      stub.ui.prompts.at(-1)!.text ?? '',
      /no idle old-version rooms: every room with opsState None runs 1\.12\.2/,
    );
  });

  it('Scale: refuses a stale view, scales up, and asks before a scale-down would take an Allocated room', async () => {
    const stale = await gssNode(ext, 'minecraft');
    // A new image (as a release's first step does), then scale up through the command.
    const { KubernetesObjectApi, PatchStrategy } = await import('@kubernetes/client-node');
    const api = KubernetesObjectApi.makeApiClient(sandbox.kubeConfig('admin'));
    await api.patch(
      {
        apiVersion: 'game.kruise.io/v1alpha1',
        kind: 'GameServerSet',
        metadata: { name: 'minecraft', namespace: 'default' },
        spec: {
          replicas: 3,
          gameServerTemplate: { spec: { containers: [{ name: SEED.container, image: SEED.newImage }] } },
        },
      } as never,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    await sandbox.waitFor(() => {
      const g = sandbox.server.store.get(sandbox.server.resource('gameserversets'), 'default', 'minecraft');
      return (g?.status as { observedGeneration?: number } | undefined)?.observedGeneration === g?.metadata.generation;
    });
    await api.patch(
      {
        apiVersion: 'game.kruise.io/v1alpha1',
        kind: 'GameServerSet',
        metadata: { name: 'minecraft', namespace: 'default' },
        spec: { replicas: 4 },
      } as never,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    stub.ui.answers.push(stub.input('5'));
    const refused = (await stub.commands.executeCommand('okg.scale', stale)) as { outcome: string };
    assert.equal(refused.outcome, 'partial');
    assert.match(
      stub.ui.prompts.at(-1)!.text ?? '',
      /was not scaled: its replicas changed since you looked \(it was 3\); nothing was written/,
    );
    assert.equal(replicas(), 4);

    await new Promise(r => setTimeout(r, ext.refresh.debounceMs + 50));
    stub.ui.answers.push(stub.input('5'));
    const up = (await stub.commands.executeCommand('okg.scale', await gssNode(ext, 'minecraft'))) as {
      outcome: string;
    };
    assert.equal(up.outcome, 'done');
    assert.equal(replicas(), 5);
    assert.match(
      log(),
      /kubectl patch gss minecraft -n default --context okg-sandbox --type=json -p '\[\{"op":"test","path":"\/spec\/replicas","value":4\},\{"op":"replace","path":"\/spec\/replicas","value":5\}\]'/,
    );
    await sandbox.waitFor(
      () =>
        sandbox.server.store
          .list(sandbox.server.resource('gameservers'), 'default')
          .filter(o => (o.status as { currentState?: string } | undefined)?.currentState === 'Ready').length === 5,
      30_000,
      '5 Ready rooms',
    );
    await until(ext, 'minecraft-4', () => true);

    stub.ui.answers.push(stub.input('0'), stub.cancel);
    const down = (await stub.commands.executeCommand('okg.scale', await gssNode(ext, 'minecraft'))) as {
      outcome: string;
    };
    assert.equal(down.outcome, 'cancelled');
    assert.match(
      stub.ui.prompts.at(-1)!.text ?? '',
      /^Scale minecraft from 5 to 0\? OKG would delete 5 rooms: minecraft-4, minecraft-3, minecraft-2, minecraft-1, minecraft-0, 1 of them Allocated \(players on it\)\.$/,
    );
    assert.equal(replicas(), 5);
  });

  it('the tree shows the release in progress, its rooms grouped by version (the template first)', async () => {
    await new Promise(r => setTimeout(r, ext.refresh.debounceMs + 50));
    const r = await rows(ext);
    assert.equal(r[0].description, '5 rooms · 1 Allocated · 2/2 new ready');
    assert.deepEqual(
      r.slice(1).map(x => [x.depth, x.label, x.description]),
      [
        [1, '1.12.2-new (2 rooms)', 'the template'],
        [2, 'minecraft-3', 'Ready · 1.12.2-new'],
        [2, 'minecraft-4', 'Ready · 1.12.2-new'],
        [1, '1.12.2 (3 rooms)', 'old version'],
        [2, 'minecraft-0', 'Ready · Allocated · 1.12.2'],
        [2, 'minecraft-1', 'Ready · 1.12.2'],
        [2, 'minecraft-2', 'Ready · 1.12.2'],
      ],
    );
  });

  it('Retire Idle Old-Version Rooms marks exactly the None rooms on the old image, after a confirmation with counts', async () => {
    const node = await gssNode(ext, 'minecraft');
    stub.ui.answers.push(p => p.items, stub.button('Mark 2 rooms'));
    const r = await run('okg.retireIdleOldRooms', node);
    // First the candidates, all picked, matched on state, opsState and image as well as names.
    const list = stub.ui.prompts.find(p => p.kind === 'quickPick')!;
    assert.equal(list.kind, 'quickPick');
    assert.deepEqual(
      (list.items as { label: string; description: string; detail: string; picked: boolean }[]).map(i => [
        i.label,
        i.description,
        i.detail,
        i.picked,
      ]),
      ['minecraft-1', 'minecraft-2'].map(n => [
        n,
        'Ready · 1.12.2',
        `opsState None · deletionPriority 0 · updatePriority 0 · ${SEED.image}`,
        true,
      ]),
    );
    assert.deepEqual(
      ['canPickMany', 'matchOnDescription', 'matchOnDetail'].map(k => (list.options as Record<string, unknown>)[k]),
      [true, true, true],
    );
    const ask = stub.ui.prompts.find(p => p.kind === 'warning' && p.text?.startsWith('Mark 2 idle'))!;
    assert.equal(ask.text, 'Mark 2 idle old-version rooms of minecraft WaitToBeDeleted?');
    assert.match(
      String((ask.options as { detail?: string }).detail),
      /^Context okg-sandbox \(127\.0\.0\.1:\d+\), namespace default\.\nminecraft-1 \(1\.12\.2\)\nminecraft-2 \(1\.12\.2\)\n/,
    );
    assert.equal(r.outcome, 'done');
    assert.deepEqual(
      r.results.map(x => [x.name, x.outcome]),
      [
        ['minecraft-1', 'changed'],
        ['minecraft-2', 'changed'],
      ],
    );
    const ops = Object.fromEntries(
      sandbox.server.store
        .list(sandbox.server.resource('gameservers'), 'default')
        .map(o => [o.metadata.name, (o.spec as { opsState?: string }).opsState]),
    );
    assert.deepEqual(ops, {
      'minecraft-0': 'Allocated',
      'minecraft-1': 'WaitToBeDeleted',
      'minecraft-2': 'WaitToBeDeleted',
      'minecraft-3': 'None',
      'minecraft-4': 'None',
    });
  });

  it('Kill, confirmed, hands the room to OKG, which removes it', async () => {
    const m2 = await roomNode(ext, 'minecraft-2');
    stub.ui.answers.push(stub.button('Kill 1 room'));
    const r = await run('okg.setOpsState.kill', m2);
    assert.equal(r.outcome, 'done');
    await sandbox.waitFor(() => !gsNames().includes('minecraft-2'), 30_000, 'minecraft-2 to be killed');
    assert.equal(replicas(), 4);
  });
});
