// The tree's first rows wait for no other namespace's lists (VS Code draws no row until every expanded row's
// children are in): a namespace whose sets are still listing says so, a set whose rooms are still listing says
// "loading rooms…" rather than a count (and shows no rooms until its row has been redrawn), and when a list arrives
// only that namespace's node is refreshed.
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { preloadGameServerSet } from '../../src/sandbox/preload.js';
import { scaleGameServerSet } from '../../src/sandbox/scenarios.js';
import type { Node } from '../../src/views/treeNodes.js';
import type { CacheLease } from '../../src/cluster/cache.js';
import { startCountingProxy, type CountingProxy } from '../helpers/countingProxy.js';
import { activateWith, deactivateAll } from './harness.js';

type Fired = Node | Node[] | undefined;
/** What the tree fired, and which of the held lists were in by then. */
interface Fire {
  nodes: Fired;
  slowSets: boolean;
  defaultRooms: boolean;
}
const GSS_SLOW = '/apis/game.kruise.io/v1alpha1/namespaces/slow/gameserversets';
const GS_DEFAULT = '/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers';

describe('extension: the first rows before every list is in', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let proxy: CountingProxy;
  let ext: ReturnType<typeof activateWith>;
  const gates = new Map<string, { open: () => void; promise: Promise<void> }>();
  const fired: Fire[] = [];
  const has = (f: Fire, n: Node) => (Array.isArray(f.nodes) ? f.nodes.includes(n) : f.nodes === n);
  let leases: CacheLease[] = [];
  const label = (n: Node) => String(ext.explorer.getTreeItem(n).label);

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed' });
    sandbox.server.registry.create(sandbox.server.resource('namespaces'), undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'slow' },
    });
    preloadGameServerSet(sandbox.server, scaleGameServerSet('slow', 'later', 2, 0));
    proxy = await startCountingProxy(sandbox.server);
    for (const path of [GSS_SLOW, GS_DEFAULT]) {
      let open!: () => void;
      const promise = new Promise<void>(r => (open = r));
      gates.set(path, { open, promise });
    }
    // The first list of each held path waits for its gate; watches and later lists pass.
    proxy.hold = r => (r.method === 'GET' && !r.watch ? gates.get(r.path)?.promise : undefined);
    ext = activateWith({
      'okg.kubeconfig': proxy.kubeconfig(sandbox.server.tokens.admin),
      'okg.namespaces': ['default', 'slow'],
    });
    // The tree's own caches (a holder shares them): which lists were in when something was fired.
    const conn = ext.explorer.connections().conns[0];
    leases = ['slow', 'default'].map(ns => ext.explorer.hold(conn, ns));
    const [slowCache, defaultCache] = leases.map(l => l.cache);
    ext.explorer.onDidChangeTreeData(e => {
      fired.push({
        nodes: e as Fired,
        slowSets: slowCache.hasListed('gameserversets'),
        defaultRooms: defaultCache.hasListed('gameservers') && defaultCache.hasListed('pods'),
      });
    });
  });
  after(async () => {
    for (const g of gates.values()) g.open();
    for (const l of leases) l.release();
    await deactivateAll(ext);
    await proxy?.close();
    await sandbox?.stop();
  });

  /** Resolves once `probe` holds (the list went through the proxy and the cache took it). */
  async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await probe())) {
      if (Date.now() > deadline) assert.fail(`${what} did not happen`);
      await new Promise(r => setTimeout(r, 20));
    }
  }

  it("shows one namespace's sets while another's are listing, and a set whose rooms are listing says so", async () => {
    const [def, slow, ...more] = await ext.explorer.getChildren();
    assert.deepEqual([def?.kind, slow?.kind, more.length], ['namespace', 'namespace', 0]);
    const sets = await ext.explorer.getChildren(def);
    assert.deepEqual(sets.map(label), ['minecraft']);
    assert.equal(ext.explorer.getTreeItem(sets[0]).description, 'loading rooms…', 'no count before the rooms are in');
    assert.deepEqual((await ext.explorer.getChildren(sets[0])).map(label), ['loading rooms…']);
    assert.deepEqual((await ext.explorer.getChildren(slow)).map(label), ['listing GameServerSets…']);
  });

  it('refreshes only the namespace whose list arrived, never the root', async () => {
    const [def, slow] = await ext.explorer.getChildren();
    gates.get(GSS_SLOW)!.open();
    await eventually("the slow namespace's node is refreshed once its sets are in", async () =>
      fired.some(f => f.slowSets && has(f, slow)),
    );
    assert.deepEqual((await ext.explorer.getChildren(slow)).map(label), ['later']);
    gates.get(GS_DEFAULT)!.open();
    await eventually("the default namespace's node is refreshed once its rooms are in", async () =>
      fired.some(f => f.defaultRooms && has(f, def)),
    );
    assert.ok(!fired.some(f => f.nodes === undefined), 'the root was not refreshed');
    const [set] = await ext.explorer.getChildren(def);
    // Its rooms are in, but the row VS Code shows still says loading: its children wait for that row's refresh.
    assert.deepEqual((await ext.explorer.getChildren(set)).map(label), ['loading rooms…']);
    assert.match(String(ext.explorer.getTreeItem(set).description), /^3 rooms · /);
    assert.deepEqual((await ext.explorer.getChildren(set)).map(label), ['minecraft-0', 'minecraft-1', 'minecraft-2']);
  });
});
