// Child process for row 6 (args: MODE SETS ROOMS_PER_SET): preloads the fleet straight into the store (MODE
// "preload", the row's baseline), or starts the scale scenario in-process as `okg sandbox` does (MODE "scale": the
// same startSandbox options, without the CLI's bundle, e.g. for `node --cpu-prof`), and prints {"ms", "cpuMs"} from
// start to every room Ready. Its own process: its CPU is its own (all threads).
import { startSandbox } from '../src/sandbox/sandbox.js';
import { startSandboxServer } from '../src/sandbox/server.js';
import { preloadGameServerSet } from '../src/sandbox/preload.js';
import { DEFAULT_SCALE, scaleGameServerSet } from '../src/sandbox/scenarios.js';

const [mode, setsText, roomsText] = process.argv.slice(2);
const gameServerSets = Number(setsText);
const rooms = Number(roomsText);
const t = performance.now();
const c0 = process.cpuUsage();
if (mode === 'scale') {
  // As `okg sandbox --scenario scale` starts it (src/cli/sandboxCommand.ts): the emulator on its own thread.
  const s = await startSandbox({
    scenario: 'scale',
    scale: { gameServerSets, rooms },
    settleTimeoutMs: 600_000,
    emulatorThread: true,
  });
  report();
  await s.stop();
} else {
  const server = await startSandboxServer();
  const nss = Array.from({ length: DEFAULT_SCALE.namespaces }, (_, i) => `games-${i}`);
  for (const ns of nss)
    server.registry.create(server.resource('namespaces'), undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
  for (let i = 0; i < gameServerSets; i++)
    preloadGameServerSet(
      server,
      scaleGameServerSet(nss[i % nss.length], `fleet-${String(i).padStart(3, '0')}`, rooms, i),
    );
  report();
  await server.close();
}
process.exit(0);

function report(): void {
  const c = process.cpuUsage(c0);
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t, cpuMs: (c.user + c.system) / 1000 })}\n`);
}
