// The Game Servers tree at scale and its filter: a change refreshes only its elements (never the root), tooltips
// are built on hover, a set running two versions groups its rooms by version, and the room filter narrows the tree,
// shows in the view's description and clears with one command.
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { NamespaceCache } from '../../src/cluster/cache.js';
import type { GameServerSetView, RoomView } from '../../src/cluster/okg.js';
import { parseImage } from '../../src/cluster/images.js';
import { emptyPending, NamespaceElements } from '../../src/views/treeModel.js';
import type { Connection } from '../../src/views/connections.js';
import type { Node } from '../../src/views/treeNodes.js';
import { treeItem } from '../../src/views/treeItems.js';
import { activateWith, deactivateAll, patchGs, resetSeed, rows, stub, until } from './harness.js';

type Fired = Node | Node[] | undefined;

describe('extension: the tree refreshes only what changed (seed sandbox)', function () {
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
    await ext.explorer.setFilter(undefined);
    await resetSeed(ext, sandbox);
  });

  /** Collects what the tree fires until `done` holds for what was fired so far. */
  async function firesUntil(act: () => Promise<void>, done: (f: Fired[]) => boolean): Promise<Fired[]> {
    const fired: Fired[] = [];
    const sub = ext.explorer.onDidChangeTreeData(e => void fired.push(e as Fired));
    try {
      await act();
      const deadline = Date.now() + 10_000;
      while (!done(fired) && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
      return fired;
    } finally {
      sub.dispose();
    }
  }
  const flat = (f: Fired[]) => f.flatMap(x => (Array.isArray(x) ? x : [x]));

  it("a room's change fires for that room's element, and for its set only when the set's row changes; never the root", async () => {
    const r = await rows(ext);
    const room2 = r.find(x => x.label === 'minecraft-2')!.node;
    const room1 = r.find(x => x.label === 'minecraft-1')!.node;
    const set = r.find(x => x.label === 'minecraft')!.node;
    let fired = await firesUntil(
      async () => {
        await patchGs(sandbox, 'minecraft-2', { deletionPriority: 7 });
        await until(ext, 'minecraft-2', x => x.deletionPriority === '7');
      },
      f => flat(f).includes(room2),
    );
    assert.ok(fired.length > 0, 'something was fired');
    assert.ok(!fired.includes(undefined), 'the root was not refreshed');
    assert.ok(flat(fired).includes(room2), 'the room element (the same object as its row) was refreshed');
    assert.ok(!flat(fired).includes(set), "the set's row did not change, so it was not refreshed");
    assert.equal(ext.explorer.getTreeItem(room2).description, 'Ready · 1.12.2');
    fired = await firesUntil(
      async () => {
        await patchGs(sandbox, 'minecraft-1', { opsState: 'Maintaining' });
        await until(ext, 'minecraft-1', x => x.opsState === 'Maintaining');
      },
      f => flat(f).includes(set),
    );
    assert.ok(!fired.includes(undefined), 'the root was not refreshed');
    assert.ok(flat(fired).includes(set), "the set's counts moved: its row was refreshed");
    assert.equal(ext.explorer.getTreeItem(set).description, '3 rooms · 1 Allocated · 1 Maintaining · 3/3 ready');
    assert.match(String(ext.explorer.getTreeItem(room1).description), /Maintaining/);
  });

  it('getTreeItem builds no Markdown tooltip for sets and rooms; resolveTreeItem builds it on hover', async () => {
    const r = await rows(ext);
    for (const name of ['minecraft', 'minecraft-0']) {
      const node = r.find(x => x.label === name)!.node;
      const item = ext.explorer.getTreeItem(node);
      assert.equal(item.tooltip, undefined, `${name}: no tooltip built for the row`);
      const resolved = ext.explorer.resolveTreeItem(item, node);
      assert.ok(resolved.tooltip instanceof stub.MarkdownString, `${name}: a Markdown tooltip on hover`);
      assert.match((resolved.tooltip as unknown as stub.MarkdownString).value, /minecraft/);
    }
  });

  it('Filter Rooms… narrows the tree, shows in the description, and Clear Filter restores it', async () => {
    const view = ext.view as unknown as stub.TreeView<unknown>;
    stub.ui.answers.push(stub.pick('opsState: Allocated'));
    await stub.commands.executeCommand('okg.filterRooms');
    assert.deepEqual(ext.explorer.filter, { opsStates: ['Allocated'] });
    assert.equal(stub.contextKeys.get('okg.filtered'), true);
    assert.match(view.description ?? '', /filter: opsState Allocated/);
    let r = await rows(ext);
    assert.deepEqual(
      r.map(x => [x.label, x.description]),
      [
        ['minecraft', '1 of 3 rooms · 1 Allocated · 3/3 ready'],
        ['minecraft-0', 'Ready · Allocated · 1.12.2'],
      ],
    );
    // Two kinds together must both hold: no Allocated room is NotReady.
    await ext.explorer.setFilter({ opsStates: ['Allocated'], states: ['NotReady'] });
    r = await rows(ext);
    assert.deepEqual(
      r.map(x => [x.contextValue, x.label]),
      [['okg.info', 'no rooms in namespace default match the filter']],
    );
    await stub.commands.executeCommand('okg.clearFilter');
    assert.equal(ext.explorer.filter, undefined);
    assert.equal(stub.contextKeys.get('okg.filtered'), false);
    assert.doesNotMatch(view.description ?? '', /filter/);
    assert.equal((await rows(ext)).length, 4);
  });

  it('a bad number of minutes is refused with a reason and changes nothing', async () => {
    stub.ui.answers.push(stub.pick('$(clock) Changed in the last N minutes…'), stub.input('soon'));
    await stub.commands.executeCommand('okg.filterRooms');
    const box = stub.ui.prompts.find(p => p.kind === 'inputBox')!;
    assert.match(box.validation ?? '', /whole number of minutes/);
    assert.equal(ext.explorer.filter, undefined);
    assert.equal((await rows(ext)).length, 4);
  });
});

