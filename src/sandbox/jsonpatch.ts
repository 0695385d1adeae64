// RFC 6902 JSON Patch exactly as kube-apiserver 1.32-1.34 applies it.
//
// kube vendors gopkg.in/evanphx/json-patch.v4 at v4.12.0 (k8s.io/apiserver go.mod), after a strict decode of the
// patch (./jsonpatchDecode.ts). Message sources:
//   P = gopkg.in/evanphx/json-patch.v4@v4.12.0 patch.go (errors.Wrapf => "<msg>: <cause>")
//   E = gopkg.in/evanphx/json-patch.v4@v4.12.0 errors.go
// test/sandbox/golden.test.ts checks all of it against that library (test/sandbox/golden/jsonpatch.json).
// Apply failures become errors.NewGenericServerResponse(422, ...) in patch.go: note that kube's Status
// message for those is the generic "the server rejected our request due to an error in our request"
// (reason Invalid); the library message below is what the Go error carries.
import { clone, isObj, setProp, type Json, type Obj } from './json.js';
import { goQuote } from './gofmt.js';
import { decodePatch, goJsonKind } from './jsonpatchDecode.js';

/**
 * Why a JSON patch was refused: 'malformed' → 400 BadRequest, 'failed' → 422 (see patch.go applyJSPatch),
 * 'panic' → v4.12.0 panicked (the message is Go's runtime error; kube answers its generic 500 panic response).
 */
export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly kind: 'malformed' | 'failed' | 'panic',
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

type Container = Obj | Json[];

// P: ErrMissing, ErrInvalidIndex, ErrTestFailed.
const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';
const TEST_FAILED = 'test failed';
// What Go prints when v4.12.0 dereferences a nil lazyNode (the request then fails).
const NIL_DEREF = 'runtime error: invalid memory address or nil pointer dereference';
// k8s.io/apiserver/pkg/server/config.go: JSONPatchMaxCopyBytes = 3 * 1024 * 1024.
const COPY_LIMIT = 3 * 1024 * 1024;

class OpError extends Error {}
/** Where v4.12.0 dereferences a nil lazyNode and panics. */
class PanicError extends OpError {
  constructor() {
    super(NIL_DEREF);
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** strconv.Atoi as used by partialArray (accepts "+1", "-1", "01"). */
function atoi(s: string): { idx: number; text: string } | { err: string } {
  if (!/^[+-]?[0-9]+$/.test(s)) return { err: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const big = BigInt(s);
  if (big > 9223372036854775807n || big < -9223372036854775808n) {
    return { err: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  }
  return { idx: Number(big), text: big.toString() };
}

const invalidIndex = (text: string): string => `Unable to access invalid index: ${text}: ${INVALID_INDEX}`;

/** partialDoc.get / partialArray.get; undefined = absent (or JSON null, a nil *lazyNode in Go). */
function getIn(c: Container, key: string): Json | undefined {
  if (!Array.isArray(c)) return hasOwn(c, key) ? c[key] : undefined;
  const r = atoi(key);
  if ('err' in r) throw new OpError(r.err);
  let idx = r.idx;
  if (idx < 0) {
    if (idx < -c.length) throw new OpError(invalidIndex(r.text));
    idx += c.length;
  }
  if (idx >= c.length) throw new OpError(invalidIndex(r.text));
  return c[idx];
}

/** partialDoc.add / partialArray.add. */
function addIn(c: Container, key: string, val: Json): void {
  if (!Array.isArray(c)) {
    setProp(c, key, val);
    return;
  }
  if (key === '-') {
    c.push(val);
    return;
  }
  const r = atoi(key);
  if ('err' in r) throw new OpError(`value was not a proper array index: '${key}': ${r.err}`);
  const size = c.length + 1;
  let idx = r.idx;
  if (idx >= size) throw new OpError(invalidIndex(r.text));
  if (idx < 0) {
    if (idx < -size) throw new OpError(invalidIndex(r.text));
    idx += size;
  }
  c.splice(idx, 0, val);
}

/** partialDoc.remove / partialArray.remove. */
function removeIn(c: Container, key: string): void {
  if (!Array.isArray(c)) {
    if (!hasOwn(c, key)) throw new OpError(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete c[key];
    return;
  }
  const r = atoi(key);
  if ('err' in r) throw new OpError(r.err);
  let idx = r.idx;
  if (idx >= c.length) throw new OpError(invalidIndex(r.text));
  if (idx < 0) {
    if (idx < -c.length) throw new OpError(invalidIndex(r.text));
    idx += c.length;
  }
  c.splice(idx, 1);
}

/** partialDoc.set / partialArray.set, only called after a successful get. */
function setIn(c: Container, key: string, val: Json): void {
  if (!Array.isArray(c)) {
    setProp(c, key, val);
    return;
  }
  const r = atoi(key);
  if ('err' in r) throw new OpError(r.err);
  c[r.idx < 0 ? r.idx + c.length : r.idx] = val;
}

const decodeKey = (k: string): string => k.replace(/~[01]/g, m => (m === '~1' ? '/' : '~'));

/**
 * findObject: the container holding the last path segment. Note v4.12.0 ignores whatever precedes the
 * first "/" and fails (undefined) for "" or any path without "/".
 */
function findContainer(root: Container, path: string): { c: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let doc: Container = root;
  for (let i = 1; i < split.length - 1; i++) {
    let next: Json | undefined;
    try {
      next = getIn(doc, decodeKey(split[i]));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null || typeof next !== 'object') return undefined;
    doc = next;
  }
  return { c: doc, key: decodeKey(split[split.length - 1]) };
}

/** lazyNode.equal: `a` comes from the document and is not null; `b` from the patch. */
function goEqual(a: Json, b: Json): boolean {
  if (b === null) return false; // raw nil never equals a value
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === null || y === null) throw new PanicError(); // v4.12.0 calls equal on a nil element
      if (!goEqual(x, y)) return false;
    }
    return true;
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const k of keys) {
      if (!hasOwn(b, k)) return false;
      const x = a[k];
      const y = b[k];
      if ((x === null) !== (y === null)) return false;
      if (x !== null && !goEqual(x, y)) return false;
    }
    return true;
  }
  // Scalars: v4.12.0 compares compacted raw bytes; parsed values are the closest we can get.
  return typeof b !== 'object' && a === b;
}

/** Size of Go's json.Marshal output (HTML-escaped <, >, & and U+2028/9 take 6 bytes). */
function goMarshalSize(v: Json): number {
  const s = JSON.stringify(v);
  let extra = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x3c || ch === 0x3e || ch === 0x26) extra += 5;
    else if (ch === 0x2028 || ch === 0x2029) extra += 3;
  }
  return Buffer.byteLength(s, 'utf8') + extra;
}

