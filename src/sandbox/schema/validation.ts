// Validation of custom resources against their CRD's schema as kube-apiserver 1.32-1.34 reports it:
//   k8s.io/apiextensions-apiserver/pkg/apiserver/validation/validation.go kubeOpenAPIResultToFieldErrors
//     (kube-openapi error → field.Error type and value), validator in ./openapi.ts;
//   k8s.io/apimachinery/pkg/util/validation/field/errors.go (ErrorBody "Invalid value: -1: ...");
//   embedded resources in ./objectmeta.ts;
//   k8s.io/apimachinery/pkg/api/errors/errors.go NewInvalid (the Status message).
import type { FieldCause } from '../types.js';
import { goJson, goQuote, goValue } from '../gofmt.js';
import { aggregateMessage } from '../validation.js';
import type { JSONSchemaProps } from './props.js';
import { validateValue, type OpenAPIError } from './openapi.js';
import { walkEmbedded } from './objectmeta.js';

export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany';

export function cause(reason: FieldErrorType, field: string, message: string): FieldCause {
  return { reason, field, message };
}

function toFieldCause(e: OpenAPIError): FieldCause {
  if (e.code === 'composite') return cause('FieldValueInvalid', '<nil>', `Invalid value: "": ${e.message}`);
  const field = e.name.length > 0 && e.name !== '.' ? e.name.replace(/^\./, '') : '<nil>';
  const value = e.value ?? '';
  switch (e.code) {
    case 'required':
      return cause('FieldValueRequired', field, 'Required value');
    case 'enum': {
      const supported = (e.values ?? []).map(v => goQuote(typeof v === 'string' ? v : goJson(v))).join(', ');
      return cause(
        'FieldValueNotSupported',
        field,
        `Unsupported value: ${goValue(e.value)}${supported ? `: supported values: ${supported}` : ''}`,
      );
    }
    case 'tooLong':
      return cause('FieldValueTooLong', field, `Too long: may not be more than ${e.valid} bytes`);
    case 'maxItems':
    case 'tooManyProps':
      return cause('FieldValueTooMany', field, `Too many: ${goValue(e.value)}: must have at most ${e.valid} items`);
    case 'type':
      return cause('FieldValueTypeInvalid', field, `Invalid value: ${goValue(value)}: ${e.message}`);
    default:
      return cause('FieldValueInvalid', field, `Invalid value: ${goValue(value)}: ${e.message}`);
  }
}

/**
 * Validates a custom resource against its CRD's openAPIV3Schema the way apiextensions-apiserver does on
 * create/update (ValidateCustomResource + objectmeta.Validate for x-kubernetes-embedded-resource), with
 * kube-openapi's messages turned into field errors (validation.go kubeOpenAPIResultToFieldErrors), e.g.
 * `{field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: -1: spec.replicas in
 * body should be greater than or equal to 0'}`. Like kube, `format: int32/int64` is not range-checked
 * (those formats are stripped), and causes are de-duplicated by message. Call it on the pruned, defaulted
 * object. Properties are visited in schema order (kube's order is Go map order, i.e. random).
 */
export function validateObject(obj: unknown, schema: JSONSchemaProps): FieldCause[] {
  const errs = validateValue(obj, schema, '');
  const seen = new Set<string>();
  const causes: FieldCause[] = [];
  for (const e of errs) {
    if (seen.has(e.message)) continue; // Result.AddErrors skips an already reported message
    seen.add(e.message);
    causes.push(toFieldCause(e));
  }
  walkEmbedded(obj, schema, '', causes);
  return causes;
}

/**
 * The Status message of errors.NewInvalid (k8s.io/apimachinery/pkg/api/errors/errors.go):
 * `GameServerSet.game.kruise.io "minecraft" is invalid: spec.replicas: Invalid value: ...`, several
 * distinct causes joined as `[a, b]`.
 */
export function formatInvalidMessage(kind: string, group: string, name: string, causes: FieldCause[]): string {
  const gk = group ? `${kind}.${group}` : kind;
  const head = `${gk} ${goQuote(name)} is invalid`;
  if (causes.length === 0) return head;
  return `${head}: ${aggregateMessage(causes.map(c => `${c.field}: ${c.message}`))}`;
}
