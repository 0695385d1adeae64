// Browser entry of the release wizard: GameServerSet → images → rooms → preview → run → result.
// The handshake comes first: the host sends nothing until this page says it is ready. Every host message is
// validated (protocol.ts) before it touches the page; a malformed one is ignored and reported back. Each host
// message type has its handler (a missing one fails tsc). The steps render in formViews.ts and runViews.ts.
import { emptyForm, FORM_STEPS, restoredState, STEP_LABELS, type App, type Step } from './app.js';
import { h } from './dom.js';
import { toInput } from './form.js';
import { buildImages, buildRooms, buildTarget } from './formViews.js';
import { initialProgress } from './progress.js';
import { PROTOCOL_VERSION, readHostMessage, type HostMessage, type WebviewMessage } from './protocol.js';
import { RunModel } from './runModel.js';
import { buildRollback } from './rollbackViews.js';
import { buildResult, outcomeText } from './resultViews.js';
import { buildPreview, buildRun } from './runViews.js';
import { dispatch, type Handlers } from './schema.js';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const state = restoredState(vscode.getState());
/** The run's progress, rooms and counts, updated message by message (rebuilt only when a whole run arrives). */
let model: RunModel = RunModel.restore(state.run?.saved);

/** A run's progress is saved at most every SAVE_MS: at once after a quiet spell, else once at its end. */
const SAVE_MS = 1000;
let lastSave = 0;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** Saves now (the operator's own changes: small, and a reload right after must keep them). */
function save(): void {
  clearTimeout(saveTimer);
  saveTimer = undefined;
  lastSave = performance.now();
  if (state.run) state.run.saved = model.saved();
  vscode.setState(state);
}
function saveSoon(): void {
  if (saveTimer) return;
  const wait = lastSave + SAVE_MS - performance.now();
  if (wait <= 0) save();
  else saveTimer = setTimeout(save, wait);
}

const root = document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));
const status = h('div', { id: 'status', role: 'status', 'aria-live': 'polite', class: 'status' });
const alertBox = h('div', { id: 'alert', role: 'alert', class: 'alert' });
const stepNav = h('ol', { class: 'steps', 'aria-label': 'Wizard steps' });
const section = h('section', { id: 'step', 'aria-labelledby': 'step-title' });
root.replaceChildren(h('h1', {}, 'Release New Version'), stepNav, alertBox, section, status);

function alarm(text: string): void {
  alertBox.textContent = text;
  alertBox.hidden = !text;
}

const builders: Record<Step, (app: App) => Node[]> = {
  target: buildTarget,
  images: buildImages,
  rooms: buildRooms,
  preview: buildPreview,
  run: buildRun,
  result: buildResult,
  rollback: buildRollback,
};

const app: App = {
  state,
  post: m => vscode.postMessage(m),
  save,
  say: text => {
    status.textContent = text;
  },
  go(step: Step, focus = true): void {
    state.step = step;
    app.save();
    app.onProgress = undefined;
    // Roll Back is a step only when there is something to roll back: a release that ran, or the rollback itself.
    const rollingBack = state.step === 'rollback' || (!!state.run && 'rollback' in state.run);
    stepNav.replaceChildren(
      ...FORM_STEPS.filter(s => s !== 'rollback' || rollingBack).map(s =>
        h('li', s === state.step ? { 'aria-current': 'step', class: 'current' } : {}, STEP_LABELS[s]),
      ),
    );
    section.replaceChildren(
      h('h2', { id: 'step-title', tabindex: -1 }, `${FORM_STEPS.indexOf(state.step) + 1}. ${STEP_LABELS[state.step]}`),
      ...builders[state.step](app),
    );
    document.body.dataset.step = state.step;
    if (focus) document.getElementById('step-title')?.focus();
  },
  target: () => state.targets.find(t => t.scope === state.form.scope && t.name === state.form.name),
  selectTarget(scope: string, name: string): void {
    if (state.form.scope === scope && state.form.name === name) return;
    const t = state.targets.find(x => x.scope === scope && x.name === name);
    state.form = {
      ...emptyForm(),
      scope,
      name,
      images: Object.fromEntries((t?.images ?? []).map(c => [c.container, c.image])),
      add: t ? String(Math.max(1, t.replicas)) : '',
    };
    state.resume = undefined;
    state.plan = undefined;
  },
  formRequest() {
    const t = app.target();
    const input = t && toInput(state.form, t.namespace, t.images);
    return t && input ? { scope: t.scope, input } : undefined;
  },
  requestPreview(): void {
    const seq = state.seq + 1;
    const r = state.resume;
    let req: WebviewMessage;
    if (r) req = { type: 'preview', seq, scope: r.scope, resume: r.ref };
    else {
      const f = app.formRequest();
      if (!f) return;
      req = { type: 'preview', seq, ...f };
    }
    state.seq = seq;
    state.planning = true;
    state.plan = undefined;
    state.planError = undefined;
    app.post(req);
    app.go('preview');
    app.say('Planning the release…');
  },
  newRelease(): void {
    state.run = undefined;
    state.plan = undefined;
    state.resume = undefined;
    state.cancelling = false;
    state.rollbackPlan = undefined;
    state.rollbackError = undefined;
    const { scope, name } = state.form;
    state.form = emptyForm();
    app.selectTarget(scope, name);
    app.post({ type: 'refresh' });
    app.go('target');
  },
  run: () => model,
};

