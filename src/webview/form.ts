// The wizard's form checks, as the operator types: each returns one sentence for the field, or undefined.
// Pure TypeScript (shared grammar from the cluster layer and the engine's duration parser); no DOM here.
import { parseImage, sameImage } from '../cluster/images.js';
import type { ContainerImage } from '../cluster/okg.js';
import type { ReclaimMode } from '../release/types.js';
import { MAX_ADD, parseDuration } from '../release/validate.js';
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
  reclaim: ReclaimMode;
  fixUpdateStrategy: boolean;
}

export const DEFAULT_TIMEOUT = '10m';
/** The timeouts the form offers (the protocol accepts no others from the webview). */
export const MIN_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 24 * 3600_000;

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

/** The engine input for a complete, valid form (undefined when a field is invalid). */
export function toInput(form: Form, namespace: string, current: ContainerImage[]): FormInput | undefined {
  const images = changedImages(current, form.images);
  if (
    typeof images === 'string' ||
    addProblem(form.add) ||
    readyProblem(form.ready, form.add) ||
    timeoutProblem(form.timeout)
  )
    return undefined;
  const timeoutMs = parseDuration(form.timeout) as number;
  return {
    namespace,
    gameServerSet: form.name,
    images,
    add: Number(form.add.trim()),
    ...(form.ready.trim() ? { ready: Number(form.ready.trim()) } : {}),
    timeoutMs,
    reclaim: form.reclaim,
    ...(form.fixUpdateStrategy ? { fixUpdateStrategy: true } : {}),
  };
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
