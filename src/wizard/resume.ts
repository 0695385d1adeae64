// The host's side of resuming a recorded release: the offer built from the record on the GameServerSet (who made
// it, its inputs key by key, whether this user on this machine made it), and the modal question before a resume
// that replays a record someone else made or one that asks for more than the wizard's defaults.
import * as vscode from 'vscode';
import { hostname, userInfo } from 'node:os';
import type { GameServerSetView } from '../cluster/okg.js';
import { describeHolder, leaseState, parseRecord, RECORD_ANNOTATION, type Holder } from '../release/record.js';
import type { NormalizedInput, ReleaseInput, StepName } from '../release/types.js';
import { sameRelease, validateInput } from '../release/validate.js';
import { readHostMessage, type Interrupted } from '../webview/protocol.js';
import { resumeConcerns, whatItDoes } from '../webview/resume.js';
import type { WizardLog, WizardScope } from './host.js';

/**
 * The unfinished release recorded on `g`, as the wizard offers it, or undefined when there is none or it cannot
 * be offered (values the wizard cannot show, or inputs that name another set than the one it is recorded on).
 */
export function resumeOffer(
  scope: Pick<WizardScope, 'id' | 'label' | 'namespace'>,
  g: GameServerSetView,
  log: WizardLog,
): Interrupted | undefined {
  const cur = parseRecord(g.annotations[RECORD_ANNOTATION]).current;
  // An interrupted rollback is resumed by rolling back again, not by the release wizard.
  if (!cur || cur.outcome === 'succeeded' || cur.kind === 'rollback') return undefined;
  const me = { id: 'okg-release-wizard', user: safeUser(), host: hostname(), pid: process.pid };
  const lease = leaseState(cur, me, Date.now());
  const offer: Interrupted = {
    id: cur.id,
    step: cur.step as StepName,
    holder: describeHolder(cur.holder),
    mine: isMine(cur.holder, me),
    startedAt: String(cur.startedAt),
    state:
      cur.outcome === 'cancelled' || cur.outcome === 'failed'
        ? cur.outcome
        : lease === 'expired'
          ? 'expired'
          : 'running',
    input: recordedInput(cur.input),
    ...(cur.message ? { message: cur.message } : {}),
  };
  const r = readHostMessage({
    type: 'targets',
    targets: [
      {
        scope: scope.id,
        scopeLabel: scope.label,
        namespace: scope.namespace,
        name: g.name,
        replicas: 0,
        readyReplicas: 0,
        rooms: 0,
        images: [],
        onDeleteInForce: true,
        interrupted: offer,
      },
    ],
  });
  const problem = !r.ok
    ? r.problem
    : offer.input.namespace !== scope.namespace || offer.input.gameServerSet !== g.name
      ? `its inputs name ${offer.input.namespace}/${offer.input.gameServerSet}`
      : undefined;
  if (problem) {
    log.warn(`release wizard: the release record on ${g.name} is not offered for resume (${problem})`);
    return undefined;
  }
  return offer;
}

/** Whether running `input` resumes the offered release (the engine resumes a record whose inputs are the same). */
export function resumes(offer: Interrupted, input: ReleaseInput): boolean {
  try {
    return offer.state !== 'running' && sameRelease(validateInput(input), validateInput(offer.input));
  } catch {
    return false; // an input the engine refuses resumes nothing
  }
}

/** Asks (modal) before replaying a record someone else made or one beyond the wizard's defaults; true to go on. */
export async function confirmResume(offer: Interrupted, log: WizardLog): Promise<boolean> {
  const concerns = resumeConcerns(offer);
  if (!concerns.length) return true;
  const yes = 'Resume Release';
  const detail = [
    ...concerns,
    '',
    `Made by ${offer.holder}, started ${offer.startedAt}. It will:`,
    ...whatItDoes(offer.input).map(l => `- ${l}`),
  ].join('\n');
  const answer = await vscode.window.showWarningMessage(
    `Resume release ${offer.id} of ${offer.input.gameServerSet} with its recorded inputs?`,
    { modal: true, detail },
    yes,
  );
  log.info(
    `release wizard: resume of ${offer.id} ${answer === yes ? 'confirmed' : 'declined'} (${concerns.join(' ')})`,
  );
  return answer === yes;
}

/** The record's inputs, key by key (a record is data from the cluster: no key the engine does not define). */
function recordedInput(n: NormalizedInput): ReleaseInput {
  const input: ReleaseInput = {
    namespace: n.namespace,
    gameServerSet: n.gameServerSet,
    images: (Array.isArray(n.images) ? n.images : []).map(c => ({ container: c.container, image: c.image })),
    add: n.add,
    replicas: n.replicas,
    ready: n.ready,
    timeoutMs: n.timeoutMs,
    failFastAfterMs: n.failFastAfterMs,
    settleMs: n.settleMs,
    retireOpsStates: n.retireOpsStates,
    reclaim: n.reclaim,
    fixUpdateStrategy: n.fixUpdateStrategy,
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ReleaseInput;
}

/** Made by this user on this machine (any process: the CLI too). */
function isMine(holder: Holder, me: Holder): boolean {
  return holder.user === me.user && holder.host === me.host;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
