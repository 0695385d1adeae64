// Which marked rooms may be reclaimed by lowering replicas now: a pure decision over the GameServers and Pods as
// just read. OKG removes the first rooms of its own scale-down order, read from pod labels (API.md §6, §8.5), so
// replicas may be lowered only by the confirmed rooms at the head of that order.
import {
  LABEL_POD_DELETE_PRIORITY,
  LABEL_POD_OPS_STATE,
  ordinalOf,
  scaleDownOrder,
  type RawObject,
} from '../cluster/okg.js';

export interface ReclaimView {
  gameServers: readonly RawObject[];
  pods: readonly RawObject[];
  /** The rooms this release marked, by name, with the uid each had when chosen (a re-created room is not ours). */
  marked: ReadonlyMap<string, string | undefined>;
  /** The opsState a marked room was seen with after marking, if it changed since (e.g. 'Allocated'). */
  changedAfterMark: (name: string) => string | undefined;
}

/** A room OKG ranks ahead of some confirmed rooms, so lowering replicas by them would remove it instead. */
export interface HeldBack {
  /** Confirmed rooms not reclaimed now because `blocker` comes first. */
  rooms: string[];
  blocker: { name: string; opsState: string; changedAfterMark?: string };
}

export type ReclaimDecision =
  /** A pod label does not show its GameServer's mark yet (or shows a stale one): OKG's order is not known; wait. */
  | { lagging: true }
  | {
      lagging: false;
      /** Lower replicas by exactly these (WaitToBeDeleted in spec and label, not terminating, at the head of OKG's order). */
      rooms: string[];
      /** Our marked rooms that are not reclaimable, each as "name (opsState…)". */
      notMarked: string[];
      held?: HeldBack;
    };

const ranked = (v: string | undefined): boolean => v === 'WaitToBeDeleted' || v === 'Kill';

/** The rooms that may be reclaimed now by lowering replicas (see ReclaimDecision). */
export function reclaimableNow(v: ReclaimView): ReclaimDecision {
  const pods = new Map(v.pods.map(p => [p.metadata.name, p]));
  const confirmed: string[] = [];
  const notMarked: string[] = [];
  let lagging = false;
  for (const gs of v.gameServers) {
    const n = gs.metadata.name;
    const pod = pods.get(n);
    const spec = String(gs.spec?.opsState ?? 'None');
    const label = pod?.metadata.labels?.[LABEL_POD_OPS_STATE];
    if (pod && !pod.metadata.deletionTimestamp && (ranked(spec) || ranked(label)) && spec !== label) lagging = true;
    if (!v.marked.has(n) || gs.metadata.uid !== v.marked.get(n)) continue;
    const changed = v.changedAfterMark(n);
    if (changed) notMarked.push(`${n} (${spec}; was ${changed} after marking)`);
    else if (spec === 'WaitToBeDeleted' && label === 'WaitToBeDeleted' && pod && !pod.metadata.deletionTimestamp)
      confirmed.push(n);
    else notMarked.push(`${n} (${spec})`);
  }
  if (lagging) return { lagging: true };
  // A room ranked ahead that is not confirmed (e.g. one Allocated after marking that shows WaitToBeDeleted again:
  // OKG 1.0 can write a stale opsState back) would otherwise be removed in place of an idle one.
  const order = scaleDownOrder(
    v.pods
      .filter(p => !p.metadata.deletionTimestamp)
      .map(p => ({
        name: p.metadata.name,
        opsState: p.metadata.labels?.[LABEL_POD_OPS_STATE] ?? 'None',
        deletionPriority: p.metadata.labels?.[LABEL_POD_DELETE_PRIORITY] ?? '0',
        ordinal: ordinalOf(p.metadata.name),
      })),
  );
  const ok = new Set(confirmed);
  let head = 0;
  while (head < order.length && ok.has(order[head].name)) head++;
  if (head >= confirmed.length) return { lagging: false, rooms: confirmed, notMarked };
  const reclaimed = order.slice(0, head).map(o => o.name);
  const blocker = order[head];
  const changed = v.changedAfterMark(blocker.name);
  const held: HeldBack = {
    rooms: confirmed.filter(n => !reclaimed.includes(n)),
    blocker: { name: blocker.name, opsState: blocker.opsState, ...(changed ? { changedAfterMark: changed } : {}) },
  };
  return { lagging: false, rooms: reclaimed, notMarked, held };
}
