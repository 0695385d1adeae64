// GameServer state derivation (API.md §4.3) and opsState ranks (§4.4).
import { LABEL_LIFECYCLE_STATE } from './constants.js';
import type { Pod } from './types.js';

export type GameServerState =
  'Creating' | 'Ready' | 'NotReady' | 'Updating' | 'PreUpdate' | 'PreDelete' | 'Deleting' | 'Crash' | 'Unknown' | '';

/** `status.currentState` of a GameServer from its Pod, as `SyncGsToPod` derives it (§4.3). */
export function deriveGameServerState(pod: Pod): GameServerState {
  const phase = pod.status?.phase ?? 'Pending';
  switch (phase) {
    case 'Pending':
      return 'Creating';
    case 'Failed':
      return 'Crash';
    case 'Running': {
      if (pod.metadata.deletionTimestamp) return 'Deleting';
      const lifecycle = pod.metadata.labels?.[LABEL_LIFECYCLE_STATE];
      if (lifecycle === 'Updating') return 'Updating';
      if (lifecycle === 'PreparingUpdate') return 'PreUpdate';
      if (lifecycle === 'PreparingDelete') return 'PreDelete';
      const ready = pod.status?.conditions?.find(c => c.type === 'Ready');
      if (!ready) return '';
      return ready.status === 'True' ? 'Ready' : 'NotReady';
    }
    default:
      return 'Unknown';
  }
}

/** Scale-down rank of an opsState (`opsStateDeletePrority`, §4.4/§6): higher is deleted first. */
export function opsStateRank(opsState: string | undefined): number {
  switch (opsState) {
    case 'Kill':
      return 100;
    case 'WaitToBeDeleted':
      return 1;
    case 'Allocated':
      return -1;
    case 'Maintaining':
      return -2;
    default:
      return 0; // None, empty and any custom value (§4.4)
  }
}

/** `strconv.Atoi` semantics: a label value that is not a plain integer counts as 0 (§6). */
export function atoiOrZero(value: string | undefined): number {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return 0;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : 0;
}
