// Step reclaim: let the marked rooms go as the input asks — not at all, by lowering replicas, or by Kill — after the
// settle window (../settle.ts; the work is in ../reclaim.ts).
import { reclaimKill, reclaimScaleDown } from '../reclaim.js';
import { settleWindow } from '../settle.js';
import type { Step } from '../steps.js';
import { seconds } from '../validate.js';

export const reclaimStep: Step = {
  title: a => {
    if (a.reclaim === 'none')
      return 'no reclaim: retired rooms stay until replicas are lowered (e.g. by the KEDA scaler)';
    const settle =
      a.settleMs > 0 ? `wait ${seconds(a.settleMs)} after marking (settle window: matchmakers see the marks), ` : '';
    return a.reclaim === 'kill'
      ? `${settle}re-read, then Kill the marked rooms still WaitToBeDeleted (OKG lowers replicas itself)`
      : `${settle}wait for the marks in the pod labels, re-read, then lower replicas by exactly the confirmed count`;
  },
  recorded: true,
  async run(run) {
    const mode = run.plan.input.reclaim;
    if (run.rec.retire?.length) run.marks.track(run.rec.retire); // a resumed run starts following them here
    if (mode === 'none')
      return { result: 'skipped', message: 'reclaim none: marked rooms stay until replicas are lowered' };
    const marked = run.rec.marked ?? [];
    if (!marked.length && !run.rec.reclaim)
      return { result: 'skipped', message: 'nothing was marked, nothing to reclaim' };
    if (!run.rec.reclaim) await settleWindow(run); // not again once replicas are being lowered (recorded plan)
    return mode === 'kill' ? reclaimKill(run, marked) : reclaimScaleDown(run, marked);
  },
};
