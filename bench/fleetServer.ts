// Child process for row 3 (args: SETS ROOMS_PER_SET NAMESPACE…): a sandbox API server holding a preloaded
// fleet, so the server's work and heap stay out of the measuring process. Prints {"kubeconfig": …} once ready; then reads lines
// "patch NAMESPACE NAME OPSSTATE" from stdin and applies each as a merge patch (answering "ok").
import { createInterface } from 'node:readline';
import { startSandboxServer } from '../src/sandbox/server.js';
import { preloadGameServerSet } from '../src/sandbox/preload.js';
import { scaleGameServerSet } from '../src/sandbox/scenarios.js';

const [setsText, roomsText, ...NAMESPACES] = process.argv.slice(2);
const sets = Number(setsText),
  roomsPerSet = Number(roomsText);
const server = await startSandboxServer({ watchHistory: 200_000 });
for (const ns of NAMESPACES)
  server.registry.create(server.resource('namespaces'), undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
for (let i = 0; i < sets; i++)
  preloadGameServerSet(
    server,
    scaleGameServerSet(NAMESPACES[i % NAMESPACES.length], `fleet-${String(i).padStart(3, '0')}`, roomsPerSet, i),
  );
process.stdout.write(`${JSON.stringify({ kubeconfig: server.kubeconfigPath('viewer') })}\n`);
const gs = server.resource('gameservers');
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, ns, name, value] = line.trim().split(/\s+/);
  if (cmd === 'patch') {
    server.registry.patch(gs, ns, name, 'application/merge-patch+json', { spec: { opsState: value } }, '');
    process.stdout.write('ok\n');
  }
}
await server.close();
process.exit(0);
