// The scenario suite (scenarios.ts) in both worlds, each with the OKG emulator driving it through client-node.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startOkgEmulator, type OkgEmulator } from '../../src/sandbox/okg/emulator.js';
import { describeScenarios, loadSeed } from './scenarios.js';
import { controlPlaneOptOut, kubectlBinary, sandboxWorld, startControllerManagerWorld, type World } from './world.js';

const EMULATOR = { readyAfterMs: 100, terminatingMs: 30 };

describe('scenarios with the OKG emulator: sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox | undefined;
  let world: World | undefined;
  let kubectl = 'kubectl';
  before(async () => {
    kubectl = await kubectlBinary();
    sandbox = await startSandbox({ scenario: 'empty', ...EMULATOR });
    world = sandboxWorld(sandbox.server, () => sandbox!.stop());
    await loadSeed(world);
  });
  after(async () => {
    await world?.stop();
  });
  describeScenarios(
    () => world!,
    () => kubectl,
  );
});

// Tier A's world for the scenarios adds kube-controller-manager (garbage collector) to etcd + kube-apiserver: the
// emulator deletes pods on scale-down and their GameServers go with them, as in a real cluster.
describe('scenarios with the OKG emulator: kube-apiserver + kube-controller-manager (tier A)', function () {
  this.timeout(60_000);
  const optOut = controlPlaneOptOut();
  if (optOut) {
    it(`is not run: ${optOut}`, () => {
      assert.ok(optOut);
    });
    return;
  }
  let world: World | undefined;
  let emulator: OkgEmulator | undefined;
  let kubectl = 'kubectl';
  before(async function () {
    this.timeout(45 * 60_000); // the first build; later runs reuse it
    world = await startControllerManagerWorld();
    kubectl = await kubectlBinary();
    emulator = await startOkgEmulator(world.kubeConfig('controller'), EMULATOR);
    await loadSeed(world);
  });
  after(async () => {
    await emulator?.stop();
    await world?.stop();
  });
  describeScenarios(
    () => world!,
    () => kubectl,
  );
});
