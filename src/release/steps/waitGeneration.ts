// Step wait-generation: wait until OKG has applied the new template (observedGeneration reaches the image write's).
import type { Step } from '../steps.js';

export const waitGenerationStep: Step = {
  title: () => 'wait until OKG has applied the new template (observedGeneration)',
  recorded: true,
  async run(run) {
    const gen =
      run.imageGeneration ?? (await run.client.getGameServerSet(run.ns, run.name, run.signal)).metadata.generation ?? 0;
    run.progress(`waiting for observedGeneration ≥ ${gen}`);
    await run.waitObserved(gen);
    return { result: 'done', message: `OKG applied generation ${gen}` };
  },
};
