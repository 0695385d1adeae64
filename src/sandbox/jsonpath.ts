// The subset of kube JSONPath (k8s.io/client-go/util/jsonpath, parser.go) that CRD additionalPrinterColumns use.
// apiextensions-apiserver's tableconvertor (pkg/registry/customresource/tableconvertor) wraps each
// column's jsonPath as "{" + path + "}" and evaluates it against the object.

type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number };

const cache = new Map<string, Step[] | Error>();

// parser.go isTerminator: what ends a field name (a backslash escapes the next character).
const TERMINATORS = new Set([' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}']);
// parser.go dictKeyRex: ['key'] is read as .key — so dots inside it still separate fields, as in Go.
const DICT_KEY = /^'([^']*)'$/;
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;

function parse(path: string): Step[] {
  const fail = (why: string): never => {
    throw new Error(`invalid JSONPath ${JSON.stringify(path)}: ${why}`);
  };
  const unsupported = (what: string): never => fail(`${what} is valid kube JSONPath but not supported by the sandbox`);
  // The tableconvertor wraps the path in {…} itself: braces in it break the template (Go refuses the column).
  if (/[{}]/.test(path)) fail('braces: the column path is wrapped in {} already');
  let p = path.trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (p.startsWith('[?(', i)) unsupported('a filter');
    if (c === '.') {
      if (p[i + 1] === '.') unsupported('recursive descent (..)');
      i++;
      let name = '';
      while (i < p.length && !TERMINATORS.has(p[i])) {
        if (p[i] === '\\' && i + 1 < p.length) i++;
        name += p[i++];
      }
      // An empty name is a field "" (as in Go): "." and ".spec." find nothing.
      if (name === '*') unsupported('a wildcard (.*)');
      steps.push({ kind: 'field', name });
    } else if (c === '[') {
      const close = p.indexOf(']', i);
      if (close < 0) fail('unterminated array');
      const inner = p.slice(i + 1, close);
      const key = DICT_KEY.exec(inner);
      if (key) steps.push(...parse(`.${key[1]}`));
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (inner === '*' || inner.includes(',') || SLICE.test(inner)) unsupported(`the subscript [${inner}]`);
      else fail(`invalid array index ${inner}`);
      i = close + 1;
    } else {
      fail(`unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return steps;
}

/**
 * Evaluates `.a.b.c`, `.a[0].b`, `.a[-1]`, `.a\\.b` (an escaped dot), `.a['k']` (read as `.a.k`, like Go), optionally
 * starting with `$`, the way kube's JSONPath finds the first value; undefined when any step is missing. A negative
 * index counts from the end, like jsonpath's slice semantics.
 * @throws Error for braces and bad syntax (kube refuses such a column) and for wildcards, slices, unions, filters and
 * recursive descent (valid in kube, not supported here: docs/sandbox-fidelity.md).
 */
export function evalJsonPath(obj: unknown, path: string): unknown {
  let steps = cache.get(path);
  if (steps === undefined) {
    try {
      steps = parse(path);
    } catch (e) {
      steps = e as Error;
    }
    cache.set(path, steps);
  }
  if (steps instanceof Error) throw steps;
  let cur: unknown = obj;
  for (const step of steps) {
    if (step.kind === 'field') {
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(cur, step.name)) return undefined;
      cur = (cur as Record<string, unknown>)[step.name];
    } else {
      if (!Array.isArray(cur)) return undefined;
      const idx = step.index < 0 ? cur.length + step.index : step.index;
      if (idx < 0 || idx >= cur.length) return undefined;
      cur = cur[idx];
    }
  }
  return cur;
}
