// Running one `okg` verb in process, as `okg` itself does (src/cli/main.ts): its lines collected, and a thrown error
// turned into its one line and exit code; the flags of the seed's release; and the writes a test's client made.
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { thrownExit } from '../../src/cli/usage.js';
import { GSS, NEW, NS } from '../release/helpers.js';

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

/** The flags of the seed's release (`okg release`): the new image on 3 new rooms, as the admin of `kubeconfig`. */
export const seedRelease = (kubeconfig: string): string[] => [
  '-n',
  NS,
  '--gss',
  GSS,
  '--image',
  `minecraft=${NEW}`,
  '--add',
  '3',
  '--kubeconfig',
  kubeconfig,
];
