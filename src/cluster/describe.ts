// `describe` for a room: what kubectl describe shows for the GameServer and its pod (same name in OKG), in one
// text — the spec that matters, status and conditions, networkStatus with its addresses, container states with
// reasons and restarts, and the events of both, newest last. Pure formatting plus one fetch of the three.
import type { RawObject } from './okg.js';
import { humanDuration } from '../sandbox/tables.js';
import { addressText, externalAddresses, internalAddresses } from './describeAddress.js';

export { addressText, externalAddresses, internalAddresses };

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]).map(obj) : []);
const s = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));

function age(ts: unknown, now: number): string {
  const t = typeof ts === 'string' ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? '<unknown>' : humanDuration(Math.max(0, now - t));
}

/** Rows aligned as kubectl's describe tables: two spaces between columns, a dashes row under the header. */
function table(indent: string, head: string[], rows: string[][]): string[] {
  const all = [head, head.map(h => '-'.repeat(h.length)), ...rows];
  const widths = head.map((_, i) => Math.max(...all.map(r => (r[i] ?? '').length)));
  return all.map(
    r =>
      indent +
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2)))
        .join('')
        .trimEnd(),
  );
}

function kv(indent: string, pairs: [string, string][], min = 0): string[] {
  const w = Math.max(min, ...pairs.map(p => p[0].length + 2));
  return pairs.map(([k, v]) => `${indent}${`${k}:`.padEnd(w)}${v}`);
}

/** `k=v` lines of a map, sorted, the first after the label and the rest under it (kubectl's Labels:). */
function mapLines(label: string, m: unknown, width: number): string[] {
  const entries = Object.entries(obj(m)).sort(([x], [y]) => x.localeCompare(y));
  if (!entries.length) return [`${`${label}:`.padEnd(width)}<none>`];
  return entries.map(([k, v], i) => `${(i ? '' : `${label}:`).padEnd(width)}${k}=${String(v)}`);
}

function stateLines(indent: string, label: string, st: Json, now: number): string[] {
  const [kind, detail] = Object.entries(st)[0] ?? [];
  if (!kind) return [`${indent}${label}:`.padEnd(indent.length + 16) + '<none>'];
  const d = obj(detail);
  const title = kind[0].toUpperCase() + kind.slice(1);
  const lines = [`${indent}${label}:`.padEnd(indent.length + 16) + title];
  const pairs: [string, string][] = [];
  if (d.reason) pairs.push(['Reason', String(d.reason)]);
  if (d.message) pairs.push(['Message', String(d.message)]);
  if (d.exitCode !== undefined) pairs.push(['Exit Code', String(d.exitCode)]);
  if (d.startedAt) pairs.push(['Started', `${d.startedAt} (${age(d.startedAt, now)} ago)`]);
  if (d.finishedAt) pairs.push(['Finished', `${d.finishedAt} (${age(d.finishedAt, now)} ago)`]);
  return pairs.length ? [...lines, ...kv(indent + '  ', pairs)] : lines;
}

function conditionRows(conds: Json[]): string[][] {
  return conds.map(c => [s(c.type), s(c.status), c.reason ? String(c.reason) : '', c.message ? String(c.message) : '']);
}

/** Events of the room and its pod, oldest first (newest last, as kubectl describe prints them). */
export function sortEvents(events: readonly RawObject[]): RawObject[] {
  const when = (e: RawObject) => {
    const x = e as unknown as Json;
    const t = x.lastTimestamp ?? x.eventTime ?? x.firstTimestamp ?? e.metadata.creationTimestamp;
    return typeof t === 'string' ? Date.parse(t) || 0 : 0;
  };
  return [...events].sort((a, b) => when(a) - when(b));
}

function eventRows(events: readonly RawObject[], now: number): string[][] {
  return sortEvents(events).map(e => {
    const x = e as unknown as Json;
    const io = obj(x.involvedObject);
    const src = obj(x.source);
    const count = Number(x.count ?? 1);
    const last = x.lastTimestamp ?? x.eventTime ?? e.metadata.creationTimestamp;
    const first = x.firstTimestamp ?? last;
    const ago = count > 1 ? `${age(last, now)} (x${count} over ${age(first, now)})` : age(last, now);
    return [
      s(x.type),
      s(x.reason),
      `${s(io.kind)}/${s(io.name)}`,
      ago,
      s(src.component ?? x.reportingComponent),
      String(x.message ?? '').replace(/\s+/g, ' '),
    ];
  });
}

const EVENT_HEAD = ['Type', 'Reason', 'Object', 'Age', 'From', 'Message'];

function eventLines(events: readonly RawObject[], now: number): string[] {
  if (!events.length) return ['Events:  <none>'];
  return ['Events:', ...table('  ', EVENT_HEAD, eventRows(events, now))];
}

/** Events as a table, oldest first (a set's Show Events); `<none>` when there are none. */
export function eventsTable(events: readonly RawObject[], now = Date.now()): string {
  return events.length ? table('', EVENT_HEAD, eventRows(events, now)).join('\n') : '<none>';
}

