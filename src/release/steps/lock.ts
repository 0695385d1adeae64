// Step lock: take the release lease on the GameServerSet — a new record, or the interrupted record of the same
// release resumed (taken over when its holder's lease is gone); a live holder's lease refuses the run.
import { gameServerSetView } from '../../cluster/okg.js';
import { isRefusedTest, WRITE_ATTEMPTS } from '../lease.js';
import { describeHolder, historyEntry, leaseState, newReleaseId, parseRecord, rawRecord, type ReleaseRecord } from '../record.js';
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
      const state = leaseState(doc.current, run.holder, now);
      if (state === 'held') {
        const c = doc.current!;
        throw new ReleaseRefused(`GameServerSet ${run.name} is locked by release ${c.id} of ${describeHolder(c.holder)} (at step ${c.step}) until ${c.leaseExpiresAt}`, false);
      }
      const iso = new Date(now).toISOString();
      const lease = new Date(now + run.leaseMs).toISOString();
      let rec: ReleaseRecord;
      let history = doc.history;
      const prev = doc.current;
      if (prev && plan.resumes === prev.id && prev.outcome !== 'succeeded') {
        if (state === 'expired') run.emit({ type: 'warning', message: `took over release ${prev.id} from ${describeHolder(prev.holder)} (lease expired at ${prev.leaseExpiresAt})` });
        rec = { ...prev, holder: run.holder, leaseExpiresAt: lease, updatedAt: iso, step: 'lock' };
        delete rec.outcome; delete rec.message; delete rec.finishedAt;
      } else {
        if (prev && prev.outcome !== 'succeeded') history = [historyEntry(prev, 'superseded', now), ...history];
        const g = gameServerSetView(raw);
        const from = g.replicas;
        const to = plan.input.add !== undefined ? from + plan.input.add : plan.toReplicas;
        if (from !== plan.fromReplicas) run.emit({ type: 'warning', message: `${run.name} changed to ${from} replicas since the plan; scaling to ${to}` });
        rec = {
          id: newReleaseId(now), holder: run.holder, leaseExpiresAt: lease, startedAt: iso, updatedAt: iso, input: plan.input,
          baseline: { replicas: from, images: g.images, rooms: run.cache.rooms(run.name).map(r => r.name) },
          target: { replicas: to, ready: plan.ready }, step: 'lock', done: [],
        };
      }
      try {
        await run.lease.claim(raw, rec, history);
      } catch (e) {
        if (isRefusedTest(e) && attempt < WRITE_ATTEMPTS) continue;
        throw e;
      }
      return { result: 'done', message: `${rec.id} holds the lease until ${rec.leaseExpiresAt}${plan.resumes ? ` (resumed at ${prev?.step ?? 'lock'})` : ''}` };
    }
  },
};
