// The wizard's first three steps: the GameServerSet (with the offer to resume a recorded release: who made it,
// what it will do, what to check first), the new image per container, and rooms, ready count, timeout, stop-early,
// reclaim and the settle window.
import type { App } from './app.js';
import { plural } from '../cluster/util.js';
import { actions, button, field, h, stepForm, type Child } from './dom.js';
import {
  addProblem,
  changedImages,
  failFastProblem,
  imageProblem,
  readyProblem,
  settleProblem,
  timeoutProblem,
  type Form,
} from './form.js';
import type { Interrupted, Target } from './protocol.js';
import { resumeConcerns, whatItDoes } from './resume.js';

const cancelWizard = (app: App) =>
  button('Cancel', () => app.post({ type: 'close' }), { id: 'cancel', class: 'secondary' });
const refresh = (app: App, cls?: string) =>
  button('Refresh', () => app.post({ type: 'refresh' }), { id: 'refresh', class: cls });
const backTo = (app: App, step: 'target' | 'images') =>
  button('Back', () => app.go(step), { id: 'back', class: 'secondary' });
const noTarget = (app: App): Node[] => [
  h('p', {}, 'Choose a GameServerSet first.'),
  actions(button('Back', () => app.go('target'), { id: 'back' })),
];

// ---------------------------------------------------------------------------------------------------------
// Step 1: GameServerSet

/** The offer to resume `r`: what it is, who made it, what it will do, and what to check before saying yes. */
function resumeOffer(app: App, t: Target, r: Interrupted): Node {
  const how =
    r.state === 'expired'
      ? 'was interrupted (its lease expired)'
      : r.state === 'running'
        ? 'still holds its lease'
        : `was ${r.state}`;
  const takeOver = r.state === 'running';
  const concerns = resumeConcerns(r);
  return h(
    'div',
    { class: 'resume', id: 'resume-offer' },
    h('p', {}, `Release ${r.id} of ${r.holder} ${how} at step ${r.step}${r.message ? `: ${r.message}` : '.'}`),
    h(
      'p',
      { id: 'resume-made' },
      `Made by ${r.holder}${r.mine ? ' (you, on this machine)' : ''}, started ${r.startedAt}. Resuming replays its recorded inputs as they are; steps already done are checked and skipped. It will:`,
    ),
    h('ul', { id: 'resume-does' }, ...whatItDoes(r.input).map(line => h('li', {}, line))),
    concerns.length
      ? h(
          'div',
          { class: 'warning', id: 'resume-concerns' },
          h('p', {}, 'Check before resuming (VS Code asks you to confirm):'),
          h('ul', {}, ...concerns.map(c => h('li', {}, c))),
        )
      : undefined,
    takeOver
      ? h(
          'p',
          { class: 'warning', id: 'take-over-hint' },
          `Take it over only if you know that run is gone (its machine or VS Code closed): the preview shows what it does, and VS Code asks you to confirm before anything is written.`,
        )
      : undefined,
    button(
      takeOver ? `Take over release ${r.id}` : `Resume release ${r.id}`,
      () => {
        app.state.resume = { scope: t.scope, ref: { gameServerSet: t.name, id: r.id } };
        app.requestPreview();
      },
      { id: 'resume' },
    ),
  );
}

function details(app: App, t: Target): Node[] {
  const rows: Node[] = [
    h('dt', {}, 'Namespace'),
    h('dd', {}, t.namespace),
    h('dt', {}, 'Replicas'),
    h('dd', {}, `${t.replicas} (${t.readyReplicas} ready)`),
    h('dt', {}, 'Images'),
    h('dd', {}, ...t.images.map(c => h('div', {}, h('code', {}, `${c.container}=${c.image}`)))),
  ];
  const parts: Node[] = [h('dl', {}, ...rows)];
  if (!t.onDeleteInForce)
    parts.push(
      h(
        'p',
        { class: 'warning' },
        'OnDelete is not in force on this GameServerSet: a release would replace rooms with players unless the wizard fixes the update strategy (offered on the Rooms step).',
      ),
    );
  const r = t.interrupted;
  if (r && r.state === 'running' && r.mine) {
    parts.push(
      h(
        'p',
        { class: 'warning', id: 'running-elsewhere' },
        `Release ${r.id} of ${r.holder} is running (step ${r.step}) from your account on this machine. Wait for it to finish or cancel it there.`,
      ),
    );
  } else if (r) {
    parts.push(resumeOffer(app, t, r));
  }
  return parts;
}

