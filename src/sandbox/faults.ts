// Fault injection for the sandbox: off by default, set per run. Faults apply to the clients under test only:
// never to the OKG controller emulator (errors, conflicts, latency, watch cuts) nor to the sandbox's own scenario
// loader (startSandbox switches them on once the world is loaded), so tests see a flaky API, not a broken cluster.
import type { SandboxUser } from './auth.js';
import type { Route, Verb } from './routes.js';
import { conflict, internalError, serviceUnavailable, tooManyRequests } from './status.js';

export interface FaultConfig {
  /** Added delay per request, ms (a [min, max] range draws uniformly). */
  latencyMs?: number | [number, number];
  /** Probability (0..1) that a request fails with one of `errorCodes`. */
  errorRate?: number;
  /** Codes to draw from: 500, 503, 429. Default all three. */
  errorCodes?: number[];
  /** Retry-After seconds for 429. Default 1. */
  retryAfterSeconds?: number;
  /** Watch streams are cut after this many seconds. */
  watchCutSeconds?: number;
  /** Watch events reach clients this many ms late (a lagging watch cache). */
  watchDelayMs?: number;
  /** Probability (0..1) that an update or patch fails with 409 Conflict. */
  conflictRate?: number;
}

const KEYS: Record<string, keyof FaultConfig> = {
  latency: 'latencyMs',
  'error-rate': 'errorRate',
  'error-codes': 'errorCodes',
  'retry-after': 'retryAfterSeconds',
  'watch-cut': 'watchCutSeconds',
  'watch-delay': 'watchDelayMs',
  'conflict-rate': 'conflictRate',
};

function rate(key: string, v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new Error(`--faults: ${key} must be a number from 0 to 1, got "${v}"`);
  return n;
}

function nonNegative(key: string, v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new Error(`--faults: ${key} must be a non-negative number, got "${v}"`);
  return n;
}

/**
 * Parses `latency=20-80,error-rate=0.1,error-codes=500+503+429,retry-after=1,watch-cut=5,watch-delay=50,conflict-rate=0.2`.
 * Throws one clear sentence on the first bad part.
 */
export function parseFaults(spec: string): FaultConfig {
  const out: FaultConfig = {};
  for (const part of spec
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    const field = KEYS[key];
    if (!field) throw new Error(`--faults: unknown fault "${key}"; use ${Object.keys(KEYS).join(', ')}`);
    switch (field) {
      case 'latencyMs': {
        const m = /^(\d+)(?:-(\d+))?$/.exec(value);
        if (!m) throw new Error(`--faults: latency must be milliseconds like 50 or 20-80, got "${value}"`);
        out.latencyMs = m[2] ? [Number(m[1]), Number(m[2])] : Number(m[1]);
        break;
      }
      case 'errorRate':
        out.errorRate = rate(key, value);
        break;
      case 'conflictRate':
        out.conflictRate = rate(key, value);
        break;
      case 'errorCodes': {
        const codes = value.split('+').map(Number);
        const bad = codes.find(c => ![429, 500, 503].includes(c));
        if (bad !== undefined)
          throw new Error(`--faults: error-codes takes 429, 500 and 503 joined by +, got "${value}"`);
        out.errorCodes = codes;
        break;
      }
      case 'retryAfterSeconds':
        out.retryAfterSeconds = nonNegative(key, value);
        break;
      case 'watchCutSeconds':
        out.watchCutSeconds = nonNegative(key, value);
        break;
      case 'watchDelayMs':
        out.watchDelayMs = nonNegative(key, value);
        break;
    }
  }
  return out;
}

export function latencyOf(f: FaultConfig, random: () => number): number {
  const l = f.latencyMs;
  if (l === undefined) return 0;
  return Array.isArray(l) ? l[0] + random() * (l[1] - l[0]) : l;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Before a request runs: waits the drawn latency, then may throw the drawn error or a 409 on an update or patch. */
export async function injectFaults(
  f: FaultConfig | undefined,
  random: () => number,
  user: SandboxUser,
  verb: Verb,
  r: Route,
): Promise<void> {
  if (!f || user === 'controller') return;
  const delay = latencyOf(f, random);
  if (delay > 0) await sleep(delay);
  if (f.errorRate && random() < f.errorRate) {
    const codes = f.errorCodes?.length ? f.errorCodes : [500, 503, 429];
    const code = codes[Math.floor(random() * codes.length)];
    if (code === 429) throw tooManyRequests(f.retryAfterSeconds ?? 1);
    if (code === 503) throw serviceUnavailable();
    throw internalError('injected fault (okg sandbox --faults)');
  }
  if (f.conflictRate && (verb === 'update' || verb === 'patch') && r.name && random() < f.conflictRate) {
    throw conflict({ group: r.res.group, resource: r.res.plural }, r.name);
  }
}
