// Browser entry of the release wizard: GameServerSet → images → rooms → preview → run → result.
// The handshake comes first: the host sends nothing until this page says it is ready. Every host message is
// validated (protocol.ts) before it touches the page; a malformed one is ignored and reported back. The page
// never parses HTML: every text, whatever its origin, is set as a text node.
import type { ContainerImage } from '../cluster/okg.js';
import type { ReleaseEvent, ReleaseInput, ReleasePlan, StepName } from '../release/types.js';
import { addProblem, changedImages, DEFAULT_TIMEOUT, imageProblem, readyProblem, timeoutProblem, toInput, type Form } from './form.js';
import { hostMessageProblem, PROTOCOL_VERSION, type HostMessage, type RunResult, type RunSnapshot, type Target, type WebviewMessage } from './protocol.js';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Step = 'target' | 'images' | 'rooms' | 'preview' | 'run' | 'result';
const FORM_STEPS: readonly Step[] = ['target', 'images', 'rooms', 'preview', 'run', 'result'];
const STEP_LABELS: Record<Step, string> = {
  target: 'GameServerSet', images: 'Images', rooms: 'Rooms', preview: 'Preview', run: 'Run', result: 'Result',
};
const STEP_NAMES: readonly StepName[] = ['lock', 'patch-image', 'wait-generation', 'scale', 'wait-ready', 'mark', 'reclaim', 'unlock'];

interface State {
  v: 1;
  step: Step;
  targets: Target[];
  targetsError?: string;
  form: Form;
  /** A resumed release's inputs, sent verbatim instead of the form. */
  resume?: { scope: string; input: ReleaseInput; id: string };
  seq: number;
  planning: boolean;
  plan?: ReleasePlan;
  planMessage?: string;
  planError?: string;
  run?: RunSnapshot;
  cancelling?: boolean;
}

const vscode = acquireVsCodeApi();

function emptyForm(): Form {
  return { scope: '', name: '', images: {}, add: '', ready: '', timeout: DEFAULT_TIMEOUT, reclaim: 'none', fixUpdateStrategy: false };
}

function restored(): State {
  const s = vscode.getState() as Partial<State> | undefined;
  const base: State = { v: 1, step: 'target', targets: [], form: emptyForm(), seq: 0, planning: false };
  // Our own saved state; still checked for shape so a corrupt one cannot break the page.
  if (!s || typeof s !== 'object' || s.v !== 1 || typeof s.step !== 'string' || !FORM_STEPS.includes(s.step as Step)) return base;
  const form = { ...base.form, ...(typeof s.form === 'object' && s.form ? s.form : {}) };
  return { ...base, ...s, form, planning: false, targets: Array.isArray(s.targets) ? s.targets : [] } as State;
}

const state = restored();
const save = () => vscode.setState(state);

// ---------------------------------------------------------------------------------------------------------
// DOM helpers: text only, never HTML.

type Child = Node | string | number | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

function table(caption: string, head: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h('table', attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map(r => h('tr', {}, ...r.map((c, i) => i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))));
}

const imagesText = (images: ContainerImage[]) => images.map(c => `${c.container}=${c.image}`).join(', ');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------------------
// Page skeleton

const root = document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));
const status = h('div', { id: 'status', role: 'status', 'aria-live': 'polite', class: 'status' });
const alertBox = h('div', { id: 'alert', role: 'alert', class: 'alert' });
const stepNav = h('ol', { class: 'steps', 'aria-label': 'Wizard steps' });
const section = h('section', { id: 'step', 'aria-labelledby': 'step-title' });
root.replaceChildren(h('h1', {}, 'Release New Version'), stepNav, alertBox, section, status);

function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

function say(text: string): void { status.textContent = text; }
function alarm(text: string): void { alertBox.textContent = text; alertBox.hidden = !text; }

function target(): Target | undefined {
  return state.targets.find(t => t.scope === state.form.scope && t.name === state.form.name);
}

let updateRun: (() => void) | undefined;

/** Shows a step: rebuilds the step's DOM and moves focus to its heading. */
function go(step: Step, focus = true): void {
  state.step = step;
  save();
  build();
  if (focus) document.getElementById('step-title')?.focus();
}

