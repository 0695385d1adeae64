// `okg rooms` against the sandbox (seed): the kubectl-like table with IMAGE, JSON, exit codes.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { imageCell, roomsCommand, ROOMS_HELP } from '../../src/cli/roomsCommand.js';
import type { RoomView } from '../../src/cluster/okg.js';
import { runVerb } from './run.js';

const run = (argv: string[]) => runVerb(roomsCommand, argv);

describe('okg rooms', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let kc: string[];

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    kc = ['--kubeconfig', sandbox.kubeconfigPath('viewer')];
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('prints NAME STATE OPSSTATE DP UP IMAGE AGE, like kubectl get gs plus the image tag', async () => {
    const r = await run(['-n', 'default', ...kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const rows = r.out.map(l => l.split(/\s+/));
    assert.deepEqual(rows[0], ['NAME', 'STATE', 'OPSSTATE', 'DP', 'UP', 'IMAGE', 'AGE']);
    assert.deepEqual(
      rows.slice(1).map(c => c.slice(0, 6)),
      [
        ['minecraft-0', 'Ready', 'Allocated', '0', '0', '1.12.2'],
        ['minecraft-1', 'Ready', 'None', '0', '0', '1.12.2'],
        ['minecraft-2', 'Ready', 'None', '0', '0', '1.12.2'],
      ],
    );
    for (const row of rows.slice(1)) assert.match(row[6], /^\d+s$/);
    // columns line up: every cell starts where its header starts
    const at = r.out[0].indexOf('IMAGE');
    for (const l of r.out.slice(1)) assert.equal(l.slice(at, at + 6), '1.12.2');
    assert.deepEqual(r.err, []);
  });

  it('--gss limits to one set; -o json is the array of RoomViews', async () => {
    const r = await run(['--gss', 'minecraft', '-o', 'json', ...kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const rooms = JSON.parse(r.out.join('\n')) as RoomView[];
    assert.deepEqual(
      rooms.map(x => [x.name, x.opsState, x.gameServerSet, x.ordinal]),
      [
        ['minecraft-0', 'Allocated', 'minecraft', 0],
        ['minecraft-1', 'None', 'minecraft', 1],
        ['minecraft-2', 'None', 'minecraft', 2],
      ],
    );
    assert.deepEqual(rooms[0].images, [
      { container: 'minecraft', image: 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2' },
    ]);
  });

  it('IMAGE shows container=tag,… when a room has several containers', () => {
    const room = {
      images: [
        { container: 'game', image: 'registry.example.com/g:1.0.3' },
        {
          container: 'sidecar',
          image: 'log-agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        },
      ],
    } as RoomView;
    assert.equal(imageCell(room), 'game=1.0.3,sidecar=sha256:0123456789ab');
    assert.equal(imageCell({ images: [] as RoomView['images'] } as RoomView), '<none>');
  });

  it('an empty namespace says so on stderr and exits 0', async () => {
    const r = await run(['-n', 'kube-public', ...kc]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, []);
    assert.deepEqual(r.err, ['No rooms found in namespace kube-public.']);
  });

  it('a GameServerSet that does not exist: one sentence, exit 1', async () => {
    const r = await run(['--gss', 'terraria', ...kc]);
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1);
    assert.match(
      r.err[0],
      /^okg: cannot get gameserversets\.game\.kruise\.io "terraria" in namespace "default": it does not exist/,
    );
  });

  it('a missing kubeconfig file: exit 1 with the reason', async () => {
    const r = await run(['--kubeconfig', '/nonexistent/config']);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [
      'okg: kubeconfig file /nonexistent/config does not exist; pass an existing file with --kubeconfig',
    ]);
  });

  it('bad flags: one line, exit 2', async () => {
    for (const [argv, re] of [
      [['-o', 'yaml'], /^okg: -o must be one of table, json, got "yaml"$/],
      [['--watch'], /^okg: unknown flag --watch; run okg rooms --help$/],
      [['minecraft'], /^okg: unexpected argument "minecraft"/],
      [['--gss'], /^okg: --gss needs a value/],
      [['--gss', 'Mine_craft'], /^okg: --gss "Mine_craft" is not a valid Kubernetes name/],
    ] as const) {
      const r = await run([...argv, ...kc]);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.err.length, 1);
      assert.match(r.err[0], re);
    }
  });

  it('--help prints the usage', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.out.join('\n'), ROOMS_HELP);
  });
});
