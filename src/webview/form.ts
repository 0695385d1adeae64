// The wizard's form checks, as the operator types: each returns one sentence for the field, or undefined.
// Pure TypeScript (shared grammar from the cluster layer and the engine's duration parser); no DOM here.
import { parseImage, sameImage } from '../cluster/images.js';
import type { ContainerImage } from '../cluster/okg.js';
import type { ReclaimMode } from '../release/types.js';
import {
  DEFAULT_FAIL_FAST_AFTER_MS,
  DEFAULT_SETTLE_MS,
  MAX_ADD,
  MAX_FAIL_FAST_AFTER_MS,
  MAX_SETTLE_MS,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  parseDuration,
  seconds,
} from '../release/validate.js';
import type { FormInput } from './protocol.js';

export interface Form {
  scope: string;
  name: string;
  /** New image per container, as typed. */
  images: Record<string, string>;
  add: string;
  /** Empty: as many as new rooms. */
  ready: string;
  timeout: string;
  /** The settle window before reclaim (as the CLI's --settle). */
  settle: string;
  /** Stop early after (as the CLI's --fail-fast-after; 0 = off). */
  failFast: string;
  reclaim: ReclaimMode;
  fixUpdateStrategy: boolean;
}

export const DEFAULT_TIMEOUT = '10m';
export const DEFAULT_SETTLE = `${DEFAULT_SETTLE_MS / 1000}s`;
export const DEFAULT_FAIL_FAST = `${DEFAULT_FAIL_FAST_AFTER_MS / 1000}s`;

export function imageProblem(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter an image reference, e.g. registry.example.com/team/game:1.2.3.';
  const p = parseImage(v);
  return typeof p === 'string' ? capitalise(p) : undefined;
}

/** The images that change (only those are sent), or a sentence when none does. */
export function changedImages(current: ContainerImage[], typed: Record<string, string>): ContainerImage[] | string {
  const out: ContainerImage[] = [];
  for (const c of current) {
    const v = (typed[c.container] ?? c.image).trim();
    if (imageProblem(v)) return `The image for container ${c.container} is not valid.`;
    if (!sameImage(v, c.image)) out.push({ container: c.container, image: v });
  }
  return out.length ? out : 'Change the image of at least one container: every image is the current one.';
}

function wholeNumber(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

export function addProblem(text: string): string | undefined {
  const n = wholeNumber(text);
  if (n === undefined || n < 1 || n > MAX_ADD) return `New rooms must be a whole number from 1 to ${MAX_ADD}.`;
  return undefined;
}

export function readyProblem(text: string, addText: string): string | undefined {
  if (!text.trim()) return undefined;
  const n = wholeNumber(text);
  if (n === undefined || n < 1)
    return 'The ready count must be a whole number of at least 1 (or empty: all new rooms).';
  const add = wholeNumber(addText);
  if (add !== undefined && n > add)
    return `The ready count (${n}) is more than the ${add} new room${add === 1 ? '' : 's'}; at most ${add} new-version room${add === 1 ? '' : 's'} can be Ready.`;
  return undefined;
}

export function timeoutProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  if (typeof ms === 'string') return capitalise(ms) + '.';
  if (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) return 'The timeout must be from 1s to 24h.';
  return undefined;
}

/** A duration from `min` to `max` ms, parsed as the CLI parses its flags; one sentence when it is not. */
function durationProblem(text: string, what: string, max: number, off: string): string | undefined {
  const ms = parseDuration(text);
  if (typeof ms === 'string') return capitalise(ms) + '.';
  if (ms > max) return `${what} must be from 0 (${off}) to ${max >= 3600_000 ? `${max / 3600_000}h` : seconds(max)}.`;
  return undefined;
}

export const settleProblem = (text: string): string | undefined =>
  durationProblem(text, 'The settle window', MAX_SETTLE_MS, 'no wait');
export const failFastProblem = (text: string): string | undefined =>
  durationProblem(text, 'The stop-early grace period', MAX_FAIL_FAST_AFTER_MS, 'off');

/** The engine input for a complete, valid form (undefined when a field is invalid). */
export function toInput(form: Form, namespace: string, current: ContainerImage[]): FormInput | undefined {
  const images = changedImages(current, form.images);
  if (
    typeof images === 'string' ||
    addProblem(form.add) ||
    readyProblem(form.ready, form.add) ||
    timeoutProblem(form.timeout) ||
    settleProblem(form.settle) ||
    failFastProblem(form.failFast)
  )
    return undefined;
  const timeoutMs = parseDuration(form.timeout) as number;
  // Durations in whole milliseconds, as the engine records them ("1.5s" is 1500).
  const settleMs = Math.round(parseDuration(form.settle) as number);
  const failFastAfterMs = Math.round(parseDuration(form.failFast) as number);
  return {
    namespace,
    gameServerSet: form.name,
    images,
    add: Number(form.add.trim()),
    ...(form.ready.trim() ? { ready: Number(form.ready.trim()) } : {}),
    timeoutMs,
    settleMs,
    failFastAfterMs,
    reclaim: form.reclaim,
    ...(form.fixUpdateStrategy ? { fixUpdateStrategy: true } : {}),
  };
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
