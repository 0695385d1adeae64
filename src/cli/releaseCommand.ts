// `okg release`: the seamless release from a terminal — the same engine as the VS Code wizard. Every flag
// is checked before the cluster is contacted, the preflight before the first write; progress is printed as
// it happens (rewritten in place on a terminal), Ctrl-C cancels cleanly and a rerun resumes.
import { clip } from '../cluster/clip.js';
import { auditWrites } from '../release/audit.js';
import { previewRelease, runRelease } from '../release/engine.js';
import { parseContainerImage } from '../release/selection.js';
import { RECLAIM_MODES, type ReleaseEvent, type ReleaseInput } from '../release/types.js';
import { validateInput } from '../release/validate.js';
import { ARGO_FLAGS, ARGO_HELP, argoRequest, runArgo } from './argoCommand.js';
import { CLUSTER_OPTIONS, objectName, oneOf, parseFlags, required } from './args.js';
import { eventLine, planLines } from './progress.js';
import { connectOrExit, durationFlag, exitCode, runAndPrint, usageExit, type RunEvents } from './runCommand.js';
import { EXIT_OK, UsageError } from './usage.js';

export const RELEASE_HELP = `Usage: okg release -n NS --gss NAME --image CONTAINER=IMAGE [--image …] (--add N | --replicas N)
                   [--ready N] [--timeout 10m] [--fail-fast-after 60s] [--reclaim none|scale-down|kill]
                   [--settle SECONDS] [--fix-update-strategy]
                   [--take-over HOLDER] [--dry-run] [--export-argo FILE] [--submit-argo] [--argo-image IMAGE]
                   [--argo-approval] [-o text|json] [-v] [--kubeconfig FILE] [--context NAME]

Seamless release of a GameServerSet that uses OnDelete: set the new image, wait until OKG applied it,
scale up, wait until at least N new-version rooms are ready for players (state Ready, opsState None,
and network Ready when the set configures a network), mark idle old rooms WaitToBeDeleted (each
write conditional: a room allocated meanwhile is skipped), then optionally reclaim them. Rooms with
players are never touched. Every check (flags, access, OnDelete, lock) runs before the first write.

  --image C=IMAGE        new image for container C; repeatable
  --add N                create N new rooms (scale up by N)
  --replicas N           or scale to N replicas (must be above the current count)
  --ready N              new-version rooms that must be ready for players before old ones are retired
                         (default: all new)
  --timeout D            limit for each wait, e.g. 90s, 10m, 1h (default 10m)
  --fail-fast-after D    stop the wait for Ready when the new rooms fail in a way that does not heal by
                         itself (ErrImagePull, ImagePullBackOff, InvalidImageName, CrashLoopBackOff after
                         3 restarts) for D (default 60s; 0 = wait out the timeout); nothing is marked by
                         then, and the result says how to roll back (okg rollback)
  --reclaim MODE         none (default: marked rooms stay until replicas are lowered, e.g. by KEDA),
                         scale-down (lower replicas by exactly the marks the pod labels confirm), or
                         kill (set Kill; OKG removes them and lowers replicas itself)
  --settle SECONDS       before reclaim, wait this long after marking, then re-read the rooms (default 2):
                         a matchmaker whose view of the rooms is at most this old has shown its Allocated
                         by then, and that room is kept; 0 turns the wait off
  --fix-update-strategy  if rollingUpdate defeats OnDelete, remove it as part of the image patch
  --take-over HOLDER     resume a release whose run died on another machine before its lease expires:
                         HOLDER as the lock refusal names it (user@host, or its holder id); refused, with
                         nothing written, unless HOLDER holds the lease now
  --dry-run              check everything and print the plan, the room preview and the predicted table
${ARGO_HELP}
  -o, --output           text (default) or json
  -v, --verbose          print every write as the kubectl command that does the same (with --context and
                         the exact patch the server accepted, its test ops included); on stderr with -o json

The release record and lease live on the GameServerSet (annotation okg-ops/release): a rerun of the same
command resumes an interrupted release; a second release is refused while one holds the lease (a run
that died on this host is taken over at once; one on another machine with --take-over).
While waiting for Ready, each new room's reason is printed when it changes (waiting reason, restarts,
last event); a timeout or a stop-early names the reasons, grouped.
Exit code: 0 success, 1 failed/stopped early/refused by the cluster/cancelled, 2 bad flags (nothing was
written), 3 finished but OKG removed rooms with players (named; a matchmaker allocated them after the last check).
`;

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} takes a whole number, got "${clip(value)}"`);
  return Number(value);
}

function parseRelease(argv: string[]) {
  return parseFlags('release', argv, {
    ...CLUSTER_OPTIONS,
    gss: { type: 'string' },
    image: { type: 'string', multiple: true },
    add: { type: 'string' },
    replicas: { type: 'string' },
    ready: { type: 'string' },
    timeout: { type: 'string' },
    'fail-fast-after': { type: 'string' },
    reclaim: { type: 'string' },
    settle: { type: 'string' },
    'fix-update-strategy': { type: 'boolean' },
    'take-over': { type: 'string' },
    'dry-run': { type: 'boolean' },
    ...ARGO_FLAGS,
    output: { type: 'string', short: 'o' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  });
}

/**
 * Runs `okg release` with `argv` (after the command name). Writes normal output to `out`, problems to
 * `err`, and resolves with the exit code: 0 success, 1 failed (cluster refused, failed, cancelled), 2 bad usage,
 * 3 finished with rooms with players lost.
 */
export async function releaseCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let input: ReleaseInput;
  let flags: ReturnType<typeof parseRelease>;
  let output: 'text' | 'json';
  let argo: ReturnType<typeof argoRequest>;
  try {
    flags = parseRelease(argv);
    if (flags.help) {
      out(RELEASE_HELP);
      return EXIT_OK;
    }
    output = oneOf('-o', flags.output, ['text', 'json'] as const, 'text');
    const gss = objectName('--gss', required('--gss', flags.gss));
    if (!flags.image?.length)
      throw new UsageError('--image CONTAINER=IMAGE is required (repeat it for several containers)');
    const images = flags.image.map(t => {
      const p = parseContainerImage(t);
      if (typeof p === 'string') throw new UsageError(`--image: ${p}`);
      return p;
    });
    const timeoutMs = durationFlag('--timeout', flags.timeout);
    const settleMs = durationFlag('--settle', flags.settle);
    const failFastAfterMs = durationFlag('--fail-fast-after', flags['fail-fast-after']);
    const reclaim = oneOf('--reclaim', flags.reclaim, RECLAIM_MODES, 'none');
    argo = argoRequest(flags);
    input = {
      namespace: flags.namespace ?? '',
      gameServerSet: gss,
      images,
      add: wholeNumber('--add', flags.add),
      replicas: wholeNumber('--replicas', flags.replicas),
      ready: wholeNumber('--ready', flags.ready),
      timeoutMs,
      ...(failFastAfterMs !== undefined ? { failFastAfterMs } : {}),
      reclaim,
      fixUpdateStrategy: flags['fix-update-strategy'] === true,
      ...(settleMs !== undefined ? { settleMs } : {}),
      ...(flags['take-over'] !== undefined ? { takeOver: flags['take-over'] } : {}),
    };
    if (flags.namespace !== undefined) validateInput(input); // everything but the namespace default, before connecting
  } catch (e) {
    return usageExit(e, err);
  }

  const connected = connectOrExit(flags, err);
  if (typeof connected === 'number') return connected;
  input.namespace = connected.namespace;
  const { client } = connected;

  if (flags['dry-run'] || argo) {
    const r = await previewRelease(input, { client });
    if (r.outcome === 'refused' || !r.plan) {
      err(`okg: ${r.message}`);
      return exitCode(r);
    }
    if (argo) {
      if (output === 'text') for (const l of planLines(r.plan)) out(l);
      const code = await runArgo(r.plan, argo, client.kc, output === 'text' ? out : () => undefined, err);
      if (output === 'json')
        out(
          JSON.stringify(
            {
              outcome: code === EXIT_OK ? 'planned' : 'failed',
              dryRun: !argo.submit,
              plan: r.plan,
              ...(argo.file ? { argoWorkflow: argo.file } : {}),
            },
            null,
            2,
          ),
        );
      return code;
    }
    if (output === 'json') out(JSON.stringify({ outcome: 'planned', dryRun: true, plan: r.plan }, null, 2));
    else {
      for (const l of planLines(r.plan)) out(l);
      out('dry run: nothing was changed');
    }
    return EXIT_OK;
  }

  const events: RunEvents<ReleaseEvent> = {
    planOf: e => (e.type === 'planned' ? planLines(e.plan, false) : undefined),
    lineOf: eventLine,
  };
  return runAndPrint(
    output,
    events,
    (signal, onEvent, say) =>
      runRelease(input, { client: flags.verbose ? auditWrites(client, say) : client, signal, onEvent }),
    out,
    err,
  );
}
