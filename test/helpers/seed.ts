// Reading and resetting the seed world's rooms in tests, straight from the sandbox's store; adding a one-room set
// beside the seed (e.g. one whose image fails) as an admin would, with kubectl.
import { strict as assert } from 'node:assert';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { kubectl } from './kubectl.js';

/** A GameServer's stored spec.opsState. */
export function opsState(sandbox: Sandbox, name: string, namespace: string = SEED.namespace): string | undefined {
  return (
    sandbox.server.store.get(sandbox.server.resource('gameservers'), namespace, name)?.spec as
      { opsState?: string } | undefined
  )?.opsState;
}

/**
 * Puts the seed's rooms back (minecraft-0 Allocated, minecraft-1/2 None) with `setOps`, the test's own
 * writer (so its user and path are the test's choice), then clears faults and the write log.
 */
export async function restoreSeed(
  sandbox: Sandbox,
  setOps: (name: string, value: string) => Promise<unknown>,
): Promise<void> {
  sandbox.server.setFaults(undefined);
  for (const n of ['minecraft-1', 'minecraft-2']) if (opsState(sandbox, n) !== 'None') await setOps(n, 'None');
  if (opsState(sandbox, SEED.allocated) !== 'Allocated') await setOps(SEED.allocated, 'Allocated');
  sandbox.server.clearWriteLog();
}

/** Creates a GameServerSet of one room running `image` (OnDelete) in the seed's namespace, with `kubectl create`. */
export async function createOneRoomSet(sandbox: Sandbox, name: string, image: string): Promise<void> {
  const r = await kubectl(
    sandbox.kubeconfigPath('admin'),
    ['create', '--validate=false', '-f', '-'],
    JSON.stringify({
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServerSet',
      metadata: { name, namespace: SEED.namespace },
      spec: {
        replicas: 1,
        updateStrategy: { type: 'OnDelete' },
        gameServerTemplate: { spec: { containers: [{ name: SEED.container, image }] } },
      },
    }),
  );
  assert.equal(r.code, 0, r.stderr);
}
