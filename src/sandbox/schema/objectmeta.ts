// Embedded resources (x-kubernetes-embedded-resource) checked as apiextensions-apiserver does on create and
// update: k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta/validation.go (apiVersion and kind
// present, well formed; paths in field.Path syntax).
import type { FieldCause } from '../types.js';
import { isRecord } from '../json.js';
import { goQuote, goValue } from '../gofmt.js';
import { dns1035LabelErrors, labelValueErrors, qualifiedNameErrors } from '../validation.js';
import type { JSONSchemaProps } from './props.js';

type Obj = Record<string, unknown>;
const isObj = isRecord;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const cause = (reason: string, field: string, message: string): FieldCause => ({ reason, field, message });

function validateEmbedded(x: Obj, path: string, out: FieldCause[]): void {
  const child = (k: string): string => (path === '' ? k : `${path}.${k}`);
  if (!hasOwn(x, 'apiVersion')) out.push(cause('FieldValueRequired', child('apiVersion'), 'Required value'));
  if (!hasOwn(x, 'kind')) out.push(cause('FieldValueRequired', child('kind'), 'Required value'));
  if (hasOwn(x, 'apiVersion')) {
    const v = x.apiVersion;
    const f = child('apiVersion');
    if (typeof v !== 'string')
      out.push(cause('FieldValueInvalid', f, `Invalid value: ${goValue(v)}: must be a string`));
    else if (v.length === 0) out.push(cause('FieldValueInvalid', f, 'Invalid value: "": must not be empty'));
    else if (v.split('/').length > 2) {
      out.push(cause('FieldValueInvalid', f, `Invalid value: ${goQuote(v)}: unexpected GroupVersion string: ${v}`));
    }
  }
  if (hasOwn(x, 'kind')) {
    const v = x.kind;
    const f = child('kind');
    if (typeof v !== 'string')
      out.push(cause('FieldValueInvalid', f, `Invalid value: ${goValue(v)}: must be a string`));
    else if (v.length === 0) out.push(cause('FieldValueInvalid', f, 'Invalid value: "": must not be empty'));
    else {
      const errs = dns1035LabelErrors(v.toLowerCase());
      if (errs.length) {
        out.push(
          cause(
            'FieldValueInvalid',
            f,
            `Invalid value: ${goQuote(v)}: may have mixed case, but should otherwise match: ${errs.join(',')}`,
          ),
        );
      }
    }
  }
  if (isObj(x.metadata)) validateEmbeddedMeta(x.metadata, child('metadata'), out);
}

/**
 * The embedded metadata checks of ValidateObjectMeta (apimachinery pkg/api/validation/objectmeta.go) that matter
 * for templates: the name as a path segment, label keys and values, annotation keys (not their total size).
 */
function validateEmbeddedMeta(meta: Obj, path: string, out: FieldCause[]): void {
  const invalid = (f: string, v: string, msg: string): void => {
    out.push(cause('FieldValueInvalid', `${path}.${f}`, `Invalid value: ${goQuote(v)}: ${msg}`));
  };
  const name = meta.name;
  if (typeof name === 'string' && name !== '') {
    if (name === '.' || name === '..') invalid('name', name, `may not be '${name}'`);
    else for (const bad of ['/', '%']) if (name.includes(bad)) invalid('name', name, `may not contain '${bad}'`);
  }
  if (isObj(meta.labels)) {
    for (const [k, v] of Object.entries(meta.labels)) {
      for (const msg of qualifiedNameErrors(k)) invalid('labels', k, msg);
      if (typeof v === 'string') for (const msg of labelValueErrors(v)) invalid('labels', v, msg);
    }
  }
  if (isObj(meta.annotations)) {
    for (const k of Object.keys(meta.annotations)) {
      for (const msg of qualifiedNameErrors(k.toLowerCase())) invalid('annotations', k, msg);
    }
  }
}

/** objectmeta.validate: walk with field.Path syntax (Child ".k", Key "[k]", Index "[i]"). */
export function walkEmbedded(x: unknown, s: JSONSchemaProps | undefined, path: string, out: FieldCause[]): void {
  if (!s) return;
  if (isObj(x)) {
    if (s['x-kubernetes-embedded-resource']) validateEmbedded(x, path, out);
    const props = s.properties ?? {};
    for (const k of Object.keys(x)) {
      if (hasOwn(props, k)) walkEmbedded(x[k], props[k], path === '' ? k : `${path}.${k}`, out);
      else if (isObj(s.additionalProperties))
        walkEmbedded(x[k], s.additionalProperties, `${path === '' ? '<nil>' : path}[${k}]`, out);
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => walkEmbedded(v, s.items, `${path === '' ? '<nil>' : path}[${i}]`, out));
  }
}
