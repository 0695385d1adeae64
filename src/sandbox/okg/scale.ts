// Scale rules of the GSS controller and of the Advanced StatefulSet (API.md §4.4, §6).
import { LABEL_DELETE_PRIORITY, LABEL_OPS_STATE, LABEL_LIFECYCLE_STATE } from './constants.js';
import { atoiOrZero, opsStateRank } from './state.js';
import type { IntOrString, Pod } from './types.js';

/** Ordinal = integer after the last `-` of the name (`GetIndexFromGsName`); -1 if none. */
export function ordinalOf(name: string): number {
  const i = name.lastIndexOf('-');
  const tail = name.slice(i + 1);
  return /^\d+$/.test(tail) ? Number(tail) : -1;
}

/** Expand `reserveGameServerIds` (ints, numeric strings and "3-6" ranges) into sorted unique ints. */
export function parseReserveIds(ids: readonly IntOrString[] | null | undefined): number[] {
  const out = new Set<number>();
  for (const id of ids ?? []) {
    if (typeof id === 'number') {
      if (Number.isInteger(id) && id >= 0) out.add(id);
      continue;
    }
    const s = id.trim();
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(s);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      for (let i = Math.min(a, b); i <= Math.max(a, b) && i - Math.min(a, b) < 100000; i++) out.add(i);
    } else if (/^\d+$/.test(s)) {
      out.add(Number(s));
    }
  }
  return [...out].sort((a, b) => a - b);
}

const isTerminating = (p: Pod): boolean => Boolean(p.metadata.deletionTimestamp);
const isPreDelete = (p: Pod): boolean => p.metadata.labels?.[LABEL_LIFECYCLE_STATE] === 'PreparingDelete';

/**
 * `DeleteSequenceGs.Less` (§6): pod label gs-opsState rank (Kill > WaitToBeDeleted > None/custom > Allocated >
 * Maintaining), then higher gs-delete-priority label (non-integer = 0), then higher ordinal. Returns a new array.
 */
export function sortForScaleDown<P extends Pod>(pods: readonly P[]): P[] {
  const key = (p: P): [number, number, number] => [
    opsStateRank(p.metadata.labels?.[LABEL_OPS_STATE]),
    atoiOrZero(p.metadata.labels?.[LABEL_DELETE_PRIORITY]),
    ordinalOf(p.metadata.name ?? ''),
  ];
  return pods
    .map(p => ({ p, k: key(p) }))
    .sort((a, b) => b.k[0] - a.k[0] || b.k[1] - a.k[1] || b.k[2] - a.k[2])
    .map(x => x.p);
}

/** Kill (§6 step 3): new spec.replicas, or undefined when the step does not apply. */
export function replicasAfterKilling(
  gssReplicas: number,
  astsReplicas: number | undefined,
  pods: readonly Pod[],
): number | undefined {
  if (astsReplicas === undefined || gssReplicas !== astsReplicas || pods.length !== gssReplicas) return undefined;
  if (pods.some(isTerminating)) return undefined;
  const kills = pods.filter(p => p.metadata.labels?.[LABEL_OPS_STATE] === 'Kill').length;
  return kills > 0 ? Math.max(0, gssReplicas - kills) : undefined;
}

export interface ScalePlan {
  /** ordinals of pods to remove (in deletion order) */
  toDelete: number[];
  /** ordinals of pods to add (in creation order) */
  toAdd: number[];
  /** the ordinal set the workload must end up with */
  desired: number[];
}

/**
 * `computeToScaleGs` (§6): candidates exclude terminating and PreDelete pods; pods on reserved ordinals are removed
 * first; then the surplus is removed in `sortForScaleDown` order, or the lowest free ordinals are added
 * (skipping existing, reserved and PreDelete/terminating ordinals).
 */
export function computeScale(expectedReplicas: number, reserveIds: readonly number[], pods: readonly Pod[]): ScalePlan {
  const reserved = new Set(reserveIds);
  const busy = new Set<number>();
  const candidates: Pod[] = [];
  const toDelete: number[] = [];
  for (const p of pods) {
    const ord = ordinalOf(p.metadata.name ?? '');
    if (isTerminating(p) || isPreDelete(p)) {
      busy.add(ord);
      continue;
    }
    if (reserved.has(ord)) {
      toDelete.push(ord);
      busy.add(ord);
      continue;
    }
    candidates.push(p);
  }
  const keep = new Set(candidates.map(p => ordinalOf(p.metadata.name ?? '')));
  const toAdd: number[] = [];
  if (candidates.length > expectedReplicas) {
    for (const p of sortForScaleDown(candidates).slice(0, candidates.length - expectedReplicas)) {
      const ord = ordinalOf(p.metadata.name ?? '');
      toDelete.push(ord);
      keep.delete(ord);
    }
  } else {
    toAdd.push(...ordinalsToCreate(expectedReplicas - candidates.length, keep, reserved, busy));
    for (const o of toAdd) keep.add(o);
  }
  return { toDelete, toAdd, desired: [...keep].sort((a, b) => a - b) };
}

/** The lowest `count` non-negative integers that are in none of the given sets (§6 scale-up, §13.5). */
export function ordinalsToCreate(count: number, ...exclude: ReadonlySet<number>[]): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) {
    if (!exclude.some(s => s.has(i))) out.push(i);
  }
  return out;
}

/** Advanced StatefulSet ordinal set: the first `replicas` ordinals that are not in `reserveOrdinals`. */
export function astsOrdinals(replicas: number, reserveOrdinals: readonly IntOrString[] | null | undefined): number[] {
  return ordinalsToCreate(replicas, new Set(parseReserveIds(reserveOrdinals)));
}