// ---------------------------------------------------------------------------------------------------------
// Host messages

function onTargets(m: Extract<HostMessage, { type: 'init' | 'targets' }>): void {
  state.targets = m.targets;
  state.targetsError = m.error;
  if (m.type === 'init') {
    const changed = !!m.select && (m.select.scope !== state.form.scope || m.select.name !== state.form.name);
    if (m.select) app.selectTarget(m.select.scope, m.select.name);
    if (m.run) {
      const { events, rooms, samples, ...run } = m.run;
      state.run = run;
      model = RunModel.replay(events, rooms, samples, state.plan?.steps);
      app.go(m.run.result ? 'result' : 'run', false);
      return;
    }
    if (state.step === 'run' || (state.step === 'result' && !state.run?.result)) {
      state.run = undefined;
      alarm(
        'The release this wizard showed is not running in this window any more. If it was interrupted, choose its GameServerSet to resume it.',
      );
      app.go('target', false);
      return;
    }
    if (state.step === 'preview' && !state.plan) {
      app.go('rooms', false);
      return;
    }
    if (changed) {
      app.go('target', false);
      return;
    }
  }
  if (state.step === 'target' || m.type === 'init') app.go(state.step, false);
}

const onHost: Handlers<HostMessage, void> = {
  init: onTargets,
  targets: onTargets,
  select(m) {
    app.selectTarget(m.scope, m.name);
    if (state.step !== 'run') app.go('target');
  },
  'preview-result'(m) {
    if (m.seq !== state.seq || state.step !== 'preview') return; // an answer to an older request
    state.planning = false;
    const start = performance.now();
    if (m.ok) {
      state.plan = m.plan;
      state.planMessage = m.message;
      app.say(`Plan ready: ${m.plan.rooms.length} rooms, ${m.plan.toReplicas} replicas after the release.`);
    } else {
      state.planError = m.message;
      app.say('The release cannot start.');
    }
    app.go('preview', false);
    // How long the preview took to show (its next frame), for bench/ui.ts: a performance entry, nothing else.
    requestAnimationFrame(() => setTimeout(() => performance.measure('okg:preview-render', { start })));
  },
  'rollback-preview-result'(m) {
    if (m.seq !== state.rollbackSeq || state.step !== 'rollback') return; // an answer to an older request
    state.rollbackPlanning = false;
    if (m.ok) {
      state.rollbackPlan = m.plan;
      app.say(`Rollback planned: ${m.plan.rooms.length} rooms, ${m.plan.toReplicas} replicas after it.`);
    } else {
      state.rollbackError = m.message;
      app.say('The rollback cannot start.');
    }
    app.go('rollback', false);
  },
  'run-started'(m) {
    const { type: _t, ...run } = m;
    const steps = 'rollback' in run ? state.rollbackPlan?.steps : state.plan?.steps;
    state.run = run;
    model = new RunModel(initialProgress(steps));
    // The plan has been run: it is not kept (a large one would make every save large).
    state.plan = undefined;
    state.rollbackPlan = undefined;
    state.cancelling = false;
    alarm('');
    app.go('run');
  },
  progress(m) {
    if (!state.run || state.run.result) return;
    const change = model.apply(m);
    saveSoon();
    app.onProgress?.(change);
  },
  'run-result'(m) {
    if (!state.run) return;
    state.run.result = m.result;
    state.cancelling = false;
    app.say(`${outcomeText(state.run, m.result)}.`);
    app.go('result');
  },
  notice(m) {
    if (m.level === 'error') alarm(m.message);
    else app.say(m.message);
  },
};

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const r = readHostMessage(event.data);
  if (!r.ok) {
    // Untrusted input that does not match the contract: not rendered, reported by path only.
    console.warn(`release wizard: ignored a malformed host message (${r.problem})`);
    app.post({ type: 'rejected', reason: r.problem.slice(0, 500) });
    return;
  }
  dispatch(onHost, r.message);
});

alarm('');
app.go(state.step, false);
app.post({ type: 'ready', version: PROTOCOL_VERSION });
