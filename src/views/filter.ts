// The Game Servers view's room filter, as pure functions (no `vscode`): which rooms it keeps (by opsState, state,
// version, and "changed in the last N minutes" from OKG's pod annotations), the words the view's description shows
// for it, and how a set's rooms split by version. Within one kind the choices are alternatives (Allocated or
// Maintaining); across kinds all must hold.
import type { RoomView } from '../cluster/okg.js';
import { imagesLabel } from './format.js';

export interface RoomFilter {
  opsStates?: readonly string[];
  states?: readonly string[];
  /** Version labels as the tree shows them (the image tag, or `container tag` pairs). */
  versions?: readonly string[];
  /** Changed (state or opsState) within this many minutes. */
  changedWithinMinutes?: number;
}

/** The room's version as the tree shows it: the tag of its image(s). */
export function versionOf(room: RoomView): string {
  return imagesLabel(room.images) || 'no image';
}

/** A room's state as its row shows it (terminating rooms read Deleting, a new one Starting). */
export function shownState(room: RoomView): string {
  return room.terminating && room.state !== 'Deleting' ? 'Deleting' : room.state || 'Starting';
}

/** When OKG last changed the room's state or opsState (pod annotations), in ms since the epoch, if known. */
export function lastChanged(room: RoomView): number | undefined {
  const times = [room.stateChangedAt, room.opsStateChangedAt]
    .map(t => (t ? Date.parse(t) : NaN))
    .filter(Number.isFinite);
  return times.length ? Math.max(...times) : undefined;
}

export function isActive(f: RoomFilter | undefined): f is RoomFilter {
  return !!f && !!(f.opsStates?.length || f.states?.length || f.versions?.length || (f.changedWithinMinutes ?? 0) > 0);
}

export function matches(room: RoomView, f: RoomFilter, now: number): boolean {
  if (f.opsStates?.length && !f.opsStates.includes(room.opsState)) return false;
  if (f.states?.length && !f.states.includes(shownState(room))) return false;
  if (f.versions?.length && !f.versions.includes(versionOf(room))) return false;
  if ((f.changedWithinMinutes ?? 0) > 0) {
    const t = lastChanged(room);
    if (t === undefined || now - t > f.changedWithinMinutes! * 60_000) return false;
  }
  return true;
}

/** "opsState Allocated · state Ready, NotReady · version 2.0 · changed < 15 min" for the view's description. */
export function describeFilter(f: RoomFilter): string {
  const parts: string[] = [];
  if (f.opsStates?.length) parts.push(`opsState ${f.opsStates.join(', ')}`);
  if (f.states?.length) parts.push(`state ${f.states.join(', ')}`);
  if (f.versions?.length) parts.push(`version ${f.versions.join(', ')}`);
  if ((f.changedWithinMinutes ?? 0) > 0) parts.push(`changed < ${f.changedWithinMinutes} min`);
  return parts.join(' · ');
}

/** A filter's one-line problem (bad input changes nothing), or undefined when it is usable. */
export function filterProblem(f: RoomFilter): string | undefined {
  const m = f.changedWithinMinutes;
  if (m !== undefined && (!Number.isInteger(m) || m < 1 || m > 100_000))
    return `"changed in the last N minutes" needs a whole number of minutes from 1 to 100000, not ${m}`;
  return undefined;
}

/** The set's rooms by version, the template's version first, then by label; each list keeps the rooms' order. */
export function byVersion(rooms: readonly RoomView[], template: string): [string, RoomView[]][] {
  const groups = new Map<string, RoomView[]>();
  for (const r of rooms) {
    const v = versionOf(r);
    let g = groups.get(v);
    if (!g) groups.set(v, (g = []));
    g.push(r);
  }
  return [...groups].sort((a, b) => Number(b[0] === template) - Number(a[0] === template) || a[0].localeCompare(b[0]));
}
