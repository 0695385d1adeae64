// "Roll Back Last Release…" run the way VS Code runs it (executeCommand with the clicked GameServerSet node) against
// a sandbox after the seed release: the preview modal (room by room, the predicted table), cancel writes nothing,
// confirming rolls back to the seed's first table; a set with nothing recorded is refused with one message.
import assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import type { RollbackResult } from '../../src/release/rollbackTypes.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { client, seedInput, strip, table } from '../release/helpers.js';
import { SEED_FIRST } from '../release/rollbackHelpers.js';
import { activateWith, deactivateAll, gssNode, stub } from './harness.js';
import { gameServerSetView } from '../../src/cluster/okg.js';
import { resumeOffer } from '../../src/wizard/resume.js';
import { runRollback } from '../../src/release/rollback.js';

const run = (...args: unknown[]) =>
  stub.commands.executeCommand('okg.rollback', ...args) as Promise<RollbackResult | undefined>;

describe('extension: Roll Back Last Release…', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;
  const clientWrites = () => sandbox.server.writeLog().filter(w => w.user !== 'controller');

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50, terminatingMs: 30 });
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin') });
  });
  after(async () => {
    await deactivateAll(ext);
    await sandbox?.stop();
  });
  beforeEach(() => stub.ui.reset());

  it('nothing recorded: one error message, zero writes', async () => {
    sandbox.server.clearWriteLog();
    const r = await run(await gssNode(ext, 'minecraft'));
    assert.equal(r?.outcome, 'refused');
    assert.deepEqual(
      stub.ui.prompts.map(p => `${p.kind} ${p.text}`),
      [
        'error minecraft was not rolled back: no release is recorded on GameServerSet minecraft (annotation okg-ops/release); nothing to roll back',
      ],
    );
    assert.deepEqual(clientWrites(), []);
  });

  it("after the seed release: previews room by room; cancel writes nothing; Roll Back ends with the seed's first table", async () => {
    const rel = await runRelease(seedInput(), { client: client(sandbox) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    sandbox.server.clearWriteLog();
    stub.ui.answers.push(stub.cancel);
    assert.equal(await run(await gssNode(ext, 'minecraft')), undefined);
    const ask = stub.ui.prompts.find(p => p.kind === 'warning')!;
    assert.equal(
      ask.text,
      `Roll back release ${rel.id} of minecraft (succeeded)? Replicas 6 → 3; rooms with players are never touched.`,
    );
    assert.deepEqual(ask.buttons, ['Roll Back']);
    const detail = String((ask.options as { detail?: string }).detail);
    assert.match(
      detail,
      /^minecraft-0 \(old, Allocated, 1\.12\.2\): protected — Allocated\nminecraft-1 \(old, WaitToBeDeleted, 1\.12\.2\): restore → None/,
    );
    assert.match(
      detail,
      /minecraft-5 \(new, None, 1\.12\.2-new\): retire\n\nAfter the rollback \(3 replicas\):\nminecraft-0 Ready Allocated 1\.12\.2\nminecraft-1 Ready None 1\.12\.2\nminecraft-2 Ready None 1\.12\.2$/,
    );
    assert.deepEqual(clientWrites(), []);

    stub.ui.reset();
    stub.ui.answers.push(stub.button('Roll Back'));
    const r = await run(await gssNode(ext, 'minecraft'));
    assert.equal(r?.outcome, 'succeeded', r?.message);
    assert.deepEqual(strip(table(sandbox)), SEED_FIRST);
    assert.match(
      stub.ui.prompts.at(-1)!.text ?? '',
      new RegExp(`^rollback rb-\\S+ of release ${rel.id} succeeded\\.$`),
    );
  });

  it('the release wizard does not offer an interrupted rollback as a release to resume', async () => {
    // the set is rolled back already (test above): release again, then cancel a rollback of it
    const rel = await runRelease(seedInput(), { client: client(sandbox) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    const ac = new AbortController();
    const rb = await runRollback(
      { namespace: 'default', gameServerSet: 'minecraft' },
      {
        client: client(sandbox),
        signal: ac.signal,
        onEvent: e => {
          if (e.type === 'step-started' && e.step === 'unmark-old') ac.abort(new Error('stop'));
        },
      },
    );
    assert.equal(rb.outcome, 'cancelled', rb.message);
    const raw = sandbox.server.store.get(sandbox.server.resource('gameserversets'), 'default', 'minecraft')!;
    const warnings: string[] = [];
    const log = {
      info: () => undefined,
      warn: (m: string) => {
        warnings.push(m);
      },
      error: () => undefined,
    } as never;
    assert.equal(
      resumeOffer({ id: 's', label: 'sandbox', namespace: 'default' }, gameServerSetView(raw as never), log),
      undefined,
    );
    assert.deepEqual(warnings, []);
    const done = await runRollback({ namespace: 'default', gameServerSet: 'minecraft' }, { client: client(sandbox) });
    assert.equal(done.outcome, 'succeeded', done.message);
    assert.deepEqual(strip(table(sandbox)), SEED_FIRST);
  });
});
