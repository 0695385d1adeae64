// The one message contract between the extension host and the release wizard webview. Every message type is
// defined once, by its schema (schema.ts); the TypeScript types are inferred from the schemas, and the schemas
// of the engine's own types are pinned to them (`Exact`), so a field added anywhere without its schema fails
// tsc. Both sides treat what they receive as untrusted: a message that does not match (an unknown key
// included) is ignored and reported, never rendered or run.
//
// The webview may only ask for what its form offers: a new release from the form's fields, or the resume of a
// recorded release by its id (the host reads that release's inputs from the cluster, never from the webview).
//
// Pure TypeScript (no node, no vscode, no DOM): it is bundled into the browser webview and the host alike.
import type { ContainerImage } from '../cluster/okg.js';
import {
  RECLAIM_MODES,
  STEPS,
  type NormalizedInput,
  type PlannedStep,
  type PredictedRoom,
  type ReleaseEvent,
  type ReleaseInput,
  type ReleasePlan,
  type ReleaseSummary,
  type RoomPreview,
} from '../release/types.js';
import { MAX_ADD } from '../release/validate.js';
import type { FeedEvent, RoomRow, Sample } from './feed.js';
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from './form.js';
import {
  bool,
  either,
  int,
  list,
  lit,
  obj,
  oneOf,
  pattern,
  tagged,
  text,
  type Assert,
  type Exact,
  type Infer,
  type Schema,
} from './schema.js';

export const PROTOCOL_VERSION = 3;
/** The webview panel's view type (also the serializer's). */
export const VIEW_TYPE = 'okg.releaseWizard';