function build(): void {
  updateRun = undefined;
  stepNav.replaceChildren(...FORM_STEPS.map(s => h('li', s === state.step ? { 'aria-current': 'step', class: 'current' } : {}, STEP_LABELS[s])));
  const builders: Record<Step, () => Node[]> = { target: buildTarget, images: buildImages, rooms: buildRooms, preview: buildPreview, run: buildRun, result: buildResult };
  section.replaceChildren(h('h2', { id: 'step-title', tabindex: -1 }, `${FORM_STEPS.indexOf(state.step) + 1}. ${STEP_LABELS[state.step]}`), ...builders[state.step]());
  document.body.dataset.step = state.step;
}

function actions(...buttons: HTMLButtonElement[]): HTMLElement {
  return h('div', { class: 'actions' }, ...buttons);
}

const cancelWizard = () => button('Cancel', () => post({ type: 'close' }), { id: 'cancel', class: 'secondary' });

/** A form whose submit (button or Enter) runs `next` when `valid()` says so; else focuses the first problem. */
function stepForm(children: Child[], next: () => void, valid: () => boolean, buttons: HTMLButtonElement[]): HTMLFormElement {
  const form = h('form', { novalidate: true });
  append(form, children);
  form.append(actions(...buttons));
  const submit = (): void => {
    if (valid()) { next(); return; }
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  };
  // The panel runs with forms disabled (enableForms: false: the frame is sandboxed without allow-forms), so
  // the browser never fires `submit`: the default button and Enter in a field call the step directly.
  for (const b of buttons) {
    if (b.getAttribute('type') !== 'submit') continue;
    b.setAttribute('type', 'button');
    b.addEventListener('click', submit);
  }
  form.addEventListener('keydown', e => {
    if (e.key === 'Enter' && e.target instanceof HTMLInputElement) { e.preventDefault(); submit(); }
  });
  form.addEventListener('submit', e => { e.preventDefault(); submit(); });
  return form;
}

/** A labelled text field with an inline message, checked as the operator types. */
function field(o: { id: string; label: string; value: string; hint?: string; check: (v: string) => string | undefined; onInput: (v: string) => void; inputmode?: string; current?: string }): { el: HTMLElement; validate(): boolean } {
  const input = h('input', { id: o.id, type: 'text', value: o.value, spellcheck: 'false', autocomplete: 'off', inputmode: o.inputmode, 'aria-describedby': `${o.id}-msg${o.hint || o.current ? ` ${o.id}-hint` : ''}` });
  input.value = o.value;
  const msg = h('p', { id: `${o.id}-msg`, class: 'field-error', 'aria-live': 'polite' });
  const validate = (): boolean => {
    const problem = o.check(input.value);
    msg.textContent = problem ?? '';
    if (problem) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    return !problem;
  };
  input.addEventListener('input', () => { o.onInput(input.value); save(); validate(); });
  const hint = o.current !== undefined
    ? h('p', { id: `${o.id}-hint`, class: 'hint' }, 'Current: ', h('code', {}, o.current))
    : o.hint ? h('p', { id: `${o.id}-hint`, class: 'hint' }, o.hint) : undefined;
  validate();
  return { el: h('div', { class: 'field' }, h('label', { for: o.id }, o.label), input, hint, msg), validate };
}

// ---------------------------------------------------------------------------------------------------------
// Step 1: GameServerSet

function selectTarget(scope: string, name: string): void {
  if (state.form.scope === scope && state.form.name === name) return;
  const t = state.targets.find(x => x.scope === scope && x.name === name);
  state.form = { ...emptyForm(), scope, name, images: Object.fromEntries((t?.images ?? []).map(c => [c.container, c.image])), add: t ? String(Math.max(1, t.replicas)) : '' };
  state.resume = undefined;
  state.plan = undefined;
}

