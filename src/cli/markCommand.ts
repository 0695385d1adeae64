// `okg mark`: a safe GameServers-Updater. Selects rooms of one GameServerSet, validates every flag and (one access
// review) the right to write before the first write, then writes each room with a conditional patch
// (src/release/bulk.ts) so a room the matchmaker allocated meanwhile is skipped, not overwritten. Prints one line
// per room and a summary.
import { clip } from '../cluster/clip.js';
import { ClusterError } from '../cluster/errors.js';
import { KubeconfigError } from '../cluster/kubeconfig.js';
import { gameServerSetView, OKG_GROUP } from '../cluster/okg.js';
import { applyToRooms, summarize, validateChange, type RoomChange, type RoomResult } from '../release/bulk.js';
import { CHANGE_FIELDS } from '../release/bulkChange.js';
import {
  GAME_SERVER_STATES,
  parseContainerImage,
  selectRooms,
  validateSelector,
  type RoomSelector,
} from '../release/selection.js';
import { listRooms } from '../release/selectionRooms.js';
import {
  CLUSTER_OPTIONS,
  commaList,
  connect,
  objectName,
  oneOf,
  ordinalList,
  parseFlags,
  repeatedList,
  required,
} from './args.js';
import { formatTable } from './roomsCommand.js';
import { EXIT_FAILED, positiveInt, UsageError } from './usage.js';

export const MARK_HELP = `Usage: okg mark -n NS --gss NAME [selection] --set-opsstate VALUE [--set-deletion-priority N]
                [--set-update-priority N] [--dry-run] [-o text|json] [--kubeconfig FILE] [--context NAME]

Changes opsState (and priorities) of the selected rooms of one GameServerSet. Each room is written
only if it still has the values it had when selected: a room the matchmaker allocated meanwhile is
skipped, never overwritten. Every flag is checked before the first write.

Selection (every flag given must hold; at least one, or --all):
  --select-ids 1,2          ordinals
  --select-opsstate None    opsState values, comma-separated (case-sensitive)
  --select-state Ready      GameServer states (${GAME_SERVER_STATES.join(', ')})
  --select-image C=IMAGE    rooms running IMAGE in container C (pod spec and running); repeatable, all must hold
  --select-not-image C=IMAGE  rooms not running it; repeatable, a room is selected when it runs none of them
  --all                     every room of the GameServerSet
  --include-allocated       allow WaitToBeDeleted or Kill on rooms that are Allocated (players are on them);
                            without it such a selection is refused before any write

Change (at least one):
  --set-opsstate VALUE      e.g. WaitToBeDeleted, Kill, Maintaining, None (a valid label value)
  --set-deletion-priority N whole number ≥ 0 (higher is deleted first within an opsState)
  --set-update-priority N   whole number ≥ 0 (higher is updated first)

  --dry-run                 write nothing; show what would change
  -o, --output              text (default) or json
  --concurrency N           rooms written at once (default 16)

Exit code: 0 when every selected room has the new values, 1 when any room was skipped or failed or
you may not write rooms (nothing is written), 2 for bad flags (nothing is written).
`;

interface Parsed {
  namespace: string;
  gss: string;
  selector: RoomSelector;
  change: RoomChange;
  all: boolean;
}

