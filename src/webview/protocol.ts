// The one message contract between the extension host and the release wizard webview, with a runtime
// validator for every message in both directions. Both sides treat what they receive as untrusted: a message
// that does not match is ignored and reported, never rendered. Validation errors name the path and the rule,
// never the offending value, so they can be logged without echoing content.
//
// Pure TypeScript (no node, no vscode, no DOM): it is bundled into the browser webview and the host alike.
import type { ContainerImage } from '../cluster/okg.js';
import type {
  PlannedStep, PredictedRoom, ReclaimMode, ReleaseEvent, ReleaseInput, ReleaseOutcome, ReleasePlan, ReleaseSummary, RoomPreview, StepName,
} from '../release/types.js';

export const PROTOCOL_VERSION = 1;
/** The webview panel's view type (also the serializer's). */
export const VIEW_TYPE = 'okg.releaseWizard';

// ---------------------------------------------------------------------------------------------------------
// Messages

/** A GameServerSet the wizard can release, as the explorer sees it. */
export interface Target {
  /** Opaque id of the (connection, namespace) the set lives in. */
  scope: string;
  /** "context / namespace", for display. */
  scopeLabel: string;
  namespace: string;
  name: string;
  replicas: number;
  readyReplicas: number;
  rooms: number;
  images: ContainerImage[];
  onDeleteInForce: boolean;
  /** An unfinished release recorded on the set: offered for resume. */
  interrupted?: Interrupted;
}

export interface Interrupted {
  id: string;
  step: StepName;
  /** cancelled/failed: stopped; expired: its holder is gone; running: someone holds a live lease. */
  state: 'cancelled' | 'failed' | 'expired' | 'running';
  holder: string;
  message?: string;
  /** The release's inputs: running them again resumes it. */
  input: ReleaseInput;
}

/** What a run ended with (ReleaseResult without the plan). */
export interface RunResult {
  outcome: ReleaseOutcome | 'refused';
  message: string;
  id?: string;
  step?: StepName;
  summary?: ReleaseSummary;
}

/** A release the host runs (or ran) for this panel, replayed to a webview that (re)loads. */
export interface RunSnapshot {
  scope: string;
  input: ReleaseInput;
  events: ReleaseEvent[];
  result?: RunResult;
}

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready'; version: number }
  | { type: 'refresh' }
  | { type: 'preview'; seq: number; scope: string; input: ReleaseInput }
  | { type: 'run'; scope: string; input: ReleaseInput }
  | { type: 'cancel' }
  | { type: 'export-argo'; seq: number }
  | { type: 'close' }
  /** The webview ignored a host message that did not validate (`reason` names the path, not the value). */
  | { type: 'rejected'; reason: string };

/** Host → webview. */
export type HostMessage =
  | { type: 'init'; version: number; targets: Target[]; error?: string; select?: { scope: string; name: string }; run?: RunSnapshot }
  | { type: 'targets'; targets: Target[]; error?: string }
  | { type: 'select'; scope: string; name: string }
  | { type: 'preview-result'; seq: number; ok: true; message: string; plan: ReleasePlan }
  | { type: 'preview-result'; seq: number; ok: false; message: string }
  | { type: 'run-started'; scope: string; input: ReleaseInput }
  | { type: 'event'; event: ReleaseEvent }
  | { type: 'run-result'; result: RunResult }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

// ---------------------------------------------------------------------------------------------------------
// Schemas: tiny combinators whose static type is checked against the declared types above.

export interface Schema<T> {
  /** undefined when `v` matches; else "path: rule" (never the value). */
  readonly check: (v: unknown, at: string) => string | undefined;
  /** Phantom: the type a matching value has. */
  readonly _type?: T;
}
type TypeOf<S> = S extends Schema<infer T> ? T : never;
type Shape = Record<string, Schema<unknown>>;

const schema = <T>(check: (v: unknown, at: string) => string | undefined): Schema<T> => ({ check });

/** Longest free text accepted (messages, titles). */
export const MAX_TEXT = 8192;
const MAX_ITEMS = 20_000;

function text(max = MAX_TEXT): Schema<string> {
  return schema((v, at) => typeof v !== 'string' ? `${at}: not a string` : v.length > max ? `${at}: longer than ${max} characters` : undefined);
}

function pattern(re: RegExp, max: number, what: string): Schema<string> {
  return schema((v, at) => typeof v !== 'string' || v.length > max || !re.test(v) ? `${at}: not ${what}` : undefined);
}

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

function int(min: number, max: number): Schema<number> {
  return schema((v, at) => typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max ? `${at}: not a whole number from ${min} to ${max}` : undefined);
}

