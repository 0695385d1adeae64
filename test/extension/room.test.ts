// A room up close in the extension, run the way VS Code runs the commands (executeCommand with the clicked
// node) against a sandbox: Show Logs follows into a read-only document and lets go when it closes, the
// previous run is offered after a restart, Describe follows its watches (a failing room's reason), Open
// Terminal round-trips through a pseudoterminal (resize, Ctrl-C, exit closes it), Copy Address and the
// tooltip read networkStatus, the row shows the network state, and a set's Show Events.
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { RoomPty } from '../../src/views/roomTerminal.js';
import { activateWith, deactivateAll, gssNode, roomNode, rows, stub } from './harness.js';
import { eventually } from '../helpers/kubectl.js';
import { createOneRoomSet } from '../helpers/seed.js';

const IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';
const run = (id: string, ...args: unknown[]) => stub.commands.executeCommand(id, ...args);

describe('extension: a room up close (logs, describe, terminal, address, events)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;

  before(async () => {
    sandbox = await startSandbox({
      scenario: 'seed',
      network: 'Kubernetes-HostPort',
      readyAfterMs: 60,
      backoffBaseMs: 100,
      logIntervalMs: 50,
      failImages: [{ substring: '-crash', mode: 'CrashLoopBackOff' }],
    });
    await createOneRoomSet(sandbox, 'crash', `${IMAGE}-crash`);
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('operator') });
    await eventually(
      async () => (await rows(ext)).some(x => x.label === 'minecraft-0' && /network Ready/.test(x.description ?? '')),
      30_000,
      'minecraft-0 with its network Ready',
    );
  });
  after(async () => {
    await deactivateAll(ext);
    await sandbox?.stop();
  });
  beforeEach(() => stub.ui.reset());

  it('the row shows the network state, the tooltip the state and addresses; Copy Address copies ip:port', async () => {
    const row = (await rows(ext)).find(x => x.label === 'minecraft-0')!;
    assert.equal(row.description, 'Ready · Allocated · network Ready · 1.12.2');
    const tip = (row.tooltip ?? '').replace(/\\/g, ''); // markdown escapes
    assert.match(
      tip,
      /\*\*Network:\*\* Ready\n\*\*External address:\*\* \d+\.\d+\.\d+\.\d+:\d+\/TCP\n\*\*Internal address:\*\* /,
    );
    const addr = (await run('okg.copyAddress', await roomNode(ext, 'minecraft-0'))) as string;
    assert.match(addr, /^\d+\.\d+\.\d+\.\d+:\d+$/);
    assert.equal(stub.ui.clipboard, addr);
    assert.ok(tip.includes(`${addr}/TCP`), tip);
  });

  it('Show Logs follows the log into a read-only document, a new line appears, closing stops the stream', async () => {
    const uri = (await run('okg.showLogs', await roomNode(ext, 'minecraft-1'))) as stub.Uri;
    assert.equal(uri.scheme, 'okg-room');
    const doc = stub.ui.shownDocuments.at(-1)!;
    await eventually(() => /Starting minecraft .* in room minecraft-1, restart 0/.test(doc.getText()), 15_000, 'lines');
    sandbox.server.podLogs.append('default', 'minecraft-1', 'minecraft', 'player Sam joined the game');
    await eventually(() => doc.getText().includes('player Sam joined the game\n'), 15_000, 'the new line');
    assert.equal(ext.roomDocs.following, 1);
    stub.closeDocument(doc);
    assert.equal(ext.roomDocs.following, 0);
  });

  it("Describe shows a crash-looping room's reason and restarts, and keeps following", async () => {
    await eventually(async () => (await rows(ext)).some(x => x.label === 'crash-0'), 30_000, 'the crash-0 row');
    await run('okg.describeRoom', await roomNode(ext, 'crash-0'));
    const doc = stub.ui.shownDocuments.at(-1)!;
    await eventually(() => /Reason:\s+CrashLoopBackOff/.test(doc.getText()), 30_000, 'CrashLoopBackOff');
    const text = doc.getText();
    assert.match(text, /^Name:\s+crash-0$/m);
    assert.match(text, /Last State:\s+Terminated\n\s+Reason:\s+Error/);
    assert.match(text, /Warning\s+BackOff\s+Pod\/crash-0\s+.*Back-off restarting failed container minecraft/);
    const restarts = () => Number(/Restart Count:\s+(\d+)/.exec(doc.getText())?.[1]);
    const seen = restarts();
    await eventually(() => restarts() > seen, 30_000, 'a later restart shown without reopening');
    stub.closeDocument(doc);
    assert.equal(ext.roomDocs.following, 0);
  });

  it('Show Logs on a restarted room offers the previous run, which ends with the exit', async () => {
    stub.ui.answers.push(stub.pick('minecraft (previous run)'));
    await run('okg.showLogs', await roomNode(ext, 'crash-0'));
    const pick = stub.ui.prompts.find(p => p.kind === 'quickPick')!;
    assert.deepEqual(
      (pick.items as { label: string }[]).map(i => i.label),
      ['minecraft', 'minecraft (previous run)'],
    );
    const doc = stub.ui.shownDocuments.at(-1)!;
    assert.match(doc.uri.path, /\/log\/crash-0\/minecraft\.previous\.log$/);
    await eventually(() => /Fatal: exiting with code \d+ \(Error\)\n$/.test(doc.getText()), 15_000, 'the exit line');
    stub.closeDocument(doc);
  });

  it('Open Terminal round-trips echo hi, follows a resize, Ctrl-C interrupts, exit N closes the terminal with N', async () => {
    const pty = (await run('okg.openTerminal', await roomNode(ext, 'minecraft-2'))) as RoomPty;
    const term = stub.terminals.at(-1)!;
    assert.equal(term.pty, pty);
    assert.equal(term.shown, 1);
    let screen = '';
    let closedWith: number | void | undefined;
    pty.onDidWrite(t => (screen += t));
    pty.onDidClose(c => (closedWith = c ?? -1));
    pty.open({ columns: 100, rows: 30 });
    await eventually(() => screen.includes('/ # '), 15_000, 'the prompt');
    pty.handleInput('echo hi\r');
    await eventually(() => screen.includes('echo hi\r\nhi\r\n'), 15_000, 'hi');
    pty.handleInput('stty size\r');
    await eventually(() => screen.includes('30 100\r\n'), 15_000, 'the opening size');
    pty.setDimensions({ columns: 120, rows: 40 });
    await eventually(
      () => {
        if (screen.includes('40 120\r\n')) return true;
        pty.handleInput('stty size\r');
        return false;
      },
      15_000,
      'the new size',
    );
    pty.handleInput('sleep 600\r');
    await eventually(() => screen.endsWith('sleep 600\r\n'), 15_000, 'sleep running');
    pty.handleInput('\x03');
    await eventually(() => screen.endsWith('^C\r\n/ # '), 15_000, 'the prompt after Ctrl-C');
    pty.handleInput('exit 5\r');
    assert.equal(await pty.ended, 5);
    assert.equal(closedWith, 5);
  });

  it('Show Events on a set lists the events of the set and its rooms, newest last', async () => {
    await run('okg.showEvents', await gssNode(ext, 'crash'));
    const doc = stub.ui.shownDocuments.at(-1)!;
    await eventually(() => /Pod\/crash-0/.test(doc.getText()), 15_000, 'crash-0 events');
    const text = doc.getText();
    assert.match(
      text,
      /^Events of GameServerSet crash and its rooms in default \(newest last, live\)\n\nType\s+Reason\s+Object/,
    );
    assert.ok(!/minecraft-\d/.test(text), "no other set's events");
    stub.closeDocument(doc);
    assert.equal(ext.roomDocs.following, 0);
  });
});
