// The subset of kube JSONPath (k8s.io/client-go/util/jsonpath) that CRD additionalPrinterColumns use.
// apiextensions-apiserver's tableconvertor (pkg/registry/customresource/tableconvertor) wraps each
// column's jsonPath as "{" + path + "}" and evaluates it against the object.

type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number };

const cache = new Map<string, Step[] | Error>();

function parse(path: string): Step[] {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < p.length && p[j] !== '.' && p[j] !== '[') j++;
      if (j === i) {
        if (i === p.length) break; // a lone "." is the object itself
        throw new Error(`invalid JSONPath ${JSON.stringify(path)}: empty field name at ${i}`);
      }
      steps.push({ kind: 'field', name: p.slice(i, j) });
      i = j;
    } else if (c === '[') {
      const close = p.indexOf(']', i);
      if (close < 0) throw new Error(`invalid JSONPath ${JSON.stringify(path)}: unterminated [`);
      const inner = p.slice(i + 1, close).trim();
      const quoted = /^'(.*)'$|^"(.*)"$/.exec(inner);
      if (quoted) steps.push({ kind: 'field', name: quoted[1] ?? quoted[2] });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else throw new Error(`invalid JSONPath ${JSON.stringify(path)}: unsupported subscript [${inner}]`);
      i = close + 1;
    } else {
      throw new Error(`invalid JSONPath ${JSON.stringify(path)}: unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return steps;
}

/**
 * Evaluates `.a.b.c`, `.a[0].b`, `.a[-1]`, `.a['x.y']` (optionally wrapped in `{}` or starting with `$`)
 * the way kube's JSONPath finds a single value; undefined when any step is missing. A negative index
 * counts from the end, like jsonpath's slice semantics.
 * @throws Error for syntax outside this subset.
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
