// `okg rooms`: what `kubectl get gs` shows, plus the image each room runs — or the RoomViews as JSON.
import { imageTag } from '../cluster/images.js';
import type { RoomView } from '../cluster/okg.js';
import { ClusterError } from '../cluster/errors.js';
import { KubeconfigError } from '../cluster/kubeconfig.js';
import { listRooms } from '../release/selectionRooms.js';
import { humanDuration } from '../sandbox/tables.js';
import { CLUSTER_OPTIONS, connect, objectName, oneOf, parseFlags } from './args.js';
import { UsageError } from './usage.js';

export const ROOMS_HELP = `Usage: okg rooms [-n NS] [--gss NAME] [-o table|json] [--kubeconfig FILE] [--context NAME]

Lists rooms (GameServers) like kubectl get gs, with the image each runs:
NAME STATE OPSSTATE DP UP IMAGE AGE. IMAGE is the tag of the room's container, or
container=tag,... when it has several.

  -n, --namespace   namespace (default: the context's namespace, else default)
  --gss             only the rooms of this GameServerSet
  -o, --output      table (default) or json (an array of rooms with every field)
  --kubeconfig      kubeconfig file (default: KUBECONFIG, then ~/.kube/config)
  --context         kubeconfig context (default: the current one)
`;

/** The IMAGE cell: the tag of the only container, or `c=tag,…` for several. */
export function imageCell(room: RoomView): string {
  if (!room.images.length) return '<none>';
  if (room.images.length === 1) return imageTag(room.images[0].image);
  return room.images.map(c => `${c.container}=${imageTag(c.image)}`).join(',');
}

function age(ts: string, now: number): string {
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** Aligns rows as kubectl does: columns separated by at least three spaces. */
export function formatTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  return rows.map(r =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3)))
      .join('')
      .trimEnd(),
  );
}

/** Rows for `okg rooms`, header first. */
export function roomRows(rooms: readonly RoomView[], now = Date.now()): string[][] {
  return [
    ['NAME', 'STATE', 'OPSSTATE', 'DP', 'UP', 'IMAGE', 'AGE'],
    ...rooms.map(r => [
      r.name,
      r.state || '<none>',
      r.opsState,
      r.deletionPriority,
      r.updatePriority,
      imageCell(r),
      age(r.creationTimestamp, now),
    ]),
  ];
}

/** Runs `okg rooms`; returns the exit code (0 listed, 1 failed); throws UsageError for bad flags. */
export async function roomsCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const flags = parseFlags('rooms', argv, {
    ...CLUSTER_OPTIONS,
    gss: { type: 'string' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    out(ROOMS_HELP);
    return 0;
  }
  const output = oneOf('-o', flags.output, ['table', 'json'] as const, 'table');
  const gss = flags.gss !== undefined ? objectName('--gss', flags.gss) : undefined;
  try {
    const { client, namespace } = connect(flags);
    if (gss) await client.getGameServerSet(namespace, gss);
    const rooms = await listRooms(client, namespace, gss);
    if (output === 'json') {
      out(JSON.stringify(rooms, null, 2));
      return 0;
    }
    if (!rooms.length) {
      err(`No rooms found in namespace ${namespace}${gss ? ` for GameServerSet ${gss}` : ''}.`);
      return 0;
    }
    for (const line of formatTable(roomRows(rooms))) out(line);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof ClusterError || e instanceof KubeconfigError) {
      err(`okg: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