function buildTarget(): Node[] {
  const out: Node[] = [];
  if (state.targetsError) out.push(h('p', { class: 'error' }, state.targetsError));
  if (!state.targets.length) {
    out.push(h('p', {}, 'No GameServerSet is shown in the Game Servers view. Select namespaces or start the demo cluster, then refresh.'));
    out.push(actions(button('Refresh', () => post({ type: 'refresh' }), { id: 'refresh' }), cancelWizard()));
    return out;
  }
  if (!target()) selectTarget(state.targets[0].scope, state.targets[0].name);
  const select = h('select', { id: 'gss', 'aria-describedby': 'gss-details' });
  const groups = new Map<string, HTMLOptGroupElement>();
  state.targets.forEach((t, i) => {
    let g = groups.get(t.scopeLabel);
    if (!g) { g = h('optgroup', { label: t.scopeLabel }); groups.set(t.scopeLabel, g); select.append(g); }
    g.append(h('option', { value: String(i), selected: t === target() }, `${t.name} (${plural(t.rooms, 'room')})`));
  });
  const details = h('div', { id: 'gss-details', class: 'details' });
  const showDetails = () => {
    const t = target();
    if (!t) { details.replaceChildren(); return; }
    const rows: Node[] = [
      h('dt', {}, 'Namespace'), h('dd', {}, t.namespace),
      h('dt', {}, 'Replicas'), h('dd', {}, `${t.replicas} (${t.readyReplicas} ready)`),
      h('dt', {}, 'Images'), h('dd', {}, ...t.images.map(c => h('div', {}, h('code', {}, `${c.container}=${c.image}`)))),
    ];
    const parts: Node[] = [h('dl', {}, ...rows)];
    if (!t.onDeleteInForce) parts.push(h('p', { class: 'warning' }, 'OnDelete is not in force on this GameServerSet: a release would replace rooms with players unless the wizard fixes the update strategy (offered on the Rooms step).'));
    const r = t.interrupted;
    if (r && r.state === 'running') {
      parts.push(h('p', { class: 'warning', id: 'running-elsewhere' }, `Release ${r.id} of ${r.holder} is running (step ${r.step}). Wait for it to finish or for its lease to expire.`));
    } else if (r) {
      const how = r.state === 'expired' ? 'was interrupted (its lease expired)' : `was ${r.state}`;
      parts.push(h('div', { class: 'resume', id: 'resume-offer' },
        h('p', {}, `Release ${r.id} of ${r.holder} ${how} at step ${r.step}${r.message ? `: ${r.message}` : '.'}`),
        h('p', {}, `It set ${imagesText(r.input.images)}. Running it again resumes from where it stopped.`),
        button(`Resume release ${r.id}`, () => resume(t), { id: 'resume' })));
    }
    details.replaceChildren(...parts);
  };
  select.addEventListener('change', () => {
    const t = state.targets[Number(select.value)];
    if (t) selectTarget(t.scope, t.name);
    save();
    showDetails();
  });
  showDetails();
  out.push(stepForm([h('div', { class: 'field' }, h('label', { for: 'gss' }, 'GameServerSet'), select), details],
    () => go('images'), () => !!target(),
    [h('button', { type: 'submit', id: 'next' }, 'Next'), button('Refresh', () => post({ type: 'refresh' }), { id: 'refresh', class: 'secondary' }), cancelWizard()]));
  return out;
}

function resume(t: Target): void {
  const r = t.interrupted;
  if (!r) return;
  state.resume = { scope: t.scope, input: r.input, id: r.id };
  requestPreview();
}

// ---------------------------------------------------------------------------------------------------------
// Step 2: images

function buildImages(): Node[] {
  const t = target();
  if (!t) return [h('p', {}, 'Choose a GameServerSet first.'), actions(button('Back', () => go('target'), { id: 'back' }))];
  const fields = t.images.map((c, i) => field({
    id: `image-${i}`, label: `New image for container ${c.container}`, value: state.form.images[c.container] ?? c.image, current: c.image,
    check: imageProblem, onInput: v => { state.form.images[c.container] = v; stepMsg.textContent = ''; },
  }));
  const stepMsg = h('p', { id: 'images-msg', class: 'field-error', 'aria-live': 'polite' });
  const valid = () => {
    const ok = fields.map(f => f.validate()).every(Boolean);
    if (!ok) return false;
    const changed = changedImages(t.images, state.form.images);
    stepMsg.textContent = typeof changed === 'string' ? changed : '';
    if (typeof changed === 'string') { document.getElementById('image-0')?.focus(); return false; }
    return true;
  };
  return [stepForm([h('p', {}, `Set the new image of ${t.name}. Running rooms keep their image (OnDelete); new rooms get the new one.`), ...fields.map(f => f.el), stepMsg],
    () => go('rooms'), valid,
    [h('button', { type: 'submit', id: 'next' }, 'Next'), button('Back', () => go('target'), { id: 'back', class: 'secondary' }), cancelWizard()])];
}

