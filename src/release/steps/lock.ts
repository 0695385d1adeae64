// Step lock: take the release lease on the GameServerSet — a new record, or the interrupted record of the same
// release resumed (taken over when its holder is gone, or named by `takeOver`); a live holder's lease refuses the run.
// `takeLease` is the lease claim itself, shared with the rollback's lock step (rollbackSteps.ts).
import type { JsonPatchOp } from '../../cluster/client.js';
import { gameServerSetView, type RawObject } from '../../cluster/okg.js';
import { isRefusedTest, WRITE_ATTEMPTS } from '../lease.js';
import {
  decideLease,
  describeHolder,
  historyEntry,
  newReleaseId,
  parseRecord,
  rawRecord,
  type HistoryEntry,
  type ReleaseRecord,
} from '../record.js';
import type { ReleaseRun } from '../run.js';
import type { Step, StepOutcome } from '../steps.js';
import { ReleaseRefused } from '../validate.js';

/** What a lock step resumes or starts, given the record read (the rest of the claim is the same for every kind). */
export interface LeaseClaim {
  /** What a take-over warning calls the record: "release" or "rollback". */
  kind: string;
  /** The record on the set is this run's interrupted one: it is resumed. */
  resumes(prev: ReleaseRecord | undefined): prev is ReleaseRecord;
  /** A new record and the history it goes on top of; throws ReleaseRefused when it may not start. */
  fresh(a: { raw: RawObject; doc: ReturnType<typeof parseRecord>; now: number; iso: string; lease: string }): {
    rec: ReleaseRecord;
    history: HistoryEntry[];
  };
}

/**
 * Reads the set, decides (free, ours, take-over or refused), then claims the lease with a conditional write; a
 * write refused because the set changed meanwhile is tried again from the read, up to WRITE_ATTEMPTS.
 */
export async function takeLease(run: ReleaseRun, claim: LeaseClaim): Promise<StepOutcome> {
  for (let attempt = 1; ; attempt++) {
    const raw = await run.client.getGameServerSet(run.ns, run.name, run.signal);
    const doc = parseRecord(rawRecord(raw));
    const now = Date.now();
    const decision = decideLease(run.name, doc.current, run.holder, now, run.takeOver);
    if (decision.kind === 'refused') throw new ReleaseRefused(decision.message, false);
    const iso = new Date(now).toISOString();
    const lease = new Date(now + run.leaseMs).toISOString();
    let rec: ReleaseRecord;
    let history = doc.history;
    const prev = doc.current;
    if (claim.resumes(prev)) {
      if (decision.kind === 'take-over')
        run.emit({
          type: 'warning',
          message: `took over ${claim.kind} ${prev.id} from ${describeHolder(prev.holder)} (${decision.reason})`,
        });
      rec = { ...prev, holder: run.holder, leaseExpiresAt: lease, updatedAt: iso, step: 'lock' };
      delete rec.outcome;
      delete rec.message;
      delete rec.finishedAt;
    } else {
      ({ rec, history } = claim.fresh({ raw, doc, now, iso, lease }));
    }
    try {
      // A named take-over replaces a lease that may still be renewed: only over the very version read.
      const tests: JsonPatchOp[] =
        decision.kind === 'take-over' && decision.named
          ? [{ op: 'test', path: '/metadata/resourceVersion', value: raw.metadata.resourceVersion }]
          : [];
      await run.lease.claim(raw, rec, history, tests);
    } catch (e) {
      if (isRefusedTest(e) && attempt < WRITE_ATTEMPTS) continue;
      throw e;
    }
    return {
      result: 'done',
      message: `${rec.id} holds the lease until ${rec.leaseExpiresAt}${run.plan.resumes ? ` (resumed at ${prev?.step ?? 'lock'})` : ''}`,
    };
  }
}

export const lockStep: Step = {
  title: a => `take the release lease on ${a.gss}`,
  recorded: false,
  run: run =>
    takeLease(run, {
      kind: 'release',
      resumes: (prev): prev is ReleaseRecord => !!prev && run.plan.resumes === prev.id && prev.outcome !== 'succeeded',
      fresh({ raw, doc, now, iso, lease }) {
        const { plan } = run;
        const prev = doc.current;
        const history =
          prev && prev.outcome !== 'succeeded' ? [historyEntry(prev, 'superseded', now), ...doc.history] : doc.history;
        const g = gameServerSetView(raw);
        const from = g.replicas;
        const to = plan.input.add !== undefined ? from + plan.input.add : plan.toReplicas;
        if (from !== plan.fromReplicas)
          run.emit({
            type: 'warning',
            message: `${run.name} changed to ${from} replicas since the plan; scaling to ${to}`,
          });
        const rec: ReleaseRecord = {
          id: newReleaseId(now),
          holder: run.holder,
          leaseExpiresAt: lease,
          startedAt: iso,
          updatedAt: iso,
          input: plan.input,
          baseline: { replicas: from, images: g.images, rooms: run.cache.rooms(run.name).map(r => r.name) },
          target: { replicas: to, ready: plan.ready },
          step: 'lock',
          done: [],
        };
        return { rec, history };
      },
    }),
};
