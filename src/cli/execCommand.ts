// `okg exec ROOM [-c C] [-i] [-t] -- CMD…`: runs a command in a room's container (pods/exec), like kubectl exec;
// the exit code is the command's. A terminal's keys go through raw with -t, and the window size follows it.
import type { Readable, Writable } from 'node:stream';
import { ClusterError } from '../cluster/errors.js';
import { KubeconfigError } from '../cluster/kubeconfig.js';
import { containerNames, defaultContainer } from '../cluster/logs.js';
import { getJson } from '../cluster/describeWatch.js';
import { execInRoom, notRunningReason } from '../cluster/exec.js';
import { CLUSTER_OPTIONS, connect, objectName, parseFlagsAndArgs } from './args.js';
import { UsageError } from './usage.js';

export const EXEC_HELP = `Usage: okg exec ROOM [-c CONTAINER] [-i] [-t] [-n NS] -- COMMAND [ARG...]

Runs a command in a room's container (the room's pod has the room's name), like kubectl exec. The exit code
is the command's.

  -c, --container   the container (default: the pod's default-container annotation, else the first)
  -i, --stdin       pass standard input to the command
  -t, --tty         give the command a terminal (with -i: an interactive shell, e.g. okg exec ROOM -it -- sh)
  -n, --namespace   namespace (default: the context's namespace, else default)
  --kubeconfig      kubeconfig file (default: KUBECONFIG, then ~/.kube/config)
  --context         kubeconfig context (default: the current one)
`;

export interface ExecIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
}

export async function execCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
  io: ExecIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const {
    values: flags,
    positionals,
    tokens,
  } = parseFlagsAndArgs('exec', argv, {
    ...CLUSTER_OPTIONS,
    container: { type: 'string', short: 'c' },
    stdin: { type: 'boolean', short: 'i' },
    tty: { type: 'boolean', short: 't' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    out(EXEC_HELP);
    return 0;
  }
  const dashes = tokens.find(t => t.kind === 'option-terminator');
  const before = positionals.slice(
    0,
    dashes ? tokens.filter(t => t.kind === 'positional' && t.index < dashes.index).length : 1,
  );
  const command = positionals.slice(before.length);
  if (before.length !== 1)
    throw new UsageError(`okg exec takes one room name before --, got ${before.length}; run okg exec --help`);
  if (!dashes || !command.length)
    throw new UsageError('okg exec needs a command after --, e.g. okg exec ROOM -- echo hi');
  const room = objectName('ROOM', before[0]);
  if (flags.container !== undefined) objectName('-c', flags.container);
  try {
    const { client, namespace } = connect(flags);
    const podPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(room)}`;
    const op = { verb: 'get', resource: 'pods', namespace, name: room };
    let container = flags.container;
    if (!container) {
      const pod = await getJson(client.kc, podPath, op);
      if (!pod) {
        err(
          `okg: room "${room}" has no pod in namespace "${namespace}" (it is being created or deleted, or the name is wrong)`,
        );
        return 1;
      }
      container = defaultContainer(pod) ?? '';
      const names = containerNames(pod);
      if (names.length > 1) err(`Defaulted container "${container}" out of: ${names.join(', ')}`);
    }
    const raw = !!flags.tty && !!flags.stdin && !!io.stdin.isTTY && typeof io.stdin.setRawMode === 'function';
    if (flags.tty && !raw && flags.stdin)
      err('Unable to use a TTY - input is not a terminal or the right kind of file');
    if (raw) io.stdin.setRawMode!(true);
    try {
      const outcome = await execInRoom(client.kc, namespace, room, container, command, {
        stdout: io.stdout,
        stderr: flags.tty ? null : io.stderr,
        stdin: flags.stdin ? io.stdin : null,
        tty: !!flags.tty,
      }).catch(async (e: unknown) => {
        // A refused upgrade carries no reason client-node passes on: the pod says why.
        const why = notRunningReason(await getJson(client.kc, podPath, op).catch(() => undefined), room, container!);
        throw why ? new ClusterError(`cannot exec into room "${room}": ${why}`, 'other') : e;
      });
      if (outcome.failure) err(`okg: ${outcome.failure}`);
      else if (outcome.code !== 0) err(`command terminated with exit code ${outcome.code}`);
      return outcome.code;
    } finally {
      if (raw) io.stdin.setRawMode!(false);
      if (flags.stdin) io.stdin.pause();
      client.close();
    }
  } catch (e) {
    if (e instanceof ClusterError || e instanceof KubeconfigError) {
      err(`okg: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