const bool: Schema<boolean> = schema((v, at) => typeof v === 'boolean' ? undefined : `${at}: not a boolean`);

function oneOf<L extends string>(values: readonly L[]): Schema<L> {
  return schema((v, at) => typeof v === 'string' && (values as readonly string[]).includes(v) ? undefined : `${at}: not one of ${values.join(', ')}`);
}

function lit<L extends string | boolean>(value: L): Schema<L> {
  return schema((v, at) => v === value ? undefined : `${at}: not ${String(value)}`);
}

function list<T>(item: Schema<T>, max = MAX_ITEMS): Schema<T[]> {
  return schema((v, at) => {
    if (!Array.isArray(v)) return `${at}: not a list`;
    if (v.length > max) return `${at}: more than ${max} items`;
    for (let i = 0; i < v.length; i++) {
      const e = item.check(v[i], `${at}[${i}]`);
      if (e) return e;
    }
    return undefined;
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object with required and optional keys (other keys are allowed and ignored by the renderers). */
function obj<R extends Shape, O extends Shape = Record<never, never>>(req: R, opt?: O): Schema<{ [K in keyof R]: TypeOf<R[K]> } & { [K in keyof O]?: TypeOf<O[K]> }> {
  return schema((v, at) => {
    if (!isRecord(v)) return `${at}: not an object`;
    for (const [k, s] of Object.entries(req)) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) return `${at}.${k}: missing`;
      const e = s.check(v[k], `${at}.${k}`);
      if (e) return e;
    }
    for (const [k, s] of Object.entries(opt ?? {})) {
      if (v[k] === undefined) continue;
      const e = s.check(v[k], `${at}.${k}`);
      if (e) return e;
    }
    return undefined;
  });
}

/** A union discriminated by `type`. */
function tagged<M extends Record<string, Schema<unknown>>>(variants: M): Schema<TypeOf<M[keyof M]>> {
  return schema((v, at) => {
    if (!isRecord(v)) return `${at}: not an object`;
    const t = v.type;
    if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(variants, t)) return `${at}.type: unknown message type`;
    return variants[t].check(v, at);
  });
}

function either<A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> {
  return schema((v, at) => {
    const ea = a.check(v, at);
    if (!ea) return undefined;
    const eb = b.check(v, at);
    return eb ? ea : undefined;
  });
}

// ---- the engine's types

const STEPS: readonly StepName[] = ['lock', 'patch-image', 'wait-generation', 'scale', 'wait-ready', 'mark', 'reclaim', 'unlock'];
const RECLAIMS: readonly ReclaimMode[] = ['none', 'scale-down', 'kill'];
const step = oneOf(STEPS);
const count = int(0, 1_000_000);

const containerImage = obj({ container: containerName, image: imageRef });
const images = list(containerImage, 64);

const releaseInput = obj({ namespace: namespaceName, gameServerSet: k8sName, images }, {
  add: int(1, 1_000_000), replicas: int(1, 1_000_000), ready: int(1, 1_000_000), timeoutMs: int(1, 7 * 24 * 3600_000),
  retireOpsStates: list(opsStateText, 16), reclaim: oneOf(RECLAIMS), fixUpdateStrategy: bool,
});

const normalizedInput = obj({
  namespace: namespaceName, gameServerSet: k8sName, images, timeoutMs: int(1, 7 * 24 * 3600_000),
  retireOpsStates: list(opsStateText, 16), reclaim: oneOf(RECLAIMS), fixUpdateStrategy: bool,
}, { add: int(1, 1_000_000), replicas: int(1, 1_000_000), ready: int(1, 1_000_000) });

const plannedStep = obj({ step, title: text(1000), done: bool });
const roomPreview = obj({
  name: k8sName, version: oneOf(['old', 'new', 'to-create'] as const), state: pattern(/^[A-Za-z]*$/, 63, 'a room state'),
  opsState: opsStateText, images, action: oneOf(['retire', 'keep', 'protected', 'create'] as const),
}, { reason: text(500) });
const predictedRoom = obj({ name: k8sName, state: pattern(/^[A-Za-z]*$/, 63, 'a room state'), opsState: opsStateText, images });

const releasePlan = obj({
  input: normalizedInput, fromReplicas: count, toReplicas: count, newRooms: count, ready: count, oldImages: images,
  steps: list(plannedStep, STEPS.length), rooms: list(roomPreview), predicted: list(predictedRoom), fixesUpdateStrategy: bool,
  warnings: list(text(), 200),
}, { resumes: token, alreadyDone: token });

const summary = obj({ retired: list(k8sName), skipped: list(k8sName), reclaimed: count, finalReplicas: count, requests: count });

