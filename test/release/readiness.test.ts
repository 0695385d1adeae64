// Ready means ready for players (state Ready, opsState None, network Ready when the set configures one): the one
// definition, the same in jq (the Argo export), and the engine's gate — a new room set to Maintaining, or whose
// network is not Ready, does not count.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { roomView, type RawObject } from '../../src/cluster/okg.js';
import { exportArgo } from '../../src/release/argo.js';
import { previewRelease, runRelease } from '../../src/release/engine.js';
import { readyForPlayers, readyForPlayersJq } from '../../src/release/readiness.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { admin, podsHeld, startHeldWorld } from './failing.js';
import { client, collect, GSS, NS, seedInput, table } from './helpers.js';

function gs(state: string, opsState: string | undefined, network?: string): RawObject {
  return {
    metadata: { name: 'g-1', labels: { 'game.kruise.io/owner-gss': 'g' } },
    spec: opsState === undefined ? {} : { opsState },
    status: {
      currentState: state,
      ...(network !== undefined ? { networkStatus: { currentNetworkState: network } } : {}),
    },
  };
}

describe('ready for players: the one definition', () => {
  const cases: [RawObject, boolean, boolean][] = [
    // object, ready without a network, ready with a network
    [gs('Ready', 'None'), true, false],
    [gs('Ready', undefined), true, false],
    [gs('Ready', ''), true, false],
    [gs('Ready', 'None', 'Ready'), true, true],
    [gs('Ready', 'None', 'NotReady'), true, false],
    [gs('Ready', 'None', 'Waiting'), true, false],
    [gs('Ready', 'Maintaining', 'Ready'), false, false],
    [gs('Ready', 'Allocated', 'Ready'), false, false],
    [gs('Ready', 'WaitToBeDeleted', 'Ready'), false, false],
    [gs('NotReady', 'None', 'Ready'), false, false],
    [gs('Creating', 'None'), false, false],
  ];

  it('counts state Ready, opsState None and (with a network) network Ready only', () => {
    for (const [o, plain, networked] of cases) {
      const r = roomView(o);
      assert.equal(readyForPlayers(r, { network: false }), plain, JSON.stringify(o));
      assert.equal(readyForPlayers(r, { network: true }), networked, JSON.stringify(o));
    }
  });

  it('the Argo export checks the same definition in jq', () => {
    for (const network of [false, true]) {
      for (const [o, plain, networked] of cases) {
        const out = execFileSync('jq', [readyForPlayersJq({ network })], { input: JSON.stringify(o) })
          .toString()
          .trim();
        assert.equal(out, String(network ? networked : plain), `${JSON.stringify(o)} network=${network}`);
      }
    }
  });
});

describe('ready for players: the release gate', function () {
  this.timeout(90_000);
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startHeldWorld();
  });
  afterEach(async () => {
    await sb?.stop();
  });

  const release = (s: number) => seedInput({ timeoutMs: s * 1000, failFastAfterMs: 0 });
  const letGo = () => {
    for (const n of ['minecraft-3', 'minecraft-4', 'minecraft-5'])
      sb.emulator.setRoomBehaviour(NS, n, { outcome: 'Ready' });
  };
  const opsStates = () => table(sb).map(r => `${r.name} ${r.opsState || 'None'}`);

  it('a new room set to Maintaining does not count; nothing is marked', async () => {
    const { events, onEvent } = collect();
    const run = runRelease(release(6), { client: client(sb), onEvent });
    await podsHeld(sb, ['minecraft-3', 'minecraft-4', 'minecraft-5']);
    await admin(sb).request(
      'PATCH',
      `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameservers/minecraft-5`,
      { spec: { opsState: 'Maintaining' } },
      'application/merge-patch+json',
    );
    letGo();
    const r = await run;
    assert.equal(r.outcome, 'failed', r.message);
    assert.equal(r.step, 'wait-ready');
    assert.match(r.message, /only 2 of 3 new-version rooms are ready for players \(state Ready, opsState None\)/);
    assert.match(r.message, /1 room opsState Maintaining \(minecraft-5\)/);
    assert.equal(r.suggest, 'rollback');
    assert.deepEqual(opsStates(), [
      'minecraft-0 Allocated',
      'minecraft-1 None',
      'minecraft-2 None',
      'minecraft-3 None',
      'minecraft-4 None',
      'minecraft-5 Maintaining',
    ]);
    const last = events.filter(e => e.type === 'room-waiting' && e.room === 'minecraft-5').pop();
    assert.ok(
      last && last.type === 'room-waiting' && !last.ready && last.reason === 'opsState Maintaining',
      JSON.stringify(last),
    );
  });

  it('with spec.network, a new room whose network is not Ready does not count; the plan and the Argo check say so', async () => {
    await admin(sb).request(
      'PATCH',
      `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameserversets/${GSS}`,
      {
        spec: {
          network: {
            networkType: 'Kubernetes-HostPort',
            networkConf: [{ name: 'ContainerPorts', value: 'minecraft:25565/TCP' }],
          },
        },
      },
      'application/merge-patch+json',
    );
    const c = client(sb);
    const preview = await previewRelease(release(6), { client: c });
    assert.equal(preview.plan?.network, true, preview.message);
    assert.match(
      preview.plan!.steps.find(s => s.step === 'wait-ready')!.title,
      /ready for players \(state Ready, opsState None, network Ready\)/,
    );
    // the Argo template serves every release of the set: its wait-ready step reads spec.network itself and then
    // applies this same definition (argoScripts.ts; executed against a networked set in argoRun.test.ts)
    const waitReady = (
      exportArgo(preview.plan!).workflowTemplate.spec.templates as { name: string; script?: { source: string } }[]
    ).find(t => t.name === 'wait-ready')!.script!.source;
    assert.ok(
      waitReady.includes(readyForPlayersJq({ network: true })) && waitReady.includes('.spec.network.networkType'),
      waitReady,
    );

    // the emulated HostPort plugin makes minecraft-3 and -4 Ready; minecraft-5 never gets its network
    sb.emulator.holdRoomNetwork(NS, 'minecraft-5', true);
    const { events, onEvent } = collect();
    const run = runRelease(release(6), { client: c, onEvent });
    await podsHeld(sb, ['minecraft-3', 'minecraft-4', 'minecraft-5']);
    letGo();
    const r = await run;
    assert.equal(r.outcome, 'failed', r.message);
    assert.match(
      r.message,
      /only 2 of 3 new-version rooms are ready for players \(state Ready, opsState None, network Ready\)/,
    );
    assert.match(r.message, /1 room network NotReady \(minecraft-5\)/);
    assert.deepEqual(opsStates(), [
      'minecraft-0 Allocated',
      'minecraft-1 None',
      'minecraft-2 None',
      'minecraft-3 None',
      'minecraft-4 None',
      'minecraft-5 None',
    ]);
    const ready = events
      .filter(e => e.type === 'room-waiting' && e.ready)
      .map(e => e.type === 'room-waiting' && e.room);
    assert.deepEqual([...new Set(ready)].sort(), ['minecraft-3', 'minecraft-4']);
  });
});
