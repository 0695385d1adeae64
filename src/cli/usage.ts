// Bad usage: a one-line reason and exit code 2.
import { clip } from '../cluster/clip.js';

export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** `okg release` ran to the end, but OKG removed rooms that had players (outcome `lost`; the rooms are named). */
export const EXIT_LOST = 3;

export function positiveInt(
  flag: string,
  value: string | undefined,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} takes a whole number, got "${clip(value)}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be from ${min} to ${max}, got ${n}`);
  return n;
}

/** What `okg` prints and exits with when a command throws: the error's first line; 2 for bad usage, else 1. */
export function thrownExit(e: unknown, err: (line: string) => void): number {
  const usage = e instanceof UsageError || String((e as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
  err(`okg: ${(e as Error).message.split('\n')[0]}`);
  return usage ? EXIT_USAGE : EXIT_FAILED;
}
