// "Show Release History…" and the audit trail in the Output channel, run the way VS Code runs them (executeCommand
// with the clicked GameServerSet node) against a sandbox: after two releases the quick pick lists both, newest
// first, with outcome, who, images and rooms, searchable by them; Roll Back Last Release… logs each of its writes as
// a kubectl line, one per write the server accepted.
import assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import type { HistoryRow } from '../../src/release/history.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { client, OLD, seedInput } from '../release/helpers.js';
import { PROTOCOL_VERSION, type HostMessage } from '../../src/webview/protocol.js';
import { activateWith, deactivateAll, gssNode, stub } from './harness.js';

/** Waits (polling) until `probe` holds; fails naming `what` after a generous limit. */
async function until(probe: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

const THIRD = `${OLD.slice(0, OLD.lastIndexOf(':'))}:1.12.2-third`;

describe('extension: Show Release History… and the audit trail in the log', function () {
  this.timeout(90_000);
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50, terminatingMs: 30 });
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin') });
  });
  after(async () => {
    // Later files find their wizard panel at index 0: leave none behind.
    for (const p of stub.webviews.panels) p.dispose();
    stub.webviews.reset();
    await deactivateAll(ext);
    await sandbox?.stop();
  });
  beforeEach(() => stub.ui.reset());
  const accepted = () =>
    sandbox.server
      .writeLog()
      .filter(w => w.user !== 'controller' && !w.dryRun && w.code < 300)
      .map(w => `${w.resource === 'gameservers' ? 'gs' : 'gss'} ${w.name}`);

  const history = async () =>
    (await stub.commands.executeCommand('okg.showReleaseHistory', await gssNode(ext, 'minecraft'))) as
      HistoryRow[] | undefined;

  it('nothing recorded: says so, no quick pick', async () => {
    assert.deepEqual(await history(), []);
    assert.deepEqual(
      stub.ui.prompts.map(p => `${p.kind} ${p.text}`),
      ['info minecraft (okg-sandbox · default): no release has run on it (its record is empty).'],
    );
  });

  it('after two releases: both, newest first, with outcome, who, images and rooms; picking one shows it', async () => {
    const c = client(sandbox);
    const first = await runRelease(seedInput({ reclaim: 'scale-down' }), { client: c });
    assert.equal(first.outcome, 'succeeded', first.message);
    const second = await runRelease(seedInput({ images: [{ container: 'minecraft', image: THIRD }] }), { client: c });
    assert.equal(second.outcome, 'succeeded', second.message);
    c.close();
    stub.ui.answers.push(p => (p.items as unknown[])[1]);
    const rows = await history();
    assert.deepEqual(
      rows?.map(r => r.id),
      [second.id, first.id],
    );
    const ask = stub.ui.prompts[0];
    assert.equal(ask.kind, 'quickPick');
    const opts = ask.options as { title: string; matchOnDescription?: boolean; matchOnDetail?: boolean };
    assert.equal(opts.title, 'Release history of minecraft (okg-sandbox · default), newest first');
    assert.ok(opts.matchOnDescription && opts.matchOnDetail, 'searchable by outcome, who, images and rooms');
    const items = ask.items as { label: string; description: string; detail: string }[];
    assert.deepEqual(
      items.map(i => i.label),
      ['Release minecraft=1.12.2-new → minecraft=1.12.2-third', 'Release minecraft=1.12.2 → minecraft=1.12.2-new'],
    );
    for (const i of items) assert.match(i.description, /^succeeded · \d{4}-\d\d-\d\dT\S+Z · \S+@\S+ \(pid \d+\)$/);
    assert.match(items[0].detail, new RegExp(`^${second.id} · 3 retired \\(minecraft-3, minecraft-4, minecraft-5\\)$`));
    assert.equal(items[1].detail, `${first.id} · 2 retired, 2 reclaimed`);
    const shown = stub.ui.prompts[1];
    assert.equal(shown.text, `release ${first.id} of minecraft`);
    assert.match(
      String((shown.options as { detail?: string }).detail),
      /succeeded .* minecraft=1\.12\.2 → minecraft=1\.12\.2-new; 2 room\(s\) retired, 2 reclaimed$/,
    );
  });

  it('Roll Back Last Release… logs each write it makes as a kubectl line with --context', async () => {
    sandbox.server.clearWriteLog();
    const log = ext.log as unknown as { lines: string[] };
    const before = log.lines.length;
    stub.ui.answers.push(stub.button('Roll Back'));
    const r = (await stub.commands.executeCommand('okg.rollback', await gssNode(ext, 'minecraft'))) as {
      outcome: string;
      message: string;
    };
    assert.equal(r.outcome, 'succeeded', r.message);
    const lines = log.lines.slice(before).filter(l => l.startsWith('[info] kubectl '));
    assert.ok(accepted().length >= 5);
    assert.deepEqual(
      lines.map(l => l.split(' ').slice(3, 5).join(' ')),
      accepted(),
    );
    for (const l of lines)
      assert.match(l, /^\[info\] kubectl patch (gs|gss) \S+ -n default --context okg-sandbox --type=json -p '\[/);
  });

  it('a release from the wizard logs each write it makes as a kubectl line with --context', async () => {
    sandbox.server.clearWriteLog();
    const log = ext.log as unknown as { lines: string[] };
    const before = log.lines.length;
    await stub.commands.executeCommand('okg.release', await gssNode(ext, 'minecraft'));
    const p = stub.webviews.panels.at(-1)!;
    const posted = () => p.webview.posted as HostMessage[];
    p.webview.send({ type: 'ready', version: PROTOCOL_VERSION });
    await until(() => posted().some(m => m.type === 'init'), 'init');
    const init = posted().find((m): m is Extract<HostMessage, { type: 'init' }> => m.type === 'init')!;
    p.webview.send({
      type: 'run',
      scope: init.targets[0].scope,
      input: {
        namespace: 'default',
        gameServerSet: 'minecraft',
        images: [{ container: 'minecraft', image: `${OLD}-fourth` }],
        add: 1,
        timeoutMs: 15_000,
        reclaim: 'none',
      },
    });
    await until(() => posted().some(m => m.type === 'run-result'), 'the release to finish', 60_000);
    const done = posted().find((m): m is Extract<HostMessage, { type: 'run-result' }> => m.type === 'run-result')!;
    assert.equal(done.result.outcome, 'succeeded', done.result.message);
    const lines = log.lines.slice(before).filter(l => l.startsWith('[info] kubectl '));
    assert.deepEqual(
      lines.map(l => l.split(' ').slice(3, 5).join(' ')),
      accepted(),
    );
    assert.ok(
      lines.some(l => l.includes(`"value":"${OLD}-fourth"`)),
      'the image patch',
    );
    p.dispose();
  });
});
