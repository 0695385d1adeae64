// Kubernetes field selectors, parsed and matched like k8s.io/apimachinery 0.32-0.34 pkg/fields/selector.go
// (terms, escaping, sorting). Which fields a resource supports is the list filter's business.
import { SelectorError } from './labels.js';

/** A term as fields.Requirement holds it: `==` is read as `=` (hasTerm), `!=` is notHasTerm. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; bare `,`/`=` are errors. */
function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      // UnescapedRune.Error prints the rune with %v, i.e. its code point number.
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.splitTerms: split on commas not preceded by a backslash escape. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/**
 * Parses a field selector like fields.ParseSelector (pkg/fields/selector.go): terms `f=v`, `f==v`, `f!=v`
 * joined by commas, values escaped with `\`. Terms come back sorted as kube sorts them.
 * @throws SelectorError with apimachinery's message (400 BadRequest).
 */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const parts = splitTerms(s).sort();
  const out: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    let found: FieldRequirement | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      for (const op of ['!=', '==', '='] as const) {
        if (part.startsWith(op, i)) {
          found = { field: part.slice(0, i), operator: op === '!=' ? '!=' : '=', value: part.slice(i + op.length) };
          break;
        }
      }
    }
    if (!found) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    found.value = unescapeFieldValue(found.value);
    out.push(found);
  }
  return out;
}

/** hasTerm/notHasTerm Matches: an absent field reads as "" (fields.Set.Get). */
export function matchFields(reqs: FieldRequirement[], getField: (field: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = getField(r.field) ?? '';
    if (r.operator === '!=' ? v === r.value : v !== r.value) return false;
  }
  return true;
}
