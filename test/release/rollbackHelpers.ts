// Shared by the rollback tests: the seed's first table (what a rollback of the seed release ends with), the input,
// an allocator's unconditional merge patch, the template image as stored, and a wait for the final table.
import * as assert from 'node:assert/strict';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { GSS, gssObject, NS, OLD, strip, table } from './helpers.js';

export const SEED_FIRST = [
  { name: 'minecraft-0', state: 'Ready', opsState: 'Allocated', image: OLD },
  { name: 'minecraft-1', state: 'Ready', opsState: 'None', image: OLD },
  { name: 'minecraft-2', state: 'Ready', opsState: 'None', image: OLD },
];

export const rbInput = () => ({ namespace: NS, gameServerSet: GSS, timeoutMs: 20_000 });

export function mergePatch(
  sb: Sandbox,
  kind: 'GameServer' | 'GameServerSet',
  name: string,
  body: Record<string, unknown>,
): Promise<unknown> {
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig('admin'));
  return api.patch(
    { apiVersion: 'game.kruise.io/v1alpha1', kind, metadata: { name, namespace: NS }, ...body } as KubernetesObject,
    undefined,
    undefined,
    'allocator',
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** The template image of the seed set, as stored. */
export function templateImage(sb: Sandbox): string {
  return (gssObject(sb).spec as unknown as { gameServerTemplate: { spec: { containers: { image: string }[] } } })
    .gameServerTemplate.spec.containers[0].image;
}

/** Waits until the table shows `rows` (rooms OKG creates when replicas are restored become Ready). */
export async function settledTo(sb: Sandbox, rows: typeof SEED_FIRST): Promise<void> {
  await sb
    .waitFor(() => JSON.stringify(strip(table(sb))) === JSON.stringify(rows), 20_000, "the rollback's final table")
    .catch(() => undefined);
  assert.deepEqual(strip(table(sb)), rows);
}
