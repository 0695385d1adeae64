import * as assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { planRelease } from '../../src/release/plan.js';
import { newHolder } from '../../src/release/record.js';
import { listRooms } from '../../src/release/selectionRooms.js';
import { client, collect, GSS, NS, seedInput, SEED_FINAL, startWorld, strip, table } from './helpers.js';

describe('release engine: the seed', function () {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startWorld();
  });
  afterEach(async () => {
    await sb?.stop();
  });

  it('ends with the seed table', async () => {
    const c = client(sb);
    const { events, onEvent } = collect();
    const r = await runRelease(seedInput(), { client: c, onEvent });
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(strip(table(sb)), SEED_FINAL);
    if (process.env.OKG_DEBUG) console.log(r.summary, Object.fromEntries(c.requests), c.requestCount());
    // the event stream: every step started and finished in order, rooms reported, one final event
    const started = events.flatMap(e => (e.type === 'step-started' ? [e.step] : []));
    assert.deepEqual(started, [
      'lock',
      'patch-image',
      'wait-generation',
      'scale',
      'wait-ready',
      'mark',
      'reclaim',
      'unlock',
    ]);
    assert.deepEqual(
      events.filter(e => e.type === 'room-changed').map(e => e.type === 'room-changed' && `${e.room} ${e.result}`),
      ['minecraft-1 changed', 'minecraft-2 changed'],
    );
    assert.equal(events[events.length - 1].type, 'done');
    assert.deepEqual(r.summary?.retired, ['minecraft-1', 'minecraft-2']);
    // request budget: preflight + plan reads, then only the release's own writes (watches not counted)
    assert.ok(c.requestCount() <= 40, `requests: ${c.requestCount()}`);
    assert.equal(c.requests.get('patch gameservers'), 2);
  });

  it('planRelease previews every room with its reason and predicts the seed table (no request of its own)', async () => {
    const c = client(sb);
    const world = {
      gameServerSet: await c.getGameServerSet(NS, GSS),
      rooms: await listRooms(c, NS, GSS),
      holder: newHolder(),
      now: Date.now(),
    };
    const before = c.requestCount();
    const plan = planRelease(seedInput(), world);
    assert.equal(c.requestCount(), before);
    assert.deepEqual(
      plan.rooms.map(r => `${r.name} ${r.version} ${r.action}${r.reason ? ` ${r.reason}` : ''}`),
      [
        'minecraft-0 old protected Allocated',
        'minecraft-1 old retire',
        'minecraft-2 old retire',
        'minecraft-3 to-create create',
        'minecraft-4 to-create create',
        'minecraft-5 to-create create',
      ],
    );
    assert.deepEqual(
      plan.predicted.map(p => ({ name: p.name, state: p.state, opsState: p.opsState, image: p.images[0].image })),
      SEED_FINAL,
    );
    assert.equal(plan.fromReplicas, 3);
    assert.equal(plan.toReplicas, 6);
    assert.equal(plan.ready, 3);
    assert.throws(
      () => planRelease(seedInput({ images: [{ container: 'web', image: 'nginx:1' }] }), world),
      /container "web" is not in GameServerSet minecraft/,
    );
  });
});