// ---------------------------------------------------------------------------------------------------------
// Values

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes object names (rooms, sets). */
const k8sName = pattern(DNS_SUBDOMAIN, 253, 'a Kubernetes name');
const namespaceName = pattern(DNS_LABEL, 63, 'a namespace name');
const containerName = pattern(DNS_LABEL, 63, 'a container name');
/** Image references as found in objects: no white space or control characters. */
const imageRef = pattern(/^[^\s\u0000-\u001f<>"'`]*$/, 4096, 'an image reference');
/** opsState values: any short string without markup characters. */
const opsStateText = pattern(/^[^\u0000-\u001f<>"'`]*$/, 63, 'an opsState');
/** Release ids (rel-20260101T000000Z-abcd) and scope ids. */
const token = pattern(/^[A-Za-z0-9][A-Za-z0-9:._/@-]*$/, 300, 'an id');
const roomState = pattern(/^[A-Za-z]*$/, 63, 'a room state');
const step = oneOf(STEPS);
const count = int(0, 1_000_000);
const replicas = int(1, 1_000_000);
const timeoutMs = int(1, 7 * 24 * 3600_000);
const settleMs = int(0, 10 * 60_000);
const failFastAfterMs = int(0, 7 * 24 * 3600_000);

// ---------------------------------------------------------------------------------------------------------
// The engine's types (declared in src/release/types.ts; each schema is pinned to its type below)

const containerImage = obj({ container: containerName, image: imageRef });
const images = list(containerImage, 64);
const reclaim = oneOf(RECLAIM_MODES);
const retireOpsStates = list(opsStateText, 16);

const releaseInput = obj(
  { namespace: namespaceName, gameServerSet: k8sName, images },
  {
    add: replicas,
    replicas,
    ready: replicas,
    timeoutMs,
    failFastAfterMs,
    retireOpsStates,
    reclaim,
    fixUpdateStrategy: bool,
    takeOver: text(300),
    settleMs,
  },
);

const normalizedInput = obj(
  {
    namespace: namespaceName,
    gameServerSet: k8sName,
    images,
    timeoutMs,
    retireOpsStates,
    reclaim,
    fixUpdateStrategy: bool,
    settleMs,
  },
  { add: replicas, replicas, ready: replicas, failFastAfterMs },
);

const plannedStep = obj({ step, title: text(1000), done: bool });
const roomPreview = obj(
  {
    name: k8sName,
    version: oneOf(['old', 'new', 'to-create'] as const),
    state: roomState,
    opsState: opsStateText,
    images,
    action: oneOf(['retire', 'keep', 'protected', 'create'] as const),
  },
  { reason: text(500) },
);
const predictedRoom = obj({ name: k8sName, state: roomState, opsState: opsStateText, images });

const releasePlan = obj(
  {
    input: normalizedInput,
    fromReplicas: count,
    toReplicas: count,
    newRooms: count,
    ready: count,
    oldImages: images,
    steps: list(plannedStep, STEPS.length),
    rooms: list(roomPreview),
    predicted: list(predictedRoom),
    fixesUpdateStrategy: bool,
    network: bool,
    warnings: list(text(), 200),
  },
  { resumes: token, alreadyDone: token, takesOver: obj({ release: token, holder: text(300), reason: text(500) }) },
);

const reasonGroup = obj({ reason: text(500), message: text(1000), rooms: list(k8sName) });
const summary = obj({
  retired: list(k8sName),
  skipped: list(k8sName),
  reclaimed: count,
  lost: list(text(400)),
  finalReplicas: count,
  requests: count,
});

const stepStarted = obj({ type: lit('step-started'), step, index: int(1, 100), total: int(1, 100), title: text(1000) });
const roomChanged = obj(
  {
    type: lit('room-changed'),
    step,
    room: k8sName,
    from: opsStateText,
    to: opsStateText,
    result: oneOf(['changed', 'unchanged', 'skipped', 'failed'] as const),
  },
  { reason: text(1000) },
);
const stepResult = oneOf(['done', 'already-done', 'skipped'] as const);
const failedOutcome = oneOf(['failed', 'cancelled', 'stopped-early'] as const);
const failedMore = { suggest: lit('rollback'), reasons: list(reasonGroup, 100) };

const releaseEvent = tagged({
  planned: obj({ type: lit('planned'), id: token, plan: releasePlan }),
  'step-started': stepStarted,
  'step-progress': obj({ type: lit('step-progress'), step, message: text() }, { done: count, of: count }),
  'step-done': obj({ type: lit('step-done'), step, result: stepResult, message: text() }),
  'room-changed': roomChanged,
  'room-waiting': obj(
    {
      type: lit('room-waiting'),
      step,
      room: k8sName,
      ready: bool,
      reason: text(500),
      message: text(1000),
      restarts: count,
      permanent: bool,
    },
    { lastEvent: text(1000) },
  ),
  warning: obj({ type: lit('warning'), message: text() }),
  done: obj({ type: lit('done'), id: token, summary }),
  failed: obj(
    { type: lit('failed'), id: either(token, lit('')), step, outcome: failedOutcome, message: text() },
    failedMore,
  ),
});

/** Room names taken out of an event's text (feed.ts `summarise`): sent as data, never as text. */
const rooms = list(k8sName);
/**
 * The engine's events as the host sends them: text summarised, long room lists in `rooms`. A room's waiting
 * reason (room-waiting) is not an event here: the host puts it on the room's row.
 */
const feedEvent = tagged({
  planned: obj({ type: lit('planned'), id: token, plan: releasePlan }),
  'step-started': stepStarted,
  'step-progress': obj({ type: lit('step-progress'), step, message: text() }, { done: count, of: count, rooms }),
  'step-done': obj({ type: lit('step-done'), step, result: stepResult, message: text() }, { rooms }),
  'room-changed': roomChanged,
  warning: obj({ type: lit('warning'), message: text() }, { rooms }),
  done: obj({ type: lit('done'), id: token, summary }),
  failed: obj(
    { type: lit('failed'), id: either(token, lit('')), step, outcome: failedOutcome, message: text() },
    { ...failedMore, rooms },
  ),
});
const roomRow = obj(
  { name: k8sName, version: oneOf(['old', 'new'] as const), state: roomState, opsState: opsStateText },
  { gone: bool, reason: text(1000) },
);
const sample = obj({
  t: int(0, 30 * 24 * 3600_000),
  old: count,
  newReady: count,
  newNotReady: count,
  marked: count,
  reclaimed: count,
});

// A field added to one of the engine's types without its schema (or the other way round) fails here.
export type EngineTypesPinned = [
  Assert<Exact<Infer<typeof containerImage>, ContainerImage>>,
  Assert<Exact<Infer<typeof releaseInput>, ReleaseInput>>,
  Assert<Exact<Infer<typeof normalizedInput>, NormalizedInput>>,
  Assert<Exact<Infer<typeof plannedStep>, PlannedStep>>,
  Assert<Exact<Infer<typeof roomPreview>, RoomPreview>>,
  Assert<Exact<Infer<typeof predictedRoom>, PredictedRoom>>,
  Assert<Exact<Infer<typeof releasePlan>, ReleasePlan>>,
  Assert<Exact<Infer<typeof summary>, ReleaseSummary>>,
  Assert<Exact<Infer<typeof releaseEvent>, ReleaseEvent>>,
  Assert<Exact<Infer<typeof feedEvent>, FeedEvent>>,
  Assert<Exact<Infer<typeof roomRow>, RoomRow>>,
  Assert<Exact<Infer<typeof sample>, Sample>>,
];

// ---------------------------------------------------------------------------------------------------------
// What the webview may ask for

/** A new release exactly as the wizard's form offers it (toInput): no replicas, no retire states, bounded counts. */
const formInput = obj(
  {
    namespace: namespaceName,
    gameServerSet: k8sName,
    images: list(containerImage, 64, 1),
    add: int(1, MAX_ADD),
    timeoutMs: int(MIN_TIMEOUT_MS, MAX_TIMEOUT_MS),
    reclaim,
  },
  { ready: int(1, MAX_ADD), fixUpdateStrategy: bool },
);

/** The resume of the unfinished release recorded on a GameServerSet, named by its id. */
const resumeRef = obj({ gameServerSet: k8sName, id: token });

const webviewMessage = tagged({
  ready: obj({ type: lit('ready'), version: int(0, 1000) }),
  refresh: obj({ type: lit('refresh') }),
  preview: either(
    obj({ type: lit('preview'), seq: count, scope: token, input: formInput }),
    obj({ type: lit('preview'), seq: count, scope: token, resume: resumeRef }),
  ),
  run: either(
    obj({ type: lit('run'), scope: token, input: formInput }),
    obj({ type: lit('run'), scope: token, resume: resumeRef }),
  ),
  cancel: obj({ type: lit('cancel') }),
  'export-argo': obj({ type: lit('export-argo'), seq: count }),
  close: obj({ type: lit('close') }),
  /** The webview ignored a host message that did not validate (`reason` names the path, not the value). */
  rejected: obj({ type: lit('rejected'), reason: text(500) }),
});

// ---------------------------------------------------------------------------------------------------------
// What the host tells the webview

/** An unfinished release recorded on a set: offered for resume, with who made it and what it will do. */
const interrupted = obj(
  {
    id: token,
    step,
    /** cancelled/failed: stopped; expired: its holder is gone; running: someone holds a live lease. */
    state: oneOf(['cancelled', 'failed', 'expired', 'running'] as const),
    /** Who made it: "user@host (pid N)". */
    holder: text(300),
    /** Made by this user on this machine (else the wizard asks before resuming it). */
    mine: bool,
    startedAt: text(64),
    /** The recorded inputs: a resume replays them as they are. */
    input: releaseInput,
  },
  { message: text() },
);

/** A GameServerSet the wizard can release, as the explorer sees it. */
const target = obj(
  {
    /** Opaque id of the (connection, namespace) the set lives in; "context / namespace" for display. */
    scope: token,
    scopeLabel: text(300),
    namespace: namespaceName,
    name: k8sName,
    replicas: count,
    readyReplicas: count,
    rooms: count,
    images,
    onDeleteInForce: bool,
  },
  { interrupted },
);

/** What a run ended with (ReleaseResult without the plan). */
const runResult = obj(
  {
    outcome: oneOf(['succeeded', 'lost', 'failed', 'cancelled', 'refused', 'stopped-early'] as const),
    message: text(),
  },
  { id: token, step, summary },
);

/**
 * A release the host runs (or ran) for this panel, replayed to a webview that (re)loads: its events (each step's
 * last progress line only), every room as last seen, and the counts over time.
 */
const runSnapshot = obj(
  {
    scope: token,
    input: releaseInput,
    events: list(feedEvent, 100_000),
    rooms: list(roomRow),
    samples: list(sample, 2000),
  },
  { result: runResult },
);

const hostMessage = tagged({
  init: obj(
    { type: lit('init'), version: int(0, 1000), targets: list(target, 5000) },
    { error: text(), select: obj({ scope: token, name: k8sName }), run: runSnapshot },
  ),
  targets: obj({ type: lit('targets'), targets: list(target, 5000) }, { error: text() }),
  select: obj({ type: lit('select'), scope: token, name: k8sName }),
  'preview-result': either(
    obj({ type: lit('preview-result'), seq: count, ok: lit(true), message: text(), plan: releasePlan }),
    obj({ type: lit('preview-result'), seq: count, ok: lit(false), message: text() }),
  ),
  'run-started': obj({ type: lit('run-started'), scope: token, input: releaseInput }),
  /** What changed since the last one (at most one per batch interval): events, rooms that changed, the counts now. */
  progress: obj({ type: lit('progress'), events: list(feedEvent, 5000) }, { rooms: list(roomRow), sample }),
  'run-result': obj({ type: lit('run-result'), result: runResult }),
  notice: obj({ type: lit('notice'), level: oneOf(['info', 'error'] as const), message: text() }),
});

// ---------------------------------------------------------------------------------------------------------
// The types (inferred: the schemas above are their only definition)

export type WebviewMessage = Infer<typeof webviewMessage>;
export type HostMessage = Infer<typeof hostMessage>;
export type FormInput = Infer<typeof formInput>;
export type ResumeRef = Infer<typeof resumeRef>;
export type Interrupted = Infer<typeof interrupted>;
export type Target = Infer<typeof target>;
export type RunResult = Infer<typeof runResult>;
export type RunSnapshot = Infer<typeof runSnapshot>;
export type ReleaseInputValue = Infer<typeof releaseInput>;
export type ProgressMessage = Extract<HostMessage, { type: 'progress' }>;

/** The schemas, for tests and for checks of values that are not whole messages. */
export const schemas = {
  formInput,
  resumeRef,
  releaseInput,
  releaseEvent,
  feedEvent,
  roomRow,
  sample,
  releasePlan,
  interrupted,
  target,
  hostMessage,
  webviewMessage,
} as const;

/** A validated message, or why it is not one ("path: rule", never the value). */
export type Read<T> = { ok: true; message: T } | { ok: false; problem: string };

function read<T>(s: Schema<T>, v: unknown): Read<T> {
  const problem = s.check(v, 'message');
  return problem === undefined ? { ok: true, message: v as T } : { ok: false, problem };
}

/** The one check of a host → webview message (the webview on receipt, the host before sending). */
export function readHostMessage(m: unknown): Read<HostMessage> {
  return read(hostMessage, m);
}

/** The one check of a webview → host message (the host on receipt). */
export function readWebviewMessage(m: unknown): Read<WebviewMessage> {
  return read(webviewMessage, m);
}
