// Validation, pruning and defaulting of custom resources against a CRD's structural openAPIV3Schema,
// as kube-apiserver 1.32-1.34 (apiextensions-apiserver + kube-openapi) does it. Sources:
//   V = k8s.io/kube-openapi/pkg/validation/validate/{schema,type,validator,values,object_validator,
//       slice_validator,schema_props,formats}.go  (validator order, checks, paths "spec.replicas")
//   M = k8s.io/kube-openapi/pkg/validation/errors/schema.go  ("%s in %s should be ..." messages)
//   A = k8s.io/apiextensions-apiserver/pkg/apiserver/validation/validation.go
//       kubeOpenAPIResultToFieldErrors (kube-openapi error → field.Error type and value)
//   F = k8s.io/apimachinery/pkg/util/validation/field/errors.go  (ErrorBody "Invalid value: -1: ...")
//   O = k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta/validation.go (embedded resources)
//   P = k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go
//   N = k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/{prunenulls,algorithm}.go
//   I = k8s.io/apimachinery/pkg/api/errors/errors.go NewInvalid (the Status message)

import type { FieldCause } from './types.js';
import { isRecord } from './json.js';
import { aggregateMessage, goQuote, regexError } from './selectors.js';

/** The subset of apiextensions/v1 JSONSchemaProps a structural schema uses. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  anyOf?: JSONSchemaProps[];
  allOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [extension: string]: unknown;
}

type Obj = Record<string, unknown>;
const isObj = isRecord;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

// ---- Go value formatting ---------------------------------------------------------------------------

const INT64_LIMIT = 2 ** 63;

/** Would Go's unstructured JSON decoder hold this number as int64 (vs float64)? */
const isGoInt = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < INT64_LIMIT;

/** fmt %v of a float64: strconv 'g' with shortest precision, exponent form when exp < -4 || exp >= 6. */
function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant, expStr] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${mant}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return String(n);
}

/** %v of a JSON number as kube holds it (int64 when integral, else float64). */
const goNumber = (n: number): string => (isGoInt(n) ? BigInt(n).toString() : goFloat(n));

/** encoding/json Marshal (sorted keys, HTML escaping) — used for composite values (apimachinery 0.34). */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${goJsonString(k)}:${goJson(v[k])}`)
      .join(',')}}`;
  }
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return isGoInt(v) ? BigInt(v).toString() : JSON.stringify(v);
  return JSON.stringify(v) ?? 'null';
}
const goJsonString = (s: string): string =>
  JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/** field.Error.ErrorBody's rendering of a bad value (F). */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return goJson(v);
}

/** fmt %v of an []interface{} from a CRD enum (M: enumFail). */
function goSliceV(values: unknown[]): string {
  const one = (v: unknown): string => {
    if (v === null || v === undefined) return '<nil>';
    if (typeof v === 'number') return goFloat(v); // CRD JSON numbers decode as float64
    if (Array.isArray(v)) return `[${v.map(one).join(' ')}]`;
    if (isObj(v)) {
      return `map[${Object.keys(v)
        .sort()
        .map((k) => `${k}:${one(v[k])}`)
        .join(' ')}]`;
    }
    return String(v);
  };
  return `[${values.map(one).join(' ')}]`;
}

// ---- kube-openapi errors ---------------------------------------------------------------------------

type Code = 'type' | 'required' | 'enum' | 'tooLong' | 'maxItems' | 'tooManyProps' | 'composite' | 'other';

interface OpenAPIError {
  code: Code;
  name: string;
  message: string;
  value?: unknown;
  valid?: number;
  values?: unknown[];
}

const IN = 'body';

function invalidType(path: string, typeName: string, value: string): OpenAPIError {
  return { code: 'type', name: path, value, message: `${path} in ${IN} must be of type ${typeName}: ${goQuote(value)}` };
}

function composite(message: string): OpenAPIError {
  return { code: 'composite', name: '', message };
}

// ---- formats (apiextensions formats.go supported set; others are stripped and never checked) -------

const FORMAT_CHECKS: Record<string, (s: string) => boolean> = {
  datetime: (s) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  ipv6: (s) => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s),
  cidr: (s) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s),
  mac: (s) => /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s),
  hostname: (s) =>
    s.length <= 255 && /^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$/.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$|^\/\S*$/.test(s),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/.test(s),
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  password: () => true,
  duration: () => true,
  isbn: () => true,
  isbn10: () => true,
  isbn13: () => true,
  creditcard: () => true,
};

