// The real kubectl against the sandbox with the seed scenario: what an operator types, what they see.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { eventually, kubectl, kubectlStream, table } from '../helpers/kubectl.js';

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

  it('get gs prints the seed table: NAME STATE OPSSTATE DP UP AGE', async () => {
    const r = await k('get', 'gs');
    assert.equal(r.code, 0, r.stderr);
    const rows = table(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'STATE', 'OPSSTATE', 'DP', 'UP', 'AGE']);
    assert.deepEqual(rows.slice(1).map(c => c.slice(0, 5)), [
      ['minecraft-0', 'Ready', 'Allocated', '0', '0'],
      ['minecraft-1', 'Ready', 'None', '0', '0'],
      ['minecraft-2', 'Ready', 'None', '0', '0'],
    ]);
    for (const row of rows.slice(1)) assert.match(row[5], /^\d+s$/);
  });

  it('get gss prints the GameServerSet columns', async () => {
    const r = await k('get', 'gss');
    assert.equal(r.code, 0, r.stderr);
    const rows = table(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'DESIRED', 'CURRENT', 'UPDATED', 'READY', 'MAINTAINING', 'WAITTOBEDELETED', 'PREDELETE', 'AGE']);
    assert.deepEqual(rows[1].slice(0, 5), ['minecraft', '3', '3', '3', '3']);
  });

  it('patch gs --type=merge changes opsState', async () => {
    const r = await k('patch', 'gs', 'minecraft-2', '--type=merge', '-p', '{"spec":{"opsState":"Maintaining"}}');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gameserver\.game\.kruise\.io\/minecraft-2 patched/);
    const g = await k('get', 'gs', 'minecraft-2', '-o', 'jsonpath={.spec.opsState}');
    assert.equal(g.stdout, 'Maintaining');
    await k('patch', 'gs', 'minecraft-2', '--type=merge', '-p', '{"spec":{"opsState":"None"}}');
  });

  it('patch gs --type=json with a failing test op is refused and changes nothing', async () => {
    const r = await k('patch', 'gs', 'minecraft-0', '--type=json', '-p',
      '[{"op":"test","path":"/spec/opsState","value":"None"},{"op":"replace","path":"/spec/opsState","value":"WaitToBeDeleted"}]');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The request is invalid: the server rejected our request due to an error in our request/);
    const g = await k('get', 'gs', 'minecraft-0', '-o', 'jsonpath={.spec.opsState}');
    assert.equal(g.stdout, 'Allocated');
  });

  it('get pods -l game.kruise.io/owner-gss=minecraft lists the room pods', async () => {
    const r = await k('get', 'pods', '-l', 'game.kruise.io/owner-gss=minecraft');
    assert.equal(r.code, 0, r.stderr);
    const rows = table(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(rows.slice(1).map(c => c.slice(0, 3)), [
      ['minecraft-0', '1/1', 'Running'], ['minecraft-1', '1/1', 'Running'], ['minecraft-2', '1/1', 'Running']]);
  });

  it('get gs -w streams a change made by someone else', async () => {
    const w = kubectlStream(admin, ['get', 'gs', '-w']);
    try {
      await eventually(() => w.output().includes('minecraft-2'), 15_000, 'the initial table');
      const patch = await k('patch', 'gs', 'minecraft-1', '--type=merge', '-p', '{"spec":{"opsState":"WaitToBeDeleted"}}');
      assert.equal(patch.code, 0, patch.stderr);
      await eventually(() => /minecraft-1\s+Ready\s+WaitToBeDeleted/.test(w.output()), 15_000, 'the streamed change');
    } finally {
      w.stop();
      await k('patch', 'gs', 'minecraft-1', '--type=merge', '-p', '{"spec":{"opsState":"None"}}');
    }
  });

  it('a forbidden user gets the RBAC reason and nothing is written', async () => {
    sandbox.server.clearWriteLog();
    const r = await kubectl(sandbox.kubeconfigPath('operator'), ['scale', 'gss', 'minecraft', '--replicas=6']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(Forbidden\): gameserversets\.game\.kruise\.io "minecraft" is forbidden: User "okg-operator" cannot patch resource "gameserversets\/scale" in API group "game\.kruise\.io" in the namespace "default"/);
    const operatorWrites = sandbox.server.writeLog().filter(e => e.user === 'operator');
    assert.ok(operatorWrites.length > 0 && operatorWrites.every(e => e.code === 403), JSON.stringify(operatorWrites));
    const v = await kubectl(sandbox.kubeconfigPath('viewer'), ['patch', 'gs', 'minecraft-1', '--type=merge', '-p', '{"spec":{"opsState":"Kill"}}']);
    assert.match(v.stderr, /Error from server \(Forbidden\)/);
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
