// Why a new room is not ready for players yet, read from what the engine already watches: the pod's
// container states (waiting reason and message, restarts, last exit), its conditions, the room's state,
// opsState and network, and the pod's last Event. Which reasons do not heal by themselves (a release
// stops early on them), and a timeout's reasons grouped: "3 rooms ImagePullBackOff: …".
import { clip } from '../cluster/clip.js';
import type { RawObject, RoomView } from '../cluster/okg.js';
import { plural } from '../cluster/util.js';
import { notReadyForPlayers, type ReadinessOf } from './readiness.js';
import type { ReasonGroup } from './types.js';

/** The last Event about a pod, as the waiting reason shows it. */
export interface PodEvent {
  type: string;
  reason: string;
  message: string;
}

/** One new room's state while the release waits. */
export interface RoomWaiting {
  room: string;
  /** Ready for players (readiness.ts): counts towards the gate. */
  ready: boolean;
  /** The kubelet's or the room's reason, e.g. ImagePullBackOff, CrashLoopBackOff, ContainersNotReady, "opsState Maintaining". */
  reason: string;
  /** Its message, clipped. */
  message: string;
  /** Container restarts (sum over the pod's containers). */
  restarts: number;
  /** The pod's last Event, "Reason: message", clipped. */
  lastEvent?: string;
  /** The reason does not heal by itself (a bad image, a crash loop after a few restarts). */
  permanent: boolean;
}

/** Waiting reasons of an image that cannot be pulled: they do not heal without a new image. */
export const IMAGE_FAILURES: readonly string[] = [
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
];
/** A crash loop counts as permanent after this many restarts (the first exits may be a slow dependency). */
export const CRASH_LOOP_RESTARTS = 3;

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
  running?: unknown;
}
interface ContainerStatus {
  name?: string;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}
interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

function isPermanent(reason: string, restarts: number): boolean {
  return IMAGE_FAILURES.includes(reason) || (reason === 'CrashLoopBackOff' && restarts >= CRASH_LOOP_RESTARTS);
}

function exitText(name: string | undefined, t: NonNullable<ContainerState['terminated']>): string {
  return `container ${name ?? '?'} exited with code ${t.exitCode ?? '?'}${t.reason ? ` (${t.reason})` : ''}${t.message ? `: ${t.message}` : ''}`;
}

/** The pod's own reason: a waiting container (permanent ones first), a terminated one, or a false condition. */
function podReason(pod: RawObject | undefined): { reason: string; message: string; restarts: number } | undefined {
  const st = pod?.status as PodStatus | undefined;
  if (!st) return undefined;
  const containers = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])];
  const restarts = (st.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const waiting = containers.filter(c => c.state?.waiting?.reason);
  const w =
    waiting.find(c => isPermanent(c.state!.waiting!.reason!, restarts)) ??
    waiting.find(c => c.state!.waiting!.reason !== 'ContainerCreating') ??
    waiting[0];
  if (w) {
    const reason = w.state!.waiting!.reason!;
    const last = w.lastState?.terminated;
    const message =
      reason === 'CrashLoopBackOff' && last
        ? `${exitText(w.name, last)}; ${plural(restarts, 'restart')}`
        : (w.state!.waiting!.message ?? '');
    return { reason, message, restarts };
  }
  const t = containers.find(c => c.state?.terminated);
  if (t)
    return {
      reason: t.state!.terminated!.reason || 'Terminated',
      message: exitText(t.name, t.state!.terminated!),
      restarts,
    };
  if (st.reason) return { reason: st.reason, message: st.message ?? '', restarts };
  for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
    const c = st.conditions?.find(x => x.type === type);
    if (c && c.status !== 'True')
      return { reason: c.reason || `${type} ${c.status ?? ''}`.trim(), message: c.message ?? '', restarts };
  }
  return restarts ? { reason: '', message: '', restarts } : undefined;
}

/** Why `room` (with its pod and last Event) is or is not ready for players. */
export function roomWaiting(
  room: RoomView,
  pod: RawObject | undefined,
  gss: ReadinessOf,
  event?: PodEvent,
): RoomWaiting {
  const lastEvent = event ? clip(`${event.reason}: ${event.message}`) : undefined;
  const not = notReadyForPlayers(room, gss);
  const base = { room: room.name, ...(lastEvent ? { lastEvent } : {}) };
  const p = podReason(pod);
  if (not === undefined)
    return { ...base, ready: true, reason: 'Ready', message: '', restarts: p?.restarts ?? 0, permanent: false };
  // A pod that is up but whose room is not (opsState, network) says so; otherwise the pod's reason comes first.
  const reason = room.state === 'Ready' || !p?.reason ? not : p.reason;
  const message = reason === not ? '' : (p?.message ?? '');
  const restarts = p?.restarts ?? 0;
  return { ...base, ready: false, reason, message: clip(message), restarts, permanent: isPermanent(reason, restarts) };
}

/** The text a group shows: for an image failure the kubelet's Failed event says why (the waiting message only "Back-off pulling"). */
function detail(w: RoomWaiting, event?: PodEvent): string {
  if (IMAGE_FAILURES.includes(w.reason) && event?.reason === 'Failed' && event.message) return clip(event.message);
  return w.message;
}

/** Rooms not ready for players, grouped by reason (most rooms first); the message is the first room's. */
export function groupReasons(
  rooms: readonly RoomWaiting[],
  eventOf: (room: string) => PodEvent | undefined = () => undefined,
): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const w of rooms) {
    if (w.ready) continue;
    let g = groups.get(w.reason);
    if (!g) {
      g = { reason: w.reason, message: detail(w, eventOf(w.room)), rooms: [] };
      groups.set(w.reason, g);
    }
    g.rooms.push(w.room);
  }
  return [...groups.values()].sort((a, b) => b.rooms.length - a.rooms.length || a.reason.localeCompare(b.reason));
}

/** "3 rooms ImagePullBackOff: failed to pull image …: not found (minecraft-3, minecraft-4, minecraft-5)"; groups joined by "; ". */
export function describeGroups(groups: readonly ReasonGroup[]): string {
  return groups
    .map(g => {
      const names = g.rooms.length > 5 ? `${g.rooms.slice(0, 5).join(', ')}, …` : g.rooms.join(', ');
      return `${plural(g.rooms.length, 'room')} ${g.reason}${g.message ? `: ${g.message}` : ''} (${names})`;
    })
    .join('; ');
}
