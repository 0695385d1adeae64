// The Game Servers tree against a real sandbox with the seed scenario: rows, ids, icons, live updates only
// while visible, namespace and context choice, welcome states, errors in the tree, and Open YAML.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startCountingProxy } from '../helpers/countingProxy.js';
import { activateWith, deactivateAll, patchGs, resetSeed, rows, roomNode, gssNode, stub, until } from './harness.js';

describe('extension: Game Servers tree (seed sandbox)', function () {
  let sandbox: Sandbox;
  let ext: ReturnType<typeof activateWith>;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed' });
    ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin') });
  });
  after(async () => {
    await deactivateAll(ext);
    await sandbox?.stop();
  });
  beforeEach(async () => {
    await ext.context.workspaceState.update('okg.namespaces', undefined);
    await ext.context.workspaceState.update('okg.context', undefined);
    ext.explorer.sync();
    await resetSeed(ext, sandbox);
  });

  it('shows GameServerSet → GameServer rows, collapsing the single context and namespace', async () => {
    const r = await rows(ext);
    const gs = sandbox.server.store.list(sandbox.server.resource('gameservers'), 'default');
    const gss = sandbox.server.store.list(sandbox.server.resource('gameserversets'), 'default');
    const uid = (name: string) => [...gs, ...gss].find(o => o.metadata.name === name)!.metadata.uid;
    assert.deepEqual(
      r.map(x => [x.depth, x.label, x.description, x.contextValue, x.id, x.icon, x.color]),
      [
        [
          0,
          'minecraft',
          '3 rooms · 1 Allocated · 3/3 ready',
          'okg.gameServerSet',
          uid('minecraft'),
          'server-process',
          undefined,
        ],
        [
          1,
          'minecraft-0',
          'Ready · Allocated · 1.12.2',
          'okg.gameServer',
          uid('minecraft-0'),
          'account',
          'charts.blue',
        ],
        [1, 'minecraft-1', 'Ready · 1.12.2', 'okg.gameServer', uid('minecraft-1'), 'vm', 'testing.iconPassed'],
        [1, 'minecraft-2', 'Ready · 1.12.2', 'okg.gameServer', uid('minecraft-2'), 'vm', 'testing.iconPassed'],
      ],
    );
    assert.equal(stub.contextKeys.get('okg.welcome'), '');
    const gssTip = r[0].tooltip!;
    assert.match(gssTip, /minecraft-demo:1\.12\.2/);
    assert.match(gssTip, /Update strategy:\*\* OnDelete/);
    assert.match(gssTip, /Replicas:\*\* 3 desired · 3 current · 3 ready/);
    assert.doesNotMatch(gssTip, /warning/);
    const roomTip = r[1].tooltip!;
    for (const re of [
      /State:\*\* Ready/,
      /opsState:\*\* Allocated/,
      /Deletion priority:\*\* 0/,
      /Update priority:\*\* 0/,
      /Images \(spec\)/,
      /Images \(running\)/,
      /Node:\*\*/,
      /Network:\*\* enabled/,
      /Age:\*\*/,
      /Last opsState change/,
      /Time in state:\*\* \d+[smhd] \(since /,
    ]) {
      assert.match(roomTip, re);
    }
  });

  it('follows the cluster live, debounced, and only re-renders while the view is visible', async () => {
    let fired = 0;
    const sub = ext.explorer.onDidChangeTreeData(() => {
      fired++;
    });
    try {
      (ext.view as unknown as stub.TreeView<unknown>).setVisible(false);
      await patchGs(sandbox, 'minecraft-1', { opsState: 'Maintaining' });
      await until(ext, 'minecraft-1', x => x.opsState === 'Maintaining');
      await new Promise(r => setTimeout(r, ext.refresh.debounceMs + 100));
      assert.equal(fired, 0, 'no re-render while hidden');
      (ext.view as unknown as stub.TreeView<unknown>).setVisible(true);
      assert.equal(fired, 1, 'one re-render when shown again');
      await patchGs(sandbox, 'minecraft-2', { deletionPriority: 7 });
      await until(ext, 'minecraft-2', x => x.deletionPriority === '7');
      await new Promise(r => setTimeout(r, ext.refresh.debounceMs + 100));
      assert.ok(fired >= 2 && fired <= 4, `debounced re-renders, got ${fired}`);
      const r = await rows(ext);
      const m1 = r.find(x => x.label === 'minecraft-1')!;
      assert.equal(m1.description, 'Ready · Maintaining · 1.12.2');
      assert.deepEqual([m1.icon, m1.color], ['tools', 'charts.purple']);
      assert.equal(r[0].description, '3 rooms · 1 Allocated · 1 Maintaining · 3/3 ready');
    } finally {
      sub.dispose();
      (ext.view as unknown as stub.TreeView<unknown>).setVisible(true);
    }
  });

  it('shows a namespace level when several are selected, keeps the choice in workspace state, and welcomes an empty scope', async () => {
    stub.ui.answers.push(stub.pick('default', 'kube-system'));
    const chosen = await stub.commands.executeCommand('okg.selectNamespaces');
    assert.deepEqual(chosen, ['default', 'kube-system']);
    assert.deepEqual(ext.context.workspaceState.get('okg.namespaces'), { 'okg-sandbox': ['default', 'kube-system'] });
    let r = await rows(ext);
    assert.deepEqual(
      r.filter(x => x.depth === 0).map(x => [x.label, x.contextValue]),
      [
        ['default', 'okg.namespace'],
        ['kube-system', 'okg.namespace'],
      ],
    );
    assert.ok(r.some(x => x.depth === 1 && x.label === 'minecraft'));
    assert.ok(
      r.some(
        x =>
          x.depth === 1 && x.contextValue === 'okg.info' && /no GameServerSets in namespace kube-system/.test(x.label),
      ),
    );

    stub.ui.answers.push(stub.pick('$(edit) Other namespace…'), stub.input('games-eu'));
    await stub.commands.executeCommand('okg.selectNamespaces');
    r = await rows(ext);
    assert.deepEqual(r, [], 'no GameServerSets anywhere shown → the welcome view');
    assert.equal(stub.contextKeys.get('okg.welcome'), 'noGameServerSets');
  });

  it('switches context through a quick pick without touching the kubeconfig', async () => {
    const before = (await import('node:fs')).readFileSync(sandbox.kubeconfigPath('admin'), 'utf8');
    stub.ui.answers.push(stub.pick('okg-sandbox'));
    assert.equal(await stub.commands.executeCommand('okg.switchContext'), 'okg-sandbox');
    assert.equal(ext.context.workspaceState.get('okg.context'), 'okg-sandbox');
    assert.equal((await import('node:fs')).readFileSync(sandbox.kubeconfigPath('admin'), 'utf8'), before);
    assert.equal((await rows(ext)).length, 4);
  });

  it('opens a live, read-only YAML document for a room and a GameServerSet', async () => {
    const uris = (await stub.commands.executeCommand('okg.openYaml', await roomNode(ext, 'minecraft-1'))) as stub.Uri[];
    assert.equal(uris.length, 1);
    const doc = stub.ui.shownDocuments[0];
    assert.equal(doc.languageId, 'yaml');
    assert.match(doc.getText(), /kind: GameServer\n/);
    assert.match(doc.getText(), /opsState: None/);
    assert.doesNotMatch(doc.getText(), /managedFields/);
    await patchGs(sandbox, 'minecraft-1', { opsState: 'Maintaining' });
    const deadline = Date.now() + 5000;
    while (!/opsState: Maintaining/.test(doc.getText()) && Date.now() < deadline)
      await new Promise(r => setTimeout(r, 50));
    assert.match(doc.getText(), /opsState: Maintaining/, 'the document follows the object');
    stub.closeDocument(doc);
    await stub.commands.executeCommand('okg.openYaml', await gssNode(ext, 'minecraft'));
    assert.match(stub.ui.shownDocuments[1].getText(), /kind: GameServerSet\n/);
  });

  it("shows a failing namespace as an error item under it, with the cluster layer's sentence, and does not hammer the server", async () => {
    // A token the sandbox does not know, through a front that counts what reaches the sandbox.
    const proxy = await startCountingProxy(sandbox.server);
    await deactivateAll(ext);
    const other = activateWith({
      'okg.kubeconfig': proxy.kubeconfig('not-a-valid-token'),
      'okg.namespaces': ['default', 'games'],
    });
    try {
      const r = await rows(other);
      assert.deepEqual(
        r.map(x => [x.depth, x.contextValue]),
        [
          [0, 'okg.namespace'],
          [1, 'okg.error'],
          [0, 'okg.namespace'],
          [1, 'okg.error'],
        ],
      );
      assert.match(r[1].label, /did not accept your credentials \(401 Unauthorized\)/);
      assert.equal(r[1].icon, 'error');
      assert.equal(stub.contextKeys.get('okg.welcome'), '');
      // While the namespaces keep failing, the poll fallback re-renders on its interval.
      let fired = 0;
      const sub = other.explorer.onDidChangeTreeData(() => {
        fired++;
      });
      stub.config.set('okg.pollFallbackSeconds', 0.05);
      other.refresh.startPolling();
      await new Promise(r => setTimeout(r, 1000));
      sub.dispose();
      assert.ok(fired >= 1, 'the poll fallback re-rendered');
      // One list per collection and namespace; a 401 is retried only after ~30 s (it used to be every 0.5 s).
      const lists = proxy.requests.filter(q => q.method === 'GET' && !q.watch);
      assert.equal(lists.length, 6, lists.map(q => q.path).join('\n'));
      assert.ok(lists.every(q => q.status === 401));
      assert.match((await rows(other))[1].label, /401 Unauthorized/, 'the error stays until a list succeeds');
    } finally {
      await deactivateAll(other);
      await proxy.close();
      ext = activateWith({ 'okg.kubeconfig': sandbox.kubeconfigPath('admin') });
    }
  });
});

