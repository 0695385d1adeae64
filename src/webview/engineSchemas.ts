// The schemas of the values the wizard's messages carry: names, images, counts, and the engine's own types (inputs,
// plan, events, summary), each pinned to the type declared in src/release/types.ts (`Exact`), so a field added there
// without its schema (or the other way round) fails tsc. The messages themselves are in protocol.ts.
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
import type { FeedEvent, RoomRow, Sample } from './feed.js';
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
} from './schema.js';

// ---------------------------------------------------------------------------------------------------------
// Values

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes object names (rooms, sets). */
export const k8sName = pattern(DNS_SUBDOMAIN, 253, 'a Kubernetes name');
export const namespaceName = pattern(DNS_LABEL, 63, 'a namespace name');
export const containerName = pattern(DNS_LABEL, 63, 'a container name');
/** Image references as found in objects: no white space or control characters. */
export const imageRef = pattern(/^[^\s\u0000-\u001f<>"'`]*$/, 4096, 'an image reference');
/** opsState values: any short string without markup characters. */
export const opsStateText = pattern(/^[^\u0000-\u001f<>"'`]*$/, 63, 'an opsState');
/** Release ids (rel-20260101T000000Z-abcd) and scope ids. */
export const token = pattern(/^[A-Za-z0-9][A-Za-z0-9:._/@-]*$/, 300, 'an id');
export const roomState = pattern(/^[A-Za-z]*$/, 63, 'a room state');
export const step = oneOf(STEPS);
export const count = int(0, 1_000_000);
export const replicas = int(1, 1_000_000);
export const timeoutMs = int(1, 7 * 24 * 3600_000);
export const settleMs = int(0, 10 * 60_000);
export const failFastAfterMs = int(0, 7 * 24 * 3600_000);

// ---------------------------------------------------------------------------------------------------------
// The engine's types (declared in src/release/types.ts; each schema is pinned to its type below)

export const containerImage = obj({ container: containerName, image: imageRef });
export const images = list(containerImage, 64);
export const reclaim = oneOf(RECLAIM_MODES);
export const retireOpsStates = list(opsStateText, 16);

export const releaseInput = obj(
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

export const normalizedInput = obj(
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

export const plannedStep = obj({ step, title: text(1000), done: bool });
export const roomPreview = obj(
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
export const predictedRoom = obj({ name: k8sName, state: roomState, opsState: opsStateText, images });

export const releasePlan = obj(
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

export const reasonGroup = obj({ reason: text(500), message: text(1000), rooms: list(k8sName) });
export const summary = obj({
  retired: list(k8sName),
  skipped: list(k8sName),
  reclaimed: count,
  lost: list(text(400)),
  finalReplicas: count,
  requests: count,
});

export const stepStarted = obj({
  type: lit('step-started'),
  step,
  index: int(1, 100),
  total: int(1, 100),
  title: text(1000),
});
export const roomChanged = obj(
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
export const stepResult = oneOf(['done', 'already-done', 'skipped'] as const);
export const failedOutcome = oneOf(['failed', 'cancelled', 'stopped-early'] as const);
export const failedMore = { suggest: lit('rollback'), reasons: list(reasonGroup, 100) };

export const releaseEvent = tagged({
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
export const rooms = list(k8sName);
/**
 * The engine's events as the host sends them: text summarised, long room lists in `rooms`. A room's waiting
 * reason (room-waiting) is not an event here: the host puts it on the room's row.
 */
export const feedEvent = tagged({
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
export const roomRow = obj(
  { name: k8sName, version: oneOf(['old', 'new'] as const), state: roomState, opsState: opsStateText },
  { gone: bool, reason: text(1000) },
);
export const sample = obj({
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
