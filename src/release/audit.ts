// The audit trail: every write a release, a rollback or a room change makes, as the exact kubectl command that
// does the same thing (`kubectl patch … --context C --type=json -p '[…]'`, the `test` ops included), so an
// operator can read, replay or paste it. `auditWrites` wraps a client and reports each patch the server
// accepted; the extension logs the lines in its Output channel, `okg release -v` / `okg rollback -v` print them.
// Only names, the namespace, the context name and the patch body appear, passed through redact() besides.
// A patch too long for one shell argument (the release record at ~1,000 rooms) is written to a file beside the
// log, and the line says `--patch-file FILE`: every line stays runnable, whatever its size.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonPatchOp, OkgClient } from '../cluster/client.js';
import { redact } from '../cluster/redact.js';

/**
 * The longest patch a line carries inline (bytes, quoted). Linux refuses a single argument over 128 KiB
 * (MAX_ARG_STRLEN), and a shell line that long is no use to read either.
 */
export const MAX_INLINE_PATCH = 32 * 1024;

/** Writes one patch (JSON text) for `kind`/`name` to a file and returns its path. */
export type PatchFileWriter = (kind: 'gs' | 'gss', name: string, json: string) => string;

/** Writes long patches into `dir` (made when first needed; default: a fresh temporary folder), one file each. */
export function patchFiles(dir?: string): PatchFileWriter {
  let n = 0;
  let made: string | undefined;
  return (kind, name, json) => {
    if (!made) {
      if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
      made = dir ?? mkdtempSync(join(tmpdir(), 'okg-patches-'));
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(made, `${kind}-${name}-${stamp}-${++n}.json`);
    writeFileSync(file, json, { mode: 0o600 });
    return file;
  };
}

/** One accepted write: a JSON Patch on a GameServer (`gs`) or a GameServerSet (`gss`). */
export interface AuditedWrite {
  kind: 'gs' | 'gss';
  namespace: string;
  name: string;
  ops: readonly JsonPatchOp[];
  /** The kubeconfig context the client talks to. */
  context?: string;
}

/** Single-quotes a shell word (POSIX) when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The kubectl command for a JSON Patch, one shell line. A patch longer than MAX_INLINE_PATCH goes to a file
 * through `files` (default: a temporary folder) and the line reads it with --patch-file; when the file cannot be
 * written, the line says so instead of carrying an argument no shell can pass.
 */
export function kubectlPatch(
  kind: 'gs' | 'gss',
  name: string,
  namespace: string,
  ops: readonly JsonPatchOp[],
  context?: string,
  files: PatchFileWriter = defaultFiles(),
): string {
  const words = ['kubectl', 'patch', kind, name, '-n', namespace];
  if (context) words.push('--context', context);
  const patch = redact(JSON.stringify(ops));
  const quoted = shellQuote(patch);
  if (Buffer.byteLength(quoted) <= MAX_INLINE_PATCH)
    return redact(`${[...words, '--type=json', '-p'].map(shellQuote).join(' ')} ${quoted}`);
  const kib = Math.ceil(Buffer.byteLength(patch) / 1024);
  try {
    words.push('--type=json', '--patch-file', files(kind, name, patch));
    return redact(words.map(shellQuote).join(' '));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return redact(
      `${[...words, '--type=json', '--patch-file', 'PATCH.json'].map(shellQuote).join(' ')}  # the ${kib} KiB patch is too long for a shell argument and could not be written to a file (${why})`,
    );
  }
}

let shared: PatchFileWriter | undefined;
/** One temporary folder per process for the lines that name no folder of their own. */
function defaultFiles(): PatchFileWriter {
  return (shared ??= patchFiles());
}

export const auditLine = (w: AuditedWrite, files?: PatchFileWriter): string =>
  kubectlPatch(w.kind, w.name, w.namespace, w.ops, w.context, files);

/**
 * `client` with every patch the server accepted reported to `onWrite` (after it succeeded: a refused
 * conditional write changed nothing and is not in the trail). Everything else goes to `client` unchanged.
 * `patchDir`: where patches too long for a line are written (beside the log); default a temporary folder.
 */
export function auditWrites(
  client: OkgClient,
  onWrite: (line: string, write: AuditedWrite) => void,
  patchDir?: string,
): OkgClient {
  const context = client.kc.getCurrentContext() || undefined;
  const files = patchDir === undefined ? undefined : patchFiles(patchDir);
  const wrap =
    (kind: 'gs' | 'gss', patch: OkgClient['patchGameServer']): OkgClient['patchGameServer'] =>
    async (namespace, name, ops, signal) => {
      const obj = await patch.call(client, namespace, name, ops, signal);
      const w: AuditedWrite = { kind, namespace, name, ops, ...(context ? { context } : {}) };
      onWrite(auditLine(w, files), w);
      return obj;
    };
  const patchGs = wrap('gs', client.patchGameServer);
  const patchGss = wrap('gss', client.patchGameServerSet);
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'patchGameServer') return patchGs;
      if (prop === 'patchGameServerSet') return patchGss;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
