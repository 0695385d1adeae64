// The shared cache of a namespace: rooms joined with their pods, live, event-driven waits; held by
// reference (only the last holder stops it); failing lists retried with backoff, counted at a real sandbox.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { loadKubeConfig } from '../../src/cluster/kubeconfig.js';
import { OkgClient } from '../../src/cluster/client.js';
import { ClusterCache, NamespaceCache } from '../../src/cluster/cache.js';
import { Backoff, needsPerson } from '../../src/cluster/reflector.js';
import { startCountingProxy, type CountingProxy } from '../helpers/countingProxy.js';
import { fakeClock, type FakeClock } from '../helpers/fakeClock.js';
import { runsImage } from '../../src/cluster/okg.js';
import { SEED } from '../../src/sandbox/scenarios.js';

describe('namespace cache', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let client: OkgClient;
  let clusters: ClusterCache;
  let ns: NamespaceCache;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    client = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
    clusters = new ClusterCache(client);
    ns = await clusters.namespace('default');
  });
  after(async () => {
    await clusters?.dispose();
    await sandbox?.stop();
  });

  it('shows the seed: one GameServerSet, three rooms joined with their pods', () => {
    const [gss] = ns.gameServerSets();
    assert.equal(gss.name, 'minecraft');
    assert.equal(gss.replicas, 3);
    assert.ok(gss.onDeleteInForce);
    assert.deepEqual(gss.images, [{ container: 'minecraft', image: SEED.image }]);
    const rooms = ns.rooms('minecraft');
    assert.deepEqual(
      rooms.map(r => [r.name, r.state, r.opsState, r.podOpsState]),
      [
        ['minecraft-0', 'Ready', 'Allocated', 'Allocated'],
        ['minecraft-1', 'Ready', 'None', 'None'],
        ['minecraft-2', 'Ready', 'None', 'None'],
      ],
    );
    assert.ok(rooms.every(r => runsImage(r, 'minecraft', SEED.image) && r.uid && r.node));
  });

  it('shares one cache per namespace', async () => {
    const again = await clusters.namespace('default');
    assert.equal(again, ns);
    await again.release();
  });

  it('sees a change made elsewhere through the watch, without polling', async () => {
    const before = client.requestCount();
    const admin = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
    await admin.patchGameServer('default', 'minecraft-2', [
      { op: 'replace', path: '/spec/opsState', value: 'Maintaining' },
    ]);
    const room = await ns.waitFor(
      () => {
        const r = ns.room('minecraft-2');
        return r?.podOpsState === 'Maintaining' ? r : undefined;
      },
      { timeoutMs: 10_000 },
    );
    assert.equal(room.opsState, 'Maintaining');
    assert.equal(client.requestCount(), before, 'the cache made no request: it learnt by watching');
  });

  it('keeps only what its readers use of a pod, listed or watched (slim.ts), and the room view is whole', () => {
    // minecraft-0 came with the list; minecraft-2's pod was replaced by a watch event in the test above.
    for (const name of ['minecraft-0', 'minecraft-2']) {
      const p = ns.pod(name);
      assert.ok(p, name);
      const containers = (p.spec as { containers: Record<string, unknown>[] }).containers;
      assert.deepEqual(
        Object.keys(containers[0]).sort(),
        ['image', 'name'],
        `${name}: only each container's name and image`,
      );
      assert.ok(!('ownerReferences' in p.metadata) && !('managedFields' in p.metadata), `${name}: metadata trimmed`);
      assert.deepEqual(Object.keys(p.metadata.labels ?? {}).sort(), [
        'game.kruise.io/gs-delete-priority',
        'game.kruise.io/gs-opsState',
        'game.kruise.io/owner-gss',
      ]);
    }
    const room = ns.room('minecraft-2')!;
    assert.equal(room.podOpsState, 'Maintaining');
    assert.ok(room.node && room.images.length && room.runningImages.length && room.stateChangedAt);
  });

  it('keeps up through watch cuts and compaction', async () => {
    sandbox.server.setFaults({ watchCutSeconds: 0.2 });
    const admin = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
    for (const v of ['None', 'Maintaining', 'None']) {
      await admin.patchGameServer('default', 'minecraft-1', [{ op: 'replace', path: '/spec/opsState', value: v }]);
      await new Promise(r => setTimeout(r, 250));
    }
    sandbox.server.store.compact();
    await admin.patchGameServer('default', 'minecraft-1', [
      { op: 'replace', path: '/spec/opsState', value: 'WaitToBeDeleted' },
    ]);
    await ns.waitFor(() => (ns.room('minecraft-1')?.opsState === 'WaitToBeDeleted' ? true : undefined), {
      timeoutMs: 15_000,
    });
    sandbox.server.setFaults(undefined);
  });

  it('times out a wait with the description it was given, and honours abort', async () => {
    await assert.rejects(
      ns.waitFor(() => undefined, { timeoutMs: 100, describeTimeout: () => 'minecraft-9 never came' }),
      /minecraft-9 never came/,
    );
    const ac = new AbortController();
    const p = ns.waitFor(() => undefined, { timeoutMs: 10_000, signal: ac.signal });
    ac.abort(new Error('cancelled by the operator'));
    await assert.rejects(p, /cancelled by the operator/);
  });
});

