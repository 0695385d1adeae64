// RFC 7386 JSON merge patch as kube-apiserver 1.32-1.34 applies it for
// Content-Type application/merge-patch+json: k8s.io/apiserver/pkg/endpoints/handlers/patch.go calls
// jsonpatch.MergePatch from gopkg.in/evanphx/json-patch.v4 v4.12.0 (merge.go).
import { clone, isObj, setProp, type Json, type Obj } from './json.js';

/**
 * Deep copy that drops null members of objects at any depth, keeping null array elements
 * (merge.go pruneNulls / pruneDocNulls / pruneAryNulls).
 */
function cloneWithoutNulls(v: unknown): Json {
  if (Array.isArray(v)) return v.map(x => (x === null ? null : cloneWithoutNulls(x)));
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v)) if (v[k] !== null) setProp(out, k, cloneWithoutNulls(v[k]));
    return out;
  }
  return v === undefined ? null : (v as Json);
}

/** merge.go merge(): an object patch merges into an object; otherwise the patch value wins. */
function merge(cur: Json, patch: Json): Json {
  if (!isObj(cur)) return cloneWithoutNulls(patch);
  if (!isObj(patch)) return clone(patch); // v4.12.0 does not prune nulls here
  mergeInto(cur, patch);
  return cur;
}

/** merge.go mergeDocs(): null deletes, absent/null targets take the null-pruned patch value. */
function mergeInto(doc: Obj, patch: Obj): void {
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = Object.prototype.hasOwnProperty.call(doc, k) ? doc[k] : null;
    setProp(doc, k, cur === null ? cloneWithoutNulls(v) : merge(cur, v));
  }
}

/**
 * Applies an RFC 7386 merge patch (null deletes, objects merge recursively, arrays and scalars replace,
 * a non-object patch replaces the whole document). Mirrors evanphx/json-patch v4.12.0 merge.go, including
 * its quirk of also removing null members of objects nested inside newly inserted arrays. Never mutates
 * `doc` or `patch`.
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const target = isObj(doc) ? (clone(doc) as Obj) : {};
  mergeInto(target, patch);
  return target;
}

/**
 * The 400 BadRequest message kube-apiserver gives before applying a merge patch that is not a JSON
 * object, or undefined when the patch is acceptable. Sources: handlers/patch.go applyJSPatch
 * ("error decoding patch: %v" from sigs.k8s.io/json UnmarshalStrict into map[string]interface{}) and
 * merge.go ErrBadJSONPatch ("Invalid JSON Patch") for a `null` patch.
 */
export function mergePatchDecodeError(patch: unknown): string | undefined {
  if (isObj(patch)) return undefined;
  if (patch === null) return 'Invalid JSON Patch';
  const kind = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
  return `error decoding patch: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}
