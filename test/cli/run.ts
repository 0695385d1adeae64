// Running one `okg` verb in process, as `okg` itself does (src/cli/main.ts): its lines collected, and a thrown error
// turned into its one line and exit code; and the writes a test's client made, without the emulator's.
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { thrownExit } from '../../src/cli/usage.js';

export type Verb = (argv: string[], out: (line: string) => void, err: (line: string) => void) => Promise<number>;

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

export async function runVerb(verb: Verb, argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  let code: number;
  try {
    code = await verb(
      argv,
      l => out.push(l),
      l => err.push(l),
    );
  } catch (e) {
    code = thrownExit(e, l => err.push(l));
  }
  return { code, out, err };
}

/** The sandbox's write log without the emulated controllers' writes. */
export const clientWrites = (sb: Sandbox) => sb.server.writeLog().filter(w => w.user !== 'controller');
