// The OKG emulator on its own worker thread, as `okg sandbox` starts it: the seed world comes up the same, the
// emulator's setters reach the thread, a bad option still throws in the caller, and stop() ends the thread's writes.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { emulatorWorkerUrl } from '../../../src/sandbox/okg/emulatorThread.js';
import { http } from '../../helpers/sandboxHttp.js';
import type { KubeObject } from '../../../src/sandbox/types.js';

const NS = 'default';
const state = (o: KubeObject | undefined) => (o?.status as { currentState?: string } | undefined)?.currentState;

describe('okg emulator on its own thread', () => {
  let s: Sandbox;
  const room = (name: string) => s.server.store.get(s.server.resource('gameservers'), NS, name);

  before(async () => {
    assert.ok(emulatorWorkerUrl(), 'the worker script sits next to the compiled emulator');
    s = await startSandbox({ scenario: 'seed', emulatorThread: true, readyAfterMs: 50 });
  });
  after(async () => {
    await s?.stop();
  });

  it('builds the seed world: three rooms Ready, minecraft-0 Allocated on its pod', async () => {
    for (const name of ['minecraft-0', 'minecraft-1', 'minecraft-2']) assert.equal(state(room(name)), 'Ready');
    const pod = s.server.store.get(s.server.resource('pods'), NS, 'minecraft-0');
    assert.equal(pod?.metadata.labels?.['game.kruise.io/gs-opsState'], 'Allocated');
    await s.emulator.settled();
  });

  it("forwards a room's behaviour to the thread: the next room is held NotReady", async () => {
    s.emulator.setRoomBehaviour(NS, 'minecraft-3', { outcome: 'NotReady' });
    const admin = http(s.server);
    const r = await admin('PATCH', '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets/minecraft', {
      spec: { replicas: 4 },
    });
    assert.equal(r.status, 200);
    await s.waitFor(() => state(room('minecraft-3')) === 'NotReady', 30_000, 'minecraft-3 NotReady');
    await s.emulator.settled();
    assert.equal(state(room('minecraft-3')), 'NotReady');
  });

  it('refuses a bad option in the caller, with its reason', () => {
    assert.throws(() => s.emulator.setNetworkReadyAfter(-1), /networkReadyAfterMs must be a number of milliseconds/);
  });

  it('writes nothing once stopped', async () => {
    await s.emulator.stop();
    s.server.clearWriteLog();
    // A change the emulator would answer with writes (a new pod, a GameServer) if it were still running.
    const admin = http(s.server);
    await admin('PATCH', '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets/minecraft', {
      spec: { replicas: 5 },
    });
    await new Promise(r => setTimeout(r, 300));
    assert.deepEqual(
      s.server.writeLog().filter(e => e.user === 'controller'),
      [],
      'no controller writes after stop()',
    );
  });
});
