// Child process for the tree rows of `npm run bench -- --ui` (args: SETS ROOMS_PER_SET BIG_ROOMS NAMESPACE…):
// a sandbox API server preloaded with SETS sets of ROOMS_PER_SET rooms spread over the namespaces, plus one set
// `big-000` of BIG_ROOMS rooms in the first namespace, so the server's work stays out of the measuring process.
// Prints {"kubeconfig": …} once ready; then reads "storm OPSSTATE" lines, patches every room of big-000 to that
// opsState as fast as the store takes it, and answers {"lastWrite": ms since the epoch}.
import { createInterface } from 'node:readline';
import { startSandboxServer } from '../src/sandbox/server.js';
import { preloadGameServerSet } from '../src/sandbox/preload.js';
import { scaleGameServerSet } from '../src/sandbox/scenarios.js';

export const BIG_SET = 'big-000';

const [setsText, roomsText, bigText, ...NAMESPACES] = process.argv.slice(2);
const sets = Number(setsText),
  roomsPerSet = Number(roomsText),
  bigRooms = Number(bigText);
const server = await startSandboxServer({ watchHistory: 200_000 });
for (const ns of NAMESPACES)
  server.registry.create(server.resource('namespaces'), undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
preloadGameServerSet(server, scaleGameServerSet(NAMESPACES[0], BIG_SET, bigRooms, 0));
for (let i = 0; i < sets; i++)
  preloadGameServerSet(
    server,
    scaleGameServerSet(NAMESPACES[i % NAMESPACES.length], `fleet-${String(i).padStart(3, '0')}`, roomsPerSet, i),
  );
process.stdout.write(`${JSON.stringify({ kubeconfig: server.kubeconfigPath('viewer') })}\n`);
const gs = server.resource('gameservers');
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, value] = line.trim().split(/\s+/);
  if (cmd !== 'storm') continue;
  for (let i = 0; i < bigRooms; i++)
    server.registry.patch(
      gs,
      NAMESPACES[0],
      `${BIG_SET}-${i}`,
      'application/merge-patch+json',
      { spec: { opsState: value } },
      '',
    );
  process.stdout.write(`${JSON.stringify({ lastWrite: Date.now() })}\n`);
}
await server.close();
process.exit(0);
