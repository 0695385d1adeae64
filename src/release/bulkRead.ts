// One GET of a GameServer, for a bulk write that was refused: to say what the room is now. OkgClient has
// no getGameServer yet; this reads through the client's kubeconfig, maps errors the same way and counts the
// request in the client's tally ("get gameservers"), so request accounting stays exact.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { OkgClient } from '../cluster/client.js';
import { toClusterError } from '../cluster/errors.js';
import { OKG_GROUP, OKG_VERSION, type RawObject } from '../cluster/okg.js';

/** Reads one GameServer (no retries: it only explains a refusal). Throws a ClusterError. */
export async function readGameServer(client: OkgClient, namespace: string, name: string): Promise<RawObject> {
  const key = 'get gameservers';
  client.requests.set(key, (client.requests.get(key) ?? 0) + 1);
  try {
    const api = client.kc.makeApiClient(CustomObjectsApi);
    const o = await api.getNamespacedCustomObject({ group: OKG_GROUP, version: OKG_VERSION, namespace, plural: 'gameservers', name });
    return JSON.parse(JSON.stringify(o)) as RawObject;
  } catch (e) {
    throw toClusterError(e, { verb: 'get', resource: `gameservers.${OKG_GROUP}`, namespace, name, server: client.server });
  }
}