function parseMarkFlags(argv: string[]) {
  return parseFlags('mark', argv, {
    ...CLUSTER_OPTIONS,
    gss: { type: 'string' },
    'select-ids': { type: 'string' },
    'select-opsstate': { type: 'string' },
    'select-state': { type: 'string' },
    'select-image': { type: 'string', multiple: true },
    'select-not-image': { type: 'string', multiple: true },
    all: { type: 'boolean' },
    'include-allocated': { type: 'boolean' },
    'set-opsstate': { type: 'string' },
    'set-deletion-priority': { type: 'string' },
    'set-update-priority': { type: 'string' },
    'dry-run': { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    concurrency: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
}

/** Everything that can be checked without the cluster; throws one UsageError listing every problem. */
function buildRequest(flags: ReturnType<typeof parseMarkFlags>): Parsed {
  const namespace = objectName('-n', required('-n', flags.namespace));
  const gss = objectName('--gss', required('--gss', flags.gss));
  const reasons: string[] = [];
  const pairs = (flag: string, values: string[] | undefined) =>
    repeatedList(flag, values)?.map(v => {
      const p = parseContainerImage(v);
      if (typeof p === 'string') {
        reasons.push(`${flag}: ${p}`);
        return { container: '', image: '' };
      }
      return p;
    });
  const selector: RoomSelector = {
    ordinals: ordinalList('--select-ids', flags['select-ids']),
    opsStates: commaList('--select-opsstate', flags['select-opsstate']),
    states: commaList('--select-state', flags['select-state']),
    images: pairs('--select-image', flags['select-image']),
    notImages: pairs('--select-not-image', flags['select-not-image']),
  };
  for (const k of Object.keys(selector) as (keyof RoomSelector)[]) if (selector[k] === undefined) delete selector[k];
  const all = flags.all === true;
  if (all && Object.keys(selector).length) reasons.push('--all cannot be combined with --select-* flags');
  if (!all && !Object.keys(selector).length)
    reasons.push('give at least one --select-* flag, or --all to change every room');
  for (const s of selector.states ?? []) {
    if (!(GAME_SERVER_STATES as readonly string[]).includes(s))
      reasons.push(`--select-state: "${clip(s)}" is not a GameServer state (one of ${GAME_SERVER_STATES.join(', ')})`);
  }
  const change: RoomChange = {
    opsState: flags['set-opsstate'],
    deletionPriority: flags['set-deletion-priority'],
    updatePriority: flags['set-update-priority'],
  };
  for (const f of CHANGE_FIELDS) if (change[f] === undefined) delete change[f];
  if (!Object.keys(change).length)
    reasons.push('give --set-opsstate, --set-deletion-priority or --set-update-priority');
  else reasons.push(...validateChange(change));
  if (reasons.length) throw new UsageError(reasons.join('; '));
  return { namespace, gss, selector, change, all };
}

function show(v: unknown): string {
  return v === undefined ? '' : String(v);
}

/** The DETAIL cell of one result: "opsState None → WaitToBeDeleted", or the reason. */
export function resultDetail(r: RoomResult): string {
  const moves = Object.keys(r.to ?? {})
    .map(k => `${k} ${show(r.from?.[k as keyof RoomChange])} → ${show(r.to?.[k as keyof RoomChange])}`)
    .join(', ');
  if (r.outcome === 'changed') return moves;
  if (r.outcome === 'unchanged') return r.reason ?? 'already has the new values';
  return r.reason ?? '';
}

/** Runs `okg mark`; returns 0 when every selected room has the new values, 1 otherwise; UsageError for bad flags. */
export async function markCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const flags = parseMarkFlags(argv);
  if (flags.help) {
    out(MARK_HELP);
    return 0;
  }
  const output = oneOf('-o', flags.output, ['text', 'json'] as const, 'text');
  const concurrency = positiveInt('--concurrency', flags.concurrency, { min: 1, max: 100 });
  const { namespace, gss, selector, change } = buildRequest(flags);
  const dryRun = flags['dry-run'] === true;
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  try {
    const { client } = connect({ ...flags, namespace });
    const set = gameServerSetView(await client.getGameServerSet(namespace, gss));
    const reasons = validateSelector(selector, set);
    if (reasons.length) throw new UsageError(reasons.join('; '));
    const rooms = await listRooms(client, namespace, gss);
    const selected = selectRooms(rooms, selector);
    const withPlayers = selected.filter(r => r.opsState === 'Allocated');
    if (
      withPlayers.length &&
      (change.opsState === 'WaitToBeDeleted' || change.opsState === 'Kill') &&
      flags['include-allocated'] !== true
    ) {
      throw new UsageError(
        `${withPlayers.length} selected room(s) are Allocated, players are on them (${withPlayers
          .map(r => r.name)
          .slice(0, 5)
          .join(
            ', ',
          )}${withPlayers.length > 5 ? ', …' : ''}); ${change.opsState} would let OKG delete them — narrow the selection (e.g. --select-opsstate None) or pass --include-allocated`,
      );
    }
    // One review before the first write, not one 403 per room (as `okg release` does in its preflight).
    if (
      !dryRun &&
      selected.length &&
      !(await client.canI({ verb: 'patch', group: OKG_GROUP, resource: 'gameservers', namespace }))
    ) {
      err(
        `okg: you may not patch gameservers.${OKG_GROUP} in namespace "${namespace}", but okg mark writes each selected room (${selected.length} of ${gss}); ask a cluster admin for access or use another context — nothing was changed`,
      );
      return EXIT_FAILED;
    }
    process.once('SIGINT', onSignal);
    const results = await applyToRooms(client, selected, change, { concurrency, dryRun, signal: abort.signal });
    const counts = summarize(results);
    if (output === 'json') {
      out(
        JSON.stringify(
          {
            namespace,
            gameServerSet: gss,
            dryRun,
            rooms: rooms.length,
            selected: selected.length,
            summary: counts,
            results,
          },
          null,
          2,
        ),
      );
    } else {
      if (results.length) {
        const label = (r: RoomResult) => (dryRun && r.outcome === 'changed' ? 'would change' : r.outcome);
        for (const line of formatTable([
          ['NAME', 'RESULT', 'DETAIL'],
          ...results.map(r => [r.name, label(r), resultDetail(r)]),
        ]))
          out(line);
      }
      const changed = dryRun ? `${counts.changed} would change` : `${counts.changed} changed`;
      out(
        `${dryRun ? 'dry run (nothing written): ' : ''}${gss}: ${selected.length} of ${rooms.length} rooms selected; ${changed}, ${counts.unchanged} unchanged, ${counts.skipped} skipped, ${counts.failed} failed`,
      );
    }
    const bad = counts.skipped + counts.failed;
    if (bad) {
      err(
        `okg: ${bad} of ${selected.length} selected rooms did not get the new values (${counts.skipped} skipped, ${counts.failed} failed)`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof ClusterError || e instanceof KubeconfigError) {
      err(`okg: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
