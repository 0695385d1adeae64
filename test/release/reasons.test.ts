// Reasons while waiting and at the end: each new room's reason as events (one per change), the pod Events from
// one list and one watch per release (counted at the sandbox), a timeout that names the reasons grouped, and the
// stop-early on reasons that do not heal by themselves (nothing marked, Roll Back offered).
import * as assert from 'node:assert/strict';
import { roomView, type RawObject } from '../../src/cluster/okg.js';
import { OkgClient } from '../../src/cluster/client.js';
import { runRelease } from '../../src/release/engine.js';
import { describeGroups, groupReasons, roomWaiting } from '../../src/release/reasons.js';
import type { ReleaseEvent } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { readHostMessage } from '../../src/webview/protocol.js';
import { toFeed, waitingReason } from '../../src/webview/feed.js';
import {
  countingProxy,
  crashLoop,
  imagePullBackOff,
  podsHeld,
  podsRunning,
  startHeldWorld,
  writePodEvent,
  writePodStatus,
} from './failing.js';
import { client, collect, NEW, seedInput, table } from './helpers.js';

const NEW_ROOMS = ['minecraft-3', 'minecraft-4', 'minecraft-5'];
const NOT_FOUND = `Failed to pull image "${NEW}": rpc error: code = NotFound desc = failed to pull and unpack image "${NEW}": not found`;

function gsObject(name: string, state: string): RawObject {
  return {
    metadata: { name, labels: { 'game.kruise.io/owner-gss': 'minecraft' } },
    spec: { opsState: 'None' },
    status: { currentState: state },
  };
}

function podObject(name: string, status: Record<string, unknown>): RawObject {
  return { metadata: { name, uid: `uid-${name}` }, spec: { containers: [{ name: 'minecraft', image: NEW }] }, status };
}