const releaseEvent = tagged({
  planned: obj({ type: lit('planned'), id: token, plan: releasePlan }),
  'step-started': obj({ type: lit('step-started'), step, index: int(1, 100), total: int(1, 100), title: text(1000) }),
  'step-progress': obj({ type: lit('step-progress'), step, message: text() }, { done: count, of: count }),
  'step-done': obj({ type: lit('step-done'), step, result: oneOf(['done', 'already-done', 'skipped'] as const), message: text() }),
  'room-changed': obj({
    type: lit('room-changed'), step, room: k8sName, from: opsStateText, to: opsStateText,
    result: oneOf(['changed', 'unchanged', 'skipped', 'failed'] as const),
  }, { reason: text(1000) }),
  warning: obj({ type: lit('warning'), message: text() }),
  done: obj({ type: lit('done'), id: token, summary }),
  failed: obj({ type: lit('failed'), id: either(token, lit('')), step, outcome: oneOf(['failed', 'cancelled'] as const), message: text() }),
});

const runResult = obj({ outcome: oneOf(['succeeded', 'failed', 'cancelled', 'refused'] as const), message: text() }, { id: token, step, summary });

const interrupted = obj({
  id: token, step, state: oneOf(['cancelled', 'failed', 'expired', 'running'] as const), holder: text(300), input: releaseInput,
}, { message: text() });

const target = obj({
  scope: token, scopeLabel: text(300), namespace: namespaceName, name: k8sName, replicas: count, readyReplicas: count, rooms: count,
  images, onDeleteInForce: bool,
}, { interrupted });

const runSnapshot = obj({ scope: token, input: releaseInput, events: list(releaseEvent, 100_000) }, { result: runResult });

const hostMessage = tagged({
  init: obj({ type: lit('init'), version: int(0, 1000), targets: list(target, 5000) }, { error: text(), select: obj({ scope: token, name: k8sName }), run: runSnapshot }),
  targets: obj({ type: lit('targets'), targets: list(target, 5000) }, { error: text() }),
  select: obj({ type: lit('select'), scope: token, name: k8sName }),
  'preview-result': either(
    obj({ type: lit('preview-result'), seq: count, ok: lit(true), message: text(), plan: releasePlan }),
    obj({ type: lit('preview-result'), seq: count, ok: lit(false), message: text() }),
  ),
  'run-started': obj({ type: lit('run-started'), scope: token, input: releaseInput }),
  event: obj({ type: lit('event'), event: releaseEvent }),
  'run-result': obj({ type: lit('run-result'), result: runResult }),
  notice: obj({ type: lit('notice'), level: oneOf(['info', 'error'] as const), message: text() }),
});

const webviewMessage = tagged({
  ready: obj({ type: lit('ready'), version: int(0, 1000) }),
  refresh: obj({ type: lit('refresh') }),
  preview: obj({ type: lit('preview'), seq: count, scope: token, input: releaseInput }),
  run: obj({ type: lit('run'), scope: token, input: releaseInput }),
  cancel: obj({ type: lit('cancel') }),
  'export-argo': obj({ type: lit('export-argo'), seq: count }),
  close: obj({ type: lit('close') }),
  rejected: obj({ type: lit('rejected'), reason: text(500) }),
});

// Compile-time proof that whatever the schemas accept has the declared types.
const _checks: [
  Schema<ReleasePlan>, Schema<ReleaseEvent>, Schema<HostMessage>, Schema<WebviewMessage>, Schema<ReleaseInput>,
  Schema<PlannedStep>, Schema<RoomPreview>, Schema<PredictedRoom>, Schema<ContainerImage>,
] = [releasePlan, releaseEvent, hostMessage, webviewMessage, releaseInput, plannedStep, roomPreview, predictedRoom, containerImage];
void _checks;

/** Why `m` is not a valid host → webview message, or undefined when it is. */
export function hostMessageProblem(m: unknown): string | undefined {
  return hostMessage.check(m, 'message');
}

/** Why `m` is not a valid webview → host message, or undefined when it is. */
export function webviewMessageProblem(m: unknown): string | undefined {
  return webviewMessage.check(m, 'message');
}

export function isHostMessage(m: unknown): m is HostMessage {
  return hostMessageProblem(m) === undefined;
}

export function isWebviewMessage(m: unknown): m is WebviewMessage {
  return webviewMessageProblem(m) === undefined;
}

/** Whether `e` is a valid release event (used when replaying recorded events). */
export function isReleaseEvent(e: unknown): e is ReleaseEvent {
  return releaseEvent.check(e, 'event') === undefined;
}
