// Step reclaim: let the marked rooms go as the input asks — not at all, by lowering replicas, or by Kill
// (the work is in ../reclaim.ts).
import { reclaimKill, reclaimScaleDown } from '../reclaim.js';
import type { Step } from '../steps.js';

export const reclaimStep: Step = {
  title: a => (a.reclaim === 'none' ? 'no reclaim: retired rooms stay until replicas are lowered (e.g. by the KEDA scaler)'
    : a.reclaim === 'kill' ? 'Kill the marked rooms (OKG lowers replicas itself)'
      : 'wait for the marks in the pod labels, then lower replicas by exactly the confirmed count'),
  recorded: true,
  async run(run) {
    const mode = run.plan.input.reclaim;
    if (run.rec.retire?.length) run.marks.track(run.rec.retire); // a resumed run starts following them here
    if (mode === 'none') return { result: 'skipped', message: 'reclaim none: marked rooms stay until replicas are lowered' };
    const marked = run.rec.marked ?? [];
    if (!marked.length && !run.rec.reclaim) return { result: 'skipped', message: 'nothing was marked, nothing to reclaim' };
    return mode === 'kill' ? reclaimKill(run, marked) : reclaimScaleDown(run, marked);
  },
};