const strField = (op: Obj, f: string): string | undefined =>
  typeof op[f] === 'string' ? (op[f] as string) : undefined;

class Applier {
  copied = 0;
  constructor(public root: Container) {}

  add(op: Obj): void {
    const path = strField(op, 'path');
    if (path === undefined) throw new OpError(`add operation failed to decode path: ${MISSING}`);
    const t = findContainer(this.root, path);
    if (!t) throw new OpError(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
    try {
      addIn(t.c, t.key, clone(op.value));
    } catch (e) {
      throw new OpError(`error in add for path: '${path}': ${(e as Error).message}`);
    }
  }

  remove(op: Obj): void {
    const path = strField(op, 'path');
    if (path === undefined) throw new OpError(`remove operation failed to decode path: ${MISSING}`);
    const t = findContainer(this.root, path);
    if (!t) throw new OpError(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
    try {
      removeIn(t.c, t.key);
    } catch (e) {
      throw new OpError(`error in remove for path: '${path}': ${(e as Error).message}`);
    }
  }

  replace(op: Obj): void {
    const path = strField(op, 'path');
    if (path === undefined) {
      throw new OpError(`replace operation failed to decode path: operation missing path field: ${MISSING}`);
    }
    if (path === '') {
      if (!hasOwn(op, 'value')) throw new PanicError();
      const v = op.value;
      // A scalar or null value is silently ignored: v4.12.0 returns errors.Wrapf(nil, ...) == nil.
      if (typeof v === 'object' && v !== null) this.root = clone(v) as Container;
      return;
    }
    const t = findContainer(this.root, path);
    if (!t) throw new OpError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
    try {
      getIn(t.c, t.key); // a missing object key is NOT an error in v4.12.0: replace then adds it
    } catch {
      throw new OpError(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
    }
    setIn(t.c, t.key, clone(op.value));
  }

  move(op: Obj): void {
    const from = strField(op, 'from');
    if (from === undefined) {
      throw new OpError(`move operation failed to decode from: operation, missing from field: ${MISSING}`);
    }
    const src = findContainer(this.root, from);
    if (!src) throw new OpError(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
    let val: Json | undefined;
    try {
      val = getIn(src.c, src.key);
      removeIn(src.c, src.key);
    } catch (e) {
      throw new OpError(`error in move for path: '${src.key}': ${(e as Error).message}`);
    }
    const path = strField(op, 'path');
    if (path === undefined) {
      throw new OpError(`move operation failed to decode path: operation missing path field: ${MISSING}`);
    }
    const dst = findContainer(this.root, path);
    if (!dst) throw new OpError(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
    try {
      addIn(dst.c, dst.key, val ?? null);
    } catch (e) {
      throw new OpError(`error in move for path: '${path}': ${(e as Error).message}`);
    }
  }

  copy(op: Obj): void {
    const from = strField(op, 'from');
    if (from === undefined) {
      throw new OpError(`copy operation failed to decode from: operation, missing from field: ${MISSING}`);
    }
    const src = findContainer(this.root, from);
    if (!src) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
    let val: Json | undefined;
    try {
      val = getIn(src.c, src.key);
    } catch (e) {
      throw new OpError(`error in copy for from: '${from}': ${(e as Error).message}`);
    }
    const path = strField(op, 'path');
    if (path === undefined) throw new OpError(`copy operation failed to decode path: ${MISSING}`);
    const dst = findContainer(this.root, path);
    if (!dst) throw new OpError(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
    // A missing source key copies a nil node (null) of size 0.
    const copy = val === undefined || val === null ? null : clone(val);
    this.copied += copy === null ? 0 : goMarshalSize(copy);
    if (this.copied > COPY_LIMIT) {
      // E: AccumulatedCopySizeError (not wrapped)
      throw new OpError(
        `Unable to complete the copy, the accumulated size increase of copy is ${this.copied}, exceeding the limit ${COPY_LIMIT}`,
      );
    }
    try {
      addIn(dst.c, dst.key, copy);
    } catch (e) {
      throw new OpError(`error while adding value during copy: ${(e as Error).message}`);
    }
  }

  test(op: Obj): void {
    const path = strField(op, 'path');
    if (path === undefined) {
      throw new OpError(`test operation failed to decode path: operation missing path field: ${MISSING}`);
    }
    const hasValue = hasOwn(op, 'value');
    const value = hasValue ? (op.value as Json) : null;
    const failed = `testing value ${path} failed: ${TEST_FAILED}`;
    if (path === '') {
      if (!hasValue) throw new PanicError();
      if (!goEqual(this.root, value)) throw new OpError(failed);
      return;
    }
    const t = findContainer(this.root, path);
    if (!t) throw new OpError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
    let val: Json | undefined;
    try {
      val = getIn(t.c, t.key);
    } catch (e) {
      throw new OpError(`error in test for path: '${path}': ${(e as Error).message}`);
    }
    if (val === undefined || val === null) {
      // An absent key equals an explicit "value": null; a missing "value" member crashes v4.12.0.
      if (!hasValue) throw new PanicError();
      if (value === null) return;
      throw new OpError(failed);
    }
    if (!hasValue || !goEqual(val, value)) throw new OpError(failed);
  }
}

/**
 * Applies an RFC 6902 JSON patch the way kube-apiserver 1.32-1.34 does (evanphx/json-patch v4.12.0
 * patch.go, decoded first as in k8s.io/apiserver/pkg/endpoints/handlers/patch.go). Returns a new
 * document; `doc` is never mutated. v4.12.0 quirks kept on purpose: `replace` of a missing object key
 * adds it, `add`/`replace` without `value` store null, `copy` from a missing key copies null, negative
 * array indices count from the end, an op without `op` fails with "Unexpected kind: unknown" (422), and
 * `add` with path "" fails.
 * @throws JsonPatchError 'malformed' (HTTP 400) or 'failed' (HTTP 422), with the Go message text.
 */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decodePatch(patch);
  if (!Array.isArray(ops)) throw new JsonPatchError(ops.malformed, 'malformed');
  const root = clone(doc);
  if (typeof root !== 'object' || root === null) {
    // ApplyIndent unmarshals a non-array document into a partialDoc.
    throw new JsonPatchError(
      `json: cannot unmarshal ${goJsonKind(root)} into Go value of type jsonpatch.partialDoc`,
      'failed',
    );
  }
  const applier = new Applier(root);
  for (const op of ops) {
    const kind = op !== null && typeof op.op === 'string' ? op.op : 'unknown';
    try {
      switch (kind) {
        case 'add':
          applier.add(op as Obj);
          break;
        case 'remove':
          applier.remove(op as Obj);
          break;
        case 'replace':
          applier.replace(op as Obj);
          break;
        case 'move':
          applier.move(op as Obj);
          break;
        case 'test':
          applier.test(op as Obj);
          break;
        case 'copy':
          applier.copy(op as Obj);
          break;
        default:
          throw new OpError(`Unexpected kind: ${kind}`); // P: ApplyIndent
      }
    } catch (e) {
      if (e instanceof PanicError) throw new JsonPatchError(e.message, 'panic');
      if (e instanceof OpError) throw new JsonPatchError(e.message, 'failed');
      throw e;
    }
  }
  return applier.root;
}
