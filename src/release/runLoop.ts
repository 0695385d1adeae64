// The run loop every step table shares, so a rollback is a release with another step table: each step in order,
// a recorded step an earlier run finished skipped, the record's current step saved before a recorded step runs,
// step-started and step-done events, and the plan announced once the record exists (after lock).
import type { ReleaseLease } from './lease.js';
import type { RecordStep } from './record.js';
import type { StepDef } from './steps.js';
import type { StepEvent } from './types.js';

export interface StepLoop<S extends RecordStep, Run> {
  run: Run;
  order: readonly S[];
  table: { readonly [K in S]: StepDef<Run, never> };
  /** The plan's step titles, in `order`. */
  titles: readonly { title: string }[];
  lease: ReleaseLease;
  signal: AbortSignal;
  /** As each step begins: the run's current step, which its progress, room and failure events name. */
  enter(step: S): void;
  send(e: Extract<StepEvent<S>, { type: 'step-started' | 'step-done' }>): void;
  /** Once, when the record first exists: the plan is announced with the record's id. */
  announce(id: string): void;
}

/** Runs the table to its end; throws what a step throws, and the abort reason once the signal is aborted. */
export async function runSteps<S extends RecordStep, Run>(loop: StepLoop<S, Run>): Promise<void> {
  const { order, table, lease, signal } = loop;
  let announced = false;
  for (const [index, step] of order.entries()) {
    const def = table[step];
    loop.enter(step);
    if (signal.aborted) throw signal.reason;
    const title = loop.titles[index].title;
    if (def.recorded && lease.rec?.done.includes(step)) {
      loop.send({ type: 'step-done', step, result: 'already-done', message: `${title}: done by an earlier run` });
      continue;
    }
    loop.send({ type: 'step-started', step, index: index + 1, total: order.length, title });
    if (def.recorded)
      await lease.save(r => {
        r.step = step;
      });
    const r = await def.run(loop.run);
    // Recorded with the next write (the next step's start): a crash before it only repeats this idempotent step.
    const rec = lease.rec!;
    if (def.recorded && !rec.done.includes(step)) rec.done.push(step);
    loop.send({ type: 'step-done', step, ...r });
    if (!announced && lease.rec) {
      announced = true;
      loop.announce(lease.rec.id);
    }
  }
}
