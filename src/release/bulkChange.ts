// What a bulk operation writes to each room, and how: validation of the new values against what OKG can
// carry (it copies them into Pod labels, API.md §5), the values a room showed at selection, and the
// conditional JSON Patch (test ops first) that writes only if those values are still there.
import { clip } from '../cluster/clip.js';
import type { JsonPatchOp } from '../cluster/client.js';
import { RESERVED_OPS_STATES, type RoomView } from '../cluster/okg.js';

/** New values for GameServer spec fields; fields left out are not touched. */
export interface RoomChange {
  opsState?: string;
  deletionPriority?: number | string;
  updatePriority?: number | string;
  networkDisabled?: boolean;
}

export type ChangeField = keyof RoomChange;
export const CHANGE_FIELDS: readonly ChangeField[] = [
  'opsState',
  'deletionPriority',
  'updatePriority',
  'networkDisabled',
];

/** A JSON value as found at a spec path: `present: false` when the field is absent. */
export interface SpecValue {
  present: boolean;
  value?: unknown;
}

/** Kubernetes label value: at most 63, alphanumeric at both ends, `-_.` inside (or empty). */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const INT32_MAX = 2147483647;

const POD_LABEL: Record<'deletionPriority' | 'updatePriority', string> = {
  deletionPriority: 'game.kruise.io/gs-delete-priority',
  updatePriority: 'game.kruise.io/gs-update-priority',
};

function priorityReason(field: 'deletionPriority' | 'updatePriority', v: number | string): string | undefined {
  const text = String(v).trim();
  const label = POD_LABEL[field];
  if (/^\d+%$/.test(text)) {
    return `${field} "${clip(text)}" is a percentage: OKG copies it into the pod label ${label}, where "%" is not allowed, so it would never apply (and scale-down reads non-integers as 0)`;
  }
  if (/^-\d+$/.test(text)) {
    return `${field} ${clip(text)} is negative: OKG copies it into the pod label ${label}, which must start with a letter or digit, so it would never apply; use 0 or more`;
  }
  if (typeof v === 'number' ? !Number.isInteger(v) : !/^\d+$/.test(text))
    return `${field} "${clip(text)}" is not a whole number`;
  if (Number(text) > INT32_MAX) return `${field} ${clip(text)} is larger than ${INT32_MAX}`;
  return undefined;
}

/**
 * One-line reasons why `change` cannot be written (empty when fine). opsState must be non-empty and a valid
 * label value (≤ 63 characters, letters/digits at both ends, `-_.` inside), since OKG copies it into the pod
 * label game.kruise.io/gs-opsState; a case variant of a reserved value ("kill") is refused as a typo (OKG
 * issue #151). Priorities must be whole numbers from 0 to 2^31-1, for the same label reason.
 */
export function validateChange(change: RoomChange): string[] {
  const reasons: string[] = [];
  if (!CHANGE_FIELDS.some(f => change[f] !== undefined))
    reasons.push('the change sets nothing (give an opsState, a priority or networkDisabled)');
  const ops = change.opsState;
  if (ops !== undefined) {
    if (typeof ops !== 'string' || ops === '') reasons.push('opsState is empty');
    else if (ops.length > 63)
      reasons.push(
        `opsState "${ops.slice(0, 20)}…" is ${ops.length} characters; OKG copies it into a pod label, which allows at most 63`,
      );
    else if (!LABEL_VALUE.test(ops))
      reasons.push(
        `opsState "${clip(ops)}" is not a valid label value (letters, digits, "-", "_", "." inside, letter or digit at both ends); OKG copies it into the pod label game.kruise.io/gs-opsState`,
      );
    else {
      const twin = RESERVED_OPS_STATES.find(r => r !== ops && r.toLowerCase() === ops.toLowerCase());
      if (twin)
        reasons.push(
          `opsState "${clip(ops)}" differs from OKG's "${twin}" only in case; OKG would treat it as a custom value (like None), not as ${twin}`,
        );
    }
  }
  for (const f of ['deletionPriority', 'updatePriority'] as const) {
    const v = change[f];
    if (v === undefined) continue;
    const r = typeof v === 'number' || typeof v === 'string' ? priorityReason(f, v) : `${f} is not a number`;
    if (r) reasons.push(r);
  }
  if (change.networkDisabled !== undefined && typeof change.networkDisabled !== 'boolean')
    reasons.push('networkDisabled must be true or false');
  return reasons;
}

/** The fields `change` names, in a fixed order. */
export function changedFields(change: RoomChange): ChangeField[] {
  return CHANGE_FIELDS.filter(f => change[f] !== undefined);
}

/** The value to write: priorities as integers ("5" → 5). Call after validateChange. */
export function targetValue(change: RoomChange, field: ChangeField): string | number | boolean {
  const v = change[field]!;
  return field === 'deletionPriority' || field === 'updatePriority' ? Number(String(v).trim()) : v;
}

/** A spec value in the form RoomView shows it, so raw, seen and target values compare alike. */
export function canonical(field: ChangeField, v: unknown): string {
  switch (field) {
    case 'opsState':
      return v === undefined || v === null || v === '' ? 'None' : String(v);
    case 'networkDisabled':
      return v === true ? 'true' : 'false';
    default:
      return v === undefined || v === null ? '0' : String(v);
  }
}

/** What the room showed at selection, in canonical form. */
export function seenCanonical(room: RoomView, field: ChangeField): string {
  return canonical(field, room[field]);
}

/** The value as RoomChange carries it, for `from` in results. */
export function seenForReport(room: RoomView, field: ChangeField): RoomChange[ChangeField] {
  return (room.storedSpec[field] ?? room[field]) as RoomChange[ChangeField];
}

/**
 * The conditional patch: `test` ops on every field the change names, with the values expected (in field
 * order), then a `test` on the GameServer's uid (a re-created room is another room), then one write per
 * field that differs — `replace` when present, `add` when absent (guarded by a resourceVersion test, since
 * JSON Patch cannot test for absence).
 */
export function conditionalPatch(
  expected: Map<ChangeField, SpecValue>,
  writes: Map<ChangeField, unknown>,
  guard: { uid?: string; resourceVersion?: string },
): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  let absent = false;
  for (const [f, v] of expected) {
    if (v.present) ops.push({ op: 'test', path: `/spec/${f}`, value: v.value });
    else absent = true;
  }
  if (guard.uid) ops.push({ op: 'test', path: '/metadata/uid', value: guard.uid });
  if (absent && guard.resourceVersion)
    ops.push({ op: 'test', path: '/metadata/resourceVersion', value: guard.resourceVersion });
  for (const [f, value] of writes) {
    ops.push({ op: expected.get(f)?.present === false ? 'add' : 'replace', path: `/spec/${f}`, value });
  }
  return ops;
}
