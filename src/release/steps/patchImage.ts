// Step patch-image: set the new image in the GameServerSet's template (and drop rollingUpdate when asked), in one
// write conditional on the images, strategy, generation and replicas seen — never over someone else's change.
import type { JsonPatchOp } from '../../cluster/client.js';
import { imageTag, sameImage } from '../../cluster/images.js';
import { gameServerSetView, type RawObject } from '../../cluster/okg.js';
import { caughtUpTests } from '../lease.js';
import type { Step } from '../steps.js';

function templateContainers(gss: RawObject): { name?: string; image?: string }[] {
  const t = gss.spec?.gameServerTemplate as { spec?: { containers?: { name?: string; image?: string }[] } } | undefined;
  return t?.spec?.containers ?? [];
}

export const patchImageStep: Step = {
  title: a =>
    `set the image ${a.images.map(c => `${c.container}=${imageTag(c.image)}`).join(', ')}${a.fix ? ' and make OnDelete really apply (drop rollingUpdate)' : ''}`,
  recorded: true,
  async run(run) {
    const baseline = run.rec.baseline.images;
    const fix = run.plan.input.fixUpdateStrategy;
    let already = true;
    const patched = await run.lease.gssWrite(raw => {
      const g = gameServerSetView(raw);
      const containers = templateContainers(raw);
      const ops: JsonPatchOp[] = [];
      const writes: JsonPatchOp[] = [];
      for (const c of run.images) {
        const i = containers.findIndex(x => x.name === c.container);
        if (i < 0) throw new Error(`container "${c.container}" is no longer in GameServerSet ${run.name}`);
        const cur = containers[i].image ?? '';
        if (sameImage(cur, c.image)) continue;
        const was = baseline.find(b => b.container === c.container)?.image;
        if (was !== undefined && !sameImage(cur, was))
          throw new Error(
            `the image of container "${c.container}" changed to ${cur} since the release started; not overwritten`,
          );
        const base = `/spec/gameServerTemplate/spec/containers/${i}`;
        ops.push(
          { op: 'test', path: `${base}/name`, value: c.container },
          { op: 'test', path: `${base}/image`, value: cur },
        );
        writes.push({ op: 'replace', path: `${base}/image`, value: c.image });
      }
      const fixNeeded = fix && !g.onDeleteInForce;
      if (fixNeeded) {
        ops.push({ op: 'test', path: '/spec/updateStrategy', value: raw.spec?.updateStrategy ?? null });
        writes.push({ op: 'replace', path: '/spec/updateStrategy', value: { type: 'OnDelete' } });
      } else if (!g.onDeleteInForce) {
        throw new Error(`OnDelete is no longer in force on ${run.name}; not patching the image`);
      }
      if (!writes.length) return 'done';
      if (g.observedGeneration < g.generation) return 'wait';
      already = false;
      // The controller has caught up with the current generation, and nothing else in the spec moved since.
      return [...ops, ...caughtUpTests(raw, raw.spec?.replicas), ...writes];
    });
    run.imageGeneration = patched.metadata.generation;
    return already
      ? { result: 'already-done', message: 'the template already has the new image' }
      : { result: 'done', message: `template images set (generation ${patched.metadata.generation})` };
  },
};
