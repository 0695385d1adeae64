// The openAPI schema validator kube-apiserver 1.32-1.34 runs on custom resources, as kube-openapi does it:
//   k8s.io/kube-openapi/pkg/validation/validate/{schema,type,validator,values,object_validator,slice_validator,
//   schema_props,formats}.go (validator order, checks, paths "spec.replicas") and pkg/validation/errors/schema.go
//   ("%s in %s should be ..." messages). Its errors become field errors in ./validation.ts.
import { isRecord } from '../json.js';
import { goFloat, goJson, goNumber, goQuote, isGoInt, goSliceV } from '../gofmt.js';
import type { JSONSchemaProps } from './props.js';

type Obj = Record<string, unknown>;
const isObj = isRecord;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

// ---- kube-openapi errors ---------------------------------------------------------------------------

export type Code = 'type' | 'required' | 'enum' | 'tooLong' | 'maxItems' | 'tooManyProps' | 'composite' | 'other';

export interface OpenAPIError {
  code: Code;
  name: string;
  message: string;
  value?: unknown;
  valid?: number;
  values?: unknown[];
}

const IN = 'body';

function invalidType(path: string, typeName: string, value: string): OpenAPIError {
  return {
    code: 'type',
    name: path,
    value,
    message: `${path} in ${IN} must be of type ${typeName}: ${goQuote(value)}`,
  };
}

function composite(message: string): OpenAPIError {
  return { code: 'composite', name: '', message };
}

// ---- formats (apiextensions formats.go supported set; others are stripped and never checked) -------

const FORMAT_CHECKS: Record<string, (s: string) => boolean> = {
  datetime: s =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) &&
    !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: s => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: s => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: s => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: s => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: s => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  ipv4: s => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  ipv6: s => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s),
  cidr: s => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s),
  mac: s => /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s),
  hostname: s =>
    s.length <= 255 &&
    /^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$/.test(s),
  email: s => /^[^@\s]+@[^@\s]+$/.test(s),
  uri: s => /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$|^\/\S*$/.test(s),
  byte: s => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  hexcolor: s => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: s => /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/.test(s),
  bsonobjectid: s => /^[0-9a-fA-F]{24}$/.test(s),
  ssn: s => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
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

// ---- the validator -------------------------------------------------------------------------------------

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
    return ka.length === Object.keys(b).length && ka.every(k => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function validateType(data: unknown, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  const types = schemaTypes(s);
  const format = s.format !== undefined && FORMAT_CHECKS[s.format.replace(/-/g, '')] ? s.format : '';
  if (types.length === 0 && format === '') return; // typeValidator.Applies
  if (data === null || data === undefined) {
    if (types.length > 0 && !types.includes('null') && !s.nullable)
      out.push(invalidType(path, types.join(','), 'null'));
    return;
  }
  const [schType, goFormat] = schemaInfo(data);
  const isFloatInt = schType === 'number' && isJsonInteger(data as number) && types.includes('integer');
  const isIntFloat = schType === 'integer' && types.includes('number');
  const isStringOrSlice = typeof data === 'string' || Array.isArray(data);
  if (
    !isStringOrSlice &&
    format !== '' &&
    !(types.includes(schType) || goFormat === format || isFloatInt || isIntFloat)
  ) {
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
      out.push(
        composite(`${goQuote(path)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`),
      );
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
    out.push({
      code: 'tooLong',
      name: path,
      value: data,
      valid: s.maxLength,
      message: `${path} in ${IN} should be at most ${s.maxLength} chars long`,
    });
    return;
  }
  if (s.minLength !== undefined && len < s.minLength) {
    out.push({
      code: 'other',
      name: path,
      value: data,
      message: `${path} in ${IN} should be at least ${s.minLength} chars long`,
    });
    return;
  }
  if (s.pattern) {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) {
      out.push({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in ${IN} should match '${s.pattern}, but pattern is invalid: ${re.message}'`,
      });
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
      out.push({
        code: 'other',
        name: path,
        value: isInt ? f : s.multipleOf,
        message: `factor MultipleOf declared for ${path} must be positive: ${fmtBound(s.multipleOf)}`,
      });
    } else {
      const ok = isInt ? data % f === 0 : isJsonInteger(f < 1 ? (1 / f) * data : data / f);
      if (!ok)
        out.push({
          code: 'other',
          name: path,
          value: data,
          message: `${path} in ${IN} should be a multiple of ${fmtBound(s.multipleOf)}`,
        });
    }
  }
  if (s.minimum !== undefined) {
    const min = bound(s.minimum);
    if (s.exclusiveMinimum ? data <= min : data < min) {
      const rel = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      out.push({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in ${IN} should be ${rel} ${fmtBound(s.minimum)}`,
      });
    }
  }
  if (s.maximum !== undefined) {
    const max = bound(s.maximum);
    if (s.exclusiveMaximum ? data >= max : data > max) {
      const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      out.push({
        code: 'other',
        name: path,
        value: data,
        message: `${path} in ${IN} should be ${rel} ${fmtBound(s.maximum)}`,
      });
    }
  }
}

function validateSlice(data: unknown[], s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  if (s.items) for (let i = 0; i < data.length; i++) validateInto(data[i], s.items, `${path}[${i}]`, out);
  if (s.minItems !== undefined && data.length < s.minItems) {
    out.push({
      code: 'other',
      name: path,
      value: data.length,
      message: `${path} in ${IN} should have at least ${s.minItems} items`,
    });
  }
  if (s.maxItems !== undefined && data.length > s.maxItems) {
    out.push({
      code: 'maxItems',
      name: path,
      value: data.length,
      valid: s.maxItems,
      message: `${path} in ${IN} should have at most ${s.maxItems} items`,
    });
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
  if (data !== null && data !== undefined && s.enum.some(e => e !== null && jsonEqual(data, e))) return;
  out.push({
    code: 'enum',
    name: path,
    value: data ?? null,
    values: s.enum,
    message: `${path} in ${IN} should be one of ${goSliceV(s.enum)}`,
  });
}

function validateObjectProps(data: Obj, s: JSONSchemaProps, path: string, out: OpenAPIError[]): void {
  const keys = Object.keys(data);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    out.push({
      code: 'other',
      name: path,
      value: keys.length,
      message: `${path} in ${IN} should have at least ${s.minProperties} properties`,
    });
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    out.push({
      code: 'tooManyProps',
      name: path,
      value: keys.length,
      valid: s.maxProperties,
      message: `${path} in ${IN} should have at most ${s.maxProperties} properties`,
    });
  }
  const props = s.properties ?? {};
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!hasOwn(props, k))
        out.push({ code: 'other', name: path, value: k, message: `${path}.${k} in ${IN} is a forbidden property` });
    }
  } else if (isObj(ap)) {
    for (const k of keys) if (!hasOwn(props, k)) validateInto(data[k], ap, `${path}.${k}`, out);
  }
  for (const name of Object.keys(props)) {
    if (hasOwn(data, name)) validateInto(data[name], props[name], path === '' ? name : `${path}.${name}`, out);
  }
  for (const k of s.required ?? []) {
    if (!hasOwn(data, k))
      out.push({ code: 'required', name: `${path}.${k}`, message: `${path}.${k} in ${IN} is required` });
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

export function validateValue(data: unknown, s: JSONSchemaProps, path: string): OpenAPIError[] {
  const out: OpenAPIError[] = [];
  validateInto(data, s, path, out);
  return out;
}
