// Server-side table printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the CRDs'
// additionalPrinterColumns as apiextensions-apiserver's tableconvertor renders them, and the built-in
// printers for pods, events and namespaces (pkg/printers/internalversion), so `kubectl get` prints like a cluster.
import type { KubeObject } from './types.js';
import type { PrinterColumn, ResourceDef } from './resources.js';
import { evalJsonPath } from './jsonpath.js';
import { goJson, goNumber } from './gofmt.js';

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}
export interface TableRow {
  cells: unknown[];
  object?: unknown;
}
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[] | null;
  rows: TableRow[];
}

const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition.\nCannot be updated.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system.\nRead-only.\nNull for lists.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const nameColumn: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: NAME_DOC,
  priority: 0,
};

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || !ts) return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
}

/**
 * apiextensions-apiserver tableconvertor: string columns print any value as client-go's JSONPath does (objects and
 * arrays as Go's json.Marshal, numbers as fmt %v, null as "<no value>"), other types must match or are null.
 */
export function printerColumnCell(column: PrinterColumn, obj: KubeObject, now: number): unknown {
  const value = evalJsonPath(obj, column.jsonPath);
  if (value === undefined) return null;
  if (value === null) return column.type === 'string' ? '<no value>' : null;
  switch (column.type) {
    case 'string':
      return typeof value === 'object' ? goJson(value) : typeof value === 'number' ? goNumber(value) : String(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? age(value, now) : null;
    default:
      return null;
  }
}

interface Printer {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: number): unknown[];
}

function crdPrinter(columns: PrinterColumn[]): Printer {
  return {
    columns: [
      nameColumn,
      ...columns.map(c => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    cells: (obj, now) => [obj.metadata.name, ...columns.map(c => printerColumnCell(c, obj, now))],
  };
}

interface PodLike {
  spec?: { nodeName?: string; containers?: unknown[]; readinessGates?: { conditionType: string }[] };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    containerStatuses?: {
      ready?: boolean;
      restartCount?: number;
      state?: {
        waiting?: { reason?: string };
        terminated?: { reason?: string; exitCode?: number; signal?: number };
        running?: unknown;
      };
      lastState?: { terminated?: { finishedAt?: string } };
    }[];
    conditions?: { type: string; status: string }[];
  };
}

const podPrinter: Printer = {
  columns: [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      format: '',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      priority: 0,
    },
    {
      name: 'Status',
      type: 'string',
      format: '',
      description: 'The aggregate status of the containers in this pod.',
      priority: 0,
    },
    {
      name: 'Restarts',
      type: 'string',
      format: '',
      description:
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      priority: 0,
    },
    { name: 'Age', type: 'string', format: '', description: AGE_DOC, priority: 0 },
    {
      name: 'IP',
      type: 'string',
      format: '',
      description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      priority: 1,
    },
    {
      name: 'Node',
      type: 'string',
      format: '',
      description: 'NodeName is a request to schedule this pod onto a specific node.',
      priority: 1,
    },
    {
      name: 'Nominated Node',
      type: 'string',
      format: '',
      description: 'nominatedNodeName is set only when this pod preempts other pods on the node.',
      priority: 1,
    },
    {
      name: 'Readiness Gates',
      type: 'string',
      format: '',
      description: 'If specified, all readiness gates will be evaluated for pod readiness.',
      priority: 1,
    },
  ],
  cells(obj, now) {
    const pod = obj as unknown as PodLike;
    const statuses = pod.status?.containerStatuses ?? [];
    const total = pod.spec?.containers?.length ?? 0;
    let ready = 0;
    let reason = pod.status?.reason || pod.status?.phase || '';
    let restarts = 0;
    let lastRestart = 0;
    // printPod walks the statuses from the last one, so the first container's reason wins
    for (let i = statuses.length - 1; i >= 0; i--) {
      const s = statuses[i];
      restarts += s.restartCount ?? 0;
      const finished = Date.parse(s.lastState?.terminated?.finishedAt ?? '');
      if (finished > lastRestart) lastRestart = finished;
      const t = s.state?.terminated;
      if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
      else if (s.ready && s.state?.running) ready++;
    }
    if (obj.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(pod.status?.phase ?? ''))
      reason = 'Terminating';
    const restartText =
      restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
    const gates = pod.spec?.readinessGates ?? [];
    const gateText =
      gates.length === 0
        ? '<none>'
        : `${gates.filter(g => pod.status?.conditions?.some(c => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`;
    return [
      obj.metadata.name,
      `${ready}/${total}`,
      reason,
      restartText,
      age(obj.metadata.creationTimestamp, now),
      pod.status?.podIP || '<none>',
      pod.spec?.nodeName || '<none>',
      '<none>',
      gateText,
    ];
  },
};

