// Row 6: the sandbox's scale scenario — started as a user starts it, `okg sandbox --scenario scale --gss N --rooms M`
// (bin/okg.js, the bundled CLI: GameServerSets created through the API, the OKG emulator on its own thread building
// every pod and GameServer until all are Ready; the CLI prints "listening on" only then) — against the same fleet
// preloaded straight into the store (./sandboxStart.ts), each run its own process, measured in the same run. Wall
// time and the process's CPU time (all its threads, from /proc): on a shared machine the wall time carries other
// processes' load, the CPU time much less of it.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, p95, spread, type Row } from './stats.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** utime + stime of a live process in ms (Linux /proc; USER_HZ 100), or NaN where there is no /proc. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** `okg sandbox --scenario scale`: ms from the spawn to its "listening on" line, and its CPU ms by then. */
function onceCli(sets: number, rooms: number): Promise<{ ms: number; cpuMs: number }> {
  const t = performance.now();
  const args = [join(ROOT, 'bin', 'okg.js'), 'sandbox', '--scenario', 'scale', '--gss', String(sets)];
  const child = spawn(process.execPath, [...args, '--rooms', String(rooms)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let result: { ms: number; cpuMs: number } | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!result && /listening on/.test(out)) {
        result = { ms: performance.now() - t, cpuMs: processCpuMs(child.pid!) };
        child.kill('SIGINT');
      }
    });
    child.on('exit', code => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`okg sandbox --scenario scale exited (${code}) before it was ready: ${err.trim()}`));
    });
  });
}

async function oncePreload(sets: number, rooms: number): Promise<{ ms: number; cpuMs: number }> {
  const { stdout } = await run(
    process.execPath,
    [join(import.meta.dirname, 'sandboxStart.js'), 'preload', String(sets), String(rooms)],
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
      preload.push(await oncePreload(size.sets, size.rooms));
      scale.push(await onceCli(size.sets, size.rooms));
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
        ratio: median(s) / size.goalS,
        goal: `≤ ${size.goalS} s`,
        met: median(s) <= size.goalS,
        note: `ratio = median / goal; ${spread(s, 1)}; CPU ${median(sc).toFixed(1)} s (${spread(sc, 1)}), all threads`,
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