const regexCache = new Map<string, RegExp | Error>();
function compilePattern(p: string): RegExp | Error {
  let re = regexCache.get(p);
  if (re === undefined) {
    try {
      re = new RegExp(p, 'u');
    } catch (e) {
      re = e as Error;
    }
    regexCache.set(p, re);
  }
  return re;
}

// ---- the validator (V) -----------------------------------------------------------------------------

function schemaTypes(s: JSONSchemaProps): string[] {
  // A: ConvertJSONSchemaProps turns x-kubernetes-int-or-string into type [integer, string].
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

/** type.go schemaInfoForType: the JSON Schema type and Go format of a decoded value. */
function schemaInfo(v: unknown): [string, string] {
  if (typeof v === 'string') return ['string', ''];
  if (typeof v === 'boolean') return ['boolean', ''];
  if (typeof v === 'number') return isGoInt(v) ? ['integer', 'int64'] : ['number', 'float64'];
  if (Array.isArray(v)) return ['array', ''];
  return ['object', ''];
}

const isJsonInteger = (n: number): boolean => Number.isInteger(n) && Math.abs(n) <= 2 ** 53;

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function validateType(data: unknown, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  const types = schemaTypes(s);
  const format = s.format !== undefined && FORMAT_CHECKS[s.format.replace(/-/g, '')] ? s.format : '';
  if (types.length === 0 && format === '') return; // typeValidator.Applies
  if (data === null || data === undefined) {
    if (types.length > 0 && !types.includes('null') && !s.nullable) out.push(invalidType(path, types.join(','), 'null'));
    return;
  }
  const [schType, goFormat] = schemaInfo(data);
  const isFloatInt = schType === 'number' && isJsonInteger(data as number) && types.includes('integer');
  const isIntFloat = schType === 'integer' && types.includes('number');
  const isStringOrSlice = typeof data === 'string' || Array.isArray(data);
  if (!isStringOrSlice && format !== '' && !(types.includes(schType) || goFormat === format || isFloatInt || isIntFloat)) {
    out.push(invalidType(path, format, goFormat));
    return;
  }
  if (!(types.includes('number') || types.includes('integer')) && format !== '' && isStringOrSlice) return;
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) out.push(invalidType(path, types.join(','), schType));
}

