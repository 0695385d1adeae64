// The audit trail: every write a release, a rollback or a room change makes, as the exact kubectl command that
// does the same thing (`kubectl patch … --context C --type=json -p '[…]'`, the `test` ops included), so an
// operator can read, replay or paste it. `auditWrites` wraps a client and reports each patch the server
// accepted; the extension logs the lines in its Output channel, `okg release -v` / `okg rollback -v` print them.
// Only names, the namespace, the context name and the patch body appear, passed through redact() besides.
import type { JsonPatchOp, OkgClient } from '../cluster/client.js';
import { redact } from '../cluster/redact.js';

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

/** The kubectl command for a JSON Patch, one shell line. */
export function kubectlPatch(
  kind: 'gs' | 'gss',
  name: string,
  namespace: string,
  ops: readonly JsonPatchOp[],
  context?: string,
): string {
  const words = ['kubectl', 'patch', kind, name, '-n', namespace];
  if (context) words.push('--context', context);
  words.push('--type=json', '-p', JSON.stringify(ops));
  return redact(words.map(shellQuote).join(' '));
}

export const auditLine = (w: AuditedWrite): string => kubectlPatch(w.kind, w.name, w.namespace, w.ops, w.context);

/**
 * `client` with every patch the server accepted reported to `onWrite` (after it succeeded: a refused
 * conditional write changed nothing and is not in the trail). Everything else goes to `client` unchanged.
 */
export function auditWrites(client: OkgClient, onWrite: (line: string, write: AuditedWrite) => void): OkgClient {
  const context = client.kc.getCurrentContext() || undefined;
  const wrap =
    (kind: 'gs' | 'gss', patch: OkgClient['patchGameServer']): OkgClient['patchGameServer'] =>
    async (namespace, name, ops, signal) => {
      const obj = await patch.call(client, namespace, name, ops, signal);
      const w: AuditedWrite = { kind, namespace, name, ops, ...(context ? { context } : {}) };
      onWrite(auditLine(w), w);
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
