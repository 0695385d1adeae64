// The one message contract between the extension host and the release wizard webview. Every message type is
// defined once, by its schema (schema.ts); the TypeScript types are inferred from the schemas, and the schemas
// of the engine's own types (engineSchemas.ts) are pinned to them (`Exact`), so a field added anywhere without its
// schema fails tsc. Both sides treat what they receive as untrusted: a message that does not match (an unknown key
// included) is ignored and reported, never rendered or run.
//
// The webview may only ask for what its form offers: a new release from the form's fields, the resume of a
// recorded release by its id (the host reads that release's inputs from the cluster, never from the webview), or
// the rollback of the release the host last ran for it (the host knows which).
//
// Pure TypeScript (no node, no vscode, no DOM): it is bundled into the browser webview and the host alike.
import { MAX_ADD, MAX_FAIL_FAST_AFTER_MS, MAX_SETTLE_MS, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from '../release/validate.js';
import {
  containerImage,
  count,
  feedEvent,
  images,
  k8sName,
  namespaceName,
  reclaim,
  releaseEvent,
  releaseInput,
  releasePlan,
  roomRow,
  sample,
  step,
  summary,
  token,
} from './engineSchemas.js';
import { rollbackFeedEvent, rollbackPlan, rollbackStep, rollbackSummary, rollbackTarget } from './rollbackSchemas.js';
import { bool, either, int, list, lit, obj, oneOf, tagged, text, type Infer, type Schema } from './schema.js';

export const PROTOCOL_VERSION = 3;
/** The webview panel's view type (also the serializer's). */
export const VIEW_TYPE = 'okg.releaseWizard';

// ---------------------------------------------------------------------------------------------------------
// What the webview may ask for

/**
 * A new release exactly as the wizard's form offers it (toInput): no replicas, no retire states, no take-over (the
 * host decides that, after asking), counts and durations within the engine's own bounds (validate.ts).
 */
const formInput = obj(
  {
    namespace: namespaceName,
    gameServerSet: k8sName,
    images: list(containerImage, 64, 1),
    add: int(1, MAX_ADD),
    timeoutMs: int(MIN_TIMEOUT_MS, MAX_TIMEOUT_MS),
    reclaim,
  },
  {
    ready: int(1, MAX_ADD),
    fixUpdateStrategy: bool,
    settleMs: int(0, MAX_SETTLE_MS),
    failFastAfterMs: int(0, MAX_FAIL_FAST_AFTER_MS),
  },
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
  /** Plan the rollback of the release this panel's last run ran (the host knows which: the webview names none). */
  'rollback-preview': obj({ type: lit('rollback-preview'), seq: count }),
  /** Run the rollback that preview `seq` showed. */
  rollback: obj({ type: lit('rollback'), seq: count }),
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

/**
 * What a run ended with (ReleaseResult or RollbackResult without the plan). `suggest`: the release's new rooms do
 * not become ready, rolling back is the way out; `rolledBack`: what a rollback did.
 */
const runResult = obj(
  {
    outcome: oneOf(['succeeded', 'lost', 'failed', 'cancelled', 'refused', 'stopped-early'] as const),
    message: text(),
  },
  { id: token, step: either(step, rollbackStep), summary, suggest: lit('rollback'), rolledBack: rollbackSummary },
);

const replayed = { rooms: list(roomRow), samples: list(sample, 2000) };
/**
 * A release (or the rollback of the last one) the host runs or ran for this panel, replayed to a webview that
 * (re)loads: its events (each step's last progress line only), every room as last seen, and the counts over time.
 */
const runSnapshot = either(
  obj({ scope: token, input: releaseInput, events: list(feedEvent, 100_000), ...replayed }, { result: runResult }),
  obj(
    { scope: token, rollback: rollbackTarget, events: list(rollbackFeedEvent, 100_000), ...replayed },
    { result: runResult },
  ),
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
  'rollback-preview-result': either(
    obj({ type: lit('rollback-preview-result'), seq: count, ok: lit(true), message: text(), plan: rollbackPlan }),
    obj({ type: lit('rollback-preview-result'), seq: count, ok: lit(false), message: text() }),
  ),
  'run-started': either(
    obj({ type: lit('run-started'), scope: token, input: releaseInput }),
    obj({ type: lit('run-started'), scope: token, rollback: rollbackTarget }),
  ),
  /** What changed since the last one (at most one per batch interval): events, rooms that changed, the counts now. */
  progress: obj(
    { type: lit('progress'), events: list(either(feedEvent, rollbackFeedEvent), 5000) },
    { rooms: list(roomRow), sample },
  ),
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
export type RollbackTarget = Infer<typeof rollbackTarget>;

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
  rollbackPlan,
  rollbackFeedEvent,
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