// ---------------------------------------------------------------------------------------------------------
// Step 3: rooms, ready count, timeout, reclaim

const RECLAIM_TEXT: Record<Form['reclaim'], [string, string]> = {
  none: ['None', 'Mark idle old rooms WaitToBeDeleted and leave them; the KEDA scaler or a person lowers replicas later.'],
  'scale-down': ['Scale down', 'After the marks reach the pod labels, lower replicas by exactly the number of marked rooms.'],
  kill: ['Kill', 'Set the marked rooms to Kill; OKG deletes them and lowers replicas itself.'],
};

function buildRooms(): Node[] {
  const t = target();
  if (!t) return [h('p', {}, 'Choose a GameServerSet first.'), actions(button('Back', () => go('target'), { id: 'back' }))];
  const add = field({ id: 'add', label: 'New rooms', value: state.form.add, inputmode: 'numeric', hint: `Rooms to create with the new image (now ${t.replicas} replicas).`, check: addProblem, onInput: v => { state.form.add = v; ready.validate(); } });
  const ready = field({ id: 'ready', label: 'Ready count', value: state.form.ready, inputmode: 'numeric', hint: 'New-version rooms that must be Ready before old ones are retired (empty: all new rooms).', check: v => readyProblem(v, state.form.add), onInput: v => { state.form.ready = v; } });
  const timeout = field({ id: 'timeout', label: 'Timeout for each wait', value: state.form.timeout, hint: 'e.g. 90s, 10m, 1h30m', check: timeoutProblem, onInput: v => { state.form.timeout = v; } });
  const radios = (Object.keys(RECLAIM_TEXT) as Form['reclaim'][]).map(mode => {
    const input = h('input', { type: 'radio', name: 'reclaim', id: `reclaim-${mode}`, value: mode, checked: state.form.reclaim === mode, 'aria-describedby': `reclaim-${mode}-hint` });
    input.addEventListener('change', () => { if (input.checked) { state.form.reclaim = mode; save(); } });
    return h('div', { class: 'radio' }, input, h('label', { for: `reclaim-${mode}` }, RECLAIM_TEXT[mode][0]), h('p', { class: 'hint', id: `reclaim-${mode}-hint` }, RECLAIM_TEXT[mode][1]));
  });
  const fieldset = h('fieldset', {}, h('legend', {}, 'Reclaim idle old rooms'), ...radios);
  const parts: Child[] = [add.el, ready.el, timeout.el, fieldset];
  if (!t.onDeleteInForce) {
    const fix = h('input', { type: 'checkbox', id: 'fix', checked: state.form.fixUpdateStrategy });
    fix.addEventListener('change', () => { state.form.fixUpdateStrategy = fix.checked; save(); });
    parts.push(h('div', { class: 'checkbox' }, fix, h('label', { for: 'fix' }, 'Make OnDelete really apply (drop rollingUpdate) together with the image')));
  }
  return [stepForm(parts, requestPreview, () => [add.validate(), ready.validate(), timeout.validate()].every(Boolean),
    [h('button', { type: 'submit', id: 'next' }, 'Preview'), button('Back', () => go('images'), { id: 'back', class: 'secondary' }), cancelWizard()])];
}

// ---------------------------------------------------------------------------------------------------------
// Step 4: preview

function currentInput(): { scope: string; input: ReleaseInput } | undefined {
  if (state.resume) return { scope: state.resume.scope, input: state.resume.input };
  const t = target();
  const input = t && toInput(state.form, t.namespace, t.images);
  return t && input ? { scope: t.scope, input } : undefined;
}

function requestPreview(): void {
  const req = currentInput();
  if (!req) return;
  state.seq++;
  state.planning = true;
  state.plan = undefined;
  state.planError = undefined;
  post({ type: 'preview', seq: state.seq, ...req });
  go('preview');
  say('Planning the release…');
}

