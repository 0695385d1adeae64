// Plain JSON values and the copying the patch implementations share (never aliasing stored objects, and
// keeping a literal "__proto__" key as data rather than a prototype change).

import { isRecord } from '../cluster/util.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

/** A JSON object (not an array, not null): the one definition, src/cluster/util.ts. */
export { isRecord };

export const isObj = isRecord as (v: unknown) => v is Obj;

/** Sets `o[k]`; a "__proto__" key becomes an own data property, as it is in the JSON it came from. */
export function setProp(o: Obj, k: string, v: Json): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** A deep copy; `undefined` becomes null (as Go's JSON decoding of a missing value). */
export function clone(v: unknown): Json {
  if (Array.isArray(v)) return v.map(clone);
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v)) setProp(out, k, clone(v[k]));
    return out;
  }
  return v === undefined ? null : (v as Json);
}
