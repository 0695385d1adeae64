// The pure decisions behind the tree and the confirmations.
import assert from 'node:assert/strict';
import type { GameServerSetView, RoomView } from '../../src/cluster/okg.js';
import {
  destructiveOpsState,
  gssDescription,
  gssTooltip,
  imagesLabel,
  retireCandidates,
  roomDescription,
  roomIcon,
  roomTooltip,
  scaleDownVictims,
  strategyWarning,
  welcomeState,
} from '../../src/views/format.js';

const OLD = 'registry.example.com/game:1.0';
const NEW = 'registry.example.com/game:1.1';

function room(name: string, over: Partial<RoomView> = {}): RoomView {
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
    storedSpec: { opsState: 'None', deletionPriority: 0, updatePriority: 0 },
    images: [{ container: 'game', image: OLD }],
    runningImages: [{ container: 'game', image: OLD }],
    terminating: false,
    creationTimestamp: new Date().toISOString(),
    ...over,
  };
}

function gss(over: Partial<GameServerSetView> = {}): GameServerSetView {
  return {
    uid: 'u',
    name: 'g',
    namespace: 'default',
    resourceVersion: '1',
    generation: 2,
    observedGeneration: 2,
    replicas: 6,
    images: [{ container: 'game', image: NEW }],
    updateStrategyType: 'OnDelete',
    rollingUpdatePresent: false,
    onDeleteInForce: true,
    reclaimPolicy: 'Cascade',
    currentReplicas: 6,
    readyReplicas: 6,
    updatedReplicas: 3,
    maintainingReplicas: 0,
    waitToBeDeletedReplicas: 2,
    network: false,
    creationTimestamp: '',
    annotations: {},
    ...over,
  };
}

const fresh = (name: string, over: Partial<RoomView> = {}) =>
  room(name, {
    images: [{ container: 'game', image: NEW }],
    runningImages: [{ container: 'game', image: NEW }],
    ...over,
  });

