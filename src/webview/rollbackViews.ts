// The wizard's Roll Back step: the rollback engine's plan for the release this page ran (which release, the steps,
// every room and what happens to it, the predicted table after it, the warnings), then Roll Back runs it with the
// same progress view as a release. The host decides what is rolled back; the page only asks for the plan it shows.
import { plural } from '../cluster/util.js';
import type { RollbackPlan } from '../release/rollbackTypes.js';
import type { App } from './app.js';
import { actions, badge, button, h, imageTags } from './dom.js';
import { imagesText } from './resume.js';
import { predictedTable } from './predictedTable.js';
import { virtualTable } from './vtable.js';

type PlanRoom = RollbackPlan['rooms'][number];
const VERSION_TEXT: Record<PlanRoom['version'], string> = {
  old: 'old',
  new: 'new (rolled back)',
  'to-create': 'old (to create)',
};
const why = (r: PlanRoom): string => [r.to ? `back to ${r.to}` : '', r.reason ?? ''].filter(Boolean).join('; ');

export function buildRollback(app: App): Node[] {
  const state = app.state;
  const back = button(
    'Back',
    () => {
      state.rollbackPlan = undefined;
      state.rollbackError = undefined;
      app.go(state.run ? 'result' : 'target');
    },
    { id: 'back', class: 'secondary' },
  );
  if (state.rollbackPlanning) return [h('p', { class: 'busy' }, 'Planning the rollback…'), actions(back)];
  const p = state.rollbackPlan;
  if (state.rollbackError || !p)
    return [
      h('p', { class: 'error', id: 'rollback-error' }, state.rollbackError ?? 'No rollback plan.'),
      actions(back),
    ];
  const out: Node[] = [];
  let restore = 0,
    retire = 0,
    prot = 0;
  for (const r of p.rooms) {
    if (r.action === 'restore') restore++;
    else if (r.action === 'retire') retire++;
    else if (r.action === 'protected') prot++;
  }
  out.push(
    h(
      'p',
      { id: 'rollback-summary' },
      `Roll back release ${p.release.id} of ${p.input.gameServerSet} (${p.release.outcome} at step ${p.release.step}): ` +
        `image back to ${imagesText(p.images) || '(unchanged)'}. Replicas ${p.fromReplicas} → ${p.toReplicas}; ` +
        `${plural(restore, 'old room')} set back; ${plural(retire, 'idle new room')} retired; ${plural(prot, 'room')} never touched (players, maintenance or leaving).`,
    ),
  );
  if (p.resumes) out.push(h('p', { class: 'info', id: 'rollback-resumes' }, `This resumes rollback ${p.resumes}.`));
  if (p.alreadyDone)
    out.push(
      h(
        'p',
        { class: 'info', id: 'rollback-done' },
        `Release ${p.release.id} was already rolled back (${p.alreadyDone}).`,
      ),
    );
  if (p.warnings.length)
    out.push(
      h(
        'ul',
        { class: 'warnings', id: 'rollback-warnings', 'aria-label': 'Warnings' },
        ...p.warnings.map(w => h('li', {}, w)),
      ),
    );
  out.push(
    h('h3', {}, 'Steps'),
    h(
      'ol',
      { id: 'rollback-steps' },
      ...p.steps.map(s => h('li', {}, s.title, s.done ? ' (done by an earlier run)' : '')),
    ),
    virtualTable<PlanRoom>({
      id: 'rollback-rooms',
      caption: 'Rooms now and what the rollback does with them',
      noun: ['room', 'rooms'],
      rowHeader: true,
      rows: () => p.rooms,
      columns: [
        { title: 'Room', cell: r => r.name, text: r => r.name, cls: 'c-name' },
        { title: 'Version', cell: r => VERSION_TEXT[r.version], text: r => VERSION_TEXT[r.version] },
        { title: 'State', cell: r => r.state || '—', text: r => r.state },
        { title: 'opsState', cell: r => r.opsState || '—', text: r => r.opsState },
        { title: 'Image', cell: r => imageTags(r.images), text: r => imagesText(r.images), cls: 'c-image' },
        { title: 'Action', cell: r => badge(r.action), text: r => r.action },
        { title: 'Why', cell: why, text: why, cls: 'c-why' },
      ],
    }).el,
    predictedTable('rollback-predicted', 'Predicted rooms after the rollback (kubectl get gs)', () => p.predicted),
  );
  const run = button(
    'Roll Back',
    () => {
      app.post({ type: 'rollback', seq: state.rollbackSeq ?? 0 });
      app.say('Starting the rollback…');
    },
    { id: 'rollback-run', class: 'danger', disabled: !!p.alreadyDone || !p.steps.length },
  );
  out.push(actions(run, back));
  return out;
}
