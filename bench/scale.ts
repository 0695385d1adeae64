// Row 3: a big fleet (GameServerSets × rooms), served by a sandbox in a child process. Full load into the
// shared cache model vs `kubectl get gs -A -o json` on the same server, and vs the floor: the same lists the model
// reads, fetched raw (`kubectl get --raw`, and in-process GET + JSON.parse); one room's change reaching the
// model; the model's CPU cost per event at 1k vs 10k rooms (repeated, median and spread); memory per room.
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface, type Interface } from 'node:readline';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadKubeConfig } from '../src/cluster/kubeconfig.js';
import { OkgClient } from '../src/cluster/client.js';
import { ClusterCache, type NamespaceCache } from '../src/cluster/cache.js';
import { Transport } from '../src/cluster/transport.js';
import { LABEL_OWNER_GSS } from '../src/cluster/okg.js';
import { median, p95, p99, spread, timed, type Row } from './stats.js';

const run = promisify(execFile);
const NAMESPACES = ['games-0', 'games-1', 'games-2', 'games-3'];

interface Fleet {
  rooms: number;
  kubeconfig: string;
  child: ChildProcessByStdio<Writable, Readable, null>;
  lines: Interface;
  next(): Promise<string>;
  stop(): void;
}

async function fleet(sets: number, roomsPerSet: number): Promise<Fleet> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'fleetServer.js'), String(sets), String(roomsPerSet), ...NAMESPACES],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  let waiting: ((l: string) => void) | undefined;
  lines.on('line', l => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(l);
    } else queue.push(l);
  });
  const next = () =>
    new Promise<string>(resolve => {
      const l = queue.shift();
      if (l !== undefined) resolve(l);
      else waiting = resolve;
    });
  const { kubeconfig } = JSON.parse(await next()) as { kubeconfig: string };
  return {
    rooms: sets * roomsPerSet,
    kubeconfig,
    child,
    lines,
    next,
    stop: () => {
      child.stdin.end();
      child.kill();
    },
  };
}

async function loadModel(f: Fleet): Promise<{ ms: number; clusters: ClusterCache; caches: NamespaceCache[] }> {
  const clusters = new ClusterCache(new OkgClient(loadKubeConfig({ kubeconfig: f.kubeconfig })));
  const { ms, value: caches } = await timed(async () => {
    const cs = await Promise.all(NAMESPACES.map(ns => clusters.namespace(ns)));
    for (const c of cs) for (const g of c.gameServerSets()) c.rooms(g.name); // what the expanded tree shows
    return cs;
  });
  return { ms, clusters, caches };
}

/** Per change: latency from the server applying it to the model showing it, and the model process's CPU. */
async function changes(
  f: Fleet,
  caches: NamespaceCache[],
  count: number,
): Promise<{ latency: number[]; cpuMsPerEvent: number }> {
  const withRooms = caches.filter(c => c.rooms().length > 0);
  // Pick rooms from lists made once: building them inside the loop would charge its garbage to the events.
  const names = withRooms.map(c => c.rooms().map(r => r.name));
  const latency: number[] = [];
  let cpu = 0;
  // Warm up (JIT, connection buffers) and collect the initial load's garbage before measuring.
  const warmup = Math.min(100, count);
  for (let i = -warmup; i < count; i++) {
    if (i === 0) for (let g = 0; g < 3; g++) global.gc?.();
    const j = i + warmup;
    const k = j % withRooms.length;
    const cache = withRooms[k];
    const room = { namespace: cache.namespace, name: names[k][(j * 7919) % names[k].length] };
    const value = `bench-${i + warmup}`;
    const seen = cache.waitFor(() => (cache.room(room.name)?.opsState === value ? true : undefined), {
      timeoutMs: 10_000,
    });
    const c0 = process.cpuUsage();
    const t = performance.now();
    f.child.stdin.write(`patch ${room.namespace} ${room.name} ${value}\n`);
    await f.next();
    await seen;
    if (i < 0) continue;
    latency.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
  }
  return { latency, cpuMsPerEvent: cpu / count };
}