function validateSchemaProps(data: unknown, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  if (s.anyOf?.length) {
    let firstFailure: OpenAPIError[] | undefined;
    let ok = false;
    for (const branch of s.anyOf) {
      const errs = validateValue(data, branch, path);
      if (errs.length === 0) {
        ok = true;
        break;
      }
      firstFailure ??= errs; // ties on MatchCount keep the first failing branch
    }
    if (!ok) {
      out.push(composite(`${goQuote(path)} must validate at least one schema (anyOf)`));
      if (firstFailure) out.push(...firstFailure);
    }
  }
  if (s.oneOf?.length) {
    let validated = 0;
    let firstFailure: OpenAPIError[] | undefined;
    for (const branch of s.oneOf) {
      const errs = validateValue(data, branch, path);
      if (errs.length === 0) {
        validated++;
        firstFailure = undefined;
      } else if (validated === 0) firstFailure ??= errs;
    }
    if (validated !== 1) {
      const more = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      out.push(composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${more}`));
      if (firstFailure) out.push(...firstFailure);
    }
  }
  if (s.allOf?.length) {
    let validated = 0;
    for (const branch of s.allOf) {
      const errs = validateValue(data, branch, path);
      if (errs.length === 0) validated++;
      out.push(...errs);
    }
    if (validated !== s.allOf.length) {
      out.push(composite(`${goQuote(path)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`));
    }
  }
  if (s.not && validateValue(data, s.not, path).length === 0) {
    out.push(composite(`${goQuote(path)} must not validate the schema (not)`));
  }
}

function validateString(data: string, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  const needLen = s.maxLength !== undefined || s.minLength !== undefined;
  const len = needLen ? [...data].length : 0;
  if (s.maxLength !== undefined && len > s.maxLength) {
    out.push({ code: 'tooLong', name: path, value: data, valid: s.maxLength, message: `${path} in ${IN} should be at most ${s.maxLength} chars long` });
    return;
  }
  if (s.minLength !== undefined && len < s.minLength) {
    out.push({ code: 'other', name: path, value: data, message: `${path} in ${IN} should be at least ${s.minLength} chars long` });
    return;
  }
  if (s.pattern) {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) {
      out.push({ code: 'other', name: path, value: data, message: `${path} in ${IN} should match '${s.pattern}, but pattern is invalid: ${re.message}'` });
    } else if (!re.test(data)) {
      out.push({ code: 'other', name: path, value: data, message: `${path} in ${IN} should match '${s.pattern}'` });
    }
  }
}

function validateNumber(data: number, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  const isInt = isGoInt(data);
  // Integer data is compared against int64(bound) (values.go *NativeType) and printed as an integer.
  const bound = (b: number): number => (isInt ? Math.trunc(b) : b);
  const fmtBound = (b: number): string => (isInt ? goNumber(Math.trunc(b)) : goFloat(b));
  if (s.multipleOf !== undefined) {
    const f = bound(s.multipleOf);
    if (f <= 0) {
      out.push({ code: 'other', name: path, value: isInt ? f : s.multipleOf, message: `factor MultipleOf declared for ${path} must be positive: ${fmtBound(s.multipleOf)}` });
    } else {
      const ok = isInt ? data % f === 0 : isJsonInteger(f < 1 ? (1 / f) * data : data / f);
      if (!ok) out.push({ code: 'other', name: path, value: data, message: `${path} in ${IN} should be a multiple of ${fmtBound(s.multipleOf)}` });
    }
  }
  if (s.minimum !== undefined) {
    const min = bound(s.minimum);
    if (s.exclusiveMinimum ? data <= min : data < min) {
      const rel = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      out.push({ code: 'other', name: path, value: data, message: `${path} in ${IN} should be ${rel} ${fmtBound(s.minimum)}` });
    }
  }
  if (s.maximum !== undefined) {
    const max = bound(s.maximum);
    if (s.exclusiveMaximum ? data >= max : data > max) {
      const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      out.push({ code: 'other', name: path, value: data, message: `${path} in ${IN} should be ${rel} ${fmtBound(s.maximum)}` });
    }
  }
}

function validateSlice(data: unknown[], s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  if (s.items) for (let i = 0; i < data.length; i++) validateInto(data[i], s.items, `${path}[${i}]`, out);
  if (s.minItems !== undefined && data.length < s.minItems) {
    out.push({ code: 'other', name: path, value: data.length, message: `${path} in ${IN} should have at least ${s.minItems} items` });
  }
  if (s.maxItems !== undefined && data.length > s.maxItems) {
    out.push({ code: 'maxItems', name: path, value: data.length, valid: s.maxItems, message: `${path} in ${IN} should have at most ${s.maxItems} items` });
  }
  if (s.uniqueItems) {
    const seen = new Set<string>();
    for (const v of data) {
      const k = goJson(v);
      if (seen.has(k)) {
        out.push({ code: 'other', name: path, message: `${path} in ${IN} shouldn't contain duplicates` });
        break;
      }
      seen.add(k);
    }
  }
}

function validateEnum(data: unknown, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  if (!s.enum?.length) return;
  if (data !== null && data !== undefined && s.enum.some((e) => e !== null && jsonEqual(data, e))) return;
  out.push({ code: 'enum', name: path, value: data ?? null, values: s.enum, message: `${path} in ${IN} should be one of ${goSliceV(s.enum)}` });
}

function validateObjectProps(data: Obj, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  const keys = Object.keys(data);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    out.push({ code: 'other', name: path, value: keys.length, message: `${path} in ${IN} should have at least ${s.minProperties} properties` });
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    out.push({ code: 'tooManyProps', name: path, value: keys.length, valid: s.maxProperties, message: `${path} in ${IN} should have at most ${s.maxProperties} properties` });
  }
  const props = s.properties ?? {};
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!hasOwn(props, k)) out.push({ code: 'other', name: path, value: k, message: `${path}.${k} in ${IN} is a forbidden property` });
    }
  } else if (isObj(ap)) {
    for (const k of keys) if (!hasOwn(props, k)) validateInto(data[k], ap, `${path}.${k}`, out);
  }
  for (const name of Object.keys(props)) {
    if (hasOwn(data, name)) validateInto(data[name], props[name], path === '' ? name : `${path}.${name}`, out);
  }
  for (const k of s.required ?? []) {
    if (!hasOwn(data, k)) out.push({ code: 'required', name: `${path}.${k}`, message: `${path}.${k} in ${IN} is required` });
  }
}

