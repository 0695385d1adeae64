// One GET of a GameServer, for a bulk write that was refused: to say what the room is now (no retries).
import type { OkgClient } from '../cluster/client.js';
import type { RawObject } from '../cluster/okg.js';

/** Reads one GameServer as stored now. Throws a ClusterError. */
export function readGameServer(client: OkgClient, namespace: string, name: string): Promise<RawObject> {
  return client.getGameServer(namespace, name);
}
