// OKG's words as typed, read-only views over the raw objects: a GameServerSet with its images and
// update strategy, a room (GameServer joined with its Pod) with state, opsState, priorities and images.
import { sameImage } from './images.js';
import { addressLines } from './describeAddress.js';

export const OKG_GROUP = 'game.kruise.io';
export const OKG_VERSION = 'v1alpha1';
export const LABEL_OWNER_GSS = 'game.kruise.io/owner-gss';
export const LABEL_POD_OPS_STATE = 'game.kruise.io/gs-opsState';
export const LABEL_POD_DELETE_PRIORITY = 'game.kruise.io/gs-delete-priority';
export const ANN_OPS_STATE_CHANGED = 'game.kruise.io/opsState-last-changed-time';
export const ANN_STATE_CHANGED = 'game.kruise.io/state-last-changed-time';

/** opsState values OKG gives meaning to (§4.4). Any other string is allowed and ranks like None. */
export const RESERVED_OPS_STATES = ['None', 'WaitToBeDeleted', 'Allocated', 'Maintaining', 'Kill'] as const;

export interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ContainerImage {
  container: string;
  image: string;
}

export interface GameServerSetView {
  uid: string;
  name: string;
  namespace: string;
  resourceVersion: string;
  generation: number;
  observedGeneration: number;
  replicas: number;
  images: ContainerImage[];
  updateStrategyType: string;
  /** A present `rollingUpdate` forces RollingUpdate whatever `type` says (§2.1). */
  rollingUpdatePresent: boolean;
  onDeleteInForce: boolean;
  reclaimPolicy: 'Cascade' | 'Delete';
  currentReplicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  maintainingReplicas: number;
  waitToBeDeletedReplicas: number;
  /** spec.network configures a network plugin: a room is ready for players only once its network is Ready (§7). */
  network: boolean;
  creationTimestamp: string;
  annotations: Record<string, string>;
}

export interface RoomView {
  uid: string;
  name: string;
  namespace: string;
  gameServerSet: string;
  ordinal: number;
  resourceVersion: string;
  /** GS status.currentState: Creating, Ready, NotReady, Crash, Deleting, ... ('' before the first sync). */
  state: string;
  opsState: string;
  deletionPriority: string;
  updatePriority: string;
  networkDisabled: boolean;
  /** GS status.networkStatus.currentNetworkState: Ready, Waiting, NotReady ('' without a network plugin). */
  networkState: string;
  /** GS status.networkStatus addresses as `ip:port/PROTOCOL`; absent when the network plugin wrote none. */
  addresses?: { external: string[]; internal: string[] };
  /**
   * The four fields a bulk change may write, exactly as stored (JSON type kept; absent fields absent): real OKG
   * creates GameServers without `networkDisabled` and may store priorities as strings, so a conditional write
   * tests what is really there instead of guessing from the display values.
   */
  storedSpec: { opsState?: unknown; deletionPriority?: unknown; updatePriority?: unknown; networkDisabled?: unknown };
  /** Desired image per container: the Pod spec (or the GS override when there is no pod yet). */
  images: ContainerImage[];
  /** What the runtime reports running (GS status.podStatus.containerStatuses). */
  runningImages: ContainerImage[];
  /** The pod label OKG's scale-down reads (§6); undefined while the pod does not exist. */
  podOpsState?: string;
  podDeletionPriority?: string;
  terminating: boolean;
  node?: string;
  creationTimestamp: string;
  opsStateChangedAt?: string;
  /** When OKG last saw the room's state change (pod annotation `game.kruise.io/state-last-changed-time`). */
  stateChangedAt?: string;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v) || 0);
const ts = (v: unknown): string => (v instanceof Date ? v.toISOString() : str(v));

function containersOf(spec: unknown): ContainerImage[] {
  const cs = (spec as { containers?: { name?: string; image?: string }[] } | undefined)?.containers ?? [];
  return cs.filter(c => c.name).map(c => ({ container: c.name!, image: c.image ?? '' }));
}

/**
 * OKG's scale-down rank of an opsState (API.md §4.4/§6, `opsStateDeletePrority`): higher goes first.
 * Kill 100, WaitToBeDeleted 1, None and any custom value 0, Allocated -1, Maintaining -2.
 */
export function scaleDownRank(opsState: string): number {
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
      return 0;
  }
}

/** Deletion priority as OKG compares it (strconv.Atoi; anything else, e.g. "10%", counts as 0). */
export function deletionPriorityOf(value: string | number | undefined): number {
  const s = String(value ?? '').trim();
  return /^[+-]?\d+$/.test(s) ? Number(s) : 0;
}

/** Sorts rooms in the order OKG's scale-down removes them (§6): rank, then deletion priority, then highest ordinal. */
export function scaleDownOrder<T extends { opsState: string; deletionPriority: string | number; ordinal: number }>(
  rooms: readonly T[],
): T[] {
  return [...rooms].sort(
    (a, b) =>
      scaleDownRank(b.opsState) - scaleDownRank(a.opsState) ||
      deletionPriorityOf(b.deletionPriority) - deletionPriorityOf(a.deletionPriority) ||
      b.ordinal - a.ordinal,
  );
}