describe('namespace cache: who holds it', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let client: OkgClient;
  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    client = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
  });
  after(async () => {
    client?.close();
    await sandbox?.stop();
  });

  it('stops only when the last holder lets go; a lease released twice counts once', async () => {
    const clusters = new ClusterCache(client);
    const tree = clusters.acquire('default');
    const release = clusters.acquire('default');
    assert.equal(tree.cache, release.cache, 'one shared cache');
    await tree.cache.start();
    tree.release();
    tree.release();
    assert.equal(release.cache.isStopped, false, 'the second holder still has it');
    const admin = new OkgClient(loadKubeConfig({ kubeconfig: sandbox.kubeconfigPath('admin') }));
    await admin.patchGameServer('default', 'minecraft-1', [
      { op: 'replace', path: '/spec/opsState', value: 'Maintaining' },
    ]);
    await release.cache.waitFor(
      () => (release.cache.room('minecraft-1')?.opsState === 'Maintaining' ? true : undefined),
      { timeoutMs: 10_000 },
    );
    await admin.patchGameServer('default', 'minecraft-1', [{ op: 'replace', path: '/spec/opsState', value: 'None' }]);
    admin.close();
    let idle = false;
    clusters.whenIdle(() => {
      idle = true;
    });
    assert.equal(idle, false);
    release.dispose();
    assert.equal(release.cache.isStopped, true);
    assert.equal(idle, true, 'the connection learns that nothing holds it any more');
    assert.throws(() => release.cache.retain(), /has stopped/);
    const again = clusters.acquire('default');
    assert.notEqual(again.cache, release.cache, 'a stopped cache is replaced, not revived');
    await again.cache.start();
    assert.equal(again.cache.rooms('minecraft').length, 3);
    again.release();
  });
});

