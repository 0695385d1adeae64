// Step lock: take the release lease on the GameServerSet — a new record, or the interrupted record of the same
// release resumed (taken over when its holder is gone, or named by `takeOver`); a live holder's lease refuses the run.
import type { JsonPatchOp } from '../../cluster/client.js';
import { gameServerSetView } from '../../cluster/okg.js';
import { isRefusedTest, WRITE_ATTEMPTS } from '../lease.js';
import {
  decideLease,
  describeHolder,
  historyEntry,
  newReleaseId,
  parseRecord,
  rawRecord,
  type ReleaseRecord,
} from '../record.js';
import type { Step } from '../steps.js';
import { ReleaseRefused } from '../validate.js';

export const lockStep: Step = {
  title: a => `take the release lease on ${a.gss}`,
  recorded: false,
  async run(run) {
    const { plan } = run;
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
      if (prev && plan.resumes === prev.id && prev.outcome !== 'succeeded') {
        if (decision.kind === 'take-over')
          run.emit({
            type: 'warning',
            message: `took over release ${prev.id} from ${describeHolder(prev.holder)} (${decision.reason})`,
          });
        rec = { ...prev, holder: run.holder, leaseExpiresAt: lease, updatedAt: iso, step: 'lock' };
        delete rec.outcome;
        delete rec.message;
        delete rec.finishedAt;
      } else {
        if (prev && prev.outcome !== 'succeeded') history = [historyEntry(prev, 'superseded', now), ...history];
        const g = gameServerSetView(raw);
        const from = g.replicas;
        const to = plan.input.add !== undefined ? from + plan.input.add : plan.toReplicas;
        if (from !== plan.fromReplicas)
          run.emit({
            type: 'warning',
            message: `${run.name} changed to ${from} replicas since the plan; scaling to ${to}`,
          });
        rec = {
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
        message: `${rec.id} holds the lease until ${rec.leaseExpiresAt}${plan.resumes ? ` (resumed at ${prev?.step ?? 'lock'})` : ''}`,
      };
    }
  },
};
