// The shared wire suite (wire.ts) against both worlds: the sandbox, and kube-apiserver + etcd built from Go modules.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { describeWire } from './wire.js';
import { controlPlaneOptOut, startControlPlaneWorld, startSandboxWorld, type World } from './world.js';

describe('wire behaviour: sandbox', function () {
  let world: World | undefined;
  before(async () => {
    world = await startSandboxWorld();
  });
  after(async () => {
    await world?.stop();
  });
  describeWire(() => world!);
});

describe('wire behaviour: kube-apiserver (tier A)', function () {
  const optOut = controlPlaneOptOut();
  if (optOut) {
    it(`is not run: ${optOut}`, () => {
      assert.ok(optOut);
    });
    return;
  }
  let world: World | undefined;
  before(async function () {
    this.timeout(45 * 60_000); // the first build of kube-apiserver, etcd and kubectl; later runs reuse it
    world = await startControlPlaneWorld();
  });
  after(async () => {
    await world?.stop();
  });
  describeWire(() => world!);
});
