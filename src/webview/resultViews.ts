// The wizard's result step: how the release (or the rollback) ended, what it did room by room, the run's picture,
// and the way on: Roll Back… for a release that wrote something (the button the failure suggests is the first
// one), a new release, or close.
import type { App, RunState } from './app.js';
import { actions, button, h } from './dom.js';
import type { RunResult } from './protocol.js';
import { progressParts, roomNames } from './runViews.js';

const RELEASE_TEXT: Record<RunResult['outcome'], string> = {
  succeeded: 'The release succeeded',
  lost: 'The release finished, but OKG removed rooms with players',
  failed: 'The release failed',
  cancelled: 'The release was cancelled',
  refused: 'The release did not start',
  'stopped-early': 'The release stopped early: the new rooms do not become ready',
};
const ROLLBACK_TEXT: Record<RunResult['outcome'], string> = {
  succeeded: 'The rollback succeeded',
  lost: 'The rollback finished, but OKG removed rooms it meant to keep',
  failed: 'The rollback failed',
  cancelled: 'The rollback was cancelled',
  refused: 'The rollback did not start',
  'stopped-early': 'The rollback stopped early',
};

/** One sentence for how the run ended. */
export function outcomeText(run: RunState | undefined, r: RunResult): string {
  return (run && 'rollback' in run ? ROLLBACK_TEXT : RELEASE_TEXT)[r.outcome];
}

/** Asks the host to plan the rollback of the release this page's run ran (the host knows which). */
export function askRollback(app: App): void {
  const s = app.state;
  const seq = (s.rollbackSeq ?? 0) + 1;
  s.rollbackSeq = seq;
  s.rollbackPlanning = true;
  s.rollbackPlan = undefined;
  s.rollbackError = undefined;
  app.post({ type: 'rollback-preview', seq });
  app.go('rollback');
  app.say('Planning the rollback…');
}

function summaryList(r: RunResult): Node | undefined {
  const dl = (...rows: [string, Node | string, string?][]): Node =>
    h('dl', { id: 'summary' }, ...rows.flatMap(([t, d, id]) => [h('dt', {}, t), h('dd', id ? { id } : {}, d)]));
  const s = r.summary;
  if (s)
    return dl(
      ['Rooms retired', roomNames(s.retired, 'retired') as Node],
      ['Rooms skipped (changed since read)', roomNames(s.skipped, 'skipped') as Node],
      ['Rooms reclaimed', String(s.reclaimed)],
      ...(s.lost.length
        ? [['Rooms with players removed by OKG', s.lost.join(', '), 'lost'] as [string, string, string]]
        : []),
      ['Final replicas', String(s.finalReplicas)],
      ['API requests', String(s.requests)],
    );
  const b = r.rolledBack;
  if (b)
    return dl(
      ['Old rooms restored', roomNames(b.restored, 'restored') as Node],
      ['Old rooms already gone', roomNames(b.gone, 'gone') as Node],
      ['New rooms retired', roomNames(b.retired, 'retired') as Node],
      ['Rooms left alone (changed since read)', roomNames(b.skipped, 'skipped') as Node],
      ...(b.lost.length
        ? [['Rooms OKG removed although kept', b.lost.join(', '), 'lost'] as [string, string, string]]
        : []),
      ['Final replicas', String(b.finalReplicas)],
      ['API requests', String(b.requests)],
    );
  return undefined;
}

export function buildResult(app: App): Node[] {
  const run = app.state.run;
  const r = run?.result;
  const newRelease = () => button('New Release', () => app.newRelease(), { id: 'new' });
  if (!run || !r) return [h('p', {}, 'No result.'), actions(newRelease())];
  const rollback = 'rollback' in run;
  const ok = r.outcome === 'succeeded';
  const out: Node[] = [
    h(
      'p',
      { id: 'outcome', class: ok ? 'outcome ok' : 'outcome error' },
      `${outcomeText(run, r)}${r.id ? ` (${r.id})` : ''}.`,
    ),
    h('p', { id: 'result-message' }, r.message),
  ];
  const summary = summaryList(r);
  if (summary) out.push(summary);
  if (r.outcome === 'cancelled' || r.outcome === 'failed')
    out.push(
      h(
        'p',
        { class: 'hint' },
        rollback
          ? 'The cluster is consistent. Roll back again from the GameServerSet’s context menu (Roll Back Last Release…) to resume the rollback.'
          : 'The cluster is consistent. Choose this GameServerSet again to resume the release from where it stopped, or roll it back.',
      ),
    );
  if (r.suggest === 'rollback')
    out.push(
      h(
        'p',
        { class: 'warning', id: 'suggest-rollback' },
        'The new rooms do not become ready and nothing was marked: rolling back restores the old image and retires the idle new rooms.',
      ),
    );
  const model = app.run();
  if (model.progress.steps.some(x => x.status !== 'pending') || model.rooms().length) {
    out.push(
      h(
        'details',
        { id: 'run-details' },
        h('summary', {}, 'Steps, rooms and the picture of the run'),
        ...progressParts(app, model, false).nodes,
      ),
    );
  }
  // Any release that wrote something (it has a record) can be rolled back; the host plans it and may refuse.
  const suggested = r.suggest === 'rollback';
  const rollBack =
    !rollback && r.id && r.outcome !== 'refused'
      ? button('Roll Back…', () => askRollback(app), { id: 'rollback', class: suggested ? undefined : 'secondary' })
      : undefined;
  const fresh = button('New Release', () => app.newRelease(), {
    id: 'new',
    class: suggested ? 'secondary' : undefined,
  });
  const close = button('Close', () => app.post({ type: 'close' }), { id: 'close', class: 'secondary' });
  const buttons = rollBack ? (suggested ? [rollBack, fresh] : [fresh, rollBack]) : [fresh];
  out.push(actions(...buttons, close));
  return out;
}
