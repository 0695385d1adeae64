// Kubernetes label selectors, parsed, printed and matched like k8s.io/apimachinery 0.32-0.34
// pkg/labels/selector.go (lexer, parser, NewRequirement, Requirement.Matches/String) and
// pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector, FormatLabelSelector).
import { aggregateMessage, fieldInvalid as invalid, labelValueErrors, qualifiedNameErrors } from './validation.js';

/** A selector the API server would refuse with 400 BadRequest; `message` is apimachinery's text. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** selection.Operator values. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted, de-duplicated (sets.String.List()). */
  values: string[];
}

/** A parsed label selector: requirements ANDed, sorted by key. No requirements = everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
}

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v > 9223372036854775807n || v < -9223372036854775808n ? undefined : v;
}

/**
 * labels.NewRequirement validation (path = nil.Child(...), as the string parser calls it).
 * Returns the aggregated error message, or undefined when valid.
 */
function requirementError(key: string, op: LabelOperator, vals: string[]): string | undefined {
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length) errs.push(invalid('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (vals.length === 0)
        errs.push(invalid('values', vals, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(invalid('values', vals, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0)
        errs.push(invalid('values', vals, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1)
        errs.push(invalid('values', vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
  }
  vals.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(invalid(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  return errs.length ? aggregateMessage(errs) : undefined;
}

// ---- lexer / parser (selector.go) ----------------------------------------------------------------

const enum Tok {
  Error,
  End,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const STRING_TO_TOKEN: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean =>
  ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  // Lexer.read returns 0 at the end; a NUL byte in the input also ends it.
  const read = (): string => (pos < s.length ? s[pos++] : '\0');
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: Tok.End, lit: '' });
      return items;
    }
    pos--;
    if (isSpecial(ch)) {
      let buf = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecial(c)) {
          pos--;
          break;
        }
        buf += c;
        const t = STRING_TO_TOKEN.get(buf);
        if (t !== undefined) last = { tok: t, lit: buf };
        else if (last) {
          pos--;
          break;
        }
      }
      items.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` });
    } else {
      const start = pos;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c) || isWhitespace(c)) {
          pos--;
          break;
        }
      }
      const lit = s.slice(start, pos).split('\0')[0];
      items.push({ tok: STRING_TO_TOKEN.get(lit) ?? Tok.Identifier, lit });
    }
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';
const TOKEN_TO_OPERATOR: ReadonlyMap<Tok, LabelOperator> = new Map([
  [Tok.In, 'in'],
  [Tok.Equals, '='],
  [Tok.DoubleEquals, '=='],
  [Tok.GreaterThan, 'gt'],
  [Tok.LessThan, 'lt'],
  [Tok.NotIn, 'notin'],
  [Tok.NotEquals, '!='],
]);

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  /** lookahead/consume; in the Values context "in"/"notin" are plain identifiers. */
  private peek(values = true): Item {
    return this.adjust(this.items[this.position], values);
  }
  private next(values = true): Item {
    return this.adjust(this.items[this.position++], values);
  }
  private adjust(it: Item, values: boolean): Item {
    return values && (it.tok === Tok.In || it.tok === Tok.NotIn) ? { tok: Tok.Identifier, lit: it.lit } : it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === Tok.Identifier || tok === Tok.DoesNotExist) {
        const r = this.parseRequirement();
        reqs.push(r);
        const t = this.next();
        if (t.tok === Tok.End) return reqs;
        if (t.tok === Tok.Comma) {
          const t2 = this.peek();
          if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) {
            throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
          }
        } else throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
      } else if (tok === Tok.End) return reqs;
      else throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): LabelRequirement {
    const fail = (msg: string): never => {
      throw new SelectorError(`unable to parse requirement: ${msg}`);
    };
    // parseKeyAndInferOperator
    let op: LabelOperator | undefined;
    let t = this.next();
    if (t.tok === Tok.DoesNotExist) {
      op = '!';
      t = this.next();
    }
    if (t.tok !== Tok.Identifier) return fail(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyErrs = qualifiedNameErrors(key);
    if (keyErrs.length) return fail(invalid('<nil>', key, keyErrs.join('; ')));
    const la = this.peek().tok;
    if ((la === Tok.End || la === Tok.Comma) && op !== '!') op = 'exists';
    if (op === 'exists' || op === '!') return this.build(key, op, []);
    // parseOperator
    const o = this.next(false);
    op = TOKEN_TO_OPERATOR.get(o.tok);
    if (op === undefined) return fail(`found '${o.lit}', expected: ${BINARY_OPERATORS}`);
    const values = op === 'in' || op === 'notin' ? this.parseValues(fail) : this.parseExactValue(fail);
    return this.build(key, op, [...values].sort());
  }

  private build(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
    const err = requirementError(key, operator, values);
    if (err !== undefined) throw new SelectorError(`unable to parse requirement: ${err}`);
    return { key, operator, values };
  }

  private parseValues(fail: (m: string) => never): Set<string> {
    const t = this.next();
    if (t.tok !== Tok.OpenPar) return fail(`found '${t.lit}' expected: '('`);
    const la = this.peek();
    if (la.tok === Tok.Identifier || la.tok === Tok.Comma) {
      const s = this.parseIdentifiersList(fail);
      if (this.next().tok !== Tok.ClosedPar) return fail(`found '${la.lit}', expected: ')'`);
      return s;
    }
    if (la.tok === Tok.ClosedPar) {
      this.next();
      return new Set(['']);
    }
    return fail(`found '${la.lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(fail: (m: string) => never): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.tok === Tok.Identifier) {
        s.add(t.lit);
        const t2 = this.peek();
        if (t2.tok === Tok.Comma) continue;
        if (t2.tok === Tok.ClosedPar) return s;
        return fail(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const t2 = this.peek();
        if (t2.tok === Tok.ClosedPar) {
          s.add('');
          return s;
        }
        if (t2.tok === Tok.Comma) {
          this.next();
          s.add('');
        }
      } else return fail(`found '${t.lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(fail: (m: string) => never): Set<string> {
    const la = this.peek();
    if (la.tok === Tok.End || la.tok === Tok.Comma) return new Set(['']);
    const t = this.next();
    if (t.tok === Tok.Identifier) return new Set([t.lit]);
    return fail(`found '${t.lit}', expected: identifier`);
  }
}

/**
 * Parses a label selector string like labels.Parse (k8s.io/apimachinery/pkg/labels/selector.go):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma = AND.
 * The empty string selects everything.
 * @throws SelectorError with apimachinery's message (kube answers 400 BadRequest with it).
 */
export function parseLabelSelector(s: string): LabelSelector {
  const reqs = new Parser(lex(s)).parse();
  // sort.Sort(ByKey) in parse(); a stable sort matches Go's insertion sort for small inputs.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requirements: reqs };
}

/** Requirement.Matches (selector.go); labels undefined = no labels. */
function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(labels[r.key]);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(labels[r.key]);
      const rv = parseInt64(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

/** internalSelector.Matches: every requirement must match. */
export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of sel.requirements) if (!requirementMatches(r, labels)) return false;
  return true;
}

/** Requirement.String (selector.go). */
function requirementToString(r: LabelRequirement): string {
  const prefix = r.operator === '!' ? '!' : '';
  if (r.operator === 'exists' || r.operator === '!') return prefix + r.key;
  const sym: Record<string, string> = {
    '=': '=',
    '==': '==',
    '!=': '!=',
    in: ' in ',
    notin: ' notin ',
    gt: '>',
    lt: '<',
  };
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  const body = r.operator === 'in' || r.operator === 'notin' ? `(${vals})` : vals;
  return r.key + sym[r.operator] + body;
}

/** internalSelector.String(): requirements joined by ",". */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.requirements.map(requirementToString).join(',');
}

/** metav1.LabelSelector as JSON. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

/**
 * metav1.FormatLabelSelector (k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go): the selector as a string,
 * "<none>" when it selects everything or is nil, "<error>" when it is invalid.
 */
export function labelSelectorToString(sel: LabelSelectorObject | null | undefined): string {
  if (sel === null || sel === undefined) return '<none>';
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (requirementError(k, '=', [v]) !== undefined) return '<error>';
    reqs.push({ key: k, operator: '=', values: [v] });
  }
  const ops: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  for (const e of sel.matchExpressions ?? []) {
    const op = ops[e.operator];
    if (op === undefined) return '<error>';
    const values = [...(e.values ?? [])];
    if (requirementError(e.key, op, values) !== undefined) return '<error>';
    reqs.push({ key: e.key, operator: op, values });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return labelSelectorString({ requirements: reqs }) || '<none>';
}
