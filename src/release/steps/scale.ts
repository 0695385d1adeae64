// Step scale: raise replicas to the target, only while the template still has the new image (else new rooms would
// get the old one) and OKG has caught up; never lowers a count someone else raised further.
import { sameImage } from '../../cluster/images.js';
import { gameServerSetView } from '../../cluster/okg.js';
import { caughtUpTests } from '../lease.js';
import type { Step } from '../steps.js';

export const scaleStep: Step = {
  title: a => `scale ${a.gss} from ${a.from} to ${a.to} replicas`,
  recorded: true,
  async run(run) {
    const to = run.rec.target.replicas;
    let from = -1;
    await run.lease.gssWrite(raw => {
      const g = gameServerSetView(raw);
      if (g.replicas >= to) {
        if (g.replicas > to)
          run.emit({
            type: 'warning',
            message: `${run.name} already has ${g.replicas} replicas (more than the ${to} planned); not scaling`,
          });
        return 'done';
      }
      for (const c of run.images) {
        if (!g.images.some(x => x.container === c.container && sameImage(x.image, c.image))) {
          throw new Error(
            `the template of ${run.name} no longer has ${c.container}=${c.image}; not scaling (new rooms would get the wrong image)`,
          );
        }
      }
      if (g.observedGeneration < g.generation) return 'wait';
      from = g.replicas;
      return [...caughtUpTests(raw, raw.spec?.replicas), { op: 'replace', path: '/spec/replicas', value: to }];
    });
    return from < 0
      ? { result: 'already-done', message: `${run.name} already has ${to} replicas` }
      : { result: 'done', message: `${run.name} scaled from ${from} to ${to} replicas` };
  },
};
