// `okg logs`, `okg describe` and `okg exec` against the sandbox: a healthy room (log lines, following, the
// network address in describe, a command round trip with its exit code) and failing rooms' reasons.
import { strict as assert } from 'node:assert';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { logsCommand } from '../../src/cli/logsCommand.js';
import { describeCommand } from '../../src/cli/describeCommand.js';
import { execCommand, type ExecIo } from '../../src/cli/execCommand.js';
import { eventually } from '../helpers/kubectl.js';
import { createOneRoomSet } from '../helpers/seed.js';
import { runVerb, type Verb } from './run.js';

const IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const run = runVerb;

describe('okg logs, describe, exec', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let kc: string[];

  before(async () => {
    sandbox = await startSandbox({
      scenario: 'seed',
      network: 'Kubernetes-HostPort',
      readyAfterMs: 60,
      backoffBaseMs: 100,
      logIntervalMs: 50,
      failImages: [
        { substring: '-broken', mode: 'ImagePullBackOff' },
        { substring: '-crash', mode: 'CrashLoopBackOff' },
      ],
    });
    kc = ['--kubeconfig', sandbox.kubeconfigPath('operator')];
    await createOneRoomSet(sandbox, 'broken', `${IMAGE}-broken`);
    await createOneRoomSet(sandbox, 'crash', `${IMAGE}-crash`);
    await sandbox.waitFor(
      () => {
        const gs = sandbox.server.store.get(sandbox.server.resource('gameservers'), 'default', 'minecraft-0') as
          { status?: { networkStatus?: { currentNetworkState?: string } } } | undefined;
        return gs?.status?.networkStatus?.currentNetworkState === 'Ready';
      },
      30_000,
      'minecraft-0 network Ready',
    );
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('okg logs ROOM prints the log; --tail N the last N lines', async () => {
    const r = await run(logsCommand, ['minecraft-0', ...kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out[0], /^Starting minecraft \(image .*:1\.12\.2\) in room minecraft-0, restart 0$/);
    const t = await run(logsCommand, ['minecraft-0', '--tail', '3', ...kc]);
    assert.equal(t.out.length, 3, t.out.join('\n'));
    assert.ok(
      t.out.every(l => /^heartbeat \d+: minecraft-0 up$/.test(l)),
      t.out.join('\n'),
    );
  });

  it('okg logs -f follows: a line the room prints shows up, and aborting ends it', async () => {
    const ac = new AbortController();
    const out: string[] = [];
    const done = logsCommand(
      ['minecraft-1', '-f', '--tail', '1', ...kc],
      l => out.push(l),
      () => {},
      ac.signal,
    );
    await eventually(() => out.length >= 1, 15_000, 'the first line');
    sandbox.server.podLogs.append('default', 'minecraft-1', 'minecraft', 'player Alex joined the game');
    await eventually(() => out.includes('player Alex joined the game'), 15_000, 'the appended line');
    ac.abort();
    assert.equal(await done, 0);
  });

  it('okg logs of a room whose image does not pull says why; --previous without a restart says so', async () => {
    await eventually(
      async () => (await run(logsCommand, ['broken-0', ...kc])).err.join('').includes('pull image'),
      30_000,
      'the ImagePullBackOff reason',
    );
    const r = await run(logsCommand, ['broken-0', ...kc]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [
      'okg: cannot get pods/log of "broken-0": container "minecraft" in pod "broken-0" is waiting to start: trying and failing to pull image',
    ]);
    const p = await run(logsCommand, ['minecraft-0', '-p', ...kc]);
    assert.equal(p.code, 1);
    assert.match(p.err[0], /previous terminated container "minecraft" in pod "minecraft-0" not found/);
  });

  it('okg describe shows the network address, state and the pod; a failing room shows its reason and events', async () => {
    const r = await run(describeCommand, ['minecraft-0', ...kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const text = r.out.join('\n');
    assert.match(text, /^Name:\s+minecraft-0$/m);
    assert.match(text, /^Controlled By:\s+GameServerSet\/minecraft$/m);
    assert.match(text, /^  Ops State:\s+Allocated$/m);
    assert.match(text, /^  Current State:\s+Ready$/m);
    assert.match(text, /^    Network Type:\s+Kubernetes-HostPort$/m);
    assert.match(text, /^    Current Network State:\s+Ready$/m);
    assert.match(text, /^    External Addresses:\s+\d+\.\d+\.\d+\.\d+:\d+\/TCP/m);
    assert.match(text, /^      State:\s+Running$/m);
    assert.match(text, /^      Restart Count:\s+0$/m);

    // The room crash-loops, so it is Running now and then: the text checked is the read that showed it waiting.
    let c = '';
    await eventually(
      async () =>
        /^      State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff$/m.test(
          (c = (await run(describeCommand, ['crash-0', ...kc])).out.join('\n')),
        ),
      30_000,
      'CrashLoopBackOff in describe',
    );
    assert.match(c, /^      State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff$/m);
    assert.match(c, /^      Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+\d+/m);
    assert.match(c, /^      Restart Count:\s+[1-9]\d*$/m);
    assert.match(c, /^Events:\n\s+Type\s+Reason\s+Object\s+Age\s+From\s+Message\n/m);
    assert.match(c, /Warning\s+BackOff\s+Pod\/crash-0\s+.*Back-off restarting failed container minecraft/);
  });

  it('okg describe of a room that does not exist: one line, exit 1', async () => {
    const r = await run(describeCommand, ['nope-7', ...kc]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [
      'okg: room "nope-7" does not exist in namespace "default"; okg rooms -n default lists the rooms',
    ]);
  });

  it('okg exec -- CMD round-trips, returns the exit code, and passes stdin with -i', async () => {
    const io = (): ExecIo & { stdout: Sink; stderr: Sink } => ({
      stdin: new PassThrough(),
      stdout: new Sink(),
      stderr: new Sink(),
    });
    const a = io();
    const e: string[] = [];
    const code = await execCommand(
      [...kc, 'minecraft-0', '--', 'echo', 'hi'],
      () => {},
      l => e.push(l),
      a,
    );
    assert.equal(code, 0, e.join('\n'));
    assert.equal(a.stdout.text, 'hi\n');
    const b = io();
    const code3 = await execCommand(
      [...kc, 'minecraft-0', '--', 'sh', '-c', 'echo out; cat /x; exit 3'],
      () => {},
      l => e.push(l),
      b,
    );
    assert.equal(code3, 3);
    assert.equal(b.stdout.text, 'out\n');
    assert.match(b.stderr.text, /cat: can't open '\/x'/);
    const c = io();
    (c.stdin as PassThrough).end('line one\nline two\n');
    assert.equal(
      await execCommand(
        [...kc, '-i', 'minecraft-0', '--', 'cat'],
        () => {},
        () => {},
        c,
      ),
      0,
    );
    assert.equal(c.stdout.text, 'line one\nline two\n');
  });

  it('okg exec into a room that never started says which state it is in', async () => {
    const r = await run(
      (argv, out, err) =>
        execCommand(argv, out, err, { stdin: new PassThrough(), stdout: new Sink(), stderr: new Sink() }),
      [...kc, 'broken-0', '--', 'echo', 'hi'],
    );
    assert.equal(r.code, 1);
    assert.match(
      r.err[0],
      /^okg: cannot exec into room "broken-0": container "minecraft" of room "broken-0" is not running \(waiting: (ImagePullBackOff|ErrImagePull)/,
    );
  });

  it('bad usage is one line and exit 2: no room, two rooms, no command, a bad --tail', async () => {
    for (const [cmd, argv, want] of [
      [logsCommand, [], /okg logs takes one room name, got 0/],
      [logsCommand, ['a', 'b'], /okg logs takes one room name, got 2/],
      [logsCommand, ['minecraft-0', '--tail', 'x'], /--tail takes a whole number of lines/],
      [logsCommand, ['minecraft-0', '--since', '5 minutes'], /--since takes a duration/],
      [describeCommand, ['Bad_Name'], /ROOM "Bad_Name" is not a valid Kubernetes name/],
      [
        (a: string[], o: (l: string) => void, e: (l: string) => void) => execCommand(a, o, e),
        ['minecraft-0'],
        /needs a command after --/,
      ],
    ] as [Verb, string[], RegExp][]) {
      const r = await run(cmd, [...argv, ...kc]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err.join('\n')}`);
      assert.equal(r.err.length, 1);
      assert.match(r.err[0], want);
    }
  });
});
