// What `okg release` prints: the plan (steps, room preview, predicted table) and one line per engine event,
// including each new room's waiting reason while the release waits for Ready (one line per change). The lines of
// the events every step table sends, and the printing itself, are shared with `okg rollback` (runCommand.ts).
import { imageTag } from '../cluster/images.js';
import type { ReleaseEvent, ReleasePlan } from '../release/types.js';
import { seconds } from '../release/validate.js';
import { planText, stepEventLine, type EventLine } from './runCommand.js';

/** The plan as text; `warnings: false` when they were already printed as the run's warning events. */
export function planLines(plan: ReleasePlan, warnings = true): string[] {
  const inp = plan.input;
  const failFast = inp.failFastAfterMs ? `fail fast after ${seconds(inp.failFastAfterMs)}` : 'fail fast off';
  const img = (images: { container: string; image: string }[]) => images.map(c => imageTag(c.image)).join(',');
  return planText({
    head: `release ${inp.namespace}/${inp.gameServerSet}: ${inp.images.map(c => `${c.container} → ${c.image}`).join(', ')}; replicas ${plan.fromReplicas} → ${plan.toReplicas}; ready ≥ ${plan.ready}; timeout ${seconds(inp.timeoutMs)}, ${failFast}; reclaim ${inp.reclaim}${plan.resumes ? `; resumes ${plan.resumes}` : ''}`,
    steps: plan.steps,
    rooms: plan.rooms.map(r => [
      r.name,
      r.version,
      r.state || '-',
      r.opsState,
      img(r.images),
      r.reason ? `${r.action} (${r.reason})` : r.action,
    ]),
    predicted: plan.predicted.map(r => [r.name, r.state || '-', r.opsState, img(r.images)]),
    what: 'release',
    warnings: warnings ? plan.warnings : [],
  });
}

/** A new room's waiting line: "minecraft-3: ImagePullBackOff: Back-off pulling image … (0 restarts; last event Failed: …)". */
function waitingLine(e: Extract<ReleaseEvent, { type: 'room-waiting' }>): string {
  if (e.ready) return `      ${e.room}: ready for players`;
  const notes = [
    ...(e.restarts ? [`${e.restarts} restart${e.restarts === 1 ? '' : 's'}`] : []),
    ...(e.lastEvent ? [`last event ${e.lastEvent}`] : []),
  ];
  return `      ${e.room}: ${e.reason}${e.message ? `: ${e.message}` : ''}${notes.length ? ` (${notes.join('; ')})` : ''}${e.permanent ? ' — does not heal by itself' : ''}`;
}

/** One line per event for the text output; `progress` lines may be rewritten in place on a terminal. */
export function eventLine(e: ReleaseEvent): EventLine | undefined {
  switch (e.type) {
    case 'planned':
      return undefined;
    case 'room-waiting':
      return { line: waitingLine(e) };
    case 'done':
      return {
        line: `release ${e.id} ${e.summary.lost.length ? `finished with losses: OKG removed rooms with players: ${e.summary.lost.join(', ')};` : 'succeeded:'} ${e.summary.retired.length} room(s) retired${e.summary.retired.length ? ` (${e.summary.retired.join(', ')})` : ''}, ${e.summary.skipped.length} skipped${e.summary.skipped.length ? ` (${e.summary.skipped.join(', ')})` : ''}, ${e.summary.reclaimed} reclaimed; ${e.summary.finalReplicas} replicas; ${e.summary.requests} API requests`,
      };
    // The message already says "failed at step …" (or "cancelled at step …", "stopped early at step …", with the roll-back command).
    case 'failed':
      return { line: `release ${e.id || '(not started)'} ${e.message}` };
    default:
      return stepEventLine(e);
  }
}
