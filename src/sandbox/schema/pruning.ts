// Pruning of custom resources as the CR decoder does it: k8s.io/apiextensions-apiserver/pkg/apiserver/schema/
// pruning/algorithm.go (PruneWithOptions, isResourceRoot, unknown field paths), then
// defaulting/prunenulls.go (./defaulting.ts) — customresource_handler.go unstructuredSchemaCoercer.apply.
import { clone, isRecord } from '../json.js';
import type { JSONSchemaProps } from './props.js';
import { pruneNulls } from './defaulting.js';

const isObj = isRecord;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

class Pruner {
  readonly unknown: string[] = [];

  prune(x: unknown, s: JSONSchemaProps | undefined, path: string): void {
    if (s?.['x-kubernetes-preserve-unknown-fields']) {
      this.skipPrune(x, s, path);
      return;
    }
    const key = (k: string): string => (path === '' ? k : `${path}.${k}`);
    if (isObj(x)) {
      for (const k of Object.keys(x)) {
        if (s && s['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) continue;
        if (s?.properties && hasOwn(s.properties, k)) this.prune(x[k], s.properties[k], key(k));
        else if (s && s.additionalProperties !== undefined && s.additionalProperties !== false) {
          this.prune(x[k], isObj(s.additionalProperties) ? s.additionalProperties : undefined, key(k));
        } else {
          if (!(META_FIELDS.has(k) && path === '')) this.unknown.push(key(k));
          delete x[k];
        }
      }
    } else if (Array.isArray(x)) {
      x.forEach((v, i) => this.prune(v, s?.items, `${path}[${i}]`));
    }
  }

  private skipPrune(x: unknown, s: JSONSchemaProps, path: string): void {
    const key = (k: string): string => (path === '' ? k : `${path}.${k}`);
    if (isObj(x)) {
      for (const k of Object.keys(x)) {
        if (s['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) continue;
        if (s.properties && hasOwn(s.properties, k)) this.prune(x[k], s.properties[k], key(k));
        else if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
          this.prune(x[k], isObj(s.additionalProperties) ? s.additionalProperties : undefined, key(k));
        }
      }
    } else if (Array.isArray(x) && s.items) {
      const items = s.items;
      x.forEach((v, i) => this.skipPrune(v, items, `${path}[${i}]`));
    }
  }
}

/**
 * Prunes like the CR decoder does (customresource_handler.go: pruning.PruneWithOptions with
 * isResourceRoot, then PruneNonNullableNullsWithoutDefaults): drops fields the schema does not
 * declare except under x-kubernetes-preserve-unknown-fields, keeps apiVersion/kind/metadata at the root
 * and in embedded resources untouched, and drops `null` values of non-nullable fields without a default.
 * `unknownFields` are the dropped paths, sorted ("spec.foo", "spec.list[0].bar"): kube reports them as
 * `unknown field "spec.foo"` warnings (fieldValidation=Warn) or strict decoding errors (Strict).
 */
export function pruneObjectReportingUnknown(
  obj: unknown,
  schema: JSONSchemaProps,
): { object: unknown; unknownFields: string[] } {
  const copy = clone(obj);
  const root: JSONSchemaProps = { ...schema, 'x-kubernetes-embedded-resource': true };
  const pruner = new Pruner();
  pruner.prune(copy, root, '');
  pruneNulls(copy, schema);
  return { object: copy, unknownFields: pruner.unknown.sort() };
}

/** pruneObject of a value the caller owns (a fresh copy, e.g. applyDefaults' result): pruned in place, not copied. */
export function pruneOwned(obj: unknown, schema: JSONSchemaProps): unknown {
  new Pruner().prune(obj, { ...schema, 'x-kubernetes-embedded-resource': true }, '');
  pruneNulls(obj, schema);
  return obj;
}

/** pruneObjectReportingUnknown without the report. Never mutates `obj`. */
export function pruneObject(obj: unknown, schema: JSONSchemaProps): unknown {
  return pruneObjectReportingUnknown(obj, schema).object;
}
