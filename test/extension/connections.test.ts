// Where the view's kubeconfig comes from and what identifies a connection (src/views/connections.ts, pure).
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { identityOf, kubeconfigFiles } from '../../src/views/connections.js';

describe('extension: kubeconfig sources and connection identity', () => {
  const only =
    (...present: string[]) =>
    (p: string) =>
      present.includes(p);

  it("reads the setting, else the Kubernetes extension's, else KUBECONFIG, else ~/.kube/config", () => {
    const env = { KUBECONFIG: '/env/a:/env/b' };
    const all = only('/set', '/ext', '/env/a', '/env/b', '/home/me/.kube/config');
    assert.deepEqual(
      kubeconfigFiles({ setting: ['/set'], kubernetesExtension: '/ext', env, home: '/home/me', exists: all }),
      { files: ['/set'] },
    );
    assert.deepEqual(
      kubeconfigFiles({ setting: [], kubernetesExtension: '/ext', env, home: '/home/me', exists: all }),
      { files: ['/ext'] },
    );
    assert.deepEqual(kubeconfigFiles({ setting: [], env, home: '/home/me', exists: all }), {
      files: ['/env/a', '/env/b'],
    });
    assert.deepEqual(kubeconfigFiles({ setting: [], env: {}, home: '/home/me', exists: all }), {
      files: ['/home/me/.kube/config'],
    });
  });

  it('names the missing file and its source in extension terms; none at all is its own state', () => {
    const r = kubeconfigFiles({ setting: [], env: { KUBECONFIG: '/env/gone' }, home: '/home/me', exists: only() });
    assert.ok('problem' in r);
    assert.equal(r.problem.state, 'missingKubeconfig');
    assert.equal(
      r.problem.sentence,
      'KUBECONFIG names /env/gone, which does not exist; set okg.kubeconfig to an existing kubeconfig file (the setting wins over KUBECONFIG).',
    );
    const s = kubeconfigFiles({ setting: ['/ok', '/gone'], env: {}, home: '/h', exists: only('/ok') });
    assert.ok(
      'problem' in s && /^The okg\.kubeconfig setting names \/gone, which does not exist/.test(s.problem.sentence),
    );
    const none = kubeconfigFiles({ setting: [], env: {}, home: '/h', exists: only() });
    assert.ok('problem' in none && none.problem.state === 'noKubeconfig');
    for (const x of [r, s, none]) assert.ok('problem' in x && !/--kubeconfig|--context/.test(x.problem.sentence));
  });

  it('a connection is its context name, cluster entry and user entry: a namespace change is not a new one', () => {
    const kc = (user: string, namespace: string) => {
      const k = new KubeConfig();
      k.loadFromOptions({
        clusters: [{ name: 'c', server: 'https://example.test' }],
        users: [{ name: user, token: 't' }],
        contexts: [{ name: 'ctx', cluster: 'c', user, namespace }],
        currentContext: 'ctx',
      });
      return k;
    };
    assert.equal(identityOf(kc('u', 'default')), identityOf(kc('u', 'games')));
    assert.notEqual(identityOf(kc('u', 'default')), identityOf(kc('other', 'default')));
    assert.match(identityOf(kc('u', 'default')), /^[0-9a-f]{64}$/, 'a hash: the user entry holds credentials');
  });
});
