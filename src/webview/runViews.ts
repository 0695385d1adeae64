// The wizard's preview and run steps: the preview (every room and what happens to it, the predicted table, the Argo
// export; large sets in virtual tables with a filter) and the run of a release or a rollback (steps, the rooms
// picture over time, the per-room list; each progress message updates only what it changed). The result step is in
// resultViews.ts, the rollback's preview in rollbackViews.ts.
import { plural } from '../cluster/util.js';
import type { ReleasePlan } from '../release/types.js';
import { runSet, type App } from './app.js';
import { roomsChart } from './chart.js';
import { actions, badge, button, h, imageTags, type Child } from './dom.js';
import type { RoomRow } from './feed.js';
import { currentStep, type StepProgress, type StepStatus } from './progress.js';
import { imagesText } from './resume.js';
import type { RunChange, RunModel } from './runModel.js';
import { predictedTable } from './predictedTable.js';
import { virtualTable } from './vtable.js';

const cancelWizard = (app: App) =>
  button('Cancel', () => app.post({ type: 'close' }), { id: 'cancel', class: 'secondary' });

/** Up to this many names are said in text; more are counted, with the full list behind a disclosure. */
const NAMED = 20;

/** A list of room names: all of them when few, else the count and the first ones, the rest on request. */
export function roomNames(names: readonly string[], id?: string): Child {
  if (!names.length) return 'none';
  if (names.length <= NAMED) return h('span', { id }, names.join(', '));
  return h(
    'details',
    { class: 'names', id },
    h('summary', {}, `${names.length.toLocaleString('en-US')} rooms: ${names.slice(0, 5).join(', ')}, …`),
    h('p', {}, names.join(', ')),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Step 4: preview

type PlanRoom = ReleasePlan['rooms'][number];
const VERSION_TEXT: Record<PlanRoom['version'], string> = { old: 'old', new: 'new', 'to-create': 'new (to create)' };
const why = (r: PlanRoom): string =>
  r.reason ?? (r.action === 'retire' ? `idle (${r.opsState}) and not on the new image` : '');

/** Asks the host to run what was previewed: the recorded release by its id, or the form's input. */
function runRelease(app: App): void {
  const s = app.state;
  if (s.resume) app.post({ type: 'run', scope: s.resume.scope, resume: s.resume.ref });
  else {
    const req = app.formRequest();
    if (req) app.post({ type: 'run', ...req });
  }
  app.say('Starting the release…');
}

export function buildPreview(app: App): Node[] {
  const state = app.state;
  // Back drops the plan: Next asks for a new one, and a large plan would make every save of the form large.
  const back = () =>
    button(
      'Back',
      () => {
        const resumed = !!state.resume;
        state.resume = undefined;
        state.plan = undefined;
        app.go(resumed ? 'target' : 'rooms');
      },
      { id: 'back', class: 'secondary' },
    );
  if (state.planning) return [h('p', { class: 'busy' }, 'Planning the release…'), actions(back(), cancelWizard(app))];
  if (state.planError || !state.plan) {
    return [
      h('p', { class: 'error', id: 'plan-error' }, state.planError ?? 'No plan yet.'),
      actions(back(), cancelWizard(app)),
    ];
  }
  const p = state.plan;
  const inp = p.input;
  const out: Node[] = [];
  if (p.resumes)
    out.push(
      h(
        'p',
        { class: 'info', id: 'resumes' },
        `This resumes release ${p.resumes}: steps already done are checked and skipped.`,
      ),
    );
  if (p.takesOver)
    out.push(
      h(
        'p',
        { class: 'warning', id: 'takes-over' },
        `This takes over release ${p.takesOver.release} from ${p.takesOver.holder} (${p.takesOver.reason}). VS Code asks you to confirm before anything is written.`,
      ),
    );
  if (p.alreadyDone)
    out.push(
      h(
        'p',
        { class: 'info', id: 'already-done' },
        `Release ${p.alreadyDone} with these inputs already succeeded; running it again changes nothing.`,
      ),
    );
  let retire = 0,
    prot = 0;
  for (const r of p.rooms) {
    if (r.action === 'retire') retire++;
    else if (r.action === 'protected') prot++;
  }
  out.push(
    h(
      'p',
      { id: 'plan-summary' },
      `${inp.gameServerSet}: ${imagesText(inp.images)}. Replicas ${p.fromReplicas} → ${p.toReplicas} (${plural(p.newRooms, 'new room')}); ` +
        `wait for ${p.ready} new-version room${p.ready === 1 ? '' : 's'} Ready; retire ${plural(retire, 'idle old room')}; ${plural(prot, 'room')} protected; reclaim: ${inp.reclaim}.`,
    ),
  );
  // The take-over's own warning is said above, with what happens next.
  const warnings = p.takesOver
    ? p.warnings.filter(w => !w.startsWith(`taking over release ${p.takesOver!.release} `))
    : p.warnings;
  if (warnings.length)
    out.push(
      h(
        'ul',
        { class: 'warnings', id: 'plan-warnings', 'aria-label': 'Warnings' },
        ...warnings.map(w => h('li', {}, w)),
      ),
    );
  out.push(
    h('h3', {}, 'Steps'),
    h('ol', { id: 'plan-steps' }, ...p.steps.map(s => h('li', {}, s.title, s.done ? ' (done by an earlier run)' : ''))),
  );
  out.push(
    virtualTable<PlanRoom>({
      id: 'rooms-table',
      caption: 'Rooms now and what the release does with them',
      noun: ['room', 'rooms'],
      rowHeader: true,
      rows: () => p.rooms,
      columns: [
        { title: 'Room', cell: r => r.name, text: r => r.name, cls: 'c-name' },
        { title: 'Version', cell: r => VERSION_TEXT[r.version], text: r => VERSION_TEXT[r.version] },
        { title: 'State', cell: r => r.state || '—', text: r => r.state },
        { title: 'opsState', cell: r => r.opsState, text: r => r.opsState },
        { title: 'Image', cell: r => imageTags(r.images), text: r => imagesText(r.images), cls: 'c-image' },
        { title: 'Action', cell: r => badge(r.action), text: r => r.action },
        { title: 'Why', cell: r => why(r), text: why, cls: 'c-why' },
      ],
    }).el,
  );
  out.push(predictedTable('predicted-table', 'Predicted rooms after the release (kubectl get gs)', () => p.predicted));
  const run = button(
    p.takesOver ? 'Take Over Release…' : p.resumes ? 'Resume Release' : 'Run Release',
    () => runRelease(app),
    {
      id: 'run',
      disabled: !!p.alreadyDone,
    },
  );
  out.push(
    actions(
      run,
      button('Export as Argo Workflow', () => app.post({ type: 'export-argo', seq: state.seq }), {
        id: 'export',
        class: 'secondary',
      }),
      back(),
      cancelWizard(app),
    ),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Steps 5 and 6: run and result

const STATUS_TEXT: Record<StepStatus, string> = {
  pending: 'pending',
  running: 'running',
  done: 'done',
  'already-done': 'already done',
  skipped: 'skipped',
  failed: 'failed',
  cancelled: 'cancelled',
};

function stepItem(s: StepProgress): HTMLLIElement {
  return h(
    'li',
    { class: `st-${s.status}`, 'data-step': s.step },
    badge(STATUS_TEXT[s.status], s.status),
    ' ',
    h('span', { class: 'step-title' }, s.title),
    s.message ? h('div', { class: 'step-msg' }, s.message) : undefined,
    s.rooms?.length ? h('div', { class: 'step-msg' }, roomNames(s.rooms)) : undefined,
    s.status === 'running' && s.of
      ? h('progress', { max: s.of, value: s.done ?? 0, 'aria-label': `${s.title}: ${s.done ?? 0} of ${s.of}` })
      : undefined,
  );
}

const ROW_STATE = (r: RoomRow): string => (r.gone ? 'deleted' : r.state || '—');

/** The live parts of the run and result steps over one model: each `update` touches only what changed. */
export function progressParts(app: App, model: RunModel, live: boolean) {
  const items = model.progress.steps.map(stepItem);
  const steps = h('ol', { id: 'run-steps', class: 'run-steps' }, ...items);
  const ready = h('p', { id: 'ready-count' });
  const chart = roomsChart('run-chart');
  const warnings = h('ul', { class: 'warnings', id: 'run-warnings', 'aria-label': 'Warnings' });
  const name = app.state.run ? runSet(app.state.run) : '';
  const rooms = virtualTable<RoomRow>({
    id: 'run-rooms',
    caption: `Rooms of ${name}${live ? ', live' : ''}`,
    noun: ['room', 'rooms'],
    rowHeader: true,
    rows: () => model.rooms(),
    columns: [
      { title: 'Room', cell: r => r.name, text: r => r.name, cls: 'c-name' },
      { title: 'Version', cell: r => r.version, text: r => r.version },
      { title: 'State', cell: ROW_STATE, text: ROW_STATE },
      { title: 'opsState', cell: r => r.opsState, text: r => r.opsState },
      { title: 'Reason', cell: r => r.reason ?? '—', text: r => r.reason ?? '', cls: 'c-why' },
    ],
  });
  const readyText = (): void => {
    const p = model.progress;
    const w = p.roomResults;
    const writes = w.changed + w.unchanged + w.skipped + w.failed;
    ready.textContent = [
      p.ready ? `New-version rooms Ready: ${p.ready.done} of ${p.ready.of}` : '',
      writes
        ? `room writes: ${w.changed} changed, ${w.unchanged} unchanged, ${w.skipped} skipped, ${w.failed} failed`
        : '',
    ]
      .filter(Boolean)
      .join('; ');
    ready.hidden = !ready.textContent;
  };
  const warningsFrom = (from: number): void => {
    warnings.append(...model.progress.warnings.slice(from).map(w => h('li', {}, w)));
    warnings.hidden = !warnings.childElementCount;
  };
  readyText();
  warningsFrom(0);
  chart.update(model.samples);
  return {
    nodes: [steps, ready, chart.el, warnings, rooms.el] as Node[],
    update(c: RunChange): void {
      for (const i of c.steps) {
        const li = stepItem(model.progress.steps[i]);
        items[i].replaceWith(li);
        items[i] = li;
      }
      if (c.ready) readyText();
      if (c.sample) chart.update(model.samples);
      if (c.rooms) rooms.refresh();
      if (model.progress.warnings.length > c.warningsFrom) warningsFrom(c.warningsFrom);
    },
  };
}

export function buildRun(app: App): Node[] {
  const state = app.state;
  const run = state.run;
  if (!run)
    return [h('p', {}, 'No release is running.'), actions(button('Back', () => app.go('target'), { id: 'back' }))];
  const model = app.run();
  const parts = progressParts(app, model, true);
  let lastAnnounced = '';
  const announce = (): void => {
    const current = currentStep(model.progress);
    // The step's title only: its progress line changes many times a second and would flood the live region.
    const text = current ? current.title : '';
    if (text && text !== lastAnnounced) {
      lastAnnounced = text;
      app.say(text);
    }
  };
  app.onProgress = c => {
    parts.update(c);
    if (c.steps.length) announce();
  };
  announce();
  const cancel = button(
    state.cancelling ? 'Cancelling…' : 'input' in run ? 'Cancel Release' : 'Cancel Rollback',
    () => {
      state.cancelling = true;
      app.save();
      cancel.textContent = 'Cancelling…';
      cancel.disabled = true;
      app.post({ type: 'cancel' });
      app.say(`Cancelling: the ${'input' in run ? 'release' : 'rollback'} stops at the next safe point.`);
    },
    { id: 'cancel', class: 'danger', disabled: !!state.cancelling },
  );
  return [
    'input' in run
      ? h('p', {}, `Releasing ${run.input.gameServerSet}: `, imageTags(run.input.images))
      : h(
          'p',
          {},
          `Rolling back release ${run.rollback.release} of ${run.rollback.gameServerSet}: back to `,
          imageTags(run.rollback.images),
        ),
    h('div', { id: 'run-progress' }, ...parts.nodes),
    actions(cancel),
  ];
}
