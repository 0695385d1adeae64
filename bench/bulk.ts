// Row 1: bulk opsState on N rooms — our conditional bulk change vs a kubectl-per-room loop vs
// GameServers-Updater's method (sequential GET + PUT per room); the stronger baselines of the same methods with
// 16 in flight (GET + PUT, `xargs -P 16 kubectl patch`), which show the speed is concurrency; and the
// allocation race, which shows what the conditional patch buys.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Transport } from '../src/cluster/transport.js';
import { startSandboxServer, type SandboxServer } from '../src/sandbox/server.js';
import { preloadGameServerSet } from '../src/sandbox/preload.js';
import { scaleGameServerSet } from '../src/sandbox/scenarios.js';
import { loadKubeConfig } from '../src/cluster/kubeconfig.js';
import { OkgClient } from '../src/cluster/client.js';
import { ClusterCache } from '../src/cluster/cache.js';
import { applyToRooms } from '../src/release/bulk.js';
import { median, p95, spread, timed, type Row } from './stats.js';

const run = promisify(execFile);
const G = { group: 'game.kruise.io', version: 'v1alpha1', plural: 'gameservers' };

async function resetAll(server: SandboxServer, names: string[]): Promise<void> {
  const res = server.resource('gameservers');
  for (const n of names) {
    const o = server.store.get(res, 'default', n)!;
    if ((o.spec as { opsState?: string }).opsState !== 'None')
      server.registry.patch(res, 'default', n, 'application/merge-patch+json', { spec: { opsState: 'None' } }, '');
  }
}

/** A matchmaker that allocates random idle rooms with unconditional merge patches, as open-match-director does. */
function startAllocator(
  server: SandboxServer,
  names: string[],
  everyMs: number,
): { allocated: Set<string>; stop: () => void } {
  const res = server.resource('gameservers');
  const allocated = new Set<string>();
  const timer = setInterval(() => {
    const n = names[Math.floor(Math.random() * names.length)];
    server.registry.patch(res, 'default', n, 'application/merge-patch+json', { spec: { opsState: 'Allocated' } }, '');
    allocated.add(n);
  }, everyMs);
  return { allocated, stop: () => clearInterval(timer) };
}

function overwritten(server: SandboxServer, allocated: Set<string>): number {
  const res = server.resource('gameservers');
  let n = 0;
  for (const name of allocated)
    if ((server.store.get(res, 'default', name)!.spec as { opsState?: string }).opsState !== 'Allocated') n++;
  return n;
}