const ACTION_TEXT: Record<ReleasePlan['rooms'][number]['action'], string> = { retire: 'retire', keep: 'keep', protected: 'protected', create: 'create' };
const VERSION_TEXT: Record<ReleasePlan['rooms'][number]['version'], string> = { old: 'old', new: 'new', 'to-create': 'new (to create)' };

function buildPreview(): Node[] {
  const back = () => button('Back', () => { const resumed = !!state.resume; state.resume = undefined; go(resumed ? 'target' : 'rooms'); }, { id: 'back', class: 'secondary' });
  if (state.planning) return [h('p', { class: 'busy' }, 'Planning the release…'), actions(back(), cancelWizard())];
  if (state.planError || !state.plan) {
    return [h('p', { class: 'error', id: 'plan-error' }, state.planError ?? 'No plan yet.'), actions(back(), cancelWizard())];
  }
  const p = state.plan;
  const inp = p.input;
  const out: Node[] = [];
  if (p.resumes) out.push(h('p', { class: 'info', id: 'resumes' }, `This resumes release ${p.resumes}: steps already done are checked and skipped.`));
  if (p.alreadyDone) out.push(h('p', { class: 'info', id: 'already-done' }, `Release ${p.alreadyDone} with these inputs already succeeded; running it again changes nothing.`));
  const retire = p.rooms.filter(r => r.action === 'retire');
  const prot = p.rooms.filter(r => r.action === 'protected');
  out.push(h('p', { id: 'plan-summary' },
    `${inp.gameServerSet}: ${imagesText(inp.images)}. Replicas ${p.fromReplicas} → ${p.toReplicas} (${plural(p.newRooms, 'new room')}); `
    + `wait for ${p.ready} new-version room${p.ready === 1 ? '' : 's'} Ready; retire ${plural(retire.length, 'idle old room')}; ${plural(prot.length, 'room')} protected; reclaim: ${inp.reclaim}.`));
  if (p.warnings.length) out.push(h('ul', { class: 'warnings', id: 'plan-warnings', 'aria-label': 'Warnings' }, ...p.warnings.map(w => h('li', {}, w))));
  out.push(h('h3', {}, 'Steps'), h('ol', { id: 'plan-steps' }, ...p.steps.map(s => h('li', {}, s.title, s.done ? ' (done by an earlier run)' : ''))));
  out.push(table('Rooms now and what the release does with them', ['Room', 'Version', 'State', 'opsState', 'Image', 'Action', 'Why'],
    p.rooms.map(r => [r.name, VERSION_TEXT[r.version], r.state || '—', r.opsState, imagesText(r.images), ACTION_TEXT[r.action], r.reason ?? (r.action === 'retire' ? `idle (${r.opsState}) and not on the new image` : '')]),
    { id: 'rooms-table' }));
  out.push(table('Predicted rooms after the release (kubectl get gs)', ['Name', 'State', 'opsState', 'Image'],
    p.predicted.map(r => [r.name, r.state, r.opsState, imagesText(r.images)]), { id: 'predicted-table' }));
  const run = button(p.resumes ? 'Resume Release' : 'Run Release', () => {
    const req = currentInput();
    if (req) post({ type: 'run', ...req });
    say('Starting the release…');
  }, { id: 'run', disabled: !!p.alreadyDone });
  out.push(actions(run, button('Export as Argo Workflow', () => post({ type: 'export-argo', seq: state.seq }), { id: 'export', class: 'secondary' }), back(), cancelWizard()));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Steps 5 and 6: run and result

interface StepStatus { title: string; status: 'pending' | 'running' | 'done' | 'already-done' | 'skipped' | 'failed' | 'cancelled'; message?: string; done?: number; of?: number }

interface Progress {
  steps: Map<StepName, StepStatus>;
  rooms: Extract<ReleaseEvent, { type: 'room-changed' }>[];
  warnings: string[];
  ready?: { done: number; of: number };
  id?: string;
}

function progress(run: RunSnapshot): Progress {
  const titles = new Map((state.plan?.steps ?? []).map(s => [s.step, s.title]));
  const p: Progress = { steps: new Map(STEP_NAMES.map(s => [s, { title: titles.get(s) ?? s, status: 'pending' }])), rooms: [], warnings: [] };
  for (const e of run.events) {
    switch (e.type) {
      case 'planned':
        p.id = e.id;
        for (const s of e.plan.steps) { const st = p.steps.get(s.step); if (st) st.title = s.title; }
        break;
      case 'step-started': { const st = p.steps.get(e.step)!; st.status = 'running'; st.title = e.title; break; }
      case 'step-progress': {
        const st = p.steps.get(e.step)!;
        st.message = e.message;
        st.done = e.done;
        st.of = e.of;
        if (e.step === 'wait-ready' && e.done !== undefined && e.of !== undefined) p.ready = { done: e.done, of: e.of };
        break;
      }
      case 'step-done': { const st = p.steps.get(e.step)!; st.status = e.result; st.message = e.message; break; }
      case 'room-changed': p.rooms.push(e); break;
      case 'warning': p.warnings.push(e.message); break;
      case 'done': p.id = e.id; break;
      case 'failed': { if (e.id) p.id = e.id; const st = p.steps.get(e.step)!; st.status = e.outcome; st.message = e.message; break; }
    }
  }
  return p;
}

const STATUS_TEXT: Record<StepStatus['status'], string> = {
  pending: 'pending', running: 'running', done: 'done', 'already-done': 'already done', skipped: 'skipped', failed: 'failed', cancelled: 'cancelled',
};

function progressView(run: RunSnapshot): Node[] {
  const p = progress(run);
  const steps = h('ol', { id: 'run-steps', class: 'run-steps' }, ...[...p.steps.entries()].map(([name, s]) => h('li', { class: `st-${s.status}`, 'data-step': name },
    h('span', { class: 'badge' }, STATUS_TEXT[s.status]), ' ', s.title,
    s.message ? h('div', { class: 'step-msg' }, s.message) : undefined,
    s.status === 'running' && s.of ? h('progress', { max: s.of, value: s.done ?? 0, 'aria-label': `${s.title}: ${s.done ?? 0} of ${s.of}` }) : undefined)));
  const out: Node[] = [steps];
  if (p.ready) out.push(h('p', { id: 'ready-count' }, `New-version rooms Ready: ${p.ready.done} of ${p.ready.of}`));
  if (p.rooms.length) {
    out.push(table('Marks applied', ['Room', 'Change', 'Result', 'Reason'],
      p.rooms.map(r => [r.room, `${r.from || '—'} → ${r.to}`, r.result, r.reason ?? '']), { id: 'marks-table' }));
  }
  if (p.warnings.length) out.push(h('ul', { class: 'warnings', id: 'run-warnings', 'aria-label': 'Warnings' }, ...p.warnings.map(w => h('li', {}, w))));
  return out;
}

function buildRun(): Node[] {
  const run = state.run;
  if (!run) return [h('p', {}, 'No release is running.'), actions(button('Back', () => go('target'), { id: 'back' }))];
  const live = h('div', { id: 'run-progress' });
  let lastAnnounced = '';
  updateRun = () => {
    live.replaceChildren(...progressView(run));
    const p = progress(run);
    const current = [...p.steps.values()].find(s => s.status === 'running');
    const text = current ? `${current.title}${current.message ? `: ${current.message}` : ''}` : '';
    if (text && text !== lastAnnounced) { lastAnnounced = text; say(text); }
  };
  updateRun();
  const cancel = button(state.cancelling ? 'Cancelling…' : 'Cancel Release', () => {
    state.cancelling = true;
    save();
    cancel.textContent = 'Cancelling…';
    cancel.disabled = true;
    post({ type: 'cancel' });
    say('Cancelling: the release stops at the next safe point.');
  }, { id: 'cancel', class: 'danger', disabled: !!state.cancelling });
  return [h('p', {}, `Releasing ${run.input.gameServerSet}: ${imagesText(run.input.images)}`), live, actions(cancel)];
}

const OUTCOME_TEXT: Record<RunResult['outcome'], string> = {
  succeeded: 'The release succeeded', failed: 'The release failed', cancelled: 'The release was cancelled', refused: 'The release did not start',
};

function buildResult(): Node[] {
  const run = state.run;
  const r = run?.result;
  if (!run || !r) return [h('p', {}, 'No result.'), actions(button('New Release', newRelease, { id: 'new' }))];
  const out: Node[] = [h('p', { id: 'outcome', class: r.outcome === 'succeeded' ? 'ok' : 'error' }, `${OUTCOME_TEXT[r.outcome]}${r.id ? ` (${r.id})` : ''}.`), h('p', { id: 'result-message' }, r.message)];
  const s = r.summary;
  if (s) {
    out.push(h('dl', { id: 'summary' },
      h('dt', {}, 'Rooms retired'), h('dd', {}, s.retired.length ? s.retired.join(', ') : 'none'),
      h('dt', {}, 'Rooms skipped (changed since read)'), h('dd', {}, s.skipped.length ? s.skipped.join(', ') : 'none'),
      h('dt', {}, 'Rooms reclaimed'), h('dd', {}, String(s.reclaimed)),
      h('dt', {}, 'Final replicas'), h('dd', {}, String(s.finalReplicas)),
      h('dt', {}, 'API requests'), h('dd', {}, String(s.requests))));
  }
  if (r.outcome === 'cancelled' || r.outcome === 'failed') out.push(h('p', { class: 'hint' }, 'The cluster is consistent. Choose this GameServerSet again to resume the release from where it stopped.'));
  if (run.events.length) out.push(h('details', {}, h('summary', {}, 'Steps and marks'), ...progressView(run)));
  out.push(actions(button('New Release', newRelease, { id: 'new' }), button('Close', () => post({ type: 'close' }), { id: 'close', class: 'secondary' })));
  return out;
}

function newRelease(): void {
  state.run = undefined;
  state.plan = undefined;
  state.resume = undefined;
  state.cancelling = false;
  const { scope, name } = state.form;
  state.form = emptyForm();
  selectTarget(scope, name);
  post({ type: 'refresh' });
  go('target');
}

// ---------------------------------------------------------------------------------------------------------
// Host messages

function onHost(m: HostMessage): void {
  switch (m.type) {
    case 'init':
    case 'targets': {
      state.targets = m.targets;
      state.targetsError = m.error;
      if (m.type === 'init') {
        const changed = !!m.select && (m.select.scope !== state.form.scope || m.select.name !== state.form.name);
        if (m.select) selectTarget(m.select.scope, m.select.name);
        if (m.run) {
          state.run = m.run;
          go(m.run.result ? 'result' : 'run', false);
          return;
        }
        if (state.step === 'run' || (state.step === 'result' && !state.run?.result)) {
          state.run = undefined;
          alarm('The release this wizard showed is not running in this window any more. If it was interrupted, choose its GameServerSet to resume it.');
          go('target', false);
          return;
        }
        if (state.step === 'preview' && !state.plan) { go('rooms', false); return; }
        if (changed) { go('target', false); return; }
      }
      if (state.step === 'target' || m.type === 'init') go(state.step, false);
      return;
    }
    case 'select':
      selectTarget(m.scope, m.name);
      if (state.step !== 'run') go('target');
      return;
    case 'preview-result': {
      if (m.seq !== state.seq || state.step !== 'preview') return; // an answer to an older request
      state.planning = false;
      if (m.ok) { state.plan = m.plan; state.planMessage = m.message; say(`Plan ready: ${m.plan.rooms.length} rooms, ${m.plan.toReplicas} replicas after the release.`); }
      else { state.planError = m.message; say('The release cannot start.'); }
      go('preview', false);
      return;
    }
    case 'run-started':
      state.run = { scope: m.scope, input: m.input, events: [] };
      state.cancelling = false;
      alarm('');
      go('run');
      return;
    case 'event':
      if (!state.run || state.run.result) return;
      state.run.events.push(m.event);
      save();
      updateRun?.();
      return;
    case 'run-result':
      if (!state.run) return;
      state.run.result = m.result;
      state.cancelling = false;
      say(`${OUTCOME_TEXT[m.result.outcome]}.`);
      go('result');
      return;
    case 'notice':
      if (m.level === 'error') alarm(m.message); else say(m.message);
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const problem = hostMessageProblem(event.data);
  if (problem) {
    // Untrusted input that does not match the contract: not rendered, reported by path only.
    console.warn(`release wizard: ignored a malformed host message (${problem})`);
    post({ type: 'rejected', reason: problem.slice(0, 500) });
    return;
  }
  onHost(event.data as HostMessage);
});

alarm('');
build();
post({ type: 'ready', version: PROTOCOL_VERSION });