describe('extension: following the Kubernetes extension', function () {
  it('uses its kubeconfig and follows its context changes, when it is installed', async () => {
    const sandbox = await startSandbox({ scenario: 'seed' });
    const contextChanged = new stub.EventEmitter<string | null>();
    const original = stub.extensions.getExtension;
    stub.extensions.getExtension = ((id: string) =>
      id !== 'ms-kubernetes-tools.vscode-kubernetes-tools'
        ? undefined
        : {
            isActive: true,
            exports: {
              api: (r: { component: string; version: string }) =>
                r.component === 'configuration' && r.version === 'v1_1'
                  ? {
                      succeeded: true,
                      api: {
                        getKubeconfigPath: () => ({ pathType: 'host', hostPath: sandbox.kubeconfigPath('operator') }),
                        onDidChangeContext: contextChanged.event,
                      },
                    }
                  : { succeeded: false },
            },
          }) as unknown as typeof stub.extensions.getExtension;
    const ext = activateWith({});
    try {
      const deadline = Date.now() + 5000;
      while (ext.explorer.kubernetesExtensionKubeconfig === undefined && Date.now() < deadline)
        await new Promise(r => setTimeout(r, 10));
      assert.equal(ext.explorer.kubernetesExtensionKubeconfig, sandbox.kubeconfigPath('operator'));
      assert.deepEqual(
        (await rows(ext)).map(x => x.label),
        ['minecraft', 'minecraft-0', 'minecraft-1', 'minecraft-2'],
      );
      assert.equal(ext.explorer.connections().conns[0].contextName, 'okg-sandbox-operator');
      await ext.context.workspaceState.update('okg.context', 'something-else');
      contextChanged.fire('okg-sandbox-operator');
      await new Promise(r => setTimeout(r, 20));
      assert.equal(
        ext.context.workspaceState.get('okg.context'),
        undefined,
        'its context change wins over an earlier pick',
      );
      assert.equal(ext.explorer.kubernetesExtensionContext, 'okg-sandbox-operator');
    } finally {
      stub.extensions.getExtension = original;
      await deactivateAll(ext);
      await sandbox.stop();
    }
  });
});

