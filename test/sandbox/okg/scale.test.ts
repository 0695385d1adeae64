// Load: many GameServerSets × many rooms through the sandbox server. Default 10 × 100 (1,000 pods and GSs);
// OKG_SCALE_GSS / OKG_SCALE_ROOMS raise it (100 × 100 = 10,000 is the target size).
import * as assert from 'node:assert/strict';
import { loadKubeConfig } from './kubeconfig.js';
import { startSandboxServer, type SandboxServer } from '../../../src/sandbox/server.js';
import { startOkgEmulator, type OkgEmulator } from '../../../src/sandbox/okg/emulator.js';
import { KubeClient } from '../../../src/sandbox/okg/kube.js';
import type { GameServerSet } from '../../../src/sandbox/okg/types.js';

const GSS = Number(process.env.OKG_SCALE_GSS ?? 10);
const ROOMS = Number(process.env.OKG_SCALE_ROOMS ?? 100);

describe(`okg emulator at scale (${GSS} GameServerSets × ${ROOMS} rooms)`, function () {
  this.timeout(600000);
  let server: SandboxServer;
  let emu: OkgEmulator;

  after(async () => {
    await emu?.stop();
    await server?.close();
  });

  it('informers + work queue bring every room to Ready and every GSS status up to date', async () => {
    server = await startSandboxServer();
    const kc = loadKubeConfig(server.kubeconfigPath('controller'));
    const akc = loadKubeConfig(server.kubeconfigPath('admin'));
    const admin = new KubeClient(akc);
    emu = await startOkgEmulator(kc, { readyAfterMs: 50, terminatingMs: 20, settleQuietMs: 200 });
    const t0 = Date.now();
    for (let i = 0; i < GSS; i++) {
      const g: GameServerSet = {
        apiVersion: 'game.kruise.io/v1alpha1',
        kind: 'GameServerSet',
        metadata: { name: `load${i}`, namespace: 'default' },
        spec: {
          replicas: ROOMS,
          updateStrategy: { type: 'OnDelete' },
          gameServerTemplate: { spec: { containers: [{ name: 'c', image: 'game:1' }] } },
        },
      };
      await admin.create('gameserversets', 'default', g);
    }
    await emu.settled();
    const ms = Date.now() - t0;
    const list = (await admin.custom.listNamespacedCustomObject({
      group: 'game.kruise.io',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'gameserversets',
    })) as { items: GameServerSet[] };
    for (const g of list.items) {
      assert.equal(g.status?.readyReplicas, ROOMS, g.metadata.name);
      assert.equal(g.status?.observedGeneration, g.metadata.generation);
    }
    const gs = (await admin.custom.listNamespacedCustomObject({
      group: 'game.kruise.io',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'gameservers',
    })) as { items: { status?: { currentState?: string } }[] };
    assert.equal(gs.items.length, GSS * ROOMS);
    assert.ok(gs.items.every(x => x.status?.currentState === 'Ready'));
    const writes = server.writeLog().filter(e => e.user === 'controller').length;
    console.log(
      `      ${GSS * ROOMS} rooms Ready in ${ms} ms, ${writes} controller writes (${(writes / (GSS * ROOMS)).toFixed(1)} per room)`,
    );
  });
});
