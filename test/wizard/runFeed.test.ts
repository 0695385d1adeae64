// The host's feed of a running release (src/wizard/runFeed.ts) over a small fake cache: the first message carries
// every room and the counts as the run started; a room's waiting reason goes on its row (not as an event), and is
// cleared once it is ready; events wait for the next message, however many arrive meanwhile.
import assert from 'node:assert/strict';
import type { ChangeEvent } from '../../src/cluster/cache.js';
import type { RoomView } from '../../src/cluster/okg.js';
import type { ProgressMessage } from '../../src/webview/protocol.js';
import { RunFeed } from '../../src/wizard/runFeed.js';

const OLD = 'game:1';
const NEW = 'game:2';

function room(name: string, image: string, state = 'Ready', opsState = 'None'): RoomView {
  const images = [{ container: 'game', image }];
  return {
    name,
    gameServerSet: 'fleet',
    state,
    opsState,
    images,
    runningImages: images,
    terminating: false,
  } as unknown as RoomView;
}

function fakeCache(rooms: RoomView[]) {
  const byName = new Map(rooms.map(r => [r.name, r]));
  const listeners = new Set<(e: ChangeEvent) => void>();
  return {
    rooms: () => [...byName.values()],
    room: (n: string) => byName.get(n),
    onChange: (l: (e: ChangeEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(r: RoomView) {
      byName.set(r.name, r);
      for (const l of listeners) l({ kind: 'gameservers', type: 'update', name: r.name });
    },
  };
}

const tick = (ms = 0) => new Promise(r => setTimeout(r, ms));

describe("release wizard: the host's feed over a cache", () => {
  it("sends every room and the counts first; a waiting reason lands on the room's row and is cleared once ready; events are batched", async () => {
    const cache = fakeCache([room('fleet-0', OLD), room('fleet-1', OLD, 'Ready', 'Allocated')]);
    const sent: ProgressMessage[] = [];
    const feed = new RunFeed(
      cache,
      'fleet',
      [{ container: 'game', image: NEW }],
      m => sent.push(m),
      line => {
        throw new Error(line);
      },
      20,
    );
    await tick(30);
    assert.equal(sent.length, 1);
    assert.deepEqual(
      sent[0].rooms?.map(r => `${r.name} ${r.version} ${r.opsState}`),
      ['fleet-0 old None', 'fleet-1 old Allocated'],
    );
    assert.deepEqual(sent[0].sample, { t: 0, old: 2, newReady: 0, newNotReady: 0, marked: 0, reclaimed: 0 });

    cache.set(room('fleet-2', NEW, 'NotReady'));
    feed.event({
      type: 'room-waiting',
      step: 'wait-ready',
      room: 'fleet-2',
      ready: false,
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image',
      restarts: 0,
      permanent: true,
    });
    for (let n = 0; n < 50; n++)
      feed.event({ type: 'step-progress', step: 'wait-ready', message: `${n} of 1 ready`, done: 0, of: 1 });
    await tick(40);
    assert.equal(sent.length, 2, 'one message for a burst');
    assert.deepEqual(
      sent[1].events.map(e => e.type === 'step-progress' && e.message),
      ['49 of 1 ready'],
      'the last progress line only; the waiting reason is no event',
    );
    assert.deepEqual(sent[1].rooms, [
      {
        name: 'fleet-2',
        version: 'new',
        state: 'NotReady',
        opsState: 'None',
        reason: 'ImagePullBackOff: Back-off pulling image',
      },
    ]);
    assert.equal(sent[1].sample?.newNotReady, 1);

    cache.set(room('fleet-2', NEW, 'Ready'));
    feed.event({
      type: 'room-waiting',
      step: 'wait-ready',
      room: 'fleet-2',
      ready: true,
      reason: '',
      message: '',
      restarts: 0,
      permanent: false,
    });
    feed.stop();
    assert.deepEqual(
      sent[2].rooms,
      [{ name: 'fleet-2', version: 'new', state: 'Ready', opsState: 'None' }],
      'ready: no reason any more',
    );
    assert.equal(feed.snapshot().rooms.length, 3);
  });
});
