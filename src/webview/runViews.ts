// The wizard's last three steps: the preview (every room and what happens to it, the predicted table, the Argo
// export), the run (live progress folded from the engine's events, cancel) and the result.
import { plural } from '../cluster/util.js';
import type { ReleasePlan } from '../release/types.js';
import type { App } from './app.js';
import { actions, button, h, table } from './dom.js';
import { currentStep, type Progress, type StepStatus } from './progress.js';
import type { RunResult } from './protocol.js';
import { imagesText } from './resume.js';

const cancelWizard = (app: App) => button('Cancel', () => app.post({ type: 'close' }), { id: 'cancel', class: 'secondary' });

// ---------------------------------------------------------------------------------------------------------
// Step 4: preview

const ACTION_TEXT: Record<ReleasePlan['rooms'][number]['action'], string> = { retire: 'retire', keep: 'keep', protected: 'protected', create: 'create' };
const VERSION_TEXT: Record<ReleasePlan['rooms'][number]['version'], string> = { old: 'old', new: 'new', 'to-create': 'new (to create)' };

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
  const back = () => button('Back', () => { const resumed = !!state.resume; state.resume = undefined; app.go(resumed ? 'target' : 'rooms'); }, { id: 'back', class: 'secondary' });
  if (state.planning) return [h('p', { class: 'busy' }, 'Planning the release…'), actions(back(), cancelWizard(app))];
  if (state.planError || !state.plan) {
    return [h('p', { class: 'error', id: 'plan-error' }, state.planError ?? 'No plan yet.'), actions(back(), cancelWizard(app))];
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
  const run = button(p.resumes ? 'Resume Release' : 'Run Release', () => runRelease(app), { id: 'run', disabled: !!p.alreadyDone });
  out.push(actions(run, button('Export as Argo Workflow', () => app.post({ type: 'export-argo', seq: state.seq }), { id: 'export', class: 'secondary' }), back(), cancelWizard(app)));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Steps 5 and 6: run and result

const STATUS_TEXT: Record<StepStatus, string> = {
  pending: 'pending', running: 'running', done: 'done', 'already-done': 'already done', skipped: 'skipped', failed: 'failed', cancelled: 'cancelled',
};

function progressView(p: Progress): Node[] {
  const steps = h('ol', { id: 'run-steps', class: 'run-steps' }, ...p.steps.map(s => h('li', { class: `st-${s.status}`, 'data-step': s.step },
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

export function buildRun(app: App): Node[] {
  const state = app.state;
  const run = state.run;
  if (!run) return [h('p', {}, 'No release is running.'), actions(button('Back', () => app.go('target'), { id: 'back' }))];
  const live = h('div', { id: 'run-progress' });
  let lastAnnounced = '';
  app.onEvent = () => {
    const p = app.progress();
    live.replaceChildren(...progressView(p));
    const current = currentStep(p);
    const text = current ? `${current.title}${current.message ? `: ${current.message}` : ''}` : '';
    if (text && text !== lastAnnounced) { lastAnnounced = text; app.say(text); }
  };
  app.onEvent();
  const cancel = button(state.cancelling ? 'Cancelling…' : 'Cancel Release', () => {
    state.cancelling = true;
    app.save();
    cancel.textContent = 'Cancelling…';
    cancel.disabled = true;
    app.post({ type: 'cancel' });
    app.say('Cancelling: the release stops at the next safe point.');
  }, { id: 'cancel', class: 'danger', disabled: !!state.cancelling });
  return [h('p', {}, `Releasing ${run.input.gameServerSet}: ${imagesText(run.input.images)}`), live, actions(cancel)];
}

export const OUTCOME_TEXT: Record<RunResult['outcome'], string> = {
  succeeded: 'The release succeeded', lost: 'The release finished, but OKG removed rooms with players', failed: 'The release failed', cancelled: 'The release was cancelled', refused: 'The release did not start',
  'stopped-early': 'The release stopped early: the new rooms do not become ready',
};

export function buildResult(app: App): Node[] {
  const run = app.state.run;
  const r = run?.result;
  const newRelease = () => button('New Release', () => app.newRelease(), { id: 'new' });
  if (!run || !r) return [h('p', {}, 'No result.'), actions(newRelease())];
  const out: Node[] = [h('p', { id: 'outcome', class: r.outcome === 'succeeded' ? 'ok' : 'error' }, `${OUTCOME_TEXT[r.outcome]}${r.id ? ` (${r.id})` : ''}.`), h('p', { id: 'result-message' }, r.message)];
  const s = r.summary;
  if (s) {
    out.push(h('dl', { id: 'summary' },
      h('dt', {}, 'Rooms retired'), h('dd', {}, s.retired.length ? s.retired.join(', ') : 'none'),
      h('dt', {}, 'Rooms skipped (changed since read)'), h('dd', {}, s.skipped.length ? s.skipped.join(', ') : 'none'),
      h('dt', {}, 'Rooms reclaimed'), h('dd', {}, String(s.reclaimed)),
      ...(s.lost.length ? [h('dt', {}, 'Rooms with players removed by OKG'), h('dd', { id: 'lost' }, s.lost.join(', '))] : []),
      h('dt', {}, 'Final replicas'), h('dd', {}, String(s.finalReplicas)),
      h('dt', {}, 'API requests'), h('dd', {}, String(s.requests))));
  }
  if (r.outcome === 'cancelled' || r.outcome === 'failed') out.push(h('p', { class: 'hint' }, 'The cluster is consistent. Choose this GameServerSet again to resume the release from where it stopped.'));
  if (run.events.length) out.push(h('details', {}, h('summary', {}, 'Steps and marks'), ...progressView(app.progress())));
  out.push(actions(newRelease(), button('Close', () => app.post({ type: 'close' }), { id: 'close', class: 'secondary' })));
  return out;
}
