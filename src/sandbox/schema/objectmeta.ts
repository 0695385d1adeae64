// Embedded resources (x-kubernetes-embedded-resource) checked as apiextensions-apiserver does on create and
// update: k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta/validation.go (apiVersion and kind
// present, well formed; paths in field.Path syntax).
import type { FieldCause } from '../types.js';
import { isRecord } from '../json.js';
import { goQuote, goValue } from '../gofmt.js';
import { dns1035LabelErrors } from '../validation.js';
import type { JSONSchemaProps } from './props.js';

type Obj = Record<string, unknown>;
const isObj = isRecord;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const cause = (reason: string, field: string, message: string): FieldCause => ({ reason, field, message });

function validateEmbedded(x: Obj, path: string, out: FieldCause[]): void {
  const child = (k: string): string => (path === '' ? k : `${path}.${k}`);
  if (!hasOwn(x, 'apiVersion')) out.push(cause('FieldValueRequired', child('apiVersion'), 'Required value: must not be empty'));
  if (!hasOwn(x, 'kind')) out.push(cause('FieldValueRequired', child('kind'), 'Required value: must not be empty'));
  if (hasOwn(x, 'apiVersion')) {
    const v = x.apiVersion;
    const f = child('apiVersion');
    if (typeof v !== 'string') out.push(cause('FieldValueInvalid', f, `Invalid value: ${goValue(v)}: must be a string`));
    else if (v.length === 0) out.push(cause('FieldValueInvalid', f, 'Invalid value: "": must not be empty'));
    else if (v.split('/').length > 2) {
      out.push(cause('FieldValueInvalid', f, `Invalid value: ${goQuote(v)}: unexpected GroupVersion string: ${v}`));
    }
  }
  if (hasOwn(x, 'kind')) {
    const v = x.kind;
    const f = child('kind');
    if (typeof v !== 'string') out.push(cause('FieldValueInvalid', f, `Invalid value: ${goValue(v)}: must be a string`));
    else if (v.length === 0) out.push(cause('FieldValueInvalid', f, 'Invalid value: "": must not be empty'));
    else {
      const errs = dns1035LabelErrors(v.toLowerCase());
      if (errs.length) {
        out.push(cause('FieldValueInvalid', f, `Invalid value: ${goQuote(v)}: may have mixed case, but should otherwise match: ${errs.join(',')}`));
      }
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
      else if (isObj(s.additionalProperties)) walkEmbedded(x[k], s.additionalProperties, `${path === '' ? '<nil>' : path}[${k}]`, out);
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => walkEmbedded(v, s.items, `${path === '' ? '<nil>' : path}[${i}]`, out));
  }
}
