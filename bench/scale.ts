// Row 3: a big fleet (GameServerSets × rooms). Full load into the shared cache model vs
// `kubectl get gs -A -o json` on the same server; one room's change reaching the model; the cost of an
// event at 1k vs 10k rooms; the model's memory per room.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startSandboxServer } from '../src/sandbox/server.js';
import { preloadGameServerSet } from '../src/sandbox/preload.js';
import { scaleGameServerSet } from '../src/sandbox/scenarios.js';
import { loadKubeConfig } from '../src/cluster/kubeconfig.js';
import { OkgClient } from '../src/cluster/client.js';
import { ClusterCache, type NamespaceCache } from '../src/cluster/cache.js';
import { median, p95, p99, timed, type Row } from './stats.js';

const run = promisify(execFile);
const NAMESPACES = ['games-0', 'games-1', 'games-2', 'games-3'];

interface World { server: Awaited<ReturnType<typeof startSandboxServer>>; rooms: number }

async function fleet(sets: number, roomsPerSet: number): Promise<World> {
  const server = await startSandboxServer({ watchHistory: 200_000 });
  for (const ns of NAMESPACES) server.registry.create(server.resource('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < sets; i++) preloadGameServerSet(server, scaleGameServerSet(NAMESPACES[i % NAMESPACES.length], `fleet-${String(i).padStart(3, '0')}`, roomsPerSet, i));
  return { server, rooms: sets * roomsPerSet };
}

/** What the Game Servers tree needs to show everything: every namespace's GameServerSets and rooms. */
function modelRows(caches: NamespaceCache[]): number {
  let n = 0;
  for (const c of caches) for (const g of c.gameServerSets()) n += 1 + c.rooms(g.name).length;
  return n;
}

async function loadModel(w: World): Promise<{ ms: number; clusters: ClusterCache; caches: NamespaceCache[] }> {
  const client = new OkgClient(loadKubeConfig({ kubeconfig: w.server.kubeconfigPath('viewer') }));
  const clusters = new ClusterCache(client);
  const { ms, value: caches } = await timed(async () => {
    const cs = await Promise.all(NAMESPACES.map(ns => clusters.namespace(ns)));
    modelRows(cs);
    return cs;
  });
  return { ms, clusters, caches };
}

/** Time from a write at the server to the model seeing it, per change. */
async function changeLatency(w: World, caches: NamespaceCache[], changes: number): Promise<number[]> {
  const gsRes = w.server.resource('gameservers');
  const out: number[] = [];
  const withRooms = caches.filter(c => c.rooms().length > 0);
  for (let i = 0; i < changes; i++) {
    const cache = withRooms[i % withRooms.length];
    const room = cache.rooms()[(i * 7919) % cache.rooms().length];
    const value = `bench-${i}`;
    const t = performance.now();
    const seen = cache.waitFor(() => (cache.room(room.name)?.opsState === value ? true : undefined), { timeoutMs: 10_000 });
    w.server.registry.patch(gsRes, room.namespace, room.name, 'application/merge-patch+json', { spec: { opsState: value } }, '');
    await seen;
    out.push(performance.now() - t);
  }
  return out;
}

export async function benchScale(opts: { sets: number; roomsPerSet: number; changes: number }): Promise<Row[]> {
  const big = await fleet(opts.sets, opts.roomsPerSet);
  const small = await fleet(Math.max(1, Math.round(opts.sets / 10)), opts.roomsPerSet);
  try {
    const kubectlTimes: number[] = [];
    const modelTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { ms } = await timed(() => run('kubectl', ['get', 'gs', '-A', '-o', 'json'], { env: { ...process.env, KUBECONFIG: big.server.kubeconfigPath('viewer') }, maxBuffer: 1 << 30 }));
      kubectlTimes.push(ms);
      const m = await loadModel(big);
      modelTimes.push(m.ms);
      await m.clusters.dispose();
    }
    const bigModel = await loadModel(big);
    const child = await run(process.execPath, ['--expose-gc', join(import.meta.dirname, 'modelMemory.js'), big.server.kubeconfigPath('viewer'), ...NAMESPACES]);
    const mem = JSON.parse(child.stdout) as { rooms: number; bytes: number };
    const heapPerRoom = mem.bytes / mem.rooms;
    const bigLatency = await changeLatency(big, bigModel.caches, opts.changes);
    const smallModel = await loadModel(small);
    const smallLatency = await changeLatency(small, smallModel.caches, opts.changes);
    await bigModel.clusters.dispose();
    await smallModel.clusters.dispose();
    const row = `3. scale: ${opts.sets} GameServerSets × ${opts.roomsPerSet} rooms (${big.rooms.toLocaleString('en')} rooms)`;
    const growth = median(bigLatency) / median(smallLatency);
    return [
      { row, subject: 'full load into the cache model (lists + watches, all namespaces)', unit: 'ms', median: median(modelTimes), p95: p95(modelTimes), samples: modelTimes.length },
      { row, subject: 'kubectl get gs -A -o json, same server', unit: 'ms', median: median(kubectlTimes), p95: p95(kubectlTimes), samples: kubectlTimes.length, ratio: median(modelTimes) / median(kubectlTimes), goal: 'model ≤ 1.0× kubectl', met: median(modelTimes) <= median(kubectlTimes), note: 'ratio = model / kubectl' },
      { row, subject: 'one room change reaching the model', unit: 'ms', median: median(bigLatency), p95: p99(bigLatency), samples: bigLatency.length, goal: 'p99 ≤ 100 ms', met: p99(bigLatency) <= 100, note: 'p95 column shows p99' },
      { row, subject: `per-event cost at ${small.rooms.toLocaleString('en')} vs ${big.rooms.toLocaleString('en')} rooms`, unit: 'ratio', median: growth, p95: growth, samples: opts.changes, goal: '≤ 1.5× growth', met: growth <= 1.5, note: `median ${median(smallLatency).toFixed(2)} ms vs ${median(bigLatency).toFixed(2)} ms` },
      { row, subject: 'model memory per room (GameServer + Pod cached, views built)', unit: 'KiB', median: heapPerRoom / 1024, p95: heapPerRoom / 1024, samples: 1, note: 'measured in a separate process (the server not counted), after GC' },
    ];
  } finally {
    await big.server.close();
    await small.server.close();
  }
}