/** The lists the cache model reads for a namespace (src/cluster/cache.ts): GameServerSets, GameServers, owned pods. */
function modelLists(ns: string): string[] {
  return [
    `/apis/game.kruise.io/v1alpha1/namespaces/${ns}/gameserversets`,
    `/apis/game.kruise.io/v1alpha1/namespaces/${ns}/gameservers`,
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(LABEL_OWNER_GSS)}`,
  ];
}

export async function benchScale(opts: {
  sets: number;
  roomsPerSet: number;
  changes: number;
  /** Repetitions of the CPU-per-event pair (small fleet, big fleet). */
  cpuReps: number;
}): Promise<Row[]> {
  const big = await fleet(opts.sets, opts.roomsPerSet);
  const small = await fleet(Math.max(1, Math.round(opts.sets / 10)), opts.roomsPerSet);
  try {
    const kubectlTimes: number[] = [];
    const modelTimes: number[] = [];
    const rawKubectlTimes: number[] = [];
    const rawTimes: number[] = [];
    const paths = NAMESPACES.flatMap(modelLists);
    const http = new Transport(loadKubeConfig({ kubeconfig: big.kubeconfig }));
    for (let i = 0; i < 3; i++) {
      // The floor: the same lists, all at once as the model reads them, downloaded (kubectl) and parsed (in-process).
      rawKubectlTimes.push(
        (
          await timed(() =>
            Promise.all(
              paths.map(p =>
                run('kubectl', ['get', '--raw', p], {
                  env: { ...process.env, KUBECONFIG: big.kubeconfig },
                  maxBuffer: 1 << 30,
                }),
              ),
            ),
          )
        ).ms,
      );
      rawTimes.push((await timed(() => Promise.all(paths.map(p => http.request('GET', p))))).ms);
      const { ms } = await timed(() =>
        run('kubectl', ['get', 'gs', '-A', '-o', 'json'], {
          env: { ...process.env, KUBECONFIG: big.kubeconfig },
          maxBuffer: 1 << 30,
        }),
      );
      kubectlTimes.push(ms);
      const m = await loadModel(big);
      modelTimes.push(m.ms);
      await m.clusters.dispose();
    }
    const mem = JSON.parse(
      (
        await run(process.execPath, [
          '--expose-gc',
          join(import.meta.dirname, 'modelMemory.js'),
          big.kubeconfig,
          ...NAMESPACES,
        ])
      ).stdout,
    ) as { rooms: number; bytes: number };
    http.close();
    // CPU per event is small and noisy on a shared machine: the pair is repeated, alternating, and the ratio of each
    // pair reported as median and spread.
    const growths: number[] = [];
    const bigCpu: number[] = [];
    const smallCpu: number[] = [];
    let bigRun: { latency: number[]; cpuMsPerEvent: number } | undefined;
    for (let r = 0; r < opts.cpuReps; r++) {
      const smallModel = await loadModel(small);
      const smallRun = await changes(small, smallModel.caches, opts.changes);
      await smallModel.clusters.dispose();
      const bigModel = await loadModel(big);
      const run = await changes(big, bigModel.caches, opts.changes);
      await bigModel.clusters.dispose();
      bigRun = bigRun ? { ...bigRun, latency: [...bigRun.latency, ...run.latency] } : run;
      bigCpu.push(run.cpuMsPerEvent);
      smallCpu.push(smallRun.cpuMsPerEvent);
      growths.push(run.cpuMsPerEvent / smallRun.cpuMsPerEvent);
    }
    if (!bigRun) throw new Error('cpuReps must be at least 1');
    const row = `3. scale: ${opts.sets} GameServerSets × ${opts.roomsPerSet} rooms (${big.rooms.toLocaleString('en')} rooms)`;
    const growth = median(growths);
    const floor = median(rawKubectlTimes);
    return [
      {
        row,
        subject: 'full load into the cache model (lists + watches, all namespaces)',
        unit: 'ms',
        median: median(modelTimes),
        p95: p95(modelTimes),
        samples: modelTimes.length,
      },
      {
        row,
        subject: 'kubectl get gs -A -o json, same server',
        unit: 'ms',
        median: median(kubectlTimes),
        p95: p95(kubectlTimes),
        samples: kubectlTimes.length,
        ratio: median(modelTimes) / median(kubectlTimes),
        goal: 'model ≤ 1.0× kubectl',
        met: median(modelTimes) <= median(kubectlTimes),
        note: 'ratio = model / kubectl',
      },
      {
        row,
        subject: `the model's ${paths.length} lists raw, at once: kubectl get --raw (the floor)`,
        unit: 'ms',
        median: floor,
        p95: p95(rawKubectlTimes),
        samples: rawKubectlTimes.length,
        ratio: median(modelTimes) / floor,
        goal: 'model ≤ 1.5× floor',
        met: median(modelTimes) <= 1.5 * floor,
        note: `ratio = model / floor; ${spread(rawKubectlTimes, 0)}; model ${spread(modelTimes, 0)}`,
      },
      {
        row,
        subject: 'the same lists in-process: GET + JSON.parse only (no model)',
        unit: 'ms',
        median: median(rawTimes),
        p95: p95(rawTimes),
        samples: rawTimes.length,
        ratio: median(modelTimes) / median(rawTimes),
        note: `ratio = model / raw; ${spread(rawTimes, 0)}`,
      },
      {
        row,
        subject: 'one room change reaching the model (server write → model shows it)',
        unit: 'ms',
        median: median(bigRun.latency),
        p95: p99(bigRun.latency),
        samples: bigRun.latency.length,
        goal: 'p99 ≤ 100 ms',
        met: p99(bigRun.latency) <= 100,
        note: 'p95 column shows p99',
      },
      {
        row,
        subject: `model CPU per event, ${small.rooms.toLocaleString('en')} → ${big.rooms.toLocaleString('en')} rooms`,
        unit: 'ratio',
        median: growth,
        p95: Math.max(...growths),
        samples: growths.length,
        goal: '≤ 1.5× growth',
        met: growth <= 1.5,
        note: `median of ${growths.length} pairs of ${opts.changes} events, ${spread(growths)} (p95 column: max); CPU per event ${median(smallCpu).toFixed(3)} ms vs ${median(bigCpu).toFixed(3)} ms`,
      },
      {
        row,
        subject: 'model memory per room (GameServer + Pod cached, views built)',
        unit: 'KiB',
        median: mem.bytes / mem.rooms / 1024,
        p95: mem.bytes / mem.rooms / 1024,
        samples: 1,
        note: 'separate process, after GC',
      },
    ];
  } finally {
    big.stop();
    small.stop();
  }
}
