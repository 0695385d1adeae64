// Go's text for values, as apimachinery and kube-openapi messages print them: strconv.Quote (fmt %q), fmt %v of
// the numbers Go's unstructured JSON decoding yields (int64, else float64) and of CRD enum slices, and
// encoding/json Marshal (sorted keys, HTML escaping) for composite values.

import { isRecord } from './json.js';

/** Go's strconv.Quote (fmt %q): used wherever apimachinery quotes a value in a message. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0xd800 && c <= 0xdfff)
      out += '\ufffd'; // lone surrogate: not valid UTF-8 in Go either
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
      out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

const INT64_LIMIT = 2 ** 63;

/** Would Go's unstructured JSON decoder hold this number as int64 (vs float64)? */
export const isGoInt = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < INT64_LIMIT;

/** fmt %v of a float64: strconv 'g' with shortest precision, exponent form when exp < -4 || exp >= 6. */
export function goFloat(n: number): string {
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
export const goNumber = (n: number): string => (isGoInt(n) ? BigInt(n).toString() : goFloat(n));

/** encoding/json Marshal (sorted keys, HTML escaping) — used for composite values (apimachinery 0.34). */
export function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .map(k => `${goJsonString(k)}:${goJson(v[k])}`)
      .join(',')}}`;
  }
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return isGoInt(v) ? BigInt(v).toString() : JSON.stringify(v);
  return JSON.stringify(v) ?? 'null';
}
const goJsonString = (s: string): string =>
  JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/** field.Error.ErrorBody's rendering of a bad value (apimachinery pkg/util/validation/field/errors.go). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return goJson(v);
}

/** fmt %v of an []interface{} from a CRD enum (kube-openapi pkg/validation/errors/schema.go EnumFail). */
export function goSliceV(values: unknown[]): string {
  const one = (v: unknown): string => {
    if (v === null || v === undefined) return '<nil>';
    if (typeof v === 'number') return goFloat(v); // CRD JSON numbers decode as float64
    if (Array.isArray(v)) return `[${v.map(one).join(' ')}]`;
    if (isRecord(v)) {
      return `map[${Object.keys(v)
        .sort()
        .map(k => `${k}:${one(v[k])}`)
        .join(' ')}]`;
    }
    return String(v);
  };
  return `[${values.map(one).join(' ')}]`;
}
