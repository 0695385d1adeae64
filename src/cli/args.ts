// Shared flag parsing for `okg` commands: node:util parseArgs with one-sentence UsageErrors, the cluster
// flags every command takes (-n, --kubeconfig, --context), comma lists, choices and whole numbers.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { clip } from '../cluster/clip.js';
import { OkgClient } from '../cluster/client.js';
import { contextNamespace, loadKubeConfig } from '../cluster/kubeconfig.js';
import { UsageError } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags that pick the cluster and namespace, for spreading into a command's options. */
export const CLUSTER_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
} as const satisfies Options;

/** Rewrites node's multi-sentence parse errors ("Unknown option '--x'. To specify…") as one sentence. */
function usageFromParseError(e: Error, command: string): UsageError {
  const m = e.message;
  const unknown = /Unknown option '([^']+)'/.exec(m);
  if (unknown) return new UsageError(`unknown flag ${clip(unknown[1])}; run okg ${command} --help`);
  const needsValue = /Option '(?:-\w, )?(--?[\w-]+)[^']*' argument missing/.exec(m);
  if (needsValue) return new UsageError(`${clip(needsValue[1])} needs a value; run okg ${command} --help`);
  const ambiguous = /Option '(-[\w-]+)' argument is ambiguous/.exec(m);
  if (ambiguous)
    return new UsageError(
      `${clip(ambiguous[1])} needs a value (for a value starting with "-", write ${clip(ambiguous[1])}=VALUE); run okg ${command} --help`,
    );
  const positional = /Unexpected argument '([^']+)'/.exec(m);
  if (positional)
    return new UsageError(
      `unexpected argument "${clip(positional[1])}"; okg ${command} takes flags only (run okg ${command} --help)`,
    );
  const boolWithValue = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(m);
  if (boolWithValue) return new UsageError(`${clip(boolWithValue[1])} takes no value; run okg ${command} --help`);
  return new UsageError(`${clip(m.split('\n')[0].replace(/\.$/, ''), 300)}; run okg ${command} --help`);
}

/** parseArgs in strict mode without positionals; any problem becomes a one-sentence UsageError. */
export function parseFlags<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code?.startsWith('ERR_PARSE_ARGS')) throw usageFromParseError(err, command);
    throw e;
  }
}

/** parseArgs in strict mode with positionals (a room name, a command after `--`): one-sentence UsageErrors. */
export function parseFlagsAndArgs<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code?.startsWith('ERR_PARSE_ARGS')) throw usageFromParseError(err, command);
    throw e;
  }
}

/** A comma-separated list of non-empty items (`None,Busy`); undefined when the flag is absent. */
export function commaList(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map(s => s.trim());
  if (!items.length || items.some(s => s === ''))
    throw new UsageError(`${flag} takes a comma-separated list without empty items, got "${clip(value)}"`);
  return items;
}

/** All values of a repeatable flag, each also split at commas. */
export function repeatedList(flag: string, values: string[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  return values.flatMap(v => commaList(flag, v) ?? []);
}

/** A comma list of whole numbers ≥ 0 (`1,2,7`). */
export function ordinalList(flag: string, value: string | undefined): number[] | undefined {
  const items = commaList(flag, value);
  if (!items) return undefined;
  return items.map(s => {
    if (!/^\d+$/.test(s)) throw new UsageError(`${flag} takes whole numbers ≥ 0 separated by commas, got "${clip(s)}"`);
    return Number(s);
  });
}

/** One of `choices`, or `fallback` when absent. */
export function oneOf<C extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly C[],
  fallback: C,
): C {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${clip(value)}"`);
  return value as C;
}

/** A required string flag. */
export function required(flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** A Kubernetes object name (DNS subdomain), for -n and --gss. */
export function objectName(flag: string, value: string): string {
  if (value.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value))
    throw new UsageError(
      `${flag} "${clip(value)}" is not a valid Kubernetes name (lower-case letters, digits, "-" and ".")`,
    );
  return value;
}

/** The client and namespace for the cluster flags. Throws KubeconfigError (exit 1) on kubeconfig problems. */
export function connect(flags: { namespace?: string; kubeconfig?: string; context?: string }): {
  client: OkgClient;
  namespace: string;
} {
  const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const namespace = flags.namespace !== undefined ? objectName('-n', flags.namespace) : contextNamespace(kc);
  return { client: new OkgClient(kc), namespace };
}