export function buildTarget(app: App): Node[] {
  const state = app.state;
  const out: Node[] = [];
  if (state.targetsError) out.push(h('p', { class: 'error' }, state.targetsError));
  if (!state.targets.length) {
    out.push(
      h(
        'p',
        {},
        'No GameServerSet is shown in the Game Servers view. Select namespaces or start the demo cluster, then refresh.',
      ),
    );
    out.push(actions(refresh(app), cancelWizard(app)));
    return out;
  }
  if (!app.target()) app.selectTarget(state.targets[0].scope, state.targets[0].name);
  const select = h('select', { id: 'gss', 'aria-describedby': 'gss-details' });
  const groups = new Map<string, HTMLOptGroupElement>();
  state.targets.forEach((t, i) => {
    let g = groups.get(t.scopeLabel);
    if (!g) {
      g = h('optgroup', { label: t.scopeLabel });
      groups.set(t.scopeLabel, g);
      select.append(g);
    }
    g.append(h('option', { value: String(i), selected: t === app.target() }, `${t.name} (${plural(t.rooms, 'room')})`));
  });
  const box = h('div', { id: 'gss-details', class: 'details' });
  const showDetails = () => {
    const t = app.target();
    box.replaceChildren(...(t ? details(app, t) : []));
  };
  select.addEventListener('change', () => {
    const t = state.targets[Number(select.value)];
    if (t) app.selectTarget(t.scope, t.name);
    app.save();
    showDetails();
  });
  showDetails();
  out.push(
    stepForm(
      [h('div', { class: 'field' }, h('label', { for: 'gss' }, 'GameServerSet'), select), box],
      () => app.go('images'),
      () => !!app.target(),
      [h('button', { type: 'submit', id: 'next' }, 'Next'), refresh(app, 'secondary'), cancelWizard(app)],
    ),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Step 2: images

export function buildImages(app: App): Node[] {
  const state = app.state;
  const t = app.target();
  if (!t) return noTarget(app);
  const stepMsg = h('p', { id: 'images-msg', class: 'field-error', 'aria-live': 'polite' });
  const fields = t.images.map((c, i) =>
    field({
      id: `image-${i}`,
      label: `New image for container ${c.container}`,
      value: state.form.images[c.container] ?? c.image,
      current: c.image,
      check: imageProblem,
      onInput: v => {
        state.form.images[c.container] = v;
        stepMsg.textContent = '';
        app.save();
      },
    }),
  );
  const valid = () => {
    const ok = fields.map(f => f.validate()).every(Boolean);
    if (!ok) return false;
    const changed = changedImages(t.images, state.form.images);
    stepMsg.textContent = typeof changed === 'string' ? changed : '';
    if (typeof changed === 'string') {
      document.getElementById('image-0')?.focus();
      return false;
    }
    return true;
  };
  return [
    stepForm(
      [
        h(
          'p',
          {},
          `Set the new image of ${t.name}. Running rooms keep their image (OnDelete); new rooms get the new one.`,
        ),
        ...fields.map(f => f.el),
        stepMsg,
      ],
      () => app.go('rooms'),
      valid,
      [h('button', { type: 'submit', id: 'next' }, 'Next'), backTo(app, 'target'), cancelWizard(app)],
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Step 3: rooms, ready count, timeout, stop-early, reclaim, settle window

const RECLAIM_TEXT: Record<Form['reclaim'], [string, string]> = {
  none: [
    'None',
    'Mark idle old rooms WaitToBeDeleted and leave them; the KEDA scaler or a person lowers replicas later.',
  ],
  'scale-down': [
    'Scale down',
    'After the marks reach the pod labels, lower replicas by exactly the number of marked rooms.',
  ],
  kill: ['Kill', 'Set the marked rooms to Kill; OKG deletes them and lowers replicas itself.'],
};

export function buildRooms(app: App): Node[] {
  const state = app.state;
  const t = app.target();
  if (!t) return noTarget(app);
  const add = field({
    id: 'add',
    label: 'New rooms',
    value: state.form.add,
    inputmode: 'numeric',
    hint: `Rooms to create with the new image (now ${t.replicas} replicas).`,
    check: addProblem,
    onInput: v => {
      state.form.add = v;
      app.save();
      ready.validate();
    },
  });
  const ready = field({
    id: 'ready',
    label: 'Ready count',
    value: state.form.ready,
    inputmode: 'numeric',
    hint: 'New-version rooms that must be Ready before old ones are retired (empty: all new rooms).',
    check: v => readyProblem(v, state.form.add),
    onInput: v => {
      state.form.ready = v;
      app.save();
    },
  });
  const timeout = field({
    id: 'timeout',
    label: 'Timeout for each wait',
    value: state.form.timeout,
    hint: 'e.g. 90s, 10m, 1h30m',
    check: timeoutProblem,
    onInput: v => {
      state.form.timeout = v;
      app.save();
    },
  });
  const failFast = field({
    id: 'fail-fast',
    label: 'Stop early after',
    value: state.form.failFast,
    hint: 'Stop waiting for Ready when the new rooms fail in a way that does not heal by itself (a bad image, a crash loop) for this long; nothing is marked by then. 0 waits out the timeout.',
    check: failFastProblem,
    onInput: v => {
      state.form.failFast = v;
      app.save();
    },
  });
  const settle = field({
    id: 'settle',
    label: 'Settle window before reclaim',
    value: state.form.settle,
    hint: 'With Scale down or Kill: after marking, wait this long and re-read the rooms, so a room a matchmaker allocated meanwhile is kept. 0 turns the wait off.',
    check: settleProblem,
    onInput: v => {
      state.form.settle = v;
      app.save();
    },
  });
  const radios = (Object.keys(RECLAIM_TEXT) as Form['reclaim'][]).map(mode => {
    const input = h('input', {
      type: 'radio',
      name: 'reclaim',
      id: `reclaim-${mode}`,
      value: mode,
      checked: state.form.reclaim === mode,
      'aria-describedby': `reclaim-${mode}-hint`,
    });
    input.addEventListener('change', () => {
      if (input.checked) {
        state.form.reclaim = mode;
        app.save();
      }
    });
    return h(
      'div',
      { class: 'radio' },
      input,
      h('label', { for: `reclaim-${mode}` }, RECLAIM_TEXT[mode][0]),
      h('p', { class: 'hint', id: `reclaim-${mode}-hint` }, RECLAIM_TEXT[mode][1]),
    );
  });
  const parts: Child[] = [
    add.el,
    ready.el,
    timeout.el,
    failFast.el,
    h('fieldset', {}, h('legend', {}, 'Reclaim idle old rooms'), ...radios),
    settle.el,
  ];
  if (!t.onDeleteInForce) {
    const fix = h('input', { type: 'checkbox', id: 'fix', checked: state.form.fixUpdateStrategy });
    fix.addEventListener('change', () => {
      state.form.fixUpdateStrategy = fix.checked;
      app.save();
    });
    parts.push(
      h(
        'div',
        { class: 'checkbox' },
        fix,
        h('label', { for: 'fix' }, 'Make OnDelete really apply (drop rollingUpdate) together with the image'),
      ),
    );
  }
  return [
    stepForm(
      parts,
      () => app.requestPreview(),
      () => [add, ready, timeout, failFast, settle].map(f => f.validate()).every(Boolean),
      [h('button', { type: 'submit', id: 'next' }, 'Preview'), backTo(app, 'images'), cancelWizard(app)],
    ),
  ];
}
