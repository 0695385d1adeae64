// The protected-context rule for the CLI's write commands (okg mark, okg release, okg rollback): on a context
// matching OKG_PROTECTED_CONTEXTS or --protected-contexts (glob patterns, comma-separated) the command asks
// on a terminal for the GameServerSet's name, and without a terminal refuses unless --yes is given: one
// line, exit 2, before anything is read or written. Strips its own flags so each command's parser stays strict.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { clip } from '../cluster/clip.js';
import { loadKubeConfig } from '../cluster/kubeconfig.js';
import { isProtectedContext, parsePatterns } from '../cluster/protected.js';

/** The commands that write to a cluster, hence the ones a protected context guards. */
export const GUARDED_COMMANDS: readonly string[] = ['mark', 'release', 'rollback'];

export interface GateIo {
  err: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Whether stdin and stderr are a terminal (the question can be asked). */
  isTTY?: boolean;
  /** Asks one question and returns the answer (tests give their own). */
  ask?: (question: string) => Promise<string>;
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/**
 * The argv for the command without --yes and --protected-contexts, or the exit code (2) when the context is
 * protected and the user neither typed the set's name nor gave --yes.
 */
export async function protectedGate(
  command: string,
  argv: readonly string[],
  io: GateIo,
): Promise<{ argv: string[]; code?: number }> {
  if (!GUARDED_COMMANDS.includes(command)) return { argv: [...argv] };
  const rest: string[] = [];
  let yes = false;
  let flagPatterns: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--yes') yes = true;
    else if (a === '--protected-contexts') flagPatterns = argv[++i] ?? '';
    else if (a.startsWith('--protected-contexts=')) flagPatterns = a.slice('--protected-contexts='.length);
    else rest.push(a);
  }
  const patterns = parsePatterns(flagPatterns ?? (io.env ?? process.env).OKG_PROTECTED_CONTEXTS);
  if (!patterns.length) return { argv: rest };
  const { values } = parseArgs({
    args: rest,
    strict: false,
    allowPositionals: true,
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      gss: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'dry-run': { type: 'boolean' },
    },
  });
  // Help and dry runs write nothing; the command itself reports bad flags and kubeconfig problems.
  if (values.help || values['dry-run']) return { argv: rest };
  let context: string;
  try {
    context = loadKubeConfig(
      { kubeconfig: values.kubeconfig as string | undefined, context: values.context as string | undefined },
      io.env ?? process.env,
    ).getCurrentContext();
  } catch {
    return { argv: rest };
  }
  if (!isProtectedContext(context, patterns)) return { argv: rest };
  if (yes) return { argv: rest };
  const gss = typeof values.gss === 'string' ? values.gss : undefined;
  const isTTY = io.isTTY ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  if (!isTTY || !gss) {
    io.err(
      `okg: context ${clip(context)} is protected (${patterns.join(', ')}); okg ${command} writes to it only with --yes${gss ? ' or the set name typed on a terminal' : ''}; nothing was changed`,
    );
    return { argv: rest, code: 2 };
  }
  const typed = (
    await (io.ask ?? askOnTerminal)(
      `okg: context ${clip(context)} is protected; type the GameServerSet's name (${clip(gss)}) to run okg ${command}: `,
    )
  ).trim();
  if (typed !== gss) {
    io.err(
      `okg: "${clip(typed)}" is not ${clip(gss)}; okg ${command} did not run on protected context ${clip(context)}; nothing was changed`,
    );
    return { argv: rest, code: 2 };
  }
  return { argv: rest };
}
