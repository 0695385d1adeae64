// Small statistics for benchmark rows: median and p95 over repetitions, ratios against a baseline.
export function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

export const median = (xs: number[]) => quantile(xs, 0.5);
export const p95 = (xs: number[]) => quantile(xs, 0.95);
export const p99 = (xs: number[]) => quantile(xs, 0.99);

/** "min–max" of the samples, for a note next to a median. */
export function spread(xs: number[], digits = 2): string {
  if (!xs.length) return 'no samples';
  return `range ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)} over ${xs.length}`;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

export interface Row {
  /** e.g. "1. bulk opsState, 1,000 rooms" */
  row: string;
  /** What was measured for this line (ours or a baseline). */
  subject: string;
  unit: string;
  median: number;
  p95: number;
  samples: number;
  /** Ratio against the row's baseline (baseline / ours for times: >1 means ours is faster). */
  ratio?: number;
  goal?: string;
  met?: boolean;
  note?: string;
}
