// Server-side table printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the CRDs'
// additionalPrinterColumns as apiextensions-apiserver's tableconvertor renders them, and the built-in
// printers for pods and namespaces (pkg/printers/internalversion), so `kubectl get` prints like a cluster.
import type { KubeObject } from './types.js';
import type { PrinterColumn, ResourceDef } from './resources.js';
import { evalJsonPath } from './jsonpath.js';
import { goJson, goNumber } from './gofmt.js';

export interface ColumnDefinition { name: string; type: string; format: string; description: string; priority: number }
export interface TableRow { cells: unknown[]; object?: unknown }
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[] | null;
  rows: TableRow[];
}

const NAME_DOC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition.\nCannot be updated.\nMore info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system.\nRead-only.\nNull for lists.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const nameColumn: ColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: NAME_DOC, priority: 0 };

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
    case 'string': return typeof value === 'object' ? goJson(value) : typeof value === 'number' ? goNumber(value) : String(value);
    case 'integer': return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number': return typeof value === 'number' ? value : null;
    case 'boolean': return typeof value === 'boolean' ? value : null;
    case 'date': return typeof value === 'string' ? age(value, now) : null;
    default: return null;
  }
}

interface Printer { columns: ColumnDefinition[]; cells(obj: KubeObject, now: number): unknown[] }

function crdPrinter(columns: PrinterColumn[]): Printer {
  return {
    columns: [nameColumn, ...columns.map(c => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))],
    cells: (obj, now) => [obj.metadata.name, ...columns.map(c => printerColumnCell(c, obj, now))],
  };
}

interface PodLike {
  spec?: { nodeName?: string; containers?: unknown[]; readinessGates?: { conditionType: string }[] };
  status?: {
    phase?: string; reason?: string; podIP?: string;
    containerStatuses?: { ready?: boolean; restartCount?: number; state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } } }[];
    conditions?: { type: string; status: string }[];
  };
}

const podPrinter: Printer = {
  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0 },
    { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0 },
    { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: AGE_DOC, priority: 0 },
    { name: 'IP', type: 'string', format: '', description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', priority: 1 },
    { name: 'Node', type: 'string', format: '', description: 'NodeName is a request to schedule this pod onto a specific node.', priority: 1 },
    { name: 'Nominated Node', type: 'string', format: '', description: 'nominatedNodeName is set only when this pod preempts other pods on the node.', priority: 1 },
    { name: 'Readiness Gates', type: 'string', format: '', description: 'If specified, all readiness gates will be evaluated for pod readiness.', priority: 1 },
  ],
  cells(obj, now) {
    const pod = obj as unknown as PodLike;
    const statuses = pod.status?.containerStatuses ?? [];
    const total = pod.spec?.containers?.length ?? 0;
    const ready = statuses.filter(s => s.ready).length;
    let reason = pod.status?.reason || pod.status?.phase || '';
    let restarts = 0;
    for (const s of statuses) {
      restarts += s.restartCount ?? 0;
      const waiting = s.state?.waiting?.reason;
      const terminated = s.state?.terminated?.reason;
      if (waiting) reason = waiting;
      else if (terminated) reason = terminated;
    }
    if (obj.metadata.deletionTimestamp) reason = 'Terminating';
    const gates = pod.spec?.readinessGates ?? [];
    const gateText = gates.length === 0 ? '<none>'
      : `${gates.filter(g => pod.status?.conditions?.some(c => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`;
    return [obj.metadata.name, `${ready}/${total}`, reason, restarts, age(obj.metadata.creationTimestamp, now),
      pod.status?.podIP || '<none>', pod.spec?.nodeName || '<none>', '<none>', gateText];
  },
};

const namespacePrinter: Printer = {
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: AGE_DOC, priority: 0 },
  ],
  cells: (obj, now) => [obj.metadata.name, (obj.status as { phase?: string } | undefined)?.phase ?? '', age(obj.metadata.creationTimestamp, now)],
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
export function toTable(res: ResourceDef, objects: KubeObject[], meta: Table['metadata'], include: IncludeObject, omitHeaders = false): Table {
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
