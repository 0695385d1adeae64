// What resuming a recorded release does, in the operator's words, and why the wizard asks first. A resume
// replays the record's inputs as they are, and a record can hold inputs the wizard's form never produces (or
// the choices that cost the most): the webview shows both lists with the offer, the host asks before running.
//
// Pure TypeScript (no node, no vscode, no DOM): shared by the webview and the host.
import type { ContainerImage } from '../cluster/okg.js';
import type { ReleaseInput } from '../release/types.js';
import { DEFAULT_SETTLE_MS, DEFAULT_TIMEOUT_MS } from '../release/validate.js';
import type { Interrupted } from './protocol.js';

export const imagesText = (images: ContainerImage[]): string => images.map(c => `${c.container}=${c.image}`).join(', ');

const retireStates = (input: ReleaseInput): string[] => input.retireOpsStates ?? ['None'];

function duration(ms: number): string {
  if (ms % 3600_000 === 0) return `${ms / 3600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** One line per input: what a run with these inputs does. */
export function whatItDoes(input: ReleaseInput): string[] {
  const reclaim = input.reclaim ?? 'none';
  return [
    `Set the image ${imagesText(input.images)}.`,
    input.replicas !== undefined
      ? `Scale ${input.gameServerSet} to ${input.replicas} replicas.`
      : `Add ${input.add ?? 0} new rooms.`,
    input.ready !== undefined
      ? `Wait until ${input.ready} new-version rooms are Ready.`
      : 'Wait until every new room is Ready.',
    `Retire idle old rooms whose opsState is ${retireStates(input).join(' or ')}.`,
    reclaim === 'none'
      ? 'Leave the retired rooms for the scaler (no reclaim).'
      : reclaim === 'scale-down'
        ? 'Lower replicas by the number of retired rooms.'
        : 'Set the retired rooms to Kill: OKG deletes them.',
    ...(input.fixUpdateStrategy ? ['Drop rollingUpdate from the update strategy, so OnDelete really applies.'] : []),
    `Wait at most ${duration(input.timeoutMs ?? DEFAULT_TIMEOUT_MS)} at each step.`,
    ...(reclaim !== 'none' && (input.settleMs ?? DEFAULT_SETTLE_MS) > 0
      ? [`Before reclaim, wait ${duration(input.settleMs ?? DEFAULT_SETTLE_MS)} after marking and re-read the rooms.`]
      : []),
  ];
}

/** Why resuming `r` needs the operator's yes: someone else made it, or it asks for more than the defaults. Empty: no question. */
export function resumeConcerns(r: Pick<Interrupted, 'holder' | 'mine' | 'input'>): string[] {
  const i = r.input;
  const out: string[] = [];
  if (!r.mine) out.push(`It was made by ${r.holder}, not by you on this machine.`);
  const states = retireStates(i);
  if (states.length !== 1 || states[0] !== 'None')
    out.push(`It retires rooms in opsState ${states.join(', ')}: the wizard only ever retires None.`);
  if (i.replicas !== undefined)
    out.push(`It scales to ${i.replicas} replicas, which the wizard does not offer (it adds rooms).`);
  if (i.reclaim === 'kill') out.push('It sets the retired rooms to Kill: OKG deletes them at once.');
  if (i.fixUpdateStrategy) out.push('It changes the update strategy of the GameServerSet (drops rollingUpdate).');
  return out;
}
