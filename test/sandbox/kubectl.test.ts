// The real kubectl against the sandbox started with the seed scenario: the writes an operator types (merge
// patch, scale). The read-side kubectl checks (get gs/gss/pods tables, json patch test, forbidden user, get -w)
// run against both the sandbox and kube-apiserver in test/controlplane/scenarios.ts.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { eventually, kubectl, table } from '../helpers/kubectl.js';

describe('kubectl against the sandbox (seed scenario)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let admin: string;
  const k = (...args: string[]) => kubectl(admin, args);

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 100 });
    admin = sandbox.kubeconfigPath('admin');
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('patch gs --type=merge changes opsState', async () => {
    const r = await k('patch', 'gs', 'minecraft-2', '--type=merge', '-p', '{"spec":{"opsState":"Maintaining"}}');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gameserver\.game\.kruise\.io\/minecraft-2 patched/);
    const g = await k('get', 'gs', 'minecraft-2', '-o', 'jsonpath={.spec.opsState}');
    assert.equal(g.stdout, 'Maintaining');
    await k('patch', 'gs', 'minecraft-2', '--type=merge', '-p', '{"spec":{"opsState":"None"}}');
  });

  it('scale gss minecraft --replicas=6 makes six rooms', async () => {
    const r = await k('scale', 'gss', 'minecraft', '--replicas=6');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gameserverset\.game\.kruise\.io\/minecraft scaled/);
    await eventually(
      async () => {
        const g = await k('get', 'gs', '--no-headers');
        const rows = table(g.stdout);
        return rows.length === 6 && rows.every(row => row[1] === 'Ready');
      },
      30_000,
      'six Ready rooms',
    );
    const names = table((await k('get', 'gs', '--no-headers')).stdout).map(r => r[0]);
    assert.deepEqual(names, ['minecraft-0', 'minecraft-1', 'minecraft-2', 'minecraft-3', 'minecraft-4', 'minecraft-5']);
  });
});

describe('kubectl against the sandbox (a world where a release fails)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let admin: string;
  const k = (...args: string[]) => kubectl(admin, args);
  const IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';

  before(async () => {
    sandbox = await startSandbox({
      scenario: 'seed',
      readyAfterMs: 60,
      backoffBaseMs: 100,
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
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('get pods shows ImagePullBackOff and CrashLoopBackOff, and restarts as "N (age ago)"', async () => {
    let rows: string[][] = [];
    await eventually(
      async () => {
        rows = table((await k('get', 'pods', 'broken-0', 'crash-0', '--no-headers')).stdout);
        return rows[0]?.[2] === 'ImagePullBackOff' && rows[1]?.[2] === 'CrashLoopBackOff' && Number(rows[1][3]) >= 2;
      },
      30_000,
      'the failing pods',
    );
    assert.deepEqual(rows[0].slice(0, 4), ['broken-0', '0/1', 'ImagePullBackOff', '0']);
    assert.deepEqual(rows[1].slice(0, 2), ['crash-0', '0/1']);
    assert.match(rows[1].slice(3, 6).join(' '), /^\d+ \(\d+s ago\)$/);
  });

  it('get events lists what the kubelet recorded about a pod', async () => {
    await eventually(
      async () =>
        (await k('get', 'events', '--field-selector', 'involvedObject.name=broken-0', '--no-headers')).stdout.includes(
          'BackOff',
        ),
      30_000,
      'a BackOff event',
    );
    const r = await k('get', 'events', '--field-selector', 'involvedObject.name=broken-0', '-o', 'wide');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(
      lines[0],
      /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME$/,
    );
    assert.ok(
      lines.some(l =>
        /\bWarning\s+Failed\s+pod\/broken-0\s+spec\.containers\{minecraft\}\s+kubelet, sandbox-node\s+Error: ErrImagePull\b/.test(
          l,
        ),
      ),
      r.stdout,
    );
    assert.ok(
      lines.some(l =>
        /\bNormal\s+BackOff\s+pod\/broken-0\s+.*Back-off pulling image "registry\.cn-hangzhou\.aliyuncs\.com\/acs\/minecraft-demo:1\.12\.2-broken"/.test(
          l,
        ),
      ),
      r.stdout,
    );
    const d = await k('describe', 'pod', 'broken-0');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /State:\s+Waiting\n\s+Reason:\s+(ImagePullBackOff|ErrImagePull)/);
    assert.match(d.stdout, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
  });
});
