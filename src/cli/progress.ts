// What `okg release` prints: the plan (steps, room preview, predicted table) and one line per engine event,
// including each new room's waiting reason while the release waits for Ready (one line per change).
import { imageTag } from '../cluster/images.js';
import type { ReleaseEvent, ReleasePlan } from '../release/types.js';
import { seconds } from '../release/validate.js';
import { formatTable } from './roomsCommand.js';

/** The plan as text; `warnings: false` when they were already printed as the run's warning events. */
export function planLines(plan: ReleasePlan, warnings = true): string[] {
  const lines: string[] = [];
  const inp = plan.input;
  const failFast = inp.failFastAfterMs ? `fail fast after ${seconds(inp.failFastAfterMs)}` : 'fail fast off';
  lines.push(
    `release ${inp.namespace}/${inp.gameServerSet}: ${inp.images.map(c => `${c.container} → ${c.image}`).join(', ')}; replicas ${plan.fromReplicas} → ${plan.toReplicas}; ready ≥ ${plan.ready}; timeout ${seconds(inp.timeoutMs)}, ${failFast}; reclaim ${inp.reclaim}${plan.resumes ? `; resumes ${plan.resumes}` : ''}`,
  );
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s.title}${s.done ? ' (done)' : ''}`));
  const img = (images: { container: string; image: string }[]) => images.map(c => imageTag(c.image)).join(',');
  lines.push('rooms:');
  lines.push(
    ...formatTable([
      ['NAME', 'VERSION', 'STATE', 'OPSSTATE', 'IMAGE', 'ACTION'],
      ...plan.rooms.map(r => [
        r.name,
        r.version,
        r.state || '-',
        r.opsState,
        img(r.images),
        r.reason ? `${r.action} (${r.reason})` : r.action,
      ]),
    ]).map(l => `  ${l}`),
  );
  lines.push('predicted after the release:');
  lines.push(
    ...formatTable([
      ['NAME', 'STATE', 'OPSSTATE', 'IMAGE'],
      ...plan.predicted.map(r => [r.name, r.state || '-', r.opsState, img(r.images)]),
    ]).map(l => `  ${l}`),
  );
  if (warnings) for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines;
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
export function eventLine(e: ReleaseEvent): { line: string; progress?: boolean } | undefined {
  switch (e.type) {
    case 'planned':
      return undefined;
    case 'step-started':
      return { line: `[${e.index}/${e.total}] ${e.title}` };
    case 'step-progress':
      return { line: `      ${e.message}`, progress: true };
    case 'step-done':
      return { line: `      ${e.result === 'done' ? 'done' : e.result}: ${e.message}` };
    case 'room-changed':
      return { line: `      ${e.room}: ${e.from} → ${e.to} ${e.result}${e.reason ? ` (${e.reason})` : ''}` };
    case 'room-waiting':
      return { line: waitingLine(e) };
    case 'warning':
      return { line: `warning: ${e.message}` };
    case 'done':
      return {
        line: `release ${e.id} ${e.summary.lost.length ? `finished with losses: OKG removed rooms with players: ${e.summary.lost.join(', ')};` : 'succeeded:'} ${e.summary.retired.length} room(s) retired${e.summary.retired.length ? ` (${e.summary.retired.join(', ')})` : ''}, ${e.summary.skipped.length} skipped${e.summary.skipped.length ? ` (${e.summary.skipped.join(', ')})` : ''}, ${e.summary.reclaimed} reclaimed; ${e.summary.finalReplicas} replicas; ${e.summary.requests} API requests`,
      };
    // The message already says "failed at step …" (or "cancelled at step …", "stopped early at step …", with the roll-back command).
    case 'failed':
      return { line: `release ${e.id || '(not started)'} ${e.message}` };
  }
}