/** SchemaValidator.Validate: every applicable validator runs, in kube-openapi's order. */
function validateInto(data: unknown, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  if (data === null || data === undefined) {
    validateType(data, s, path, out);
    validateEnum(data, s, path, out);
    return;
  }
  validateType(data, s, path, out);
  validateSchemaProps(data, s, path, out);
  if (typeof data === 'string') {
    validateString(data, s, path, out);
    const check = s.format ? FORMAT_CHECKS[s.format.replace(/-/g, '')] : undefined;
    if (check && !check(data)) out.push(invalidType(path, s.format as string, data));
  }
  if (typeof data === 'number') validateNumber(data, s, path, out);
  if (Array.isArray(data)) validateSlice(data, s, path, out);
  validateEnum(data, s, path, out);
  if (isObj(data)) validateObjectProps(data, s, path, out);
}

function validateValue(data: unknown, s: JSONSchemaProps, path: string): OpenAPIError[] {
  const out: OpenAPIError[] = [];
  validateInto(data, s, path, out);
  return out;
}

// ---- kube-openapi error → field error (A, F) -------------------------------------------------------

type FieldErrorType = 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid' | 'FieldValueTooLong' | 'FieldValueTooMany';

function cause(reason: FieldErrorType, field: string, message: string): FieldCause {
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
      const supported = (e.values ?? []).map((v) => goQuote(typeof v === 'string' ? v : goJson(v))).join(', ');
      return cause('FieldValueNotSupported', field, `Unsupported value: ${goValue(e.value)}${supported ? `: supported values: ${supported}` : ''}`);
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

// ---- embedded resources (O) ------------------------------------------------------------------------

const DNS1035_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_RE = new RegExp(`^${DNS1035_FMT}$`);
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

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
      const lower = v.toLowerCase();
      const errs: string[] = [];
      if (Buffer.byteLength(lower) > 63) errs.push('must be no more than 63 characters');
      if (!DNS1035_RE.test(lower)) {
        errs.push(regexError(DNS1035_MSG, DNS1035_FMT, 'my-name', 'abc-123'));
      }
      if (errs.length) {
        out.push(cause('FieldValueInvalid', f, `Invalid value: ${goQuote(v)}: may have mixed case, but should otherwise match: ${errs.join(',')}`));
      }
    }
  }
}

/** objectmeta.validate: walk with field.Path syntax (Child ".k", Key "[k]", Index "[i]"). */
function walkEmbedded(x: unknown, s: JSONSchemaProps | undefined, path: string, out: FieldCause[]): void {
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
  return `${head}: ${aggregateMessage(causes.map((c) => `${c.field}: ${c.message}`))}`;
}

// ---- pruning (P, N) --------------------------------------------------------------------------------

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: clone(v[k]), writable: true, enumerable: true, configurable: true });
      else out[k] = clone(v[k]);
    }
    return out;
  }
  return v;
}

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

function fieldSchema(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.properties && hasOwn(s.properties, k)) return s.properties[k];
  return isObj(s.additionalProperties) ? s.additionalProperties : undefined;
}

/** N: PruneNonNullableNullsWithoutDefaults. */
function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
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

/**
 * Prunes like the CR decoder does (customresource_handler.go: pruning.PruneWithOptions with
 * isResourceRoot, then PruneNonNullableNullsWithoutDefaults): drops fields the schema does not
 * declare except under x-kubernetes-preserve-unknown-fields, keeps apiVersion/kind/metadata at the root
 * and in embedded resources untouched, and drops `null` values of non-nullable fields without a default.
 * `unknownFields` are the dropped paths, sorted ("spec.foo", "spec.list[0].bar"): kube reports them as
 * `unknown field "spec.foo"` warnings (fieldValidation=Warn) or strict decoding errors (Strict).
 */
export function pruneObjectReportingUnknown(obj: unknown, schema: JSONSchemaProps): { object: unknown; unknownFields: string[] } {
  const copy = clone(obj);
  const root: JSONSchemaProps = { ...schema, 'x-kubernetes-embedded-resource': true };
  const pruner = new Pruner();
  pruner.prune(copy, root, '');
  pruneNulls(copy, schema);
  return { object: copy, unknownFields: pruner.unknown.sort() };
}

/** pruneObjectReportingUnknown without the report. Never mutates `obj`. */
export function pruneObject(obj: unknown, schema: JSONSchemaProps): unknown {
  return pruneObjectReportingUnknown(obj, schema).object;
}

// ---- defaulting (N) --------------------------------------------------------------------------------

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
