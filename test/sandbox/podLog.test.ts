// pods/log through clients we did not write (kubectl logs, logs -f, --previous, --tail) and over plain HTTP for
// the kubelet's refusals: the sandbox's synthetic, growing log per container run.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { eventually, kubectl, KUBECTL } from '../helpers/kubectl.js';
import { http } from '../helpers/sandboxHttp.js';

const IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';

describe('pods/log against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let admin: string;
  const k = (...args: string[]) => kubectl(admin, args);

  before(async () => {
    sandbox = await startSandbox({
      scenario: 'seed',
      readyAfterMs: 60,
      backoffBaseMs: 100,
      logIntervalMs: 50,
      failImages: [
        { substring: '-broken', mode: 'ImagePullBackOff' },
        { substring: '-crash', mode: 'CrashLoopBackOff' },
      ],
    });
    admin = sandbox.kubeconfigPath('admin');
    for (const [name, image] of [
      ['broken', `${IMAGE}-broken`],
      ['crash', `${IMAGE}-crash`],
    ]) {
      const r = await kubectl(
        admin,
        ['create', '--validate=false', '-f', '-'],
        JSON.stringify({
          apiVersion: 'game.kruise.io/v1alpha1',
          kind: 'GameServerSet',
          metadata: { name, namespace: 'default' },
          spec: {
            replicas: 1,
            updateStrategy: { type: 'OnDelete' },
            gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image }] } },
          },
        }),
      );
      assert.equal(r.code, 0, r.stderr);
    }
    await eventually(async () => (await k('get', 'pods', 'minecraft-0')).stdout.includes('Running'), 30_000, 'a pod');
  });
  after(async () => {
    await sandbox?.stop();
  });

  it("kubectl logs prints the run's boot lines, and --tail N the last N lines", async () => {
    const r = await k('logs', 'minecraft-0');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^Starting minecraft \(image .*minecraft-demo:1\.12\.2\) in room minecraft-0, restart 0$/);
    assert.equal(lines[1], 'Preparing world for room minecraft-0');
    const t = await k('logs', 'minecraft-0', '--tail', '2');
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout.trimEnd().split('\n').length, 2, t.stdout);
    assert.match(t.stdout, /^heartbeat \d+: minecraft-0 up\n/);
    const ts = await k('logs', 'minecraft-0', '--tail', '1', '--timestamps');
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z heartbeat \d+: minecraft-0 up\n$/);
  });

  it('kubectl logs -f shows a line the room prints while following', async () => {
    const p = spawn(KUBECTL, ['logs', '-f', 'minecraft-1', '--tail', '1'], {
      env: { ...process.env, KUBECONFIG: admin },
    });
    let out = '';
    p.stdout.on('data', d => (out += d));
    try {
      await eventually(() => out.includes('heartbeat'), 15_000, 'the first followed line');
      sandbox.server.podLogs.append('default', 'minecraft-1', 'minecraft', 'player Steve joined the game');
      await eventually(() => out.includes('player Steve joined the game\n'), 15_000, 'the appended line');
      const before = out.split('\n').length;
      await eventually(() => out.split('\n').length > before, 15_000, 'a new heartbeat after it');
    } finally {
      p.kill();
    }
  });

  it("--previous is refused before a restart, with the kubelet's message", async () => {
    const r = await k('logs', 'minecraft-0', '--previous');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /previous terminated container "minecraft" in pod "minecraft-0" not found/);
  });

  it('a room whose image does not pull: logs say it is waiting to start and why', async () => {
    await eventually(
      async () => (await k('get', 'pod', 'broken-0')).stdout.includes('ImagePullBackOff'),
      30_000,
      'ImagePullBackOff',
    );
    const r = await k('logs', 'broken-0');
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /container "minecraft" in pod "broken-0" is waiting to start: trying and failing to pull image/,
    );
  });

  it('a crash-looping room: logs show the exit, --previous the run before', async () => {
    await eventually(
      async () =>
        Number(
          (await k('get', 'pod', 'crash-0', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')).stdout,
        ) >= 2,
      30_000,
      'two restarts',
    );
    const restart = (s: string) => Number(/restart (\d+)/.exec(s)?.[1]);
    // The room keeps crashing: a restart between the two reads shifts both runs by one; read the pair again then.
    for (let attempt = 1; ; attempt++) {
      const cur = await k('logs', 'crash-0');
      assert.equal(cur.code, 0, cur.stderr);
      assert.match(cur.stdout, /Fatal: exiting with code \d+ \(Error\)\n$/);
      const prev = await k('logs', 'crash-0', '--previous');
      assert.equal(prev.code, 0, prev.stderr);
      const again = await k('logs', 'crash-0');
      if (restart(again.stdout) !== restart(cur.stdout) && attempt < 5) continue;
      assert.equal(restart(prev.stdout), restart(cur.stdout) - 1, `${prev.stdout}\n---\n${cur.stdout}`);
      break;
    }
  });

  it('plain HTTP: an unknown container, a bad tailLines, a missing pod, no token; a viewer may read logs', async () => {
    const url = (q: string) => `/api/v1/namespaces/default/pods/minecraft-0/log?${q}`;
    const get = http(sandbox.server, 'admin');
    const bad = await get('GET', url('container=nope'));
    assert.equal(bad.status, 400);
    assert.match(bad.text, /container nope is not valid for pod minecraft-0/);
    const tail = await get('GET', url('tailLines=-1'));
    assert.equal(tail.status, 400);
    assert.match(tail.text, /tailLines: Invalid value: \\"-1\\"/);
    const missing = await get('GET', '/api/v1/namespaces/default/pods/nope-9/log');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /pods \\"nope-9\\" not found/);
    const viewer = await http(sandbox.server, 'viewer')('GET', url('tailLines=1'));
    assert.equal(viewer.status, 200, viewer.text);
    assert.match(viewer.text, /^heartbeat \d+: minecraft-0 up\n$/);
    const none = await http(sandbox.server, null)('GET', url(''));
    assert.equal(none.status, 401);
  });
});