describe('extension: formatting and decisions', () => {
  const rooms = [
    room('g-0', { opsState: 'Allocated' }),
    room('g-1', { opsState: 'WaitToBeDeleted' }),
    room('g-2', { opsState: 'WaitToBeDeleted' }),
    fresh('g-3'),
    fresh('g-4'),
    fresh('g-5'),
  ];

  it('describes a GameServerSet mid-release as the issue shows', () => {
    assert.equal(gssDescription(gss(), rooms), '6 rooms · 1 Allocated · 2 WaitToBeDeleted · 3/3 new ready');
    assert.equal(gssDescription(gss(), [fresh('g-0', { state: 'NotReady' }), fresh('g-1')]), '2 rooms · 1/2 ready');
    assert.equal(gssDescription(gss(), []), '0 rooms');
  });

  it('warns when OnDelete is defeated by rollingUpdate', () => {
    assert.equal(strategyWarning(gss()), undefined);
    const g = gss({ rollingUpdatePresent: true, onDeleteInForce: false });
    assert.match(strategyWarning(g)!, /rollingUpdate is set/);
    assert.match(gssTooltip(g, rooms), /\$\(warning\)/);
    assert.ok(gssTooltip(g, rooms).includes('**Update strategy:** OnDelete \\(with rollingUpdate\\)'));
  });

  it('describes rooms: state, opsState unless None, image tag or containers when several differ', () => {
    assert.equal(roomDescription(fresh('g-3', { opsState: 'Allocated' })), 'Ready · Allocated · 1.1');
    assert.equal(roomDescription(room('g-1', { state: '' })), 'Starting · 1.0');
    assert.equal(roomDescription(room('g-1', { terminating: true })), 'Deleting · 1.0');
    assert.equal(
      imagesLabel([
        { container: 'game', image: NEW },
        { container: 'sidecar', image: 'x/sidecar:7' },
      ]),
      'game 1.1, sidecar 7',
    );
    assert.equal(
      imagesLabel([
        { container: 'game', image: NEW },
        { container: 'b', image: 'x/b:1.1' },
      ]),
      '1.1',
    );
  });

  it('a room tooltip: one fact per line, with time in state and both priorities', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const tip = roomTooltip(
      room('g-1', {
        deletionPriority: '5',
        updatePriority: '2',
        stateChangedAt: '2026-01-01T11:58:30Z',
        opsStateChangedAt: '2026-01-01T11:50:00Z',
      }),
      now,
    );
    const facts = tip
      .split('\n')
      .filter(l => l.startsWith('**') && !l.startsWith('**Images') && !l.startsWith('**GameServer'));
    assert.deepEqual(
      facts.map(l => l.replace(/\\$/, '')),
      [
        '**State:** Ready',
        '**Time in state:** 90s (since 2026\\-01\\-01T11:58:30Z)',
        '**opsState:** None',
        '**Last opsState change:** 2026\\-01\\-01T11:50:00Z (10m ago)',
        '**Deletion priority:** 5',
        '**Update priority:** 2',
        '**Node:** not scheduled',
        '**Network:** enabled (no network status written)',
        `**Age:** ${facts.at(-1)!.slice('**Age:** '.length)}`,
      ],
    );
    // Markdown joins adjacent lines: each fact but the last of its block ends in a hard break (a backslash).
    for (const block of tip.split('\n\n')) {
      const lines = block.split('\n');
      if (lines[0].startsWith('- ')) continue;
      lines.slice(0, -1).forEach(l => assert.ok(l.endsWith('\\'), `no line break after: ${l}`));
      assert.ok(!lines.at(-1)!.endsWith('\\'));
    }
    assert.match(
      roomTooltip(room('g-2'), now),
      /\*\*Time in state:\*\* unknown \(no state-last-changed-time annotation/,
    );
  });

  it('picks icons by opsState and colours by state', () => {
    assert.deepEqual(roomIcon(room('a', { opsState: 'Kill' })), { id: 'close', color: 'charts.red' });
    assert.deepEqual(roomIcon(room('a', { state: 'Crash' })), { id: 'error', color: 'errorForeground' });
    assert.deepEqual(roomIcon(room('a', { state: 'NotReady', opsState: 'Allocated' })), {
      id: 'account',
      color: 'list.warningForeground',
    });
    assert.deepEqual(roomIcon(room('a', { state: 'Creating' })), { id: 'vm', color: 'disabledForeground' });
    assert.deepEqual(roomIcon(room('a', { terminating: true })), { id: 'trash', color: 'testing.iconPassed' });
  });

  it('decides the welcome state', () => {
    assert.equal(welcomeState(0, []), 'noKubeconfig');
    assert.equal(
      welcomeState(0, [], 'missingKubeconfig'),
      'missingKubeconfig',
      'why there is no context picks the welcome',
    );
    assert.equal(welcomeState(0, [], 'badKubeconfig'), 'badKubeconfig');
    assert.equal(
      welcomeState(1, [{ gameServerSets: 1 }], 'missingKubeconfig'),
      undefined,
      'the demo cluster shown: a tree, not a welcome',
    );
    assert.equal(
      welcomeState(1, [
        { errorKind: 'notFound', gameServerSets: 0 },
        { errorKind: 'notFound', gameServerSets: 0 },
      ]),
      'noCrds',
    );
    assert.equal(welcomeState(1, [{ gameServerSets: 0 }]), 'noGameServerSets');
    assert.equal(
      welcomeState(1, [{ errorKind: 'forbidden', gameServerSets: 0 }]),
      undefined,
      'an error shows in the tree',
    );
    assert.equal(welcomeState(1, [{ errorKind: 'notFound', gameServerSets: 0 }, { gameServerSets: 1 }]), undefined);
  });

  it('retire candidates, destructive opsState changes and scale-down victims', () => {
    assert.deepEqual(
      retireCandidates(gss(), [
        ...rooms,
        room('g-6'),
        room('g-7', { terminating: true }),
        room('g-8', { opsState: 'Busy' }),
      ]).map(r => r.name),
      ['g-6'],
    );
    assert.equal(destructiveOpsState([room('a')], 'Maintaining'), undefined);
    assert.equal(destructiveOpsState([room('a')], 'WaitToBeDeleted'), undefined);
    assert.equal(
      destructiveOpsState([room('a', { opsState: 'Allocated' }), room('b')], 'Kill')!.message,
      'Kill 2 rooms? OKG deletes them right away, including 1 Allocated (players on it).',
    );
    assert.deepEqual(
      scaleDownVictims(rooms, 4).map(r => r.name),
      ['g-2', 'g-1'],
    );
    assert.deepEqual(
      scaleDownVictims(rooms, 1).map(r => r.name),
      ['g-2', 'g-1', 'g-5', 'g-4', 'g-3'],
    );
    assert.deepEqual(scaleDownVictims(rooms, 6), []);
  });
});