interface EventLike {
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

const EVENT_DOC = {
  lastTimestamp: 'The time at which the most recent occurrence of this event was recorded.',
  type: 'Type of this event (Normal, Warning), new types could be added in the future',
  reason:
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  involvedObject: 'The object that this event is about.',
  fieldPath:
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
  source: 'The component reporting this event. Should be a short machine understandable string.',
  message: 'A human-readable description of the status of this operation.',
  firstTimestamp: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
  count: 'The number of times this event has occurred.',
};

/** printEvent (server side, so wide: kubectl hides the priority-1 columns). */
const eventPrinter: Printer = {
  columns: [
    { name: 'Last Seen', type: 'string', format: '', description: EVENT_DOC.lastTimestamp, priority: 0 },
    { name: 'Type', type: 'string', format: '', description: EVENT_DOC.type, priority: 0 },
    { name: 'Reason', type: 'string', format: '', description: EVENT_DOC.reason, priority: 0 },
    { name: 'Object', type: 'string', format: '', description: EVENT_DOC.involvedObject, priority: 0 },
    { name: 'Subobject', type: 'string', format: '', description: EVENT_DOC.fieldPath, priority: 1 },
    { name: 'Source', type: 'string', format: '', description: EVENT_DOC.source, priority: 1 },
    { name: 'Message', type: 'string', format: '', description: EVENT_DOC.message, priority: 0 },
    { name: 'First Seen', type: 'string', format: '', description: EVENT_DOC.firstTimestamp, priority: 1 },
    { name: 'Count', type: 'string', format: '', description: EVENT_DOC.count, priority: 1 },
    { ...nameColumn, priority: 1 },
  ],
  cells(obj, now) {
    const e = obj as unknown as EventLike;
    const first = e.firstTimestamp ? age(e.firstTimestamp, now) : age(e.eventTime, now);
    let last = e.lastTimestamp ? age(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    if (e.series) {
      last = age(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) count = 1;
    const kind = (e.involvedObject?.kind ?? '').toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    const component = e.source?.component || e.reportingComponent || '';
    const instance = e.source?.host || e.reportingInstance || '';
    return [
      last,
      e.type ?? '',
      e.reason ?? '',
      target,
      e.involvedObject?.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      (e.message ?? '').trim(),
      first,
      count,
      obj.metadata.name,
    ];
  },
};

const namespacePrinter: Printer = {
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: AGE_DOC, priority: 0 },
  ],
  cells: (obj, now) => [
    obj.metadata.name,
    (obj.status as { phase?: string } | undefined)?.phase ?? '',
    age(obj.metadata.creationTimestamp, now),
  ],
};

const genericPrinter: Printer = {
  columns: [nameColumn, { name: 'Age', type: 'date', format: '', description: AGE_DOC, priority: 0 }],
  cells: (obj, now) => [obj.metadata.name, age(obj.metadata.creationTimestamp, now)],
};

const printers = new WeakMap<ResourceDef, Printer>();

function printerFor(res: ResourceDef): Printer {
  let p = printers.get(res);
  if (!p) {
    if (res.printerColumns) p = crdPrinter(res.printerColumns);
    else if (res.kind === 'Pod') p = podPrinter;
    else if (res.kind === 'Namespace') p = namespacePrinter;
    else if (res.kind === 'Event' && !res.group) p = eventPrinter;
    else p = genericPrinter;
    printers.set(res, p);
  }
  return p;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** A Table of objects; watch events after the first omit the column definitions (null), as kube does. */
export function toTable(
  res: ResourceDef,
  objects: KubeObject[],
  meta: Table['metadata'],
  include: IncludeObject,
  omitHeaders = false,
): Table {
  const p = printerFor(res);
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: omitHeaders ? null : p.columns,
    rows: objects.map(o => {
      const row: TableRow = { cells: p.cells(o, now) };
      const ro = rowObject(o, include);
      if (ro !== undefined) row.object = ro;
      return row;
    }),
  };
}
