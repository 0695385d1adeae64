// `okg describe ROOM`: what kubectl describe shows for a room's GameServer and its pod, with the events of both.
import { ClusterError } from '../cluster/errors.js';
import { KubeconfigError } from '../cluster/kubeconfig.js';
import { describeRoom } from '../cluster/describe.js';
import { fetchRoom } from '../cluster/describeWatch.js';
import { CLUSTER_OPTIONS, connect, parseFlagsAndArgs } from './args.js';
import { roomArg } from './logsCommand.js';

export const DESCRIBE_HELP = `Usage: okg describe ROOM [-n NS] [--kubeconfig FILE] [--context NAME]

Shows a room as kubectl describe would show its GameServer and pod together: opsState and priorities, state,
conditions, network state and addresses, each container's state with reasons and restarts, and the events of
the room and its pod, newest last.

  -n, --namespace   namespace (default: the context's namespace, else default)
  --kubeconfig      kubeconfig file (default: KUBECONFIG, then ~/.kube/config)
  --context         kubeconfig context (default: the current one)
`;

export async function describeCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { values: flags, positionals } = parseFlagsAndArgs('describe', argv, {
    ...CLUSTER_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    out(DESCRIBE_HELP);
    return 0;
  }
  const room = roomArg('describe', positionals);
  try {
    const { client, namespace } = connect(flags);
    const snap = await fetchRoom(client.kc, namespace, room);
    client.close();
    if (!snap.gs) {
      err(`okg: room "${room}" does not exist in namespace "${namespace}"; okg rooms -n ${namespace} lists the rooms`);
      return 1;
    }
    out(describeRoom(snap.gs, snap.pod, snap.events).trimEnd());
    return 0;
  } catch (e) {
    if (e instanceof ClusterError || e instanceof KubeconfigError) {
      err(`okg: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
