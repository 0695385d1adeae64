// Every write the extension makes, written down as the kubectl command that does the same thing, for the
// log channel. Only names, namespaces, the context name and the patch body appear: never a token,
// certificate, kubeconfig content or server credential.
import type { JsonPatchOp } from '../cluster/client.js';
import { changedFields, type RoomChange } from '../release/bulkChange.js';

/** Single-quotes a shell word (POSIX) when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

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
  return words.map(shellQuote).join(' ');
}

/** `opsState WaitToBeDeleted`, `deletionPriority 10`. */
export function describeChange(change: RoomChange): string {
  return changedFields(change)
    .map(f => `${f} ${String(change[f])}`)
    .join(', ');
}
