// The decode kube-apiserver 1.32-1.34 runs on a JSON Patch before applying it: the default fieldValidation (Warn)
// makes k8s.io/apiserver/pkg/endpoints/handlers/patch.go applyJSPatch decode the body with sigs.k8s.io/json
// UnmarshalStrict into []handlers.jsonPatchOp first, and a type error there answers 400 "error decoding patch: %v"
// (sigs.k8s.io/json internal/golang/encoding/json/decode.go UnmarshalTypeError.Error()).
import { isObj, type Obj } from './json.js';

/** The JSON kind name Go's decoder prints in UnmarshalTypeError ("object", "array", ...). */
export function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'object':
      return 'object';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return typeof v;
  }
}

/** Decode like handlers/patch.go (Warn/Strict) before evanphx DecodePatch: the operations, or why it is malformed (400). */
export function decodePatch(patch: unknown): (Obj | null)[] | { malformed: string } {
  const prefix = 'error decoding patch: json: cannot unmarshal';
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    return { malformed: `${prefix} ${goJsonKind(patch)} into Go value of type []handlers.jsonPatchOp` };
  }
  let firstError: string | undefined;
  const ops: (Obj | null)[] = [];
  for (const el of patch as unknown[]) {
    if (el === null) {
      ops.push(null);
      continue;
    }
    if (!isObj(el)) {
      firstError ??= `${prefix} ${goJsonKind(el)} into Go value of type handlers.jsonPatchOp`;
      continue;
    }
    for (const f of Object.keys(el)) {
      if ((f === 'op' || f === 'path' || f === 'from') && el[f] !== null && typeof el[f] !== 'string') {
        firstError ??= `${prefix} ${goJsonKind(el[f])} into Go struct field jsonPatchOp.${f} of type string`;
      }
    }
    ops.push(el);
  }
  if (firstError !== undefined) return { malformed: firstError };
  return ops;
}
