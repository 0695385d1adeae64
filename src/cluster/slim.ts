// What a namespace cache keeps of each GameServer and Pod: only the fields its readers use (the room view,
// okg.ts `roomView`; the room's addresses, describeAddress.ts; why a new room is not ready, release/reasons.ts;
// the pod's uid for its events), as client-go's informer transforms drop managedFields. A real pod carries its
// env, volumes, probes and managedFields: kept whole, 10,000 rooms cost the extension host over 100 MB. Values
// that repeat across rooms (states, condition types, images, label values) share one string.
import {
  ANN_OPS_STATE_CHANGED,
  ANN_STATE_CHANGED,
  LABEL_OWNER_GSS,
  LABEL_POD_DELETE_PRIORITY,
  LABEL_POD_OPS_STATE,
} from './okg.js';
import type { Obj } from './reflector.js';

type Json = Record<string, unknown>;

/** Canonical copies of repeating strings; emptied when full, so unusual values cannot grow it without bound. */
const canonical = new Map<string, string>();
const CANONICAL_MAX = 20_000;

function intern<T>(v: T): T {
  if (typeof v !== 'string' || v.length > 300) return v;
  const had = canonical.get(v);
  if (had !== undefined) return had as T;
  if (canonical.size >= CANONICAL_MAX) canonical.clear();
  canonical.set(v, v);
  return v;
}

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** `o`'s own fields among `keys` (absent ones stay absent, so readers see the same shape), repeating values shared. */
function pick(o: unknown, keys: readonly string[], share = true): Json | undefined {
  if (!isObj(o)) return undefined;
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = share ? intern(o[k]) : o[k];
  return out;
}

function pickList(v: unknown, keys: readonly string[], each?: (from: Json, to: Json) => void): Json[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map(x => {
    const to = pick(x, keys) ?? {};
    if (each && isObj(x)) each(x, to);
    return to;
  });
}

function pickLabels(m: unknown, keys: readonly string[]): Record<string, string> | undefined {
  if (!isObj(m)) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const k of keys)
    if (typeof m[k] === 'string') {
      out[k] = intern(m[k]);
      any = true;
    }
  return any ? out : undefined;
}

function assign(to: Json, key: string, v: unknown): void {
  if (v !== undefined) to[key] = v;
}

function metadata(o: Obj, labels: readonly string[], annotations: readonly string[]): Obj['metadata'] {
  const m = o.metadata;
  const out: Json = { name: m.name };
  assign(out, 'namespace', intern(m.namespace));
  assign(out, 'uid', m.uid);
  assign(out, 'resourceVersion', m.resourceVersion);
  assign(out, 'creationTimestamp', intern(m.creationTimestamp));
  assign(out, 'deletionTimestamp', m.deletionTimestamp);
  assign(out, 'labels', pickLabels(m.labels, labels));
  assign(out, 'annotations', pickLabels(m.annotations, annotations));
  return out as Obj['metadata'];
}

const CONTAINER = ['name', 'image'] as const;

/** A container state as reasons.ts reads it: waiting and terminated with their reason, message and exit code. */
function state(from: unknown): Json | undefined {
  if (!isObj(from)) return undefined;
  const out: Json = {};
  assign(out, 'waiting', pick(from.waiting, ['reason', 'message']));
  assign(out, 'terminated', pick(from.terminated, ['reason', 'message', 'exitCode']));
  if (from.running !== undefined) out.running = {};
  return out;
}

function containerStatuses(v: unknown): Json[] | undefined {
  return pickList(v, ['name', 'image', 'restartCount'], (from, to) => {
    assign(to, 'state', state(from.state));
    assign(to, 'lastState', state(from.lastState));
  });
}

/** A GameServer with what the room view and its addresses read. */
export function slimGameServer(o: Obj): Obj {
  const spec = isObj(o.spec) ? o.spec : {};
  const status = isObj(o.status) ? o.status : {};
  const outSpec = pick(spec, ['opsState', 'deletionPriority', 'updatePriority', 'networkDisabled'])!;
  assign(outSpec, 'containers', pickList(spec.containers, CONTAINER));
  const outStatus = pick(status, ['currentState'])!;
  if (isObj(status.podStatus))
    outStatus.podStatus = { containerStatuses: pickList(status.podStatus.containerStatuses, CONTAINER) };
  // The network plugin's status, as written: its state and addresses (a few per room).
  assign(
    outStatus,
    'networkStatus',
    pick(status.networkStatus, ['currentNetworkState', 'externalAddresses', 'internalAddresses'], false),
  );
  return { metadata: metadata(o, [LABEL_OWNER_GSS], []), spec: outSpec, status: outStatus };
}

/** A Pod with what the room view reads and what says why it is not ready (container states, conditions). */
export function slimPod(o: Obj): Obj {
  const spec = isObj(o.spec) ? o.spec : {};
  const status = isObj(o.status) ? o.status : {};
  const outSpec: Json = {};
  assign(outSpec, 'containers', pickList(spec.containers, CONTAINER));
  assign(outSpec, 'nodeName', intern(spec.nodeName));
  const outStatus = pick(status, ['phase', 'reason', 'message'])!;
  assign(outStatus, 'conditions', pickList(status.conditions, ['type', 'status', 'reason', 'message']));
  assign(outStatus, 'containerStatuses', containerStatuses(status.containerStatuses));
  assign(outStatus, 'initContainerStatuses', containerStatuses(status.initContainerStatuses));
  return {
    metadata: metadata(
      o,
      [LABEL_OWNER_GSS, LABEL_POD_OPS_STATE, LABEL_POD_DELETE_PRIORITY],
      [ANN_OPS_STATE_CHANGED, ANN_STATE_CHANGED],
    ),
    spec: outSpec,
    status: outStatus,
  };
}
