// Defaulting of custom resources: k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go
// (Default) and prunenulls.go (PruneNonNullableNullsWithoutDefaults, which the decoder runs after pruning).
import { clone, isRecord } from '../json.js';
import type { JSONSchemaProps } from './props.js';

const isObj = isRecord;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function fieldSchema(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.properties && hasOwn(s.properties, k)) return s.properties[k];
  return isObj(s.additionalProperties) ? s.additionalProperties : undefined;
}

/** prunenulls.go PruneNonNullableNullsWithoutDefaults: drops a null where the field is neither nullable nor defaulted. */
export function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (isObj(x)) {
    for (const k of Object.keys(x)) {
      const fs = fieldSchema(s, k);
      if (x[k] === null && fs && !fs.nullable && fs.default === undefined) delete x[k];
      else pruneNulls(x[k], fs);
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s?.items);
  }
}

const isNonNullableNull = (v: unknown, s: JSONSchemaProps | undefined): boolean => v === null && !!s && !s.nullable;

function defaultInto(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isObj(x)) {
    const props = s.properties ?? {};
    for (const k of Object.keys(props)) {
      const p = props[k];
      if (p.default === undefined) continue;
      if (!hasOwn(x, k) || isNonNullableNull(x[k], p)) x[k] = clone(p.default);
    }
    for (const k of Object.keys(x)) {
      if (hasOwn(props, k)) defaultInto(x[k], props[k]);
      else if (isObj(s.additionalProperties)) {
        const ap = s.additionalProperties;
        if (isNonNullableNull(x[k], ap)) x[k] = ap.default === undefined ? null : clone(ap.default);
        defaultInto(x[k], ap);
      }
    }
  } else if (Array.isArray(x)) {
    const items = s.items;
    for (let i = 0; i < x.length; i++) {
      if (items && isNonNullableNull(x[i], items)) x[i] = items.default === undefined ? null : clone(items.default);
      defaultInto(x[i], items);
    }
  }
}

/**
 * Applies `default:` values like structural defaulting.Default
 * (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go): a property with a
 * default is set when absent or a null that is not nullable; defaults are deep-copied. Never mutates `obj`.
 */
export function applyDefaults(obj: unknown, schema: JSONSchemaProps): unknown {
  const copy = clone(obj);
  defaultInto(copy, schema);
  return copy;
}
