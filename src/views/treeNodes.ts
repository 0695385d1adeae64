// The elements of the Game Servers tree: context → namespace → GameServerSet → (version group →) room, plus
// message rows (an error or "no GameServerSets" under the node it belongs to). The tree keeps one object per
// set, version group and room (treeModel.ts) so it can refresh just those; a set's `rooms` are read when asked.
import type { Connection } from './connections.js';
import type { GameServerSetView, RoomView } from '../cluster/okg.js';

export interface GssNode {
  kind: 'gss';
  conn: Connection;
  namespace: string;
  gss: GameServerSetView;
  readonly rooms: RoomView[];
}

export interface VersionNode {
  kind: 'version';
  conn: Connection;
  namespace: string;
  set: GssNode;
  /** The rooms' version (image tag) this group holds. */
  label: string;
  /** The set's template runs this version. */
  template: boolean;
  rooms: RoomView[];
}

export interface RoomNode {
  kind: 'room';
  conn: Connection;
  namespace: string;
  room: RoomView;
  /** Its set has spec.network: the row shows the network's state. */
  network?: boolean;
}

export type Node =
  | { kind: 'context'; conn: Connection }
  | { kind: 'namespace'; conn: Connection; namespace: string }
  | GssNode
  | VersionNode
  | RoomNode
  | { kind: 'message'; id: string; text: string; error: boolean };
