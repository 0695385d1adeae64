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
  after(async () => { await sandbox?.stop(); });

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
    await eventually(async () => {
      const g = await k('get', 'gs', '--no-headers');
      const rows = table(g.stdout);
      return rows.length === 6 && rows.every(row => row[1] === 'Ready');
    }, 30_000, 'six Ready rooms');
    const names = table((await k('get', 'gs', '--no-headers')).stdout).map(r => r[0]);
    assert.deepEqual(names, ['minecraft-0', 'minecraft-1', 'minecraft-2', 'minecraft-3', 'minecraft-4', 'minecraft-5']);
  });
});
