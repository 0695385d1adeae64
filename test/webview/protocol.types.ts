// Compile-time tests of the message contract, checked by tsc (the first step of every test run): each line
// marked @ts-expect-error must not compile, so if the check it names is weakened tsc fails with "Unused
// '@ts-expect-error' directive". The unmarked lines must compile. Nothing here runs.
import type { ReleaseEvent, ReleasePlan, ReleaseInput } from '../../src/release/types.js';
import type { FormInput, HostMessage, schemas, WebviewMessage } from '../../src/webview/protocol.js';
import type { Exact, Handlers, Infer } from '../../src/webview/schema.js';

const none = (): void => undefined;

// ---- One handler per message type, in both directions.

export const hostHandlers: Handlers<HostMessage, void> = {
  init: none, targets: none, select: none, 'preview-result': none, 'rollback-preview-result': none, 'run-started': none, progress: none, 'run-result': none, notice: none,
};
export const webviewHandlers: Handlers<WebviewMessage, void> = {
  ready: none, refresh: none, preview: none, run: none, cancel: none, 'export-argo': none, 'rollback-preview': none, rollback: none, close: none, rejected: none,
};
// @ts-expect-error the host's map lacks a handler for `cancel`
export const hostMissesOne: Handlers<WebviewMessage, void> = { ready: none, refresh: none, preview: none, run: none, 'export-argo': none, 'rollback-preview': none, rollback: none, close: none, rejected: none };
// @ts-expect-error the webview's map lacks a handler for `notice`
export const webviewMissesOne: Handlers<HostMessage, void> = { init: none, targets: none, select: none, 'preview-result': none, 'rollback-preview-result': none, 'run-started': none, progress: none, 'run-result': none };
export const handlerForUnknown: Handlers<HostMessage, void> = {
  ...hostHandlers,
  // @ts-expect-error a handler for a type the contract does not have
  eval: none,
};
export const handlerGetsItsVariant: Handlers<HostMessage, number> = {
  init: m => m.targets.length, targets: m => m.targets.length, select: m => m.name.length, 'preview-result': m => m.seq, 'rollback-preview-result': m => m.seq, 'run-started': m => m.scope.length,
  progress: m => m.events.length, 'run-result': m => m.result.message.length,
  // @ts-expect-error a notice has no `targets`
  notice: m => m.targets.length,
};

// ---- The message types are the schemas': a field without a schema is not in the type.

export const formOk: FormInput = { namespace: 'default', gameServerSet: 'minecraft', images: [{ container: 'a', image: 'game:2' }], add: 2, timeoutMs: 90_000, reclaim: 'none' };
// @ts-expect-error the form offers no retire states
export const formRetire: FormInput = { ...formOk, retireOpsStates: ['None', 'Playing'] };
// @ts-expect-error the form offers no replica count
export const formReplicas: FormInput = { ...formOk, replicas: 9 };
// @ts-expect-error a resume carries no inputs (the host reads them from the record)
export const resumeWithInput: WebviewMessage = { type: 'run', scope: 's', resume: { gameServerSet: 'minecraft', id: 'rel-1', input: formOk } };
// @ts-expect-error a message key the schema does not have
export const unknownKey: WebviewMessage = { type: 'cancel', force: true };
// A form input is an engine input (the host passes it on as it is).
export const formIsInput: ReleaseInput = formOk;

// ---- The schemas of the engine's types are pinned to those types: any difference, optional keys included.

type Plan = Infer<typeof schemas.releasePlan>;
type Event = Infer<typeof schemas.releaseEvent>;
export const planPinned: Exact<Plan, ReleasePlan> = true;
export const eventPinned: Exact<Event, ReleaseEvent> = true;
// @ts-expect-error an optional field added to the engine's plan without its schema
export const planOptionalAdded: Exact<Plan, ReleasePlan & { note?: string }> = true;
// @ts-expect-error a required field added to the engine's plan without its schema
export const planRequiredAdded: Exact<Plan, ReleasePlan & { note: string }> = true;
// @ts-expect-error a nested field added (the plan's input)
export const planNestedAdded: Exact<Plan, Omit<ReleasePlan, 'input'> & { input: ReleasePlan['input'] & { dryRun?: boolean } }> = true;
// @ts-expect-error an event type added to the engine's stream without its schema
export const eventAdded: Exact<Event, ReleaseEvent | { type: 'paused'; message: string }> = true;
// @ts-expect-error a field made optional
export const planLoosened: Exact<Plan, Omit<ReleasePlan, 'warnings'> & { warnings?: string[] }> = true;
