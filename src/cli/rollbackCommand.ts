// `okg rollback`: roll back the last release of a GameServerSet from a terminal — the same engine as the VS Code
// command and the wizard's Roll Back button. Every flag is checked before the cluster is contacted, the preflight
// and the plan before the first write; progress is printed as it happens, Ctrl-C cancels cleanly and a rerun resumes.
import { imageTag } from '../cluster/images.js';
import { KubeconfigError } from '../cluster/kubeconfig.js';
import { previewRollback, runRollback } from '../release/rollback.js';
import { validateRollbackInput } from '../release/rollbackPlan.js';
import type { RollbackEvent, RollbackInput, RollbackPlan, RollbackResult } from '../release/rollbackTypes.js';
import { parseDuration, ReleaseRefused } from '../release/validate.js';
import { CLUSTER_OPTIONS, connect, objectName, oneOf, parseFlags, required } from './args.js';
import { formatTable } from './roomsCommand.js';
import { EXIT_FAILED, EXIT_LOST, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

export const ROLLBACK_HELP = `Usage: okg rollback -n NS --gss NAME [--release ID] [--timeout 10m] [--dry-run] [-o text|json]
                    [--kubeconfig FILE] [--context NAME]

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
    help: { type: 'boolean', short: 'h' },
  });
}

/** The plan as text: which release, the steps, the room table and the predicted table. */
export function rollbackPlanLines(plan: RollbackPlan, warnings = true): string[] {
  const img = (images: { container: string; image: string }[]) => images.map(c => imageTag(c.image)).join(',') || '-';
  const lines = [
    `rollback ${plan.input.namespace}/${plan.input.gameServerSet}: release ${plan.release.id} (${plan.release.outcome} at step ${plan.release.step}); ` +
      `image back to ${plan.images.map(c => `${c.container} → ${c.image}`).join(', ') || '(unchanged)'}; replicas ${plan.fromReplicas} → ${plan.toReplicas}${plan.resumes ? `; resumes ${plan.resumes}` : ''}`,
  ];
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.title}${s.done ? ' (done)' : ''}`));
  lines.push('rooms:');
  lines.push(
    ...formatTable([
      ['NAME', 'VERSION', 'STATE', 'OPSSTATE', 'IMAGE', 'ACTION'],
      ...plan.rooms.map(r => [
        r.name,
        r.version,
        r.state || '-',
        r.opsState || '-',
        img(r.images),
        `${r.action}${r.to ? ` → ${r.to}` : ''}${r.reason ? ` (${r.reason})` : ''}`,
      ]),
    ]).map(l => `  ${l}`),
  );
  lines.push('predicted after the rollback:');
  lines.push(
    ...formatTable([
      ['NAME', 'STATE', 'OPSSTATE', 'IMAGE'],
      ...plan.predicted.map(r => [r.name, r.state || '-', r.opsState, img(r.images)]),
    ]).map(l => `  ${l}`),
  );
  if (warnings) for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines;
}

function eventLine(e: RollbackEvent): { line: string; progress?: boolean } | undefined {
  switch (e.type) {
    case 'planned':
      return undefined;
    case 'step-started':
      return { line: `[${e.index}/${e.total}] ${e.title}` };
    case 'step-progress':
      return { line: `      ${e.message}`, progress: true };
    case 'step-done':
      return { line: `      ${e.result === 'done' ? 'done' : e.result}: ${e.message}` };
    case 'room-changed':
      return { line: `      ${e.room}: ${e.from} → ${e.to} ${e.result}${e.reason ? ` (${e.reason})` : ''}` };
    case 'warning':
      return { line: `warning: ${e.message}` };
    case 'done': {
      const s = e.summary;
      const list = (xs: string[]) => (xs.length ? ` (${xs.join(', ')})` : '');
      return {
        line: `rollback ${e.id} ${s.lost.length ? 'finished with a loss' : 'succeeded'}: ${s.restored.length} old room(s) restored${list(s.restored)}, ${s.gone.length} gone${list(s.gone)}, ${s.retired.length} new room(s) retired${list(s.retired)}, ${s.skipped.length} left alone${list(s.skipped)}${s.lost.length ? `, LOST${list(s.lost)}` : ''}; ${s.finalReplicas} replicas; ${s.requests} API requests`,
      };
    }
    case 'failed':
      return { line: `rollback ${e.id || '(not started)'} ${e.message}` };
  }
}

/** 0 only for a rollback that succeeded; 3 when it finished but OKG removed rooms it meant to keep (as okg release). */
function exitCode(r: RollbackResult): number {
  if (r.outcome === 'succeeded') return EXIT_OK;
  if (r.outcome === 'lost') return EXIT_LOST;
  return r.outcome === 'refused' && r.usage ? EXIT_USAGE : EXIT_FAILED;
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
    let timeoutMs: number | undefined;
    if (flags.timeout !== undefined) {
      const t = parseDuration(flags.timeout);
      if (typeof t === 'string') throw new UsageError(`--timeout: ${t}`);
      timeoutMs = t;
    }
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
    if (e instanceof UsageError || e instanceof ReleaseRefused) {
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

  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSignal);
  const tty = output === 'text' && process.stdout.isTTY === true;
  let inPlace = false;
  const events: RollbackEvent[] = [];
  const onEvent = (e: RollbackEvent) => {
    if (output === 'json') {
      if (e.type !== 'planned') events.push(e);
      return;
    }
    if (e.type === 'planned') {
      for (const l of rollbackPlanLines(e.plan, false)) out(l);
      return;
    }
    const l = eventLine(e);
    if (!l) return;
    if (tty && l.progress) {
      process.stdout.write(`\r\x1b[K${l.line.trim()}`);
      inPlace = true;
      return;
    }
    if (tty && inPlace) {
      process.stdout.write('\r\x1b[K');
      inPlace = false;
    }
    if (e.type === 'failed' || (e.type === 'done' && e.summary.lost.length)) err(`okg: ${l.line}`);
    else out(l.line);
  };
  try {
    const r = await runRollback(input, { client, signal: abort.signal, onEvent });
    if (tty && inPlace) process.stdout.write('\r\x1b[K');
    const code = exitCode(r);
    if (output === 'json') {
      out(
        JSON.stringify(
          { outcome: r.outcome, id: r.id, step: r.step, message: r.message, summary: r.summary, plan: r.plan, events },
          null,
          2,
        ),
      );
      if (code !== EXIT_OK) err(`okg: ${r.message}`);
    } else if (r.outcome === 'refused') {
      err(`okg: ${r.message}`);
    } else if ((r.outcome === 'succeeded' || r.outcome === 'lost') && !r.summary) {
      out(r.message);
    }
    return code;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
