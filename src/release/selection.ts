// Which rooms an operation applies to: an AND of simple criteria over RoomViews (names, ordinals, opsState,
// state, images run / not run, network, priorities), plus one-line validation of a selector against its
// GameServerSet. Unlike GameServers-Updater (API.md §9), every image pair given counts, images are compared
// normalised, and "runs" means the pod spec AND the running container (runsImage).
import { clip } from '../cluster/clip.js';
import { parseImage, sameImage } from '../cluster/images.js';
import {
  RESERVED_OPS_STATES,
  runsImage,
  type ContainerImage,
  type GameServerSetView,
  type RoomView,
} from '../cluster/okg.js';

/** Criteria for rooms; every criterion given must hold (AND). A list criterion matches any of its values. */
export interface RoomSelector {
  /** Exact GameServer names. */
  names?: string[];
  /** Ordinals (the number after the last `-`). */
  ordinals?: number[];
  /** `spec.opsState` values (case-sensitive, as OKG compares them). */
  opsStates?: string[];
  /** `status.currentState` values (Ready, NotReady, ...). */
  states?: string[];
  /** The room runs every one of these (pod spec and running image, normalised). */
  images?: ContainerImage[];
  /** The room runs none of these. */
  notImages?: ContainerImage[];
  networkDisabled?: boolean;
  /** `spec.deletionPriority` as text ("0", "5"). */
  deletionPriority?: string;
  /** `spec.updatePriority` as text. */
  updatePriority?: string;
}

/** GameServerState values OKG derives (API.md §4.3). */
export const GAME_SERVER_STATES = [
  'Creating',
  'Ready',
  'NotReady',
  'Updating',
  'PreUpdate',
  'PreDelete',
  'Deleting',
  'Crash',
  'Unknown',
] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether one room satisfies every criterion of `sel`. */
export function matchesSelector(room: RoomView, sel: RoomSelector): boolean {
  if (sel.names && !sel.names.includes(room.name)) return false;
  if (sel.ordinals && !sel.ordinals.includes(room.ordinal)) return false;
  if (sel.opsStates && !sel.opsStates.includes(room.opsState)) return false;
  if (sel.states && !sel.states.includes(room.state)) return false;
  if (sel.images && !sel.images.every(p => runsImage(room, p.container, p.image))) return false;
  if (sel.notImages && sel.notImages.some(p => runsImage(room, p.container, p.image))) return false;
  if (sel.networkDisabled !== undefined && room.networkDisabled !== sel.networkDisabled) return false;
  if (sel.deletionPriority !== undefined && room.deletionPriority !== String(sel.deletionPriority)) return false;
  if (sel.updatePriority !== undefined && room.updatePriority !== String(sel.updatePriority)) return false;
  return true;
}

/** The rooms that satisfy every criterion of `sel`, in the given order. An empty selector selects all. */
export function selectRooms(rooms: readonly RoomView[], sel: RoomSelector): RoomView[] {
  return rooms.filter(r => matchesSelector(r, sel));
}

/**
 * Parses `CONTAINER=IMAGE` (e.g. `minecraft=registry.example.com/game:1.2`), or returns a one-line reason.
 * The container must be a DNS label; the image must be a valid reference.
 */
export function parseContainerImage(text: string): ContainerImage | string {
  const eq = text.indexOf('=');
  if (eq < 0) return `"${clip(text)}" is not CONTAINER=IMAGE (e.g. minecraft=registry.example.com/game:1.2)`;
  const container = text.slice(0, eq).trim();
  const image = text.slice(eq + 1).trim();
  if (!container) return `"${clip(text)}" names no container before "="`;
  if (!DNS_LABEL.test(container) || container.length > 63)
    return `"${clip(container)}" is not a container name (lower-case letters, digits and "-", at most 63)`;
  const parsed = parseImage(image);
  if (typeof parsed === 'string') return `in "${clip(text)}": ${parsed}`;
  return { container, image };
}

function reservedCaseTwin(value: string): string | undefined {
  return RESERVED_OPS_STATES.find(r => r !== value && r.toLowerCase() === value.toLowerCase());
}

function imageReasons(label: string, pairs: ContainerImage[] | undefined, known: Set<string>): string[] {
  const reasons: string[] = [];
  for (const p of pairs ?? []) {
    if (!known.has(p.container)) {
      reasons.push(
        `${label}: container "${p.container}" is not in GameServerSet's template (containers: ${[...known].join(', ') || 'none'})`,
      );
    }
    const parsed = parseImage(p.image);
    if (typeof parsed === 'string') reasons.push(`${label}: ${parsed}`);
  }
  return reasons;
}

/**
 * Checks `sel` against the GameServerSet it will be applied to. Returns one-line reasons (empty when fine):
 * unknown containers, malformed images, bad ordinals, names of other sets, unknown states, contradictions.
 */
export function validateSelector(sel: RoomSelector, gss: GameServerSetView): string[] {
  const reasons: string[] = [];
  const known = new Set(gss.images.map(c => c.container));
  for (const n of sel.ordinals ?? []) {
    if (!Number.isInteger(n) || n < 0) reasons.push(`ordinal ${n} is not a whole number ≥ 0`);
  }
  for (const name of sel.names ?? []) {
    const m = /^(.*)-(\d+)$/.exec(name);
    if (!m || m[1] !== gss.name)
      reasons.push(`"${clip(name)}" is not a room of GameServerSet ${gss.name} (expected ${gss.name}-<ordinal>)`);
  }
  for (const s of sel.opsStates ?? []) {
    if (!s) reasons.push('an opsState to select is empty');
    const twin = reservedCaseTwin(s);
    if (twin)
      reasons.push(`opsState "${clip(s)}" differs from OKG's "${twin}" only in case; opsState is case-sensitive`);
  }
  for (const s of sel.states ?? []) {
    if (!(GAME_SERVER_STATES as readonly string[]).includes(s))
      reasons.push(`"${clip(s)}" is not a GameServer state (one of ${GAME_SERVER_STATES.join(', ')})`);
  }
  reasons.push(...imageReasons('image to select', sel.images, known));
  reasons.push(...imageReasons('image to exclude', sel.notImages, known));
  const selected = sel.images ?? [];
  selected.forEach((p, i) => {
    const other = selected.slice(0, i).find(q => q.container === p.container && !sameImage(q.image, p.image));
    if (other)
      reasons.push(`container "${p.container}" cannot run both ${other.image} and ${p.image}; no room would match`);
  });
  for (const p of sel.notImages ?? []) {
    if (selected.some(q => q.container === p.container && sameImage(q.image, p.image)))
      reasons.push(`${p.container}=${p.image} is both selected and excluded; no room would match`);
  }
  for (const [field, v] of [
    ['deletionPriority', sel.deletionPriority],
    ['updatePriority', sel.updatePriority],
  ] as const) {
    if (v !== undefined && !/^-?\d+$|^\d+%$/.test(String(v)))
      reasons.push(`${field} to select "${clip(String(v))}" is not an integer or percentage`);
  }
  return reasons;
}
