// The schemas of the rollback's types as the wizard carries them (the plan with its room table and predicted table,
// the event stream, the summary), each pinned to the type declared in src/release/rollbackTypes.ts (`Exact`), so a
// field added there without its schema fails tsc. The rollback's events reach the page through the same feed as a
// release's (feed.ts: long room lists taken out of the text).
//
// Pure TypeScript (no node, no vscode, no DOM): it is bundled into the browser webview and the host alike.
import {
  ROLLBACK_STEPS,
  type PlannedRollbackStep,
  type RollbackEvent,
  type RollbackPlan,
  type RollbackRoomPreview,
  type RollbackSummary,
} from '../release/rollbackTypes.js';
import {
  count,
  images,
  k8sName,
  namespaceName,
  opsStateText,
  predictedRoom,
  rooms,
  roomState,
  stepResult,
  timeoutMs,
  token,
} from './engineSchemas.js';
import type { RollbackFeedEvent } from './feed.js';
import {
  bool,
  either,
  int,
  list,
  lit,
  obj,
  oneOf,
  tagged,
  text,
  type Assert,
  type Exact,
  type Infer,
} from './schema.js';

export const rollbackStep = oneOf(ROLLBACK_STEPS);

const plannedRollbackStep = obj({ step: rollbackStep, title: text(1000), done: bool });
const rollbackRoomPreview = obj(
  {
    name: k8sName,
    version: oneOf(['old', 'new', 'to-create'] as const),
    state: roomState,
    opsState: opsStateText,
    images,
    action: oneOf(['restore', 'retire', 'keep', 'protected', 'gone', 'create'] as const),
  },
  { to: opsStateText, reason: text(500) },
);

export const rollbackPlan = obj(
  {
    input: obj({ namespace: namespaceName, gameServerSet: k8sName, timeoutMs }),
    release: obj({ id: token, outcome: text(64), step: text(64), images }),
    images,
    fromReplicas: count,
    toReplicas: count,
    steps: list(plannedRollbackStep, ROLLBACK_STEPS.length),
    rooms: list(rollbackRoomPreview),
    predicted: list(predictedRoom),
    warnings: list(text(), 200),
  },
  { resumes: token, alreadyDone: token },
);

export const rollbackSummary = obj({
  restored: list(k8sName),
  gone: list(k8sName),
  skipped: list(k8sName),
  retired: list(k8sName),
  lost: list(text(400)),
  reclaimed: count,
  finalReplicas: count,
  requests: count,
});

const stepStarted = obj({
  type: lit('step-started'),
  step: rollbackStep,
  index: int(1, 100),
  total: int(1, 100),
  title: text(1000),
});
const roomChangedHere = obj(
  {
    type: lit('room-changed'),
    step: rollbackStep,
    room: k8sName,
    from: opsStateText,
    to: opsStateText,
    result: oneOf(['changed', 'unchanged', 'skipped', 'failed'] as const),
  },
  { reason: text(1000) },
);
const failedOutcome = oneOf(['failed', 'cancelled'] as const);
const failedId = either(token, lit(''));

export const rollbackEvent = tagged({
  planned: obj({ type: lit('planned'), id: token, plan: rollbackPlan }),
  'step-started': stepStarted,
  'step-progress': obj({ type: lit('step-progress'), step: rollbackStep, message: text() }, { done: count, of: count }),
  'step-done': obj({ type: lit('step-done'), step: rollbackStep, result: stepResult, message: text() }),
  'room-changed': roomChangedHere,
  warning: obj({ type: lit('warning'), message: text() }),
  done: obj({ type: lit('done'), id: token, summary: rollbackSummary }),
  failed: obj({ type: lit('failed'), id: failedId, step: rollbackStep, outcome: failedOutcome, message: text() }),
});

/** The rollback's events as the host sends them: text summarised, long room lists in `rooms`. */
export const rollbackFeedEvent = tagged({
  planned: obj({ type: lit('planned'), id: token, plan: rollbackPlan }),
  'step-started': stepStarted,
  'step-progress': obj(
    { type: lit('step-progress'), step: rollbackStep, message: text() },
    { done: count, of: count, rooms },
  ),
  'step-done': obj({ type: lit('step-done'), step: rollbackStep, result: stepResult, message: text() }, { rooms }),
  'room-changed': roomChangedHere,
  warning: obj({ type: lit('warning'), message: text() }, { rooms }),
  done: obj({ type: lit('done'), id: token, summary: rollbackSummary }),
  failed: obj(
    { type: lit('failed'), id: failedId, step: rollbackStep, outcome: failedOutcome, message: text() },
    { rooms },
  ),
});

/** What the wizard rolls back: the release its last run ran, on that run's set. */
export const rollbackTarget = obj({ namespace: namespaceName, gameServerSet: k8sName, release: token, images });

// A field added to one of the rollback's types without its schema (or the other way round) fails here.
export type RollbackTypesPinned = [
  Assert<Exact<Infer<typeof plannedRollbackStep>, PlannedRollbackStep>>,
  Assert<Exact<Infer<typeof rollbackRoomPreview>, RollbackRoomPreview>>,
  Assert<Exact<Infer<typeof rollbackPlan>, RollbackPlan>>,
  Assert<Exact<Infer<typeof rollbackSummary>, RollbackSummary>>,
  Assert<Exact<Infer<typeof rollbackEvent>, RollbackEvent>>,
  Assert<Exact<Infer<typeof rollbackFeedEvent>, RollbackFeedEvent>>,
];
