// Several clusters at once (issue 14 §3): Switch Context with two contexts picked shows both side by side (kept in
// the setting okg.contexts), each with its own namespaces and caches; the view's description and the status bar
// name both; an action on one context's room writes to that cluster only (both write logs checked); picking one
// context again clears the setting.
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { ChangeReport } from '../../src/views/actions.js';
import type { Node } from '../../src/views/explorer.js';
import { mergedKubeconfig } from '../helpers/kubeconfig.js';
import { activateWith, deactivateAll, rows, stub } from './harness.js';

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

const run = (id: string, ...args: unknown[]) => stub.commands.executeCommand(id, ...args) as Promise<ChangeReport>;

describe('extension: several contexts side by side (two sandboxes)', function () {
  this.timeout(60_000);
  let staging: Sandbox;
  let prod: Sandbox;
  let ext: ReturnType<typeof activateWith>;
  const clientWrites = (sb: Sandbox) => sb.server.writeLog().filter(w => w.user !== 'controller');
  const status = () => stub.statusBarItems.at(-1)!;
  const contextOf = (n: Node): string | undefined => (n.kind === 'message' ? undefined : n.conn.contextName);

  before(async () => {
    [staging, prod] = await Promise.all([startSandbox({ scenario: 'seed' }), startSandbox({ scenario: 'seed' })]);
    ext = activateWith({
      'okg.kubeconfig': [
        mergedKubeconfig([
          ['staging', staging],
          ['prod', prod],
        ]),
      ],
    });
  });
  after(async () => {
    await deactivateAll(ext);
    await Promise.all([staging?.stop(), prod?.stop()]);
  });

  it('shows one context until two are picked; then both, each with its rooms, named in the description and status bar', async () => {
    let r = await rows(ext);
    assert.equal(ext.view.description, 'staging · default');
    assert.ok(r.every(x => x.node.kind === 'message' || contextOf(x.node) === 'staging'));

    stub.configUpdates.length = 0;
    stub.ui.answers.push(stub.pick('staging', 'prod'));
    assert.equal(await run('okg.switchContext'), 'staging, prod');
    const ask = stub.ui.prompts.at(-1)!;
    assert.equal((ask.options as { canPickMany?: boolean }).canPickMany, true);
    assert.deepEqual(
      stub.configUpdates.map(u => [u.key, u.value, u.target]),
      [['okg.contexts', ['staging', 'prod'], stub.ConfigurationTarget.Global]],
      'kept in the setting (user settings: no folder is open)',
    );
    await eventually(async () => (await rows(ext)).filter(x => x.depth === 0).length === 2, 20_000, 'two context rows');
    r = await rows(ext);
    assert.deepEqual(
      r.filter(x => x.depth === 0).map(x => x.label),
      ['staging', 'prod'],
    );
    for (const ctx of ['staging', 'prod'])
      assert.deepEqual(
        r.filter(x => x.node.kind === 'room' && contextOf(x.node) === ctx).map(x => x.label),
        ['minecraft-0', 'minecraft-1', 'minecraft-2'],
        ctx,
      );
    assert.equal(ext.view.description, 'staging · default | prod · default');
    assert.equal(status().text, '$(cloud) staging +1');
    assert.match(status().tooltip ?? '', /context staging, server 127\.0\.0\.1:\d+.*\n.*context prod, server/);
  });

  it("an action on one context's room writes to that cluster only", async () => {
    const before = { staging: clientWrites(staging).length, prod: clientWrites(prod).length };
    const room = (await rows(ext)).find(
      x => x.node.kind === 'room' && x.label === 'minecraft-1' && contextOf(x.node) === 'prod',
    )!;
    const report = await run('okg.setOpsState.maintaining', room.node);
    assert.deepEqual(
      [report.outcome, report.results.map(x => x.outcome)],
      ['done', ['changed']],
      JSON.stringify(report),
    );
    const gs = (sb: Sandbox) =>
      (sb.server.store.get(sb.server.resource('gameservers'), 'default', 'minecraft-1')?.spec as { opsState?: string })
        .opsState;
    assert.equal(gs(prod), 'Maintaining');
    assert.equal(gs(staging), 'None');
    assert.deepEqual(
      clientWrites(prod)
        .slice(before.prod)
        .map(w => `${w.verb} ${w.resource}/${w.name}`),
      ['patch gameservers/minecraft-1'],
    );
    assert.deepEqual(clientWrites(staging).slice(before.staging), [], 'nothing written to the other cluster');
  });

  it('picking one context again shows it alone and clears the setting', async () => {
    stub.configUpdates.length = 0;
    stub.ui.answers.push(stub.pick('prod'));
    assert.equal(await run('okg.switchContext'), 'prod');
    assert.deepEqual(
      stub.configUpdates.map(u => [u.key, u.value]),
      [['okg.contexts', undefined]],
    );
    assert.equal(ext.context.workspaceState.get('okg.context'), 'prod');
    await eventually(
      async () => (await rows(ext), ext.view.description === 'prod · default'),
      20_000,
      'prod alone',
    ).catch(e => {
      throw new Error(`${(e as Error).message}: the view says ${ext.view.description}`);
    });
    assert.ok((await rows(ext)).every(x => x.node.kind === 'message' || contextOf(x.node) === 'prod'));
  });
});
