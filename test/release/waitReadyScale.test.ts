// The wait for Ready re-reads only the room a watch event is about: how often it reads the whole set does not
// grow with the set (it used to re-read every room on every event, quadratic work at 1,000 rooms).
import * as assert from 'node:assert/strict';
import { NamespaceCache } from '../../src/cluster/cache.js';
import { OkgClient } from '../../src/cluster/client.js';
import { runRelease } from '../../src/release/engine.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';

const NS = 'games-0';
const SET = 'fleet-000';

/** Whole-set reads (`cache.rooms(set)`) while the release waits for its new rooms, for a set of `rooms` rooms. */
async function wholeSetReads(rooms: number): Promise<{ reads: number; events: number }> {
  const sb = await startSandbox({
    scenario: 'scale',
    scale: { gameServerSets: 1, rooms, namespaces: 1 },
    readyAfterMs: 20,
  });
  const client = new OkgClient(sb.kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
  const cache = new NamespaceCache(client, NS).retain();
  try {
    await cache.start();
    let waiting = false;
    let reads = 0;
    let events = 0;
    const rooms0 = cache.rooms.bind(cache);
    cache.rooms = (set?: string) => {
      if (waiting && set === SET) reads++;
      return rooms0(set);
    };
    const off = cache.onChange(() => {
      if (waiting) events++;
    });
    const r = await runRelease(
      {
        namespace: NS,
        gameServerSet: SET,
        images: [{ container: 'game', image: 'registry.example.com/games/fleet-000:2.0.0' }],
        add: rooms,
        timeoutMs: 120_000,
      },
      {
        client,
        cache,
        onEvent: e => {
          if (e.type === 'step-started') waiting = e.step === 'wait-ready';
          if (e.type === 'step-done' && e.step === 'wait-ready') waiting = false;
        },
      },
    );
    off();
    assert.equal(r.outcome, 'succeeded', r.message);
    return { reads, events };
  } finally {
    await cache.release();
    client.close();
    await sb.stop();
  }
}

describe('wait for Ready at scale', function () {
  this.timeout(180_000);

  it('reads the whole set a fixed number of times, however many rooms change', async () => {
    const small = await wholeSetReads(10);
    const large = await wholeSetReads(80);
    // The watch shows each new room several times (created, its pod, Ready): many events, few whole reads.
    console.log(
      `      whole-set reads: ${small.reads} (10 rooms), ${large.reads} (80 rooms, ${large.events} watch events)`,
    );
    assert.ok(large.events >= 4 * 80, `expected many watch events, saw ${large.events}`);
    assert.ok(
      large.reads <= small.reads + 2 && large.reads <= 5,
      `whole-set reads: ${small.reads} for 10 rooms, ${large.reads} for 80 (${large.events} watch events)`,
    );
  });
});
