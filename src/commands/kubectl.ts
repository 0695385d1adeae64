// Every write the extension makes, written down as the kubectl command that does the same thing, for the
// log channel: the one definition is the core's audit trail (src/release/audit.ts); here also the short
// description of a room change for messages.
import { changedFields, type RoomChange } from '../release/bulkChange.js';

export { kubectlPatch, shellQuote } from '../release/audit.js';

/** `opsState WaitToBeDeleted`, `deletionPriority 10`. */
export function describeChange(change: RoomChange): string {
  return changedFields(change)
    .map(f => `${f} ${String(change[f])}`)
    .join(', ');
}
