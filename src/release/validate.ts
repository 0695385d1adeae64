// Input checks that need no cluster: names, images, counts, durations, modes. Each problem is one sentence.
import { clip } from '../cluster/clip.js';
import { parseImage } from '../cluster/images.js';
import { RECLAIM_MODES, type NormalizedInput, type ReleaseInput } from './types.js';

/** A release that must not start. `usage`: the input itself is wrong (CLI exit 2); otherwise the cluster refused (exit 1). */
export class ReleaseRefused extends Error {
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
  }
}

export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** The settle window before reclaim (see ReleaseInput.settleMs). */
export const DEFAULT_SETTLE_MS = 2000;
export const MAX_SETTLE_MS = 10 * 60_000;
/** How long new rooms may fail in a way that does not heal before the release stops early (0 = never). */
export const DEFAULT_FAIL_FAST_AFTER_MS = 60_000;
/** Upper bounds that catch typos (an extra zero) rather than describe any real fleet. */
export const MAX_ADD = 1000;
export const MAX_REPLICAS = 10_000;
export const MIN_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 24 * 3600_000;
/** The longest fail-fast grace period (as long as the longest timeout). */
export const MAX_FAIL_FAST_AFTER_MS = MAX_TIMEOUT_MS;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const usage = (m: string): ReleaseRefused => new ReleaseRefused(m, true);

/** Parses "90s", "10m", "1h30m", "500ms" (or a bare number of seconds) to milliseconds; a reason string when invalid. */
export function parseDuration(text: string): number | string {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    pos = re.lastIndex;
  }
  if (!t || pos !== t.length) return `"${clip(text)}" is not a duration (use e.g. 90s, 10m or 1h30m)`;
  return total;
}

/** A duration for people: "2 s", "1.5 s", "2 min". */
export function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}

function count(name: string, v: number | undefined, min: number, max: number): void {
  if (v === undefined) return;
  if (!Number.isInteger(v)) throw usage(`${name} must be a whole number, got ${v}`);
  if (v < min) throw usage(`${name} must be at least ${min}, got ${v}`);
  if (v > max) throw usage(`${name} must be at most ${max}, got ${v} (a typo?)`);
}

/**
 * Validates everything that can be checked without the cluster and applies defaults.
 * Throws ReleaseRefused (usage) with one sentence on the first problem.
 */
export function validateInput(input: ReleaseInput): NormalizedInput {
  if (!input.namespace) throw usage('the namespace is missing (-n NAMESPACE)');
  if (input.namespace.length > 63 || !DNS_LABEL.test(input.namespace)) {
    throw usage(
      `"${clip(input.namespace)}" is not a valid namespace name (lower-case letters, digits and "-", at most 63)`,
    );
  }
  if (!input.gameServerSet) throw usage('the GameServerSet is missing (--gss NAME)');
  if (input.gameServerSet.length > 253 || !DNS_SUBDOMAIN.test(input.gameServerSet)) {
    throw usage(
      `"${clip(input.gameServerSet)}" is not a valid GameServerSet name (lower-case letters, digits, "-" and ".")`,
    );
  }
  if (!input.images.length) throw usage('no new image given (--image CONTAINER=IMAGE)');
  const seen = new Set<string>();
  for (const { container, image } of input.images) {
    if (!container) throw usage(`the container name is missing in "=${clip(image)}" (use --image CONTAINER=IMAGE)`);
    if (container.length > 63 || !DNS_LABEL.test(container))
      throw usage(`"${clip(container)}" is not a valid container name`);
    if (seen.has(container)) throw usage(`container "${container}" is given more than once`);
    seen.add(container);
    const parsed = parseImage(image);
    if (typeof parsed === 'string') throw usage(`image for container "${clip(container)}": ${parsed}`);
  }
  if ((input.add === undefined) === (input.replicas === undefined)) {
    throw usage(
      input.add === undefined
        ? 'say how many new rooms: --add N or --replicas N'
        : 'give either --add or --replicas, not both',
    );
  }
  count('--add', input.add, 1, MAX_ADD);
  count('--replicas', input.replicas, 1, MAX_REPLICAS);
  count('--ready', input.ready, 1, MAX_REPLICAS);
  if (input.add !== undefined && input.ready !== undefined && input.ready > input.add) {
    throw usage(
      `--ready ${input.ready} is more than the ${input.add} new rooms; at most ${input.add} new-version rooms can be Ready`,
    );
  }
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_TIMEOUT_MS) {
    throw usage(`the timeout must be from 1s to 24h, got ${timeoutMs} ms`);
  }
  const settleMs = input.settleMs ?? DEFAULT_SETTLE_MS;
  if (!Number.isFinite(settleMs) || settleMs < 0 || settleMs > MAX_SETTLE_MS) {
    throw usage(`the settle window (--settle) must be from 0 to 10 minutes, got ${settleMs} ms`);
  }
  const failFastAfterMs = input.failFastAfterMs ?? DEFAULT_FAIL_FAST_AFTER_MS;
  if (!Number.isFinite(failFastAfterMs) || failFastAfterMs < 0 || failFastAfterMs > MAX_FAIL_FAST_AFTER_MS) {
    throw usage(`the fail-fast grace period must be from 0 (off) to 24h, got ${failFastAfterMs} ms`);
  }
  const reclaim = input.reclaim ?? 'none';
  if (!RECLAIM_MODES.includes(reclaim))
    throw usage(`reclaim mode "${clip(String(reclaim))}" is unknown; use ${RECLAIM_MODES.join(', ')}`);
  const retireOpsStates = input.retireOpsStates ?? ['None'];
  if (!retireOpsStates.length) throw usage('no opsState given for the rooms to retire');
  for (const s of retireOpsStates) {
    if (s === 'Allocated' || s === 'Maintaining')
      throw usage(`rooms with opsState ${s} are never retired by a release`);
    if (s === 'WaitToBeDeleted' || s === 'Kill')
      throw usage(`rooms with opsState ${s} are already leaving; do not select them for retirement`);
    if (!s || s.length > 63) throw usage(`"${clip(s)}" is not an opsState`);
  }
  if (
    input.takeOver !== undefined &&
    (!input.takeOver.trim() || input.takeOver.length > 300 || /[\n\r]/.test(input.takeOver))
  ) {
    throw usage(
      `--take-over needs the holder as the lock refusal names it (user@host or its holder id), got "${clip(input.takeOver)}"`,
    );
  }
  return {
    namespace: input.namespace,
    gameServerSet: input.gameServerSet,
    images: input.images.map(c => ({ container: c.container, image: c.image })),
    ...(input.add !== undefined ? { add: input.add } : {}),
    ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
    ...(input.ready !== undefined ? { ready: input.ready } : {}),
    timeoutMs,
    failFastAfterMs,
    retireOpsStates,
    reclaim,
    fixUpdateStrategy: input.fixUpdateStrategy === true,
    settleMs,
  };
}

/** Whether two normalized inputs ask for the same release (a rerun resumes only then). Timeout and settle window say how, not what. */
export function sameRelease(a: NormalizedInput, b: NormalizedInput): boolean {
  const key = (x: NormalizedInput) =>
    JSON.stringify([
      x.namespace,
      x.gameServerSet,
      [...x.images].sort((p, q) => p.container.localeCompare(q.container)),
      x.add ?? null,
      x.replicas ?? null,
      x.ready ?? null,
      [...x.retireOpsStates].sort(),
      x.reclaim,
    ]);
  return key(a) === key(b);
}