describe('waiting reasons (pure)', () => {
  it('reads the waiting reason, restarts and permanence from the pod', () => {
    const pull = roomWaiting(
      roomView(gsObject('minecraft-3', 'Creating')),
      podObject('minecraft-3', imagePullBackOff()),
      { network: false },
    );
    assert.deepEqual(pull, {
      room: 'minecraft-3',
      ready: false,
      reason: 'ImagePullBackOff',
      message: `Back-off pulling image "${NEW}"`,
      restarts: 0,
      permanent: true,
    });
    const crash1 = roomWaiting(roomView(gsObject('minecraft-4', 'NotReady')), podObject('minecraft-4', crashLoop(1)), {
      network: false,
    });
    assert.equal(crash1.reason, 'CrashLoopBackOff');
    assert.equal(crash1.permanent, false, 'one restart may still heal');
    assert.match(crash1.message, /container minecraft exited with code 1 \(Error\); 1 restart/);
    const crash3 = roomWaiting(roomView(gsObject('minecraft-4', 'NotReady')), podObject('minecraft-4', crashLoop(3)), {
      network: false,
    });
    assert.equal(crash3.permanent, true);
    assert.equal(crash3.restarts, 3);
    const creating = roomWaiting(
      roomView(gsObject('minecraft-5', 'Creating')),
      podObject('minecraft-5', {
        phase: 'Pending',
        containerStatuses: [
          { name: 'minecraft', restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      }),
      { network: false },
      { type: 'Normal', reason: 'Pulling', message: `Pulling image "${NEW}"` },
    );
    assert.deepEqual(creating, {
      room: 'minecraft-5',
      ready: false,
      reason: 'ContainerCreating',
      message: '',
      restarts: 0,
      permanent: false,
      lastEvent: `Pulling: Pulling image "${NEW}"`,
    });
  });

  it('groups a timeout by reason, with the Failed event for an image, clipped', () => {
    const long = `${NOT_FOUND} ${'x'.repeat(300)}`;
    const rooms = NEW_ROOMS.map(n =>
      roomWaiting(roomView(gsObject(n, 'Creating')), podObject(n, imagePullBackOff()), { network: false }),
    );
    const text = describeGroups(groupReasons(rooms, () => ({ type: 'Warning', reason: 'Failed', message: long })));
    assert.ok(
      text.startsWith(
        `3 rooms ImagePullBackOff: ${long.slice(0, 120)}… (${long.length} characters) (minecraft-3, minecraft-4, minecraft-5)`,
      ),
      text,
    );
  });
});

describe('waiting reasons (release)', function () {
  this.timeout(90_000);
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startHeldWorld();
  });
  afterEach(async () => {
    await sb?.stop();
  });

  /** The new rooms fail to pull their image, as the kubelet shows it (status, then the Failed and BackOff events). */
  async function failPulls(): Promise<void> {
    const uids = await podsHeld(sb, NEW_ROOMS);
    for (const n of NEW_ROOMS) {
      await writePodEvent(sb, n, uids.get(n)!, 'Normal', 'Pulling', `Pulling image "${NEW}"`);
      await writePodEvent(sb, n, uids.get(n)!, 'Warning', 'Failed', NOT_FOUND);
    }
    for (const n of NEW_ROOMS) await writePodStatus(sb, n, imagePullBackOff());
  }

  /**
   * What the wizard's webview receives of a run must pass its message check (an event it rejects is dropped): the
   * host sends events translated (toFeed) and puts a room's waiting reason on its row (waitingReason).
   */
  const acceptedByWizard = (events: ReleaseEvent[]) => {
    for (const event of events) {
      const reason = event.type === 'room-waiting' ? waitingReason(event) : undefined;
      const m =
        event.type === 'room-waiting'
          ? readHostMessage({
              type: 'progress',
              events: [],
              rooms: [
                {
                  name: event.room,
                  version: 'new',
                  state: 'NotReady',
                  opsState: 'None',
                  ...(reason ? { reason } : {}),
                },
              ],
            })
          : readHostMessage({ type: 'progress', events: [toFeed(event)] });
      assert.ok(m.ok, `${event.type}: ${m.ok ? '' : m.problem}`);
    }
  };

  const waiting = (events: ReleaseEvent[]) =>
    events.filter((e): e is Extract<ReleaseEvent, { type: 'room-waiting' }> => e.type === 'room-waiting');

  it('stops early on ImagePullBackOff after the grace period: nothing marked, Roll Back offered, one event per room per change', async () => {
    const { events, onEvent } = collect();
    const run = runRelease(seedInput({ timeoutMs: 45_000, failFastAfterMs: 500 }), { client: client(sb), onEvent });
    await failPulls();
    const r = await run;
    assert.equal(r.outcome, 'stopped-early', r.message);
    assert.equal(r.step, 'wait-ready');
    assert.equal(r.suggest, 'rollback');
    assert.deepEqual(r.reasons, [
      {
        reason: 'ImagePullBackOff',
        message: NOT_FOUND.slice(0, 120) + `… (${NOT_FOUND.length} characters)`,
        rooms: NEW_ROOMS,
      },
    ]);
    assert.match(
      r.message,
      /^stopped early at step wait-ready: the new rooms do not become ready and will not by themselves \(for 0.5 s\): 3 rooms ImagePullBackOff: Failed to pull image/,
    );
    assert.match(r.message, /nothing was marked; to roll back: okg rollback -n default --gss minecraft$/);
    acceptedByWizard(events);
    const failed = events[events.length - 1];
    assert.ok(
      failed.type === 'failed' && failed.outcome === 'stopped-early' && failed.suggest === 'rollback',
      JSON.stringify(failed),
    );
    // nothing marked: no write to any GameServer, old rooms still None
    assert.deepEqual(
      sb.server.writeLog().filter(w => w.user !== 'controller' && w.resource === 'gameservers'),
      [],
    );
    assert.deepEqual(
      table(sb).map(t => t.opsState || 'None'),
      ['Allocated', 'None', 'None', 'None', 'None', 'None'],
    );
    // the record says failed at wait-ready (a rerun resumes the wait)
    const w = waiting(events);
    for (const n of NEW_ROOMS) {
      const mine = w.filter(e => e.room === n);
      const last = mine[mine.length - 1];
      assert.equal(last.reason, 'ImagePullBackOff');
      assert.equal(last.permanent, true);
      assert.equal(
        last.lastEvent,
        `Failed: ${NOT_FOUND}`.slice(0, 120) + `… (${`Failed: ${NOT_FOUND}`.length} characters)`,
      );
      for (let i = 1; i < mine.length; i++)
        assert.notDeepEqual(mine[i], mine[i - 1], `${n}: the same state emitted twice`);
    }
  });

  it('with fail-fast off, a timeout names the reasons grouped', async () => {
    const run = runRelease(seedInput({ timeoutMs: 3000, failFastAfterMs: 0 }), { client: client(sb) });
    await failPulls();
    const r = await run;
    assert.equal(r.outcome, 'failed', r.message);
    assert.match(
      r.message,
      /^failed at step wait-ready: only 0 of 3 new-version rooms are ready for players \(state Ready, opsState None\) after 3 s: 3 rooms ImagePullBackOff: Failed to pull image .*\(minecraft-3, minecraft-4, minecraft-5\); nothing was marked; to roll back: okg rollback -n default --gss minecraft$/,
    );
    assert.equal(r.reasons?.[0].rooms.length, 3);
  });

  it('a crash loop stops the release only after a few restarts', async () => {
    const run = runRelease(seedInput({ timeoutMs: 45_000, failFastAfterMs: 300 }), { client: client(sb) });
    await podsRunning(sb, NEW_ROOMS);
    for (const n of NEW_ROOMS) await writePodStatus(sb, n, crashLoop(1));
    // one restart heals often: the release keeps waiting; three do not
    await new Promise(res => setTimeout(res, 900));
    for (const n of NEW_ROOMS) await writePodStatus(sb, n, crashLoop(3));
    const r = await run;
    assert.equal(r.outcome, 'stopped-early', r.message);
    assert.match(r.message, /3 rooms CrashLoopBackOff: container minecraft exited with code 1 \(Error\); 3 restarts/);
  });

  it('reads Events with one list and one watch for the whole wait, never per room (counted at the sandbox)', async () => {
    const proxy = await countingProxy(sb);
    try {
      const c = new OkgClient(proxy.kubeConfig, { backoffMs: 20, attempts: 8 });
      const { events, onEvent } = collect();
      const run = runRelease(seedInput({ timeoutMs: 45_000, failFastAfterMs: 1500 }), { client: c, onEvent });
      const uids = await podsHeld(sb, NEW_ROOMS);
      for (const n of NEW_ROOMS) await writePodStatus(sb, n, imagePullBackOff());
      for (let round = 0; round < 4; round++) {
        for (const n of NEW_ROOMS)
          await writePodEvent(sb, n, uids.get(n)!, 'Warning', 'Failed', `${NOT_FOUND} (${round})`);
      }
      const r = await run;
      assert.equal(r.outcome, 'stopped-early', r.message);
      const ev = proxy.seen.filter(s => /\/api\/v1\/namespaces\/default\/events(\?|$)/.test(s.split(' ')[1]));
      assert.equal(ev.filter(s => !/watch=true/.test(s)).length, 1, ev.join('\n'));
      assert.equal(ev.filter(s => /watch=true/.test(s)).length, 1, ev.join('\n'));
      assert.equal(proxy.seen.filter(s => /events\//.test(s)).length, 0, "no request for one room's events");
      // the watched Events reach the rooms' reasons
      const last = waiting(events)
        .filter(e => e.room === 'minecraft-4')
        .pop();
      assert.match(last?.lastEvent ?? '', /^Failed: Failed to pull image/);
      c.close();
    } finally {
      await proxy.close();
    }
  });
});
