// Every cluster failure becomes one sentence naming the verb, resource, namespace and what to do.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import { loadKubeConfig, KubeconfigError } from '../../src/cluster/kubeconfig.js';
import { OkgClient } from '../../src/cluster/client.js';
import { ClusterError } from '../../src/cluster/errors.js';

async function failure(p: Promise<unknown>): Promise<ClusterError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClusterError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

describe('cluster errors', function () {
  this.timeout(30_000);
  let server: SandboxServer;
  before(async () => {
    server = await startSandboxServer();
  });
  after(async () => {
    await server.close();
  });
  const client = (user: 'admin' | 'operator' | 'viewer' = 'admin') =>
    new OkgClient(loadKubeConfig({ kubeconfig: server.kubeconfigPath(user) }), { attempts: 2, backoffMs: 10 });

  it('403 names the verb, the resource and the namespace, and what to ask for', async () => {
    const e = await failure(
      client('operator').patchGameServerSet('default', 'minecraft', [
        { op: 'replace', path: '/spec/replicas', value: 6 },
      ]),
    );
    assert.equal(e.kind, 'forbidden');
    assert.match(
      e.message,
      /^not allowed to patch gameserversets\.game\.kruise\.io "minecraft" in namespace "default" \(403 Forbidden: .*cannot patch resource "gameserversets".*\); ask a cluster admin for "patch" on gameserversets\.game\.kruise\.io/,
    );
    assert.ok(!e.message.includes(server.tokens.operator));
  });

  it('404 says it does not exist; a missing namespace is named as such', async () => {
    const e = await failure(client().getGameServerSet('default', 'nope'));
    assert.equal(e.kind, 'notFound');
    assert.match(
      e.message,
      /^cannot get gameserversets\.game\.kruise\.io "nope" in namespace "default": it does not exist/,
    );
    assert.equal(await client().namespaceExists('missing-ns'), false);
  });

  it('422 carries the field', async () => {
    await client()
      .kc.makeApiClient((await import('@kubernetes/client-node')).CustomObjectsApi)
      .createNamespacedCustomObject({
        group: 'game.kruise.io',
        version: 'v1alpha1',
        namespace: 'default',
        plural: 'gameservers',
        body: {
          apiVersion: 'game.kruise.io/v1alpha1',
          kind: 'GameServer',
          metadata: { name: 'e-0' },
          spec: { opsState: 'None' },
        },
      });
    const e = await failure(
      client().patchGameServer('default', 'e-0', [
        { op: 'test', path: '/spec/opsState', value: 'Allocated' },
        { op: 'replace', path: '/spec/opsState', value: 'Kill' },
      ]),
    );
    assert.equal(e.kind, 'invalid');
    assert.match(
      e.message,
      /rejected patch gameservers\.game\.kruise\.io "e-0" in namespace "default" as invalid \(422\)/,
    );
  });

  it('retries 503 and 429 and then gives the server URL', async () => {
    server.setFaults({ errorRate: 1, errorCodes: [503] });
    const c = client();
    const e = await failure(c.listGameServers('default'));
    server.setFaults(undefined);
    assert.equal(e.kind, 'serverError');
    assert.equal(c.requests.get('list gameservers'), 2, 'two attempts');
    assert.ok(e.message.includes(server.url));
    server.setFaults({ errorRate: 1, errorCodes: [429], retryAfterSeconds: 0 });
    const t = await failure(client().listGameServers('default'));
    server.setFaults(undefined);
    assert.equal(t.kind, 'throttled');
  });

  it('names an unreachable server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okg-kc-'));
    const path = join(dir, 'kc.yaml');
    writeFileSync(
      path,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
    );
    const e = await failure(
      new OkgClient(loadKubeConfig({ kubeconfig: path }), { attempts: 1 }).listGameServers('default'),
    );
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /^cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it('names a missing exec credential plugin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okg-kc-'));
    const path = join(dir, 'kc.yaml');
    writeFileSync(
      path,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server.url}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: okg-no-such-auth-plugin\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
    );
    const e = await failure(
      new OkgClient(loadKubeConfig({ kubeconfig: path }), { attempts: 1 }).listGameServers('default'),
    );
    assert.equal(e.kind, 'authPlugin', e.message);
    assert.match(e.message, /"okg-no-such-auth-plugin" is not on PATH/);
  });

  it('refuses a missing kubeconfig file, an unknown context, and an empty config, with one sentence each', () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: '/no/such/file' }),
      (e: Error) => e instanceof KubeconfigError && /does not exist/.test(e.message),
    );
    assert.throws(
      () => loadKubeConfig({ kubeconfig: server.kubeconfigPath('admin'), context: 'prod' }),
      /context "prod" is not in the kubeconfig; known contexts: okg-sandbox/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'okg-kc-'));
    writeFileSync(join(dir, 'empty.yaml'), 'apiVersion: v1\nkind: Config\n');
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'empty.yaml') }), /no Kubernetes context found/);
  });

  it('merges several kubeconfig files, first wins', () => {
    const kc = loadKubeConfig({ kubeconfig: [server.kubeconfigPath('viewer'), server.kubeconfigPath('admin')] });
    assert.equal(kc.getCurrentContext(), 'okg-sandbox-viewer');
    assert.deepEqual(kc.contexts.map(c => c.name).sort(), ['okg-sandbox', 'okg-sandbox-viewer']);
    const fromEnv = loadKubeConfig(
      {},
      { KUBECONFIG: `${server.kubeconfigPath('operator')}:${server.kubeconfigPath('admin')}` },
    );
    assert.equal(fromEnv.getCurrentContext(), 'okg-sandbox-operator');
    assert.equal(fromEnv.contexts.length, 2);
    const other = loadKubeConfig({
      kubeconfig: [server.kubeconfigPath('viewer'), server.kubeconfigPath('admin')],
      context: 'okg-sandbox',
    });
    assert.equal(other.getCurrentContext(), 'okg-sandbox');
  });
});
