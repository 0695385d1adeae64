// A clock for code that takes injectable timers (src/cluster/reflector.ts `Timers`): virtual time moves only
// when the test says so, so 30 s of retries run in milliseconds while the requests they make stay real.
export interface FakeClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
  /** Timers scheduled and not yet fired or cleared. */
  pending(): number;
  /**
   * Fires every timer due within the next `ms`, in order, moving the clock to each one's time. After each,
   * waits (in real time) until `settled()` holds, so what the timer started has finished before time moves on.
   */
  advance(ms: number, settled: () => boolean): Promise<void>;
}

/** Waits in real time (a guard against hanging, not a measurement) until `settled()` holds. */
async function settle(settled: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  await new Promise(r => setImmediate(r));
  while (!settled()) {
    if (Date.now() > deadline) throw new Error('what the fake clock started did not settle within 20 s');
    await new Promise(r => setTimeout(r, 5));
  }
}

export function fakeClock(): FakeClock {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: FakeClock = {
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    now: () => now,
    pending: () => timers.size,
    async advance(ms, settled) {
      const end = now + ms;
      await settle(settled);
      for (;;) {
        const next = [...timers.entries()]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await settle(settled);
      }
      now = end;
    },
  };
  return clock;
}