export async function benchBulk(opts: {
  rooms: number;
  kubectlRooms: number;
  reps: number;
  rttMs: number;
}): Promise<Row[]> {
  const server = await startSandboxServer();
  try {
    for (let i = 0; i * 100 < opts.rooms; i++)
      preloadGameServerSet(server, scaleGameServerSet('default', `bulk-${i}`, Math.min(100, opts.rooms - i * 100), i));
    const kubeconfig = server.kubeconfigPath('admin');
    const kc = loadKubeConfig({ kubeconfig });
    const client = new OkgClient(kc);
    const clusters = new ClusterCache(client);
    const cache = await clusters.namespace('default');
    const names = cache.rooms().map(r => r.name);
    const name = `${opts.rooms.toLocaleString('en')} rooms`;

    // Ours: one conditional JSON Patch per room, 16 at a time, from the cache's view (no reads).
    const oursRun = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < opts.reps; i++) {
        await resetAll(server, names);
        await cache.waitFor(() => (cache.rooms().every(r => r.opsState === 'None') ? true : undefined), {
          timeoutMs: 30_000,
        });
        const { ms } = await timed(() =>
          applyToRooms(client, cache.rooms(), { opsState: 'WaitToBeDeleted' }, { concurrency: 16 }),
        );
        out.push(ms / opts.rooms);
      }
      return out;
    };
    // GameServers-Updater's method: sequential GET + PUT (optimistic lock via resourceVersion), over the same
    // pooled keep-alive transport as ours (client-go, which it uses, keeps connections alive too).
    const http = new Transport(kc);
    const getPutRun = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < Math.max(1, Math.ceil(opts.reps / 2)); i++) {
        await resetAll(server, names);
        const { ms } = await timed(async () => {
          for (const n of names) {
            const path = `/apis/${G.group}/${G.version}/namespaces/default/${G.plural}/${n}`;
            const o = (await http.request('GET', path)) as { spec: Record<string, unknown> };
            o.spec.opsState = 'WaitToBeDeleted';
            await http.request('PUT', path, o);
          }
        });
        out.push(ms / opts.rooms);
      }
      return out;
    };
    // The same GET + PUT per room, 16 rooms in flight (as many as ours): the fair baseline for speed.
    const getPut16Run = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < opts.reps; i++) {
        await resetAll(server, names);
        let next = 0;
        const worker = async () => {
          while (next < names.length) {
            const n = names[next++];
            const path = `/apis/${G.group}/${G.version}/namespaces/default/${G.plural}/${n}`;
            const o = (await http.request('GET', path)) as { spec: Record<string, unknown> };
            o.spec.opsState = 'WaitToBeDeleted';
            await http.request('PUT', path, o);
          }
        };
        const { ms } = await timed(() => Promise.all(Array.from({ length: 16 }, worker)));
        out.push(ms / opts.rooms);
      }
      return out;
    };
    // On loopback, in one process, every request costs only the server's CPU, which concurrency cannot share.
    const oursLoopback = await oursRun();
    const getPutLoopback = await getPutRun();
    // A real API server is a network round trip away: every request of every method pays the same RTT.
    server.setFaults({ latencyMs: opts.rttMs });
    const ours = await oursRun();
    const getPut = await getPutRun();
    const getPut16 = await getPut16Run();
    http.close();

    // An operator's parallel shell loop: `xargs -P 16 kubectl patch`, over the kubectl subset, whole batch timed.
    const xargs: number[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(opts.reps / 2)); i++) {
      await resetAll(server, names);
      const subsetNames = names.slice(0, opts.kubectlRooms);
      const { ms } = await timed(() =>
        run(
          'sh',
          [
            '-c',
            `printf '%s\n' "$@" | xargs -P 16 -I{} kubectl patch gs {} -n default --type=merge -p '{"spec":{"opsState":"WaitToBeDeleted"}}'`,
            'sh',
            ...subsetNames,
          ],
          { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 1 << 24 },
        ),
      );
      xargs.push(ms / subsetNames.length);
    }

    // kubectl patch per room (what an operator's shell loop does), over a subset: it is slow.
    await resetAll(server, names);
    const subset = names.slice(0, opts.kubectlRooms);
    const kubectl: number[] = [];
    for (const n of subset) {
      const { ms } = await timed(() =>
        run(
          'kubectl',
          ['patch', 'gs', n, '-n', 'default', '--type=merge', '-p', '{"spec":{"opsState":"WaitToBeDeleted"}}'],
          { env: { ...process.env, KUBECONFIG: kubeconfig } },
        ),
      );
      kubectl.push(ms);
    }

    // The allocation race: a matchmaker allocates a room every 2 ms while each method runs.
    await resetAll(server, names);
    await cache.waitFor(() => (cache.rooms().every(r => r.opsState === 'None') ? true : undefined), {
      timeoutMs: 30_000,
    });
    const seen = cache.rooms();
    const alloc = startAllocator(server, names, 2);
    const raced = await applyToRooms(client, seen, { opsState: 'WaitToBeDeleted' }, { concurrency: 16 });
    alloc.stop();
    const oursOverwritten = overwritten(server, alloc.allocated);
    const skipped = raced.filter(r => r.outcome === 'skipped').length;

    await resetAll(server, names);
    const alloc2 = startAllocator(server, subset, 20);
    for (const n of subset)
      await run(
        'kubectl',
        ['patch', 'gs', n, '-n', 'default', '--type=merge', '-p', '{"spec":{"opsState":"WaitToBeDeleted"}}'],
        { env: { ...process.env, KUBECONFIG: kubeconfig } },
      );
    alloc2.stop();
    const kubectlOverwritten = overwritten(server, alloc2.allocated);
    server.setFaults(undefined);
    await clusters.dispose();

    const row = `1. bulk opsState, ${name}`;
    const m = median(ours);
    const rtt = `RTT ${opts.rttMs} ms`;
    return [
      {
        row,
        subject: `OKG Ops bulk (conditional JSON Patch, 16 at once), ${rtt}`,
        unit: 'ms/room',
        median: m,
        p95: p95(ours),
        samples: ours.length,
      },
      {
        row,
        subject: `kubectl patch per room (${subset.length} rooms sampled), ${rtt}`,
        unit: 'ms/room',
        median: median(kubectl),
        p95: p95(kubectl),
        samples: kubectl.length,
        ratio: median(kubectl) / m,
        goal: '≥ 30×',
        met: median(kubectl) / m >= 30,
      },
      {
        row,
        subject: `GameServers-Updater method (sequential GET + PUT), ${rtt}`,
        unit: 'ms/room',
        median: median(getPut),
        p95: p95(getPut),
        samples: getPut.length,
        ratio: median(getPut) / m,
        goal: '≥ 5×',
        met: median(getPut) / m >= 5,
      },
      {
        row,
        subject: `GET + PUT per room, 16 in flight (same concurrency as ours), ${rtt}`,
        unit: 'ms/room',
        median: median(getPut16),
        p95: p95(getPut16),
        samples: getPut16.length,
        ratio: median(getPut16) / m,
        note: `speed is concurrency: ${spread(getPut16)}; ours ${spread(ours)}`,
      },
      {
        row,
        subject: `xargs -P 16 kubectl patch (${opts.kubectlRooms} rooms, batch timed), ${rtt}`,
        unit: 'ms/room',
        median: median(xargs),
        p95: p95(xargs),
        samples: xargs.length,
        ratio: median(xargs) / m,
        note: `${spread(xargs)}; unconditional merge patches`,
      },
      {
        row,
        subject: 'OKG Ops bulk on loopback (no RTT; server in the same process)',
        unit: 'ms/room',
        median: median(oursLoopback),
        p95: p95(oursLoopback),
        samples: oursLoopback.length,
      },
      {
        row,
        subject: 'GET + PUT on loopback (no RTT)',
        unit: 'ms/room',
        median: median(getPutLoopback),
        p95: p95(getPutLoopback),
        samples: getPutLoopback.length,
        ratio: median(getPutLoopback) / median(oursLoopback),
        note: "both bound by the in-process server's CPU",
      },
      {
        row,
        subject: 'Allocated rooms overwritten while a matchmaker allocates (ours)',
        unit: 'rooms',
        median: oursOverwritten,
        p95: oursOverwritten,
        samples: 1,
        goal: '0',
        met: oursOverwritten === 0,
        note: `${alloc.allocated.size} allocations raced; ${skipped} rooms skipped as changed`,
      },
      {
        row,
        subject: 'Allocated rooms overwritten (kubectl merge-patch loop, same race)',
        unit: 'rooms',
        median: kubectlOverwritten,
        p95: kubectlOverwritten,
        samples: 1,
        note: `${alloc2.allocated.size} allocations raced`,
      },
    ];
  } finally {
    await server.close();
  }
}
