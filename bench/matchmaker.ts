// Row 6: Allocated rooms lost vs how old a matchmaker's view is. The seed release with --reclaim scale-down and
// kill (alternating) while the sandbox matchmaker allocates from a view `lag` ms old (unconditional merge patches,
// from the moment the release marks; for the point beyond the settle window, from the end of the window on). A lost
// room is one the matchmaker allocated whose GameServer is gone after the release. Goal: none up to the settle window;
// beyond it, every run that lost a room ends with exit code ≠ 0 (`okg release`'s mapping). Nothing about time.
import { startSandbox } from '../src/sandbox/sandbox.js';
import { SEED } from '../src/sandbox/scenarios.js';
import { OkgClient } from '../src/cluster/client.js';
import { runRelease } from '../src/release/engine.js';
import { exitCode } from '../src/cli/runCommand.js';
import type { ReclaimMode } from '../src/release/types.js';
import { deletedAllocations, startMatchmaker } from '../src/sandbox/matchmaker.js';
import { median, p95, type Row } from './stats.js';

interface Run {
  lost: number;
  exit: number;
  contested: number;
}

/** `beginAfterMs`: the matchmaker starts allocating this long after marking starts. */
async function oneRun(reclaim: ReclaimMode, viewLagMs: number, beginAfterMs: number, settleMs: number): Promise<Run> {
  const sandbox = await startSandbox({ scenario: 'seed' });
  try {
    const mm = await startMatchmaker(sandbox.kubeConfig('operator'), {
      namespace: SEED.namespace,
      gameServerSet: SEED.gameServerSet,
      viewLagMs,
      intervalMs: 100,
      maxAllocations: 3,
      paused: true,
    });
    const client = new OkgClient(sandbox.kubeConfig('admin'));
    let timer: NodeJS.Timeout | undefined;
    try {
      const r = await runRelease(
        {
          namespace: SEED.namespace,
          gameServerSet: SEED.gameServerSet,
          images: [{ container: SEED.container, image: SEED.newImage }],
          add: 3,
          reclaim,
          settleMs,
          timeoutMs: 60_000,
        },
        {
          client,
          onEvent: e => {
            if (e.type === 'step-started' && e.step === 'mark') timer = setTimeout(() => mm.begin(), beginAfterMs);
          },
        },
      );
      clearTimeout(timer);
      await mm.stop(); // no allocation after the release: count only what raced it
      await sandbox.emulator.settled();
      const rooms = sandbox.server.store
        .list(sandbox.server.resource('gameservers'), SEED.namespace)
        .map(o => ({ name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' }));
      const planned = new Set([...(r.summary?.retired ?? []), ...(r.summary?.skipped ?? [])]);
      return {
        lost: deletedAllocations(mm.allocations, rooms).length,
        exit: exitCode(r),
        contested: mm.allocations.filter(a => planned.has(a.name)).length,
      };
    } finally {
      clearTimeout(timer);
      await mm.stop();
      client.close();
    }
  } finally {
    await sandbox.stop();
  }
}

export async function benchMatchmaker(opts: {
  reps: number;
  lagsMs: number[];
  settleMs: number;
  beyondMs: number;
}): Promise<Row[]> {
  const row = '6. Allocated rooms lost vs matchmaker view lag';
  const rows: Row[] = [];
  const points = [
    ...opts.lagsMs.map(lag => ({ lag, beginAfterMs: 0 })),
    { lag: opts.beyondMs, beginAfterMs: opts.settleMs },
  ];
  for (const { lag, beginAfterMs } of points) {
    const runs: Run[] = [];
    for (let i = 0; i < opts.reps; i++)
      runs.push(await oneRun(i % 2 ? 'kill' : 'scale-down', lag, beginAfterMs, opts.settleMs));
    const lost = runs.map(r => r.lost);
    const lossy = runs.filter(r => r.lost > 0);
    const silent = lossy.filter(r => r.exit === 0).length;
    const within = lag <= opts.settleMs;
    rows.push({
      row,
      subject: `view ${lag} ms old${beginAfterMs ? `, allocating from ${beginAfterMs} ms after marking` : ''} (settle window ${opts.settleMs} ms)`,
      unit: 'rooms lost / run',
      median: median(lost),
      p95: p95(lost),
      samples: runs.length,
      goal: within ? '0' : 'losses exit ≠ 0',
      met: within ? lossy.length === 0 : silent === 0,
      note: `${lost.reduce((a, b) => a + b, 0)} lost in ${runs.length} runs (scale-down and kill alternating); ${lossy.length} runs lost rooms (exit codes ${[...new Set(lossy.map(r => r.exit))].join(', ') || '-'}), ${silent} of them exited 0; ${runs.reduce((a, r) => a + r.contested, 0)} allocations hit rooms the release planned to retire`,
    });
  }
  return rows;
}
