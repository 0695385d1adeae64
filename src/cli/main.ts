// The `okg` command line: the same core the extension uses, for terminals and scripts.
// One table of commands; each returns its exit code (0 ok, 1 failed, 2 bad usage, 3 release lost rooms with players).
import { clip } from '../cluster/clip.js';
import { sandboxCommand, SANDBOX_HELP } from './sandboxCommand.js';
import { roomsCommand, ROOMS_HELP } from './roomsCommand.js';
import { historyCommand, HISTORY_HELP } from './historyCommand.js';
import { markCommand, MARK_HELP } from './markCommand.js';
import { releaseCommand, RELEASE_HELP } from './releaseCommand.js';
import { rollbackCommand, ROLLBACK_HELP } from './rollbackCommand.js';
import { logsCommand, LOGS_HELP } from './logsCommand.js';
import { describeCommand, DESCRIBE_HELP } from './describeCommand.js';
import { execCommand, EXEC_HELP } from './execCommand.js';
import { protectedGate } from './protected.js';
import { EXIT_USAGE, thrownExit, UsageError } from './usage.js';

type Command = (argv: string[], out: (line: string) => void, err: (line: string) => void) => Promise<number>;

export const COMMANDS: Record<string, { run: Command; summary: string; help: string }> = {
  rooms: {
    run: roomsCommand,
    summary: 'list the rooms (GameServers) of a namespace, like kubectl get gs plus IMAGE',
    help: ROOMS_HELP,
  },
  logs: {
    run: (argv, out, err) => logsCommand(argv, out, err),
    summary: "print a room's container log, like kubectl logs (-c, -f, -p, --tail)",
    help: LOGS_HELP,
  },
  describe: {
    run: describeCommand,
    summary: 'show a room and its pod as kubectl describe would, with the events of both',
    help: DESCRIBE_HELP,
  },
  exec: {
    run: (argv, out, err) => execCommand(argv, out, err),
    summary: "run a command in a room's container, like kubectl exec (-c, -i, -t, -- CMD)",
    help: EXEC_HELP,
  },
  mark: {
    run: markCommand,
    summary: 'set opsState or priorities on selected rooms, never overwriting a room that changed',
    help: MARK_HELP,
  },
  release: {
    run: releaseCommand,
    summary: 'seamless release: new image, new rooms, wait Ready, retire idle old rooms',
    help: RELEASE_HELP,
  },
  rollback: {
    run: rollbackCommand,
    summary: 'roll back the last release: old image, marked rooms set back, idle new rooms retired',
    help: ROLLBACK_HELP,
  },
  history: {
    run: historyCommand,
    summary: 'list the releases and rollbacks of a GameServerSet from its release record',
    help: HISTORY_HELP,
  },
  sandbox: {
    run: (argv, out) => sandboxCommand(argv, out),
    summary: 'start a local Kubernetes API with OpenKruise Game emulated',
    help: SANDBOX_HELP,
  },
};

export const HELP = `Usage: okg <command> [flags]   (okg <command> --help for its flags)

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join('\n')}

Cluster flags (rooms, logs, describe, exec, mark, release, rollback, history): --kubeconfig FILE, --context NAME, -n/--namespace NS.
Protected contexts (mark, release, rollback): --protected-contexts '*prod*' or OKG_PROTECTED_CONTEXTS; type the set name on a terminal, or --yes.
Exit codes: 0 success, 1 failed, 2 bad usage, 3 a release or rollback finished but OKG removed rooms with players (named).
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  try {
    if (command === undefined) {
      err(HELP);
      return EXIT_USAGE;
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      out(rest[0] && COMMANDS[rest[0]] ? COMMANDS[rest[0]].help : HELP);
      return 0;
    }
    const c = COMMANDS[command];
    if (!c) throw new UsageError(`unknown command "${clip(command)}"; run okg --help`);
    const gate = await protectedGate(command, rest, { err });
    return gate.code ?? (await c.run(gate.argv, out, err));
  } catch (e) {
    return thrownExit(e, err);
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);