/** A Pod is Ready when its Ready condition is True (API.md §7: what GS currentState "Ready" derives from). */
export function isPodReady(pod: { status?: { conditions?: readonly { type?: string; status?: string }[] } }): boolean {
  return pod.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') === true;
}

export function ordinalOf(name: string): number {
  const m = /-(\d+)$/.exec(name);
  return m ? Number(m[1]) : -1;
}

export function gameServerSetView(o: RawObject): GameServerSetView {
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const template = spec.gameServerTemplate as { spec?: unknown; reclaimPolicy?: string } | undefined;
  const strategy = (spec.updateStrategy ?? {}) as { type?: string; rollingUpdate?: unknown };
  const type = strategy.type || 'RollingUpdate';
  const rollingUpdatePresent = strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null;
  return {
    uid: str(o.metadata.uid),
    name: o.metadata.name,
    namespace: str(o.metadata.namespace),
    resourceVersion: str(o.metadata.resourceVersion),
    generation: num(o.metadata.generation),
    observedGeneration: num(status.observedGeneration),
    replicas: num(spec.replicas),
    images: containersOf(template?.spec),
    updateStrategyType: type,
    rollingUpdatePresent,
    onDeleteInForce: type === 'OnDelete' && !rollingUpdatePresent,
    reclaimPolicy: template?.reclaimPolicy === 'Delete' ? 'Delete' : 'Cascade',
    currentReplicas: num(status.currentReplicas),
    readyReplicas: num(status.readyReplicas),
    updatedReplicas: num(status.updatedReplicas),
    maintainingReplicas: num(status.maintainingReplicas),
    waitToBeDeletedReplicas: num(status.waitToBeDeletedReplicas),
    network: !!str((spec.network as { networkType?: unknown } | undefined)?.networkType),
    creationTimestamp: ts(o.metadata.creationTimestamp),
    annotations: o.metadata.annotations ?? {},
  };
}

/** A room: the GameServer, joined with its Pod when there is one. */
export function roomView(gs: RawObject, pod?: RawObject): RoomView {
  const spec = gs.spec ?? {};
  const status = gs.status ?? {};
  const podStatus = status.podStatus as { containerStatuses?: { name: string; image?: string }[] } | undefined;
  const overrides = containersOf(spec);
  const podImages = pod ? containersOf(pod.spec) : [];
  const addresses = addressLines(gs);
  return {
    uid: str(gs.metadata.uid),
    name: gs.metadata.name,
    namespace: str(gs.metadata.namespace),
    gameServerSet: gs.metadata.labels?.[LABEL_OWNER_GSS] ?? '',
    ordinal: ordinalOf(gs.metadata.name),
    resourceVersion: str(gs.metadata.resourceVersion),
    state: str(status.currentState),
    opsState: str(spec.opsState) || 'None',
    deletionPriority: str(spec.deletionPriority ?? 0),
    updatePriority: str(spec.updatePriority ?? 0),
    networkDisabled: spec.networkDisabled === true,
    networkState: str((status.networkStatus as { currentNetworkState?: unknown } | undefined)?.currentNetworkState),
    ...(addresses ? { addresses } : {}),
    storedSpec: {
      opsState: spec.opsState,
      deletionPriority: spec.deletionPriority,
      updatePriority: spec.updatePriority,
      networkDisabled: spec.networkDisabled,
    },
    images: podImages.length ? podImages : overrides.filter(c => c.image),
    runningImages: (podStatus?.containerStatuses ?? []).map(c => ({ container: c.name, image: c.image ?? '' })),
    podOpsState: pod?.metadata.labels?.[LABEL_POD_OPS_STATE],
    podDeletionPriority: pod?.metadata.labels?.[LABEL_POD_DELETE_PRIORITY],
    terminating: !!(pod?.metadata.deletionTimestamp || gs.metadata.deletionTimestamp),
    node: str((pod?.spec as { nodeName?: string } | undefined)?.nodeName) || undefined,
    creationTimestamp: ts(gs.metadata.creationTimestamp),
    opsStateChangedAt: pod?.metadata.annotations?.[ANN_OPS_STATE_CHANGED],
    stateChangedAt: pod?.metadata.annotations?.[ANN_STATE_CHANGED],
  };
}

/**
 * Whether a room runs `image` in `container`: its desired (Pod spec) image matches, and the running
 * image, once reported, matches too (a room whose pod spec says new but whose runtime still runs old is not new).
 */
export function runsImage(room: RoomView, container: string, image: string): boolean {
  const desired = room.images.find(c => c.container === container);
  if (!desired || !sameImage(desired.image, image)) return false;
  const running = room.runningImages.find(c => c.container === container);
  return !running || !running.image || sameImage(running.image, image) || sameImage(running.image, desired.image);
}

/** Whether a room runs every image of the list (a room of the new version, for a release of `images`). */
export function isNewVersion(room: RoomView, images: readonly ContainerImage[]): boolean {
  return images.every(c => runsImage(room, c.container, c.image));
}
