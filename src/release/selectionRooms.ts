// The rooms a selection starts from: one list of GameServers and one of their Pods, joined into RoomViews
// (two requests, whatever the number of rooms), in GameServerSet then ordinal order.
import type { OkgClient } from '../cluster/client.js';
import { LABEL_OWNER_GSS, roomView, type RoomView } from '../cluster/okg.js';

/** Rooms of one GameServerSet (or every room in the namespace), read now from the API server. */
export async function listRooms(
  client: OkgClient,
  namespace: string,
  gameServerSet?: string,
  signal?: AbortSignal,
): Promise<RoomView[]> {
  const selector = gameServerSet ? `${LABEL_OWNER_GSS}=${gameServerSet}` : undefined;
  const [servers, pods] = await Promise.all([
    client.listGameServers(namespace, selector, signal),
    client.listPods(namespace, selector ?? LABEL_OWNER_GSS, signal),
  ]);
  const byName = new Map(pods.map(p => [p.metadata.name, p]));
  return servers
    .map(g => roomView(g, byName.get(g.metadata.name)))
    .sort(
      (a, b) => a.gameServerSet.localeCompare(b.gameServerSet) || a.ordinal - b.ordinal || a.name.localeCompare(b.name),
    );
}
