// pods/exec over WebSocket: kubectl exec (a client we did not write, on v5.channel.k8s.io), client-node's Exec
// with a tty (prompt, resize, Ctrl-C, exit), the v4 protocol, and the refusals the kubelet and apiserver give.
import { strict as assert } from 'node:assert';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'mocha';
import type { RequestOptions } from 'node:https';
import { Exec, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'isomorphic-ws';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { eventually, kubectl } from '../helpers/kubectl.js';

const IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';

class Sink extends Writable {
  text = '';
  columns = 80;
  rows = 24;
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

describe('pods/exec against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let admin: string;
  const k = (...args: string[]) => kubectl(admin, args);

  before(async () => {
    sandbox = await startSandbox({
      scenario: 'seed',
      readyAfterMs: 60,
      failImages: [{ substring: '-broken', mode: 'ImagePullBackOff' }],
    });
    admin = sandbox.kubeconfigPath('admin');
    await eventually(async () => (await k('get', 'pods', 'minecraft-0')).stdout.includes('Running'), 30_000, 'a pod');
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('kubectl exec -- echo hi prints hi and exits 0', async () => {
    const r = await k('exec', 'minecraft-0', '--', 'echo', 'hi');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
  });

  it('kubectl exec passes the exit code, stderr, and stdin with -i', async () => {
    const r = await k('exec', 'minecraft-0', '--', 'sh', '-c', 'echo "$HOSTNAME"; cat /nope; exit 3');
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'minecraft-0\n');
    assert.match(r.stderr, /cat: can't open '\/nope': No such file or directory/);
    const i = await kubectl(admin, ['exec', '-i', 'minecraft-0', '--', 'cat'], 'one\ntwo\n');
    assert.equal(i.code, 0, i.stderr);
    assert.equal(i.stdout, 'one\ntwo\n');
    const f = await k('exec', 'minecraft-0', '--', 'cat', '/data/room.properties');
    assert.match(f.stdout, /^room=minecraft-0\nnamespace=default\n/);
  });

  it('a program the container does not have fails as runc reports it', async () => {
    const r = await k('exec', 'minecraft-0', '--', 'bash-not-here');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exec: "bash-not-here": executable file not found in \$PATH/);
  });

  it('a viewer may not exec, and a room whose container never started cannot be entered', async () => {
    const v = await kubectl(sandbox.kubeconfigPath('viewer'), ['exec', 'minecraft-0', '--', 'echo', 'hi']);
    assert.notEqual(v.code, 0);
    assert.match(v.stderr, /cannot create resource "pods\/exec"/);
    const r = await kubectl(
      admin,
      ['create', '--validate=false', '-f', '-'],
      JSON.stringify({
        apiVersion: 'game.kruise.io/v1alpha1',
        kind: 'GameServerSet',
        metadata: { name: 'broken', namespace: 'default' },
        spec: {
          replicas: 1,
          updateStrategy: { type: 'OnDelete' },
          gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: `${IMAGE}-broken` }] } },
        },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => (await k('get', 'pod', 'broken-0')).stdout.includes('ImagePull'), 30_000, 'ImagePull');
    const e = await k('exec', 'broken-0', '--', 'echo', 'hi');
    assert.notEqual(e.code, 0);
    assert.match(e.stderr, /container not found \("minecraft"\)/);
  });

  it('client-node Exec with a tty: prompt, echo, resize, Ctrl-C interrupts sleep, exit ends it', async () => {
    const out = new Sink();
    const stdin = new PassThrough();
    let status: V1Status | undefined;
    const ws = await new Exec(sandbox.kubeConfig('admin')).exec(
      'default',
      'minecraft-0',
      'minecraft',
      ['sh'],
      out,
      null,
      stdin,
      true,
      s => (status = s),
    );
    const closed = new Promise<void>(r => ws.on('close', () => r()));
    await eventually(() => out.text.includes('/ # '), 15_000, 'the prompt');
    stdin.write('echo hi\r');
    await eventually(() => out.text.includes('echo hi\r\nhi\r\n/ # '), 15_000, 'hi');
    stdin.write('stty size\r');
    await eventually(() => out.text.includes('24 80\r\n'), 15_000, 'the size');
    out.columns = 132;
    out.rows = 40;
    out.emit('resize');
    // The resize and the next line travel as separate messages: ask again until the new size has arrived.
    await eventually(
      () => {
        if (out.text.includes('40 132\r\n')) return true;
        stdin.write('stty size\r');
        return false;
      },
      15_000,
      'the new size',
    );
    stdin.write('sleep 600\r');
    await eventually(() => out.text.endsWith('sleep 600\r\n'), 15_000, 'sleep to start');
    stdin.write('\x03');
    await eventually(() => out.text.endsWith('^C\r\n/ # '), 15_000, 'a prompt after Ctrl-C');
    stdin.write('echo $?; exit 4\r');
    await closed;
    assert.match(out.text, /130\r\n$/);
    assert.equal(status?.status, 'Failure');
    assert.equal(status?.details?.causes?.[0]?.message, '4');
  });

  it('the v4.channel.k8s.io protocol works too; exec offers only v4 and v5', async () => {
    const kc = sandbox.kubeConfig('admin');
    const chosen: string[] = [];
    // client-node's own handler always offers v5 first: this one offers a single protocol.
    const only = (protocol: string) => ({
      async connect(path: string, _text: unknown, binary: ((stream: number, buff: Buffer) => boolean) | null) {
        const opts: RequestOptions = {};
        await kc.applyToHTTPSOptions(opts);
        const ws = new WebSocket(`${kc.getCurrentCluster()!.server.replace(/^https/, 'wss')}${path}`, [protocol], opts);
        await new Promise((resolve, reject) => {
          ws.on('open', resolve);
          ws.on('error', reject);
        });
        chosen.push(ws.protocol);
        ws.on('message', (d: Buffer) => binary?.(d[0], d.subarray(1)));
        return ws;
      },
    });
    const out = new Sink();
    let status: V1Status | undefined;
    const ws = await new Exec(kc, only('v4.channel.k8s.io')).exec(
      'default',
      'minecraft-0',
      'minecraft',
      ['echo', 'over', 'v4'],
      out,
      null,
      null,
      false,
      s => (status = s),
    );
    await new Promise<void>(r => ws.on('close', () => r()));
    assert.deepEqual(chosen, ['v4.channel.k8s.io']);
    assert.equal(out.text, 'over v4\n');
    assert.equal(status?.status, 'Success');
    await assert.rejects(
      new Exec(kc, only('channel.k8s.io')).exec(
        'default',
        'minecraft-0',
        'minecraft',
        ['true'],
        out,
        null,
        null,
        false,
      ),
      /400|Unexpected server response/,
    );
  });
});
