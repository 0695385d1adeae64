// The host's side of taking over someone else's release: a resume of a record whose holder still holds its lease is
// previewed as a take-over of that holder (a preview writes nothing), and a run whose fresh preview says it takes
// a lease or record over (`plan.takesOver`) asks first, in a modal that names the context, namespace, set and the
// other holder. Only on that yes does the run get `takeOver`, naming the holder the preview saw, so the engine
// refuses if someone else holds it by then. The webview can never send `takeOver` (its form schema has no such key).
import * as vscode from 'vscode';
import type { ReleaseInput, ReleasePlan } from '../release/types.js';
import type { Interrupted } from '../webview/protocol.js';
import { resumeConcerns, whatItDoes } from '../webview/resume.js';
import type { WizardLog, WizardScope } from './host.js';

export const TAKE_OVER_BUTTON = 'Take Over Release';

/** The input a preview uses: a resume of a record someone still holds is previewed as a take-over of its holder. */
export function previewInput(input: ReleaseInput, resumed?: Interrupted): ReleaseInput {
  return resumed?.state === 'running' && !resumed.mine ? { ...input, takeOver: resumed.holder } : input;
}

/**
 * Asks (modal) before a run takes over `t` from its holder; the input to run with on yes (with `takeOver` naming
 * the holder seen), undefined on anything else.
 */
export async function confirmTakeOver(
  scope: Pick<WizardScope, 'context' | 'namespace'>,
  input: ReleaseInput,
  t: NonNullable<ReleasePlan['takesOver']>,
  resumed: Interrupted | undefined,
  log: WizardLog,
): Promise<ReleaseInput | undefined> {
  const concerns = resumed ? resumeConcerns(resumed).filter(c => !c.startsWith('It was made by')) : [];
  const detail = [
    `Context: ${scope.context}`,
    `Namespace: ${scope.namespace}`,
    `GameServerSet: ${input.gameServerSet}`,
    `Held by: ${t.holder} (${t.reason})`,
    '',
    'Take it over only if you know that run is gone: the wizard resumes it from the step it reached, and two runs must never write to one GameServerSet at once.',
    ...(concerns.length ? ['', ...concerns] : []),
    '',
    'It will:',
    ...whatItDoes(input).map(l => `- ${l}`),
  ].join('\n');
  const answer = await vscode.window.showWarningMessage(
    `Take over release ${t.release} of ${input.gameServerSet} from ${t.holder}?`,
    { modal: true, detail },
    TAKE_OVER_BUTTON,
  );
  const yes = answer === TAKE_OVER_BUTTON;
  log.info(`release wizard: take-over of ${t.release} from ${t.holder} ${yes ? 'confirmed' : 'declined'}`);
  return yes ? { ...input, takeOver: t.holder } : undefined;
}
