// `okg history GSS`: the releases and rollbacks of a GameServerSet from its record (annotation okg-ops/release),
// newest first — when, who, from which images to which, the outcome, the rooms retired and reclaimed. Reads only.
import { parseArgs } from 'node:util';
import { clip } from '../cluster/clip.js';
import { ClusterError } from '../cluster/errors.js';
import { KubeconfigError } from '../cluster/kubeconfig.js';
import { historyLine, releaseHistory } from '../release/history.js';
import { CLUSTER_OPTIONS, connect, objectName, oneOf } from './args.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

export const HISTORY_HELP = `Usage: okg history GSS [-n NS] [-o text|json] [--kubeconfig FILE] [--context NAME]

Lists the releases and rollbacks of GameServerSet GSS from its release record (annotation okg-ops/release),
newest first: id, outcome, when it started and finished, who ran it, the images before → after, the old
rooms it retired and how many OKG reclaimed. A run still in the record (running, or stopped and resumable
by rerunning it) comes first. The record keeps the last 10 finished runs. Writes nothing.

  -n, --namespace   namespace (default: the context's namespace, else default)
  -o, --output      text (default) or json (an array of rows)
  --kubeconfig      kubeconfig file (default: KUBECONFIG, then ~/.kube/config)
  --context         kubeconfig context (default: the current one)
`;

function parseHistory(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { ...CLUSTER_OPTIONS, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    const m = (e as Error).message.split('\n')[0].replace(/\.$/, '');
    throw new UsageError(`${clip(m, 200)}; run okg history --help`);
  }
}

export async function historyCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let gss: string;
  let output: 'text' | 'json';
  let flags: ReturnType<typeof parseHistory>['values'];
  try {
    const parsed = parseHistory(argv);
    flags = parsed.values;
    if (flags.help) {
      out(HISTORY_HELP);
      return EXIT_OK;
    }
    if (parsed.positionals.length !== 1)
      throw new UsageError(
        parsed.positionals.length
          ? `okg history takes one GameServerSet name, got ${parsed.positionals.length}`
          : 'okg history needs the GameServerSet name: okg history GSS [-n NS]',
      );
    gss = objectName('GSS', parsed.positionals[0]);
    output = oneOf('-o', flags.output, ['text', 'json'] as const, 'text');
  } catch (e) {
    if (e instanceof UsageError) {
      err(`okg: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  let connected: ReturnType<typeof connect>;
  try {
    connected = connect(flags);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`okg: ${e.message}`);
      return EXIT_USAGE;
    }
    if (e instanceof KubeconfigError) {
      err(`okg: ${e.message}`);
      return EXIT_FAILED;
    }
    throw e;
  }
  const { client, namespace } = connected;
  try {
    const rows = releaseHistory(await client.getGameServerSet(namespace, gss));
    if (output === 'json') out(JSON.stringify(rows, null, 2));
    else if (!rows.length) out(`${namespace}/${gss}: no release has run on it (its record is empty)`);
    else for (const r of rows) out(historyLine(r));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ClusterError) {
      err(`okg: ${e.message}`);
      return EXIT_FAILED;
    }
    throw e;
  } finally {
    client.close();
  }
}
