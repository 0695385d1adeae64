// The JSON text of stored objects, encoded once: a write's watch events and its answer send the same bytes, and so
// does every watcher of the resource. Stored objects are never mutated (./store.ts), so an object's text is fixed.
const texts = new WeakMap<object, string>();

/** JSON.stringify(o), remembered for `o`. */
export function objectJson(o: object): string {
  let t = texts.get(o);
  if (t === undefined) {
    t = JSON.stringify(o);
    texts.set(o, t);
  }
  return t;
}

/** The text already encoded for `o`, if any (answers use it without remembering every body they send). */
export function knownJson(o: unknown): string | undefined {
  return o !== null && typeof o === 'object' ? texts.get(o) : undefined;
}
