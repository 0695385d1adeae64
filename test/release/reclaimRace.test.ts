// Issue 13 §6, made to happen every time: a matchmaker's unconditional Allocated lands on a room the release is
// reclaiming at the one moment it cannot be prevented — after the release's last check, while the room's pod label
// still shows the mark OKG acts on (label sync lag) — so OKG removes the room with players. The release must then
// never report success: it waits until OKG is at rest, ends `lost` and names the room.
import * as assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import { parseRecord, RECORD_ANNOTATION } from '../../src/release/record.js';
import type { ReleaseResult } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, GSS, NS, seedInput, startWorld } from './helpers.js';

const OPS_LABEL = 'game.kruise.io/gs-opsState';
const MERGE = 'application/merge-patch+json';

/** Writes Allocated on a room at once (as an unconditional merge patch would land), from inside the API server. */
function allocate(sb: Sandbox, name: string): void {
  sb.server.registry.patch(sb.server.resource('gameservers'), NS, name, MERGE, { spec: { opsState: 'Allocated' } }, '');
}

function uidOf(sb: Sandbox, name: string): string | undefined {
  return sb.server.store.get(sb.server.resource('gameservers'), NS, name)?.metadata.uid;
}

/** Whether the GameServer with this uid still exists. */
function exists(sb: Sandbox, uid: string): boolean {
  return sb.server.store.list(sb.server.resource('gameservers'), NS).some(o => o.metadata.uid === uid);
}

/** A seed world where minecraft-2 already has players, so the release retires minecraft-1 only. */
async function world(extra: Parameters<typeof startWorld>[0] = {}): Promise<Sandbox> {
  // The label sync lag keeps the mark on the pod for 1.5 s after the matchmaker's write: OKG acts on it meanwhile.
  const sb = await startWorld({ readyAfterMs: 50, terminatingMs: 100, labelSyncLagMs: 1500, ...extra });
  allocate(sb, 'minecraft-2');
  await sb.waitFor(
    () =>
      sb.server.store.get(sb.server.resource('pods'), NS, 'minecraft-2')?.metadata.labels?.[OPS_LABEL] === 'Allocated',
    10_000,
    'the pod label of minecraft-2 to show Allocated',
  );
  return sb;
}

function assertLost(result: ReleaseResult, sb: Sandbox, name: string, uid: string): void {
  assert.equal(exists(sb, uid), false, `the race did not happen: OKG did not remove ${name}`);
  assert.equal(result.outcome, 'lost', result.message);
  assert.deepEqual(result.summary?.lost, [`${name} (Allocated)`], result.message);
  assert.match(result.message, new RegExp(`OKG removed rooms with players: ${name} \\(Allocated\\)`));
  assert.equal(result.summary?.reclaimed, 0, 'a room with players is never counted as reclaimed');
  const doc = parseRecord(
    sb.server.store.get(sb.server.resource('gameserversets'), NS, GSS)?.metadata.annotations?.[RECORD_ANNOTATION],
  );
  assert.equal(doc.history[0].outcome, 'lost', 'the record says lost too');
}

describe('a matchmaker allocates a room after the release’s last check, while its pod label still shows the mark (issue 13 §6, deterministic)', function () {
  this.timeout(60_000);

  it('--reclaim kill: Allocated lands once the pod shows Kill; OKG removes the room anyway; the release waits for OKG, ends lost and names it', async () => {
    const sb = await world();
    try {
      const uid = uidOf(sb, 'minecraft-1')!;
      let wrote = false;
      // The moment OKG's Kill step can read the label: the matchmaker's write lands right after it.
      const off = sb.server.store.subscribe(e => {
        if (wrote || e.res.plural !== 'pods' || e.object.metadata.name !== 'minecraft-1') return;
        if (e.object.metadata.labels?.[OPS_LABEL] !== 'Kill') return;
        wrote = true;
        setImmediate(() => allocate(sb, 'minecraft-1'));
      });
      const result = await runRelease(seedInput({ reclaim: 'kill', settleMs: 0 }), { client: client(sb) });
      off();
      await sb.emulator.settled();
      assert.ok(wrote, `Kill never reached the pod label of minecraft-1: ${result.message}`);
      assertLost(result, sb, 'minecraft-1', uid);
    } finally {
      await sb.stop();
    }
  });

  it('--reclaim scale-down: Allocated lands between the re-read and the replicas write; OKG removes the room by its stale label; the release ends lost and names it', async () => {
    // The release's watch shows events 100 ms late (a lagging watch cache): its own replicas write reaches its cache
    // after the matchmaker's Allocated does.
    const sb = await world({ faults: { watchDelayMs: 100 } });
    try {
      const uid = uidOf(sb, 'minecraft-1')!;
      let wrote = false;
      // The record gets the reclaim plan after the final re-read and before replicas are lowered: write then.
      const off = sb.server.store.subscribe(e => {
        if (wrote || e.res.plural !== 'gameserversets') return;
        if (!parseRecord(e.object.metadata.annotations?.[RECORD_ANNOTATION]).current?.reclaim) return;
        wrote = true;
        setImmediate(() => allocate(sb, 'minecraft-1'));
      });
      const result = await runRelease(seedInput({ reclaim: 'scale-down', settleMs: 0 }), { client: client(sb) });
      off();
      await sb.emulator.settled();
      assert.ok(wrote, `the release never planned to lower replicas: ${result.message}`);
      assertLost(result, sb, 'minecraft-1', uid);
    } finally {
      await sb.stop();
    }
  });
});
