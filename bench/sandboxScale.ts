// Row 6: the sandbox's scale scenario at 10,000 rooms — GameServerSets created through the API, the OKG emulator
// building every pod and GameServer until all are Ready — against the same fleet preloaded straight into the
// store (./sandboxStart.ts, each run its own process), measured in the same run. Wall time and CPU time: on a
// shared machine the wall time carries other processes' load, the CPU time much less of it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, p95, spread, type Row } from './stats.js';

const run = promisify(execFile);

async function once(mode: 'scale' | 'preload', sets: number, rooms: number): Promise<{ ms: number; cpuMs: number }> {
  const { stdout } = await run(
    process.execPath,
    [join(import.meta.dirname, 'sandboxStart.js'), mode, String(sets), String(rooms)],
    { maxBuffer: 1 << 20, timeout: 900_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number; cpuMs: number };
}

export async function benchSandboxScale(opts: {
  reps: number;
  sizes: { sets: number; rooms: number; goalS: number }[];
}): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of opts.sizes) {
    const scale: { ms: number; cpuMs: number }[] = [];
    const preload: { ms: number; cpuMs: number }[] = [];
    // Alternating, so both see the same background load.
    for (let i = 0; i < opts.reps; i++) {
      preload.push(await once('preload', size.sets, size.rooms));
      scale.push(await once('scale', size.sets, size.rooms));
    }
    const s = scale.map(x => x.ms / 1000);
    const sc = scale.map(x => x.cpuMs / 1000);
    const p = preload.map(x => x.ms / 1000);
    const row = `6. sandbox scale scenario, ${size.sets} × ${size.rooms} rooms (${(size.sets * size.rooms).toLocaleString('en')})`;
    rows.push(
      {
        row,
        subject: 'okg sandbox --scenario scale: created through the API, the emulator makes every room Ready',
        unit: 's',
        median: median(s),
        p95: p95(s),
        samples: s.length,
        goal: `≤ ${size.goalS} s`,
        met: median(s) <= size.goalS,
        note: `${spread(s, 1)}; CPU ${median(sc).toFixed(1)} s (${spread(sc, 1)})`,
      },
      {
        row,
        subject: 'the same fleet preloaded straight into the store (no API, no emulator)',
        unit: 's',
        median: median(p),
        p95: p95(p),
        samples: p.length,
        ratio: median(s) / median(p),
        note: `ratio = scenario / preload; ${spread(p, 1)}`,
      },
    );
  }
  return rows;
}
