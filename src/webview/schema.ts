// Tiny schema combinators for the wizard's message contract: each schema checks an untrusted value at run time
// and carries, at compile time, the type a matching value has (`Infer`), so a message type is defined once, by
// its schema. Objects are closed: a key the schema does not name is refused. Problems name the path and the
// rule, never the value, so they can be logged without echoing content.
//
// Pure TypeScript (no node, no vscode, no DOM): bundled into the browser webview and the host alike.
import { isRecord } from '../cluster/util.js';

export interface Schema<T> {
  /** undefined when `v` matches; else "path: rule" (never the value). */
  readonly check: (v: unknown, at: string) => string | undefined;
  /** Phantom: the type a matching value has. */
  readonly _type?: T;
}

/** The type a value matching schema `S` has. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** One object type instead of an intersection (keeps optional keys optional). */
type Flat<T> = { [K in keyof T]: T[K] } & {};

/** `T` with intersections flattened at every level, so two spellings of one type compare equal. */
type Norm<T> = T extends readonly (infer E)[] ? Norm<E>[] : T extends object ? { [K in keyof T]: Norm<T[K]> } : T;

/**
 * true when A and B are the same type (every key, optional or not, with the same value type). Used to pin a
 * schema to a type declared elsewhere (the engine's), so a field added there without its schema fails tsc.
 */
export type Exact<A, B> =
  (<X>() => X extends Norm<A> ? 1 : 2) extends <X>() => X extends Norm<B> ? 1 : 2 ? true : false;

/** Compiles only when given `true` (for `Exact` checks). */
export type Assert<T extends true> = T;

/** A map with one handler per message type, each given its own variant: a type without a handler fails tsc. */
export type Handlers<M extends { type: string }, R> = { [K in M['type']]: (m: Extract<M, { type: K }>) => R };

/** Calls the handler of `m.type`. */
export function dispatch<M extends { type: string }, R>(handlers: Handlers<M, R>, m: M): R {
  return (handlers[m.type as M['type']] as (m: M) => R)(m);
}

type Shape = Record<string, Schema<unknown>>;

const schema = <T>(check: (v: unknown, at: string) => string | undefined): Schema<T> => ({ check });

/** Longest free text accepted (messages, titles). */
export const MAX_TEXT = 8192;
const MAX_ITEMS = 20_000;

export function text(max = MAX_TEXT): Schema<string> {
  return schema((v, at) =>
    typeof v !== 'string' ? `${at}: not a string` : v.length > max ? `${at}: longer than ${max} characters` : undefined,
  );
}

export function pattern(re: RegExp, max: number, what: string): Schema<string> {
  return schema((v, at) => (typeof v !== 'string' || v.length > max || !re.test(v) ? `${at}: not ${what}` : undefined));
}

export function int(min: number, max: number): Schema<number> {
  return schema((v, at) =>
    typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max
      ? `${at}: not a whole number from ${min} to ${max}`
      : undefined,
  );
}

export const bool: Schema<boolean> = schema((v, at) => (typeof v === 'boolean' ? undefined : `${at}: not a boolean`));

export function oneOf<L extends string>(values: readonly L[]): Schema<L> {
  return schema((v, at) =>
    typeof v === 'string' && (values as readonly string[]).includes(v)
      ? undefined
      : `${at}: not one of ${values.join(', ')}`,
  );
}

export function lit<L extends string | boolean>(value: L): Schema<L> {
  return schema((v, at) => (v === value ? undefined : `${at}: not ${String(value)}`));
}

export function list<T>(item: Schema<T>, max = MAX_ITEMS, min = 0): Schema<T[]> {
  return schema((v, at) => {
    if (!Array.isArray(v)) return `${at}: not a list`;
    if (v.length > max) return `${at}: more than ${max} items`;
    if (v.length < min) return `${at}: fewer than ${min} items`;
    for (let i = 0; i < v.length; i++) {
      const e = item.check(v[i], `${at}[${i}]`);
      if (e) return e;
    }
    return undefined;
  });
}

type RequiredKeys<R extends Shape> = { [K in keyof R]: Infer<R[K]> };
type OptionalKeys<O extends Shape> = { [K in keyof O]?: Infer<O[K]> };

/** A closed object: the required keys, the optional ones, and nothing else. */
// Two signatures: with one generic `O` defaulted, a caller's expected type could leak into it as an index signature.
export function obj<R extends Shape>(req: R): Schema<Flat<RequiredKeys<R>>>;
export function obj<R extends Shape, O extends Shape>(req: R, opt: O): Schema<Flat<RequiredKeys<R> & OptionalKeys<O>>>;
export function obj(req: Shape, opt?: Shape): Schema<unknown> {
  const optional: Shape = opt ?? {};
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  return schema((v, at) => {
    if (!isRecord(v)) return `${at}: not an object`;
    for (const [k, s] of Object.entries(req)) {
      if (!has(v, k)) return `${at}.${k}: missing`;
      const e = s.check(v[k], `${at}.${k}`);
      if (e) return e;
    }
    for (const [k, s] of Object.entries(optional)) {
      if (!has(v, k) || v[k] === undefined) continue;
      const e = s.check(v[k], `${at}.${k}`);
      if (e) return e;
    }
    // The key itself may be hostile: it is named only when it is a plain identifier.
    const extra = Object.keys(v).find(k => !has(req, k) && !has(optional, k));
    if (extra !== undefined)
      return /^[A-Za-z][\w-]{0,40}$/.test(extra)
        ? `${at}.${extra}: not allowed`
        : `${at}: has a key that is not allowed`;
    return undefined;
  });
}

/** A union discriminated by `type`; each variant's own `type` must be its key. */
export function tagged<M extends { [K in keyof M]: Schema<{ type: K }> }>(variants: M): Schema<Infer<M[keyof M]>> {
  return schema((v, at) => {
    if (!isRecord(v)) return `${at}: not an object`;
    const t = v.type;
    if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(variants, t))
      return `${at}.type: unknown message type`;
    return (variants[t as keyof M] as Schema<unknown>).check(v, at);
  });
}

/** How deep a problem's path goes ("message.input.add: …" → 2): the variant that matched further explains best. */
const depth = (problem: string): number => (problem.slice(0, problem.indexOf(': ')).match(/[.[]/g) ?? []).length;

/** A value matching `a` or `b`; when both fail, the problem of the one that matched further (`a`'s on a tie). */
export function either<A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> {
  return schema((v, at) => {
    const ea = a.check(v, at);
    if (!ea) return undefined;
    const eb = b.check(v, at);
    if (!eb) return undefined;
    return depth(eb) > depth(ea) ? eb : ea;
  });
}