function networkLines(gs: RawObject, spec: Json): string[] {
  const ns = obj(obj(gs.status).networkStatus);
  if (!Object.keys(ns).length) return [`  Network Status:  ${spec.networkDisabled ? 'disabled' : '<none>'}`];
  const ext = externalAddresses(gs).map(a => `${addressText(a)}/${a.protocol}${a.name ? ` (${a.name})` : ''}`);
  const int = internalAddresses(gs).map(a => `${addressText(a)}/${a.protocol}${a.name ? ` (${a.name})` : ''}`);
  return [
    '  Network Status:',
    ...kv('    ', [
      ['Network Type', s(ns.networkType)],
      ['Current Network State', s(ns.currentNetworkState)],
      ['Desired Network State', s(ns.desiredNetworkState)],
      ['External Addresses', ext.length ? ext.join(', ') : '<none>'],
      ['Internal Addresses', int.length ? int.join(', ') : '<none>'],
      ['Last Transition Time', s(ns.lastTransitionTime)],
    ]),
  ];
}

function podLines(pod: RawObject | undefined, now: number): string[] {
  if (!pod) return ['Pod:  <none> (no pod of this name: the room is being created or deleted)'];
  const spec = obj(pod.spec);
  const st = obj(pod.status);
  const statuses = new Map(arr(st.containerStatuses).map(c => [String(c.name), c]));
  const lines = [
    'Pod:',
    ...kv('  ', [
      ['Node', s(spec.nodeName)],
      ['Start Time', s(st.startTime)],
      ['Status', pod.metadata.deletionTimestamp ? 'Terminating' : s(st.phase)],
      ['IP', s(st.podIP)],
    ]),
    '  Containers:',
  ];
  for (const c of arr(spec.containers)) {
    const cs = obj(statuses.get(String(c.name)));
    const ports = arr(c.ports).map(p => `${p.containerPort}/${p.protocol ?? 'TCP'}`);
    lines.push(`    ${s(c.name)}:`);
    lines.push(
      ...kv('      ', [
        ['Image', s(c.image)],
        ['Port', ports.length ? ports.join(', ') : '<none>'],
      ]),
    );
    lines.push(...stateLines('      ', 'State', obj(cs.state), now));
    if (Object.keys(obj(cs.lastState)).length)
      lines.push(...stateLines('      ', 'Last State', obj(cs.lastState), now));
    lines.push(
      ...kv('      ', [
        ['Ready', cs.ready === undefined ? '<unknown>' : cs.ready ? 'True' : 'False'],
        ['Restart Count', String(cs.restartCount ?? 0)],
      ]),
    );
  }
  const conds = arr(st.conditions);
  lines.push(
    '  Conditions:',
    ...(conds.length
      ? table(
          '    ',
          ['Type', 'Status'],
          conds.map(c => [s(c.type), s(c.status)]),
        )
      : ['    <none>']),
  );
  return lines;
}

/** The describe text of a room: GameServer, then its pod, then the events of both. */
export function describeRoom(
  gs: RawObject,
  pod: RawObject | undefined,
  events: readonly RawObject[],
  now = Date.now(),
): string {
  const spec = obj(gs.spec);
  const st = obj(gs.status);
  const m = gs.metadata;
  const owner =
    ((m as unknown as Json).ownerReferences as { kind?: string; name?: string }[] | undefined)?.find(
      o => o.kind === 'GameServerSet',
    )?.name ?? m.labels?.['game.kruise.io/owner-gss'];
  const lines = [
    ...kv(
      '',
      [
        ['Name', s(m.name)],
        ['Namespace', s(m.namespace)],
        ['Kind', `GameServer (${gs.apiVersion ?? 'game.kruise.io/v1alpha1'})`],
        ['Controlled By', owner ? `GameServerSet/${owner}` : '<none>'],
        ['Created', `${s(m.creationTimestamp)} (${age(m.creationTimestamp, now)} ago)`],
      ],
      15,
    ),
    ...mapLines('Labels', m.labels, 15),
    'Spec:',
    ...kv('  ', [
      ['Ops State', s(spec.opsState ?? 'None')],
      ['Deletion Priority', s(spec.deletionPriority ?? 0)],
      ['Update Priority', s(spec.updatePriority ?? 0)],
      ['Network Disabled', String(spec.networkDisabled ?? false)],
      ...arr(spec.containers).map(c => [`Container ${s(c.name)}`, s(c.image)] as [string, string]),
    ]),
    'Status:',
    ...kv('  ', [
      ['Current State', s(st.currentState)],
      ['Desired State', s(st.desiredState)],
      ['Deletion Priority', s(st.deletionPriority)],
      ['Update Priority', s(st.updatePriority)],
      ['Last Transition Time', s(st.lastTransitionTime)],
    ]),
    ...networkLines(gs, spec),
    '  Conditions:',
    ...(arr(st.conditions).length
      ? table('    ', ['Type', 'Status', 'Reason', 'Message'], conditionRows(arr(st.conditions)))
      : ['    <none>']),
    ...podLines(pod, now),
    ...eventLines(events, now),
  ];
  return `${lines.join('\n')}\n`;
}

/** The path listing or watching the events of a room and its pod (both carry the room's name). */
export function roomEventsPath(namespace: string, room: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${room}`)}`;
}
