// `okg logs ROOM`: a room's container log, with kubectl's flags (-c, -f, -p/--previous, --tail, --since,
// --timestamps). A room's pod has the room's name; without -c the default container, as kubectl picks it.
import { ClusterError } from '../cluster/errors.js';
import { KubeconfigError } from '../cluster/kubeconfig.js';
import { containerNames, defaultContainer, LineSplitter, streamLog } from '../cluster/logs.js';
import { getJson } from '../cluster/describeWatch.js';
import { clip } from '../cluster/clip.js';
import { CLUSTER_OPTIONS, connect, objectName, parseFlagsAndArgs } from './args.js';
import { UsageError } from './usage.js';

export const LOGS_HELP = `Usage: okg logs ROOM [-c CONTAINER] [-f] [-p] [--tail N] [--since 5m] [--timestamps] [-n NS]

Prints the log of a room's container (the room's pod has the room's name), like kubectl logs.

  -c, --container   the container (default: the pod's default-container annotation, else the first)
  -f, --follow      keep printing new lines until the container's run ends (Ctrl-C stops)
  -p, --previous    the log of the run before the last restart
  --tail            only the last N lines (-1, the default, prints all)
  --since           only lines newer than a duration (5s, 2m, 1h)
  --timestamps      prefix each line with its RFC 3339 time
  -n, --namespace   namespace (default: the context's namespace, else default)
  --kubeconfig      kubeconfig file (default: KUBECONFIG, then ~/.kube/config)
  --context         kubeconfig context (default: the current one)
`;

/** Seconds in a Go-style duration of h, m and s parts (`1h30m`, `90s`). */
export function durationSeconds(flag: string, v: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (!v || !m) throw new UsageError(`${flag} takes a duration such as 30s, 5m or 1h, got "${clip(v)}"`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The room named by the one positional argument. */
export function roomArg(command: string, positionals: string[]): string {
  if (positionals.length !== 1)
    throw new UsageError(`okg ${command} takes one room name, got ${positionals.length}; run okg ${command} --help`);
  return objectName('ROOM', positionals[0]);
}

export async function logsCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  const { values: flags, positionals } = parseFlagsAndArgs('logs', argv, {
    ...CLUSTER_OPTIONS,
    container: { type: 'string', short: 'c' },
    follow: { type: 'boolean', short: 'f' },
    previous: { type: 'boolean', short: 'p' },
    tail: { type: 'string' },
    since: { type: 'string' },
    timestamps: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    out(LOGS_HELP);
    return 0;
  }
  const room = roomArg('logs', positionals);
  let tailLines: number | undefined;
  if (flags.tail !== undefined) {
    if (!/^-?\d+$/.test(flags.tail) || Number(flags.tail) < -1)
      throw new UsageError(`--tail takes a whole number of lines (-1 for all), got "${clip(flags.tail)}"`);
    tailLines = Number(flags.tail);
  }
  const sinceSeconds = flags.since !== undefined ? durationSeconds('--since', flags.since) : undefined;
  if (flags.container !== undefined) objectName('-c', flags.container);
  try {
    const { client, namespace } = connect(flags);
    let container = flags.container;
    if (!container) {
      const pod = await getJson(
        client.kc,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(room)}`,
        {
          verb: 'get',
          resource: 'pods',
          namespace,
          name: room,
        },
      );
      if (!pod) {
        err(
          `okg: room "${room}" has no pod in namespace "${namespace}" (it is being created or deleted, or the name is wrong; okg rooms lists them)`,
        );
        return 1;
      }
      container = defaultContainer(pod);
      const names = containerNames(pod);
      if (names.length > 1) err(`Defaulted container "${container}" out of: ${names.join(', ')}`);
    }
    const lines = new LineSplitter();
    await streamLog(
      client.kc,
      namespace,
      room,
      {
        container,
        follow: flags.follow,
        previous: flags.previous,
        tailLines,
        sinceSeconds,
        timestamps: flags.timestamps,
      },
      text => {
        for (const l of lines.push(text)) out(l);
      },
      signal,
    );
    for (const l of lines.flush()) out(l);
    client.close();
    return 0;
  } catch (e) {
    if (e instanceof ClusterError || e instanceof KubeconfigError) {
      err(`okg: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
