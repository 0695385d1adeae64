// Canonical JSON (sorted keys), the short hashes OKG and kruise put into labels and annotations, and the JSON
// copy the builders use so that no built object aliases its input.
import { createHash } from 'node:crypto';

/** JSON with sorted keys, so that hashes do not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * canonicalJson(a) === canonicalJson(b), without building either string (the controllers compare status fields
 * on every reconcile): objects equal by their defined members in any order, undefined and null alike elsewhere.
 */
export function sameCanonicalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const objA = a !== null && typeof a === 'object';
  const objB = b !== null && typeof b === 'object';
  if (!objA || !objB) return !objA && !objB && JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameCanonicalJson(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(ra)) {
    if (ra[k] === undefined) continue;
    n++;
    if (!Object.prototype.hasOwnProperty.call(rb, k) || rb[k] === undefined || !sameCanonicalJson(ra[k], rb[k]))
      return false;
  }
  for (const k of Object.keys(rb)) if (rb[k] !== undefined) n--;
  return n === 0;
}

export function shortHash(value: unknown, length = 10): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/** A copy through JSON (undefined fields are dropped, as they would be on the wire). */
export const jsonCopy = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
