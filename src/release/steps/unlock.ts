// Step unlock: record the outcome — succeeded, or lost when OKG removed rooms with players — (the record moves to
// the history) and release the lease.
import type { Step } from '../steps.js';

export const unlockStep: Step = {
  title: () => 'record the outcome and release the lease',
  recorded: false,
  async run(run) {
    run.lease.stopRenewing();
    await run.lease.save(r => {
      r.step = 'unlock';
      const lost = run.allLost().length > 0;
      r.outcome = lost ? 'lost' : 'succeeded';
      if (lost) r.message = run.lostMessage();
      r.finishedAt = new Date().toISOString();
      r.leaseExpiresAt = r.finishedAt;
    });
    return { result: 'done', message: 'outcome recorded; lease released' };
  },
};
