// The `okg` command line: the same core the extension uses, for terminals and scripts.
import { sandboxCommand, SANDBOX_HELP } from './sandboxCommand.js';
import { EXIT_FAILED, EXIT_USAGE, UsageError } from './usage.js';

const HELP = `Usage: okg <command> [flags]

Commands:
  sandbox    start a local Kubernetes API with OpenKruise Game emulated (see okg sandbox --help)

${SANDBOX_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    switch (command) {
      case 'sandbox': return await sandboxCommand(rest, out);
      case undefined: case 'help': case '--help': case '-h': out(HELP); return command === undefined ? EXIT_USAGE : 0;
      default: throw new UsageError(`unknown command "${command}"; run okg --help`);
    }
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`okg: ${(e as Error).message}\n`);
    return usage ? EXIT_USAGE : EXIT_FAILED;
  }
}

const code = await main(process.argv.slice(2));
process.exit(code);