const OLD = 'registry.example.com/game:1.0';
const NEW = 'registry.example.com/game:1.1';

function room(name: string, image: string, over: Partial<RoomView> = {}): RoomView {
  return {
    uid: `uid-${name}`,
    name,
    namespace: 'default',
    gameServerSet: 'g',
    ordinal: Number(name.split('-').pop()),
    resourceVersion: '1',
    state: 'Ready',
    opsState: 'None',
    deletionPriority: '0',
    updatePriority: '0',
    networkDisabled: false,
    networkState: '',
    storedSpec: {},
    images: [{ container: 'game', image }],
    runningImages: [{ container: 'game', image }],
    terminating: false,
    creationTimestamp: new Date().toISOString(),
    ...over,
  };
}

/** Just what the tree model reads of a cache: one set `g` and these rooms. */
function fakeCache(rooms: RoomView[], listed = true, replicas = rooms.length): NamespaceCache {
  const gss = {
    replicas,
    uid: 'uid-g',
    name: 'g',
    namespace: 'default',
    resourceVersion: '1',
    images: [{ container: 'game', image: NEW }],
  };
  return {
    gameServerSets: () => [gss as GameServerSetView],
    gameServerSet: () => gss as GameServerSetView,
    rooms: () => rooms,
    room: (n: string) => rooms.find(r => r.name === n),
    hasListed: () => listed,
  } as unknown as NamespaceCache;
}

describe('extension: tree elements (no cluster)', () => {
  const conn = { id: 'c' } as Connection;

  it("a set whose rooms run two versions shows one group per version with counts, the template's first", () => {
    const els = new NamespaceElements(
      conn,
      'default',
      fakeCache([room('g-0', OLD), room('g-1', NEW), room('g-2', NEW)]),
    );
    const [set] = els.setElements();
    const groups = els.children(set, undefined, Date.now());
    const items = groups.map(g => treeItem(g));
    assert.deepEqual(
      items.map(i => [i.label, i.description, i.contextValue]),
      [
        ['1.1 (2 rooms)', 'the template', 'okg.version'],
        ['1.0 (1 room)', 'old version', 'okg.version'],
      ],
    );
    assert.deepEqual(
      groups.map(g =>
        g.kind === 'version' ? els.versionChildren(g).map(n => (n.kind === 'room' ? n.room.name : '')) : [],
      ),
      [['g-1', 'g-2'], ['g-0']],
    );
    assert.equal(els.children(set, undefined, Date.now())[0], groups[0], 'the same group object on the next render');
  });

  it('one version: rooms directly under the set; the same room objects across renders', () => {
    const els = new NamespaceElements(conn, 'default', fakeCache([room('g-0', NEW), room('g-1', NEW)]));
    const [set] = els.setElements();
    const a = els.children(set, undefined, Date.now());
    assert.deepEqual(
      a.map(n => n.kind),
      ['room', 'room'],
    );
    assert.equal(els.setElements()[0], set);
    assert.equal(els.children(set, undefined, Date.now())[1], a[1]);
  });

  it("a room update records its room element and touches its set; an added room, its set; a new set, its namespace's rows", () => {
    const els = new NamespaceElements(conn, 'default', fakeCache([room('g-0', NEW), room('g-1', NEW)]));
    const [set] = els.setElements();
    const [, g1] = els.children(set, undefined, Date.now());
    let p = emptyPending();
    els.absorb({ kind: 'gameservers', type: 'update', name: 'g-1', owner: 'g' }, p);
    assert.deepEqual([p.root, [...p.elements], [...p.touched]], [false, [g1], [set]]);
    p = emptyPending();
    els.absorb({ kind: 'pods', type: 'add', name: 'g-2', owner: 'g' }, p);
    assert.deepEqual([p.root, [...p.elements]], [false, [set]]);
    p = emptyPending();
    els.absorb({ kind: 'gameserversets', type: 'add', name: 'h' }, p);
    assert.deepEqual([p.root, [...p.namespaces]], [false, [els]]);
  });

  it('a set shown before its rooms are listed says so, and starts collapsed when its spec asks for many rooms', () => {
    const els = new NamespaceElements(conn, 'default', fakeCache([], false, 1000));
    const [set] = els.setElements();
    const item = treeItem(set, set.description(undefined, Date.now()));
    assert.equal(item.description, 'loading rooms…');
    assert.equal(item.collapsibleState, stub.TreeItemCollapsibleState.Collapsed);
  });

  it('parses each image reference once (the same result object)', () => {
    assert.equal(parseImage(NEW), parseImage(NEW));
  });
});
