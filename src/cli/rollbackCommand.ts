// `okg rollback`: roll back the last release of a GameServerSet from a terminal — the same engine as the VS Code
// command and the wizard's Roll Back button. Every flag is checked before the cluster is contacted, the preflight
// and the plan before the first write; progress is printed as it happens, Ctrl-C cancels cleanly and a rerun resumes.
import { imageTag } from '../cluster/images.js';
import { auditWrites } from '../release/audit.js';
import { previewRollback, runRollback } from '../release/rollback.js';
import { validateRollbackInput } from '../release/rollbackPlan.js';
import type { RollbackEvent, RollbackInput, RollbackPlan } from '../release/rollbackTypes.js';
import { CLUSTER_OPTIONS, objectName, oneOf, parseFlags, required } from './args.js';
import {
  connectOrExit,
  durationFlag,
  exitCode,
  runAndPrint,
  stepEventLine,
  type EventLine,
  type RunEvents,
  planText,
  usageExit,
} from './runCommand.js';
import { EXIT_OK, UsageError } from './usage.js';

export const ROLLBACK_HELP = `Usage: okg rollback -n NS --gss NAME [--release ID] [--timeout 10m] [--dry-run] [-o text|json]
                    [-v] [--kubeconfig FILE] [--context NAME]

Roll back the last release of a GameServerSet, from its release record (annotation okg-ops/release): restore
the template image it replaced (only while its new image is still set), set the old rooms it marked back to
their previous opsState, mark the idle new-version rooms WaitToBeDeleted and lower replicas by exactly those,
then raise replicas back to the count before the release if fewer rooms are left. Every room write is
conditional on the opsState seen; rooms with players (Allocated) or in maintenance are never touched, and
replicas keep every room that stays served. It takes the release's lease, so it never runs beside a release.

  --release ID    refuse unless the last release is ID (as okg release printed it)
  --timeout D     limit for each wait, e.g. 90s, 10m (default 10m)
  --dry-run       check everything and print the plan, the room table and the predicted table
  -o, --output    text (default) or json
  -v, --verbose   print every write as the kubectl command that does the same (with --context and the exact
                  patch the server accepted, its test ops included); on stderr with -o json

An interrupted rollback is resumed by running the same command again.
Exit code: 0 success, 1 failed/refused by the cluster/cancelled, 2 bad flags (nothing was written), 3 finished but
OKG removed a room the rollback meant to keep (named).
`;

function parseRollback(argv: string[]) {
  return parseFlags('rollback', argv, {
    ...CLUSTER_OPTIONS,
    gss: { type: 'string' },
    release: { type: 'string' },
    timeout: { type: 'string' },
    'dry-run': { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  });
}

/** The plan as text: which release, the steps, the room table and the predicted table. */
export function rollbackPlanLines(plan: RollbackPlan, warnings = true): string[] {
  const img = (images: { container: string; image: string }[]) => images.map(c => imageTag(c.image)).join(',') || '-';
  return planText({
    head:
      `rollback ${plan.input.namespace}/${plan.input.gameServerSet}: release ${plan.release.id} (${plan.release.outcome} at step ${plan.release.step}); ` +
      `image back to ${plan.images.map(c => `${c.container} → ${c.image}`).join(', ') || '(unchanged)'}; replicas ${plan.fromReplicas} → ${plan.toReplicas}${plan.resumes ? `; resumes ${plan.resumes}` : ''}`,
    steps: plan.steps,
    rooms: plan.rooms.map(r => [
      r.name,
      r.version,
      r.state || '-',
      r.opsState || '-',
      img(r.images),
      `${r.action}${r.to ? ` → ${r.to}` : ''}${r.reason ? ` (${r.reason})` : ''}`,
    ]),
    predicted: plan.predicted.map(r => [r.name, r.state || '-', r.opsState, img(r.images)]),
    what: 'rollback',
    warnings: warnings ? plan.warnings : [],
  });
}

function eventLine(e: RollbackEvent): EventLine | undefined {
  switch (e.type) {
    case 'planned':
      return undefined;
    case 'done': {
      const s = e.summary;
      const list = (xs: string[]) => (xs.length ? ` (${xs.join(', ')})` : '');
      return {
        line: `rollback ${e.id} ${s.lost.length ? 'finished with a loss' : 'succeeded'}: ${s.restored.length} old room(s) restored${list(s.restored)}, ${s.gone.length} gone${list(s.gone)}, ${s.retired.length} new room(s) retired${list(s.retired)}, ${s.skipped.length} left alone${list(s.skipped)}${s.lost.length ? `, LOST${list(s.lost)}` : ''}; ${s.finalReplicas} replicas; ${s.requests} API requests`,
      };
    }
    case 'failed':
      return { line: `rollback ${e.id || '(not started)'} ${e.message}` };
    default:
      return stepEventLine(e);
  }
}

/** Runs `okg rollback` with `argv` (after the command name); resolves with the exit code. */
export async function rollbackCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let flags: ReturnType<typeof parseRollback>;
  let output: 'text' | 'json';
  let input: RollbackInput;
  try {
    flags = parseRollback(argv);
    if (flags.help) {
      out(ROLLBACK_HELP);
      return EXIT_OK;
    }
    output = oneOf('-o', flags.output, ['text', 'json'] as const, 'text');
    const gss = objectName('--gss', required('--gss', flags.gss));
    const timeoutMs = durationFlag('--timeout', flags.timeout);
    if (flags.release !== undefined && !flags.release.trim())
      throw new UsageError('--release needs a release id (like rel-20260101T120000Z-ab12)');
    input = {
      namespace: flags.namespace ?? '',
      gameServerSet: gss,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(flags.release !== undefined ? { release: flags.release.trim() } : {}),
    };
    if (flags.namespace !== undefined) validateRollbackInput(input);
    else if (input.release !== undefined) validateRollbackInput({ ...input, namespace: 'default' }); // all but the namespace default, before connecting
  } catch (e) {
    return usageExit(e, err);
  }

  const connected = connectOrExit(flags, err);
  if (typeof connected === 'number') return connected;
  input.namespace = connected.namespace;
  const { client } = connected;

  if (flags['dry-run']) {
    const r = await previewRollback(input, { client });
    if (r.outcome === 'refused' || !r.plan) {
      err(`okg: ${r.message}`);
      return exitCode(r);
    }
    if (output === 'json')
      out(JSON.stringify({ outcome: 'planned', dryRun: true, message: r.message, plan: r.plan }, null, 2));
    else {
      if (r.plan.steps.length) for (const l of rollbackPlanLines(r.plan)) out(l);
      out(r.message);
    }
    return EXIT_OK;
  }

  const events: RunEvents<RollbackEvent> = {
    planOf: e => (e.type === 'planned' ? rollbackPlanLines(e.plan, false) : undefined),
    lineOf: eventLine,
  };
  return runAndPrint(
    output,
    events,
    (signal, onEvent, say) =>
      runRollback(input, { client: flags.verbose ? auditWrites(client, say) : client, signal, onEvent }),
    out,
    err,
  );
}