describe('extension: welcome states and the demo cluster', function () {
  let ext: ReturnType<typeof activateWith> | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await deactivateAll(ext);
    ext = undefined;
    await new Promise(r => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  /** Runs `fn` with KUBECONFIG and HOME as given (undefined: unset), then puts them back. */
  async function withEnv<T>(env: { KUBECONFIG?: string; HOME?: string }, fn: () => Promise<T>): Promise<T> {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    const set = (k: 'KUBECONFIG' | 'HOME', v: string | undefined) => {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    };
    set('KUBECONFIG', env.KUBECONFIG);
    set('HOME', env.HOME);
    try {
      return await fn();
    } finally {
      set('KUBECONFIG', saved.KUBECONFIG);
      set('HOME', saved.HOME);
    }
  }

  const log = () => stub.channels.at(-1)!.lines.join('\n');

  it('no kubeconfig anywhere: the welcome view with its buttons (no message hides them), not a guessed localhost:8080', async () => {
    const home = mkdtempSync(join(tmpdir(), 'okg-home-'));
    await withEnv({ HOME: home }, async () => {
      ext = activateWith({});
      assert.deepEqual(await rows(ext), []);
      assert.equal(stub.contextKeys.get('okg.welcome'), 'noKubeconfig');
      assert.equal(ext.view.message, undefined, 'a view message would hide the welcome buttons');
      assert.match(
        log(),
        /No kubeconfig found: okg\.kubeconfig is empty, KUBECONFIG is not set and ~\/\.kube\/config does not exist/,
      );
    });
  });

  it('KUBECONFIG or the setting naming a missing file: the missing-file welcome, and extension advice (the setting), not CLI flags', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'okg-ext-')), 'nope.yaml');
    await withEnv({ KUBECONFIG: missing }, async () => {
      ext = activateWith({});
      assert.deepEqual(await rows(ext), []);
      assert.equal(stub.contextKeys.get('okg.welcome'), 'missingKubeconfig');
      assert.equal(ext.view.message, undefined);
      assert.ok(
        log().includes(
          `KUBECONFIG names ${missing}, which does not exist; set okg.kubeconfig to an existing kubeconfig file`,
        ),
        log(),
      );
      assert.doesNotMatch(log(), /--kubeconfig/);
      await deactivateAll(ext);
      ext = activateWith({ 'okg.kubeconfig': [missing] });
      assert.deepEqual(await rows(ext), []);
      assert.equal(stub.contextKeys.get('okg.welcome'), 'missingKubeconfig');
      assert.ok(log().includes(`The okg.kubeconfig setting names ${missing}, which does not exist`), log());
    });
  });

  it('an unusable kubeconfig: its own welcome, the reason in the log without CLI flags', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'okg-ext-')), 'kubeconfig.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    ext = activateWith({ 'okg.kubeconfig': bad });
    assert.deepEqual(await rows(ext), []);
    assert.equal(stub.contextKeys.get('okg.welcome'), 'badKubeconfig');
    assert.ok(
      log().includes(
        `The kubeconfig (${bad}) cannot be used: no Kubernetes context found. Fix it, choose another context with OKG: Switch Context, or point okg.kubeconfig at another file.`,
      ),
      log(),
    );
    assert.doesNotMatch(log(), /--kubeconfig|--context/);
  });

  it('from the missing-file welcome, Start Demo Cluster shows the seed without writing any kubeconfig', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okg-ext-'));
    const missing = join(dir, 'nope.yaml');
    ext = activateWith({ 'okg.kubeconfig': missing });
    assert.deepEqual(await rows(ext), []);
    assert.equal(stub.contextKeys.get('okg.welcome'), 'missingKubeconfig');
    const url = await stub.commands.executeCommand('okg.startDemoCluster');
    assert.match(String(url), /^https:\/\/127\.0\.0\.1:/);
    const r = await rows(ext);
    assert.deepEqual(
      r.map(x => x.label),
      ['minecraft', 'minecraft-0', 'minecraft-1', 'minecraft-2'],
    );
    assert.equal(stub.contextKeys.get('okg.welcome'), '');
    // Above a tree, the problem may be a message again: nothing is hidden by it now.
    assert.match(ext.view.message ?? '', /does not exist/);
    assert.match(ext.view.message ?? '', / Shown: okg-sandbox \(demo\) · default\.$/, 'and what is shown instead');
    assert.ok(!(await import('node:fs')).existsSync(missing), 'the configured kubeconfig is never written');
    assert.equal(ext.context.workspaceState.keys().length, 0);
  });

  it('OKG not installed (the server answers 404 for game.kruise.io): the CRDs-missing welcome', async () => {
    // A cluster without OpenKruise Game: core pods are served, the game.kruise.io group is not.
    server = createServer((req, res) => {
      if (req.url?.startsWith('/api/v1/')) {
        if (req.url.includes('watch=true')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.flushHeaders();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
    });
    await new Promise<void>(r => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'okg-ext-'));
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: bare',
        'clusters: [{name: bare, cluster: {server: "http://127.0.0.1:' + port + '", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: bare, context: {cluster: bare, user: u, namespace: games}}]',
        '',
      ].join('\n'),
    );
    ext = activateWith({ 'okg.kubeconfig': kubeconfig });
    assert.deepEqual(await rows(ext), []);
    assert.equal(stub.contextKeys.get('okg.welcome'), 'noCrds');
    server.closeAllConnections();
  });
});