describe('namespace cache: failing lists back off', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let proxy: CountingProxy;
  const lists = () => proxy.requests.filter(r => r.method === 'GET' && !r.watch).length;

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    proxy = await startCountingProxy(sandbox.server);
  });
  after(async () => {
    await proxy?.close();
    await sandbox?.stop();
  });
  beforeEach(() => {
    proxy.requests.length = 0;
    proxy.authorization = undefined;
    proxy.onRequest = undefined;
    proxy.refuse = undefined;
    proxy.hold = undefined;
  });

  /** A cache of `default` through the counting front with a token the sandbox does not know, on a fake clock. */
  async function badTokenCache(
    token = 'not-a-valid-token',
  ): Promise<{ cache: NamespaceCache; clock: FakeClock; settled: () => boolean }> {
    const clock = fakeClock();
    const client = new OkgClient(loadKubeConfig({ kubeconfig: proxy.kubeconfig(token) }));
    const cache = new NamespaceCache(client, 'default', { timers: clock }).retain();
    // Settled: nothing in flight, and each collection whose last list failed has its retry scheduled.
    const failing = () => {
      const last = new Map<string, number | undefined>();
      for (const r of proxy.requests) if (!r.watch) last.set(r.path, r.status);
      return [...last.values()].filter(s => s !== 200).length;
    };
    const settled = () => proxy.inFlight() === 0 && proxy.requests.length >= 3 && clock.pending() === failing();
    await assert.rejects(cache.start(), (e: Error) =>
      /did not accept your credentials \(401 Unauthorized\)/.test(e.message),
    );
    await clock.advance(0, settled);
    return { cache, clock, settled };
  }

  it('setsFirst (the tree): the rooms are listed once the sets list is in; without it (the CLI) all at once', async () => {
    const lists = () => proxy.requests.filter(r => !r.watch).map(r => r.path.split('/').pop());
    for (const setsFirst of [true, false]) {
      proxy.requests.length = 0;
      let open!: () => void;
      const gate = new Promise<void>(r => (open = r));
      let seen!: () => void;
      const setsAsked = new Promise<void>(r => (seen = r));
      proxy.hold = r => {
        if (r.watch || !r.path.endsWith('/gameserversets')) return undefined;
        seen();
        return gate;
      };
      const client = new OkgClient(loadKubeConfig({ kubeconfig: proxy.kubeconfig(sandbox.server.tokens.admin) }));
      const cache = new NamespaceCache(client, 'default', { setsFirst }).retain();
      const started = cache.start();
      await setsAsked;
      if (setsFirst) {
        // A cache listing all at once sends the three lists in the same turn: give them time to arrive.
        await new Promise(r => setTimeout(r, 300));
        assert.deepEqual(lists(), ['gameserversets'], 'only the sets list, while it is held');
      } else while (lists().length < 3) await new Promise(r => setTimeout(r, 10)); // the rooms' lists, sets held
      open();
      await started;
      assert.deepEqual(lists().sort(), ['gameservers', 'gameserversets', 'pods']);
      assert.equal(cache.rooms('minecraft').length, 3);
      cache.stop();
      client.close();
    }
  });

  it('the delay doubles from 0.5 s to a 30 s cap with jitter below it; 401/403/404 start at the cap', () => {
    const b = new Backoff({ random: () => 0 });
    assert.deepEqual(
      Array.from({ length: 9 }, () => b.next()),
      [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
    );
    b.reset();
    assert.equal(b.next(), 500, 'reset after a success');
    const jittered = new Backoff({ random: () => 0.999 });
    assert.deepEqual([jittered.next(), jittered.next(true)], [400, 24006]);
    assert.equal(new Backoff({ random: () => 0 }).next(true), 30000);
    assert.deepEqual(
      [401, 403, 404, 500, 429].map(statusCode => needsPerson({ statusCode })),
      [true, true, true, false, false],
    );
  });

  it('a bad token: start() rejects with the 401 sentence, and one namespace makes at most 8 list requests in 30 s', async () => {
    const { cache, clock, settled } = await badTokenCache();
    try {
      assert.equal(lists(), 3, 'one list per collection');
      await clock.advance(30_000, settled);
      assert.ok(lists() <= 8, `${lists()} list requests in 30 s`);
      assert.ok(lists() > 3, 'it keeps retrying, slowly');
      assert.ok(
        proxy.requests.every(r => r.status === 401),
        'every request reached the sandbox and got its 401',
      );
      assert.match(cache.error?.message ?? '', /401 Unauthorized/);
      assert.equal(cache.live, false);
    } finally {
      await cache.release();
    }
  });

  it('keeps the error until a list succeeds, then is live and says so', async () => {
    // Only the GameServerSets are refused (as if RBAC denied them); rooms and pods list fine.
    const GSS_PATH = '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets';
    proxy.authorization = r => (r.path === GSS_PATH ? 'Bearer not-a-valid-token' : undefined);
    const { cache, clock, settled } = await badTokenCache(sandbox.server.tokens.admin);
    try {
      const errorAtList: (string | undefined)[] = [];
      proxy.onRequest = r => {
        if (!r.watch && r.path === GSS_PATH) errorAtList.push(cache.error?.kind);
      };
      await clock.advance(60_000, settled);
      assert.ok(errorAtList.length >= 2, `${errorAtList.length} retries`);
      assert.deepEqual(
        new Set(errorAtList),
        new Set(['unauthorized']),
        'a retry does not clear the error before its list succeeded',
      );
      // Access is granted: the next retry lists, and the cache is live.
      proxy.authorization = undefined;
      let statuses = 0;
      cache.onStatus(() => {
        statuses++;
      });
      await clock.advance(30_000, settled);
      assert.equal(cache.error, undefined);
      assert.equal(cache.live, true);
      assert.ok(statuses >= 1, 'holders are told');
      assert.deepEqual(
        cache.rooms('minecraft').map(r => r.name),
        ['minecraft-0', 'minecraft-1', 'minecraft-2'],
      );
      await cache.start();
    } finally {
      await cache.release();
    }
  });

  it('a server that lists but drops every watch (500) is not listed every 0.5 s: the delay still doubles', async () => {
    proxy.refuse = r => (r.watch ? 500 : undefined);
    const clock = fakeClock();
    const client = new OkgClient(loadKubeConfig({ kubeconfig: proxy.kubeconfig(sandbox.server.tokens.admin) }));
    const cache = new NamespaceCache(client, 'default', { timers: clock }).retain();
    try {
      await cache.start();
      // Settled: nothing in flight, and each collection's watch failed and has its retry scheduled.
      const settled = () => proxy.inFlight() === 0 && clock.pending() === 3;
      await clock.advance(30_000, settled);
      const lists = proxy.requests.filter(r => !r.watch).length;
      // Per collection: 0, 0.5, 1.5, 3.5, 7.5, 15.5 s (each up to 20 % sooner), so 6 or 7 lists, not 60.
      assert.ok(lists <= 3 * 7, `${lists} list requests in 30 s`);
      assert.match(cache.error?.message ?? '', /failed to watch .* \(500/);
      assert.deepEqual(
        cache.rooms('minecraft').map(r => r.name),
        ['minecraft-0', 'minecraft-1', 'minecraft-2'],
        'what was listed stays readable',
      );
    } finally {
      await cache.release();
    }
  });
});
