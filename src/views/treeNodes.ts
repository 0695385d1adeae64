// The elements of the Game Servers tree: context → namespace → GameServerSet → (version group →) room, plus
// message rows (an error or "no GameServerSets" under the node it belongs to).
import type { Connection } from './connections.js';
import type { GameServerSetView, RoomView } from '../cluster/okg.js';

export type Node =
  | { kind: 'context'; conn: Connection }
  | { kind: 'namespace'; conn: Connection; namespace: string }
  | { kind: 'gss'; conn: Connection; namespace: string; gss: GameServerSetView; rooms: RoomView[] }
  | { kind: 'room'; conn: Connection; namespace: string; room: RoomView; network?: boolean }
  | { kind: 'message'; id: string; text: string; error: boolean };

export type RoomNode = Extract<Node, { kind: 'room' }>;
export type GssNode = Extract<Node, { kind: 'gss' }>;
