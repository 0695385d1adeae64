// Step unlock: record the outcome (the record moves to the history) and release the lease.
import type { Step } from '../steps.js';

export const unlockStep: Step = {
  title: () => 'record the outcome and release the lease',
  recorded: false,
  async run(run) {
    run.lease.stopRenewing();
    await run.lease.save(r => {
      r.step = 'unlock';
      r.outcome = 'succeeded';
      r.finishedAt = new Date().toISOString();
      r.leaseExpiresAt = r.finishedAt;
    });
    return { result: 'done', message: 'outcome recorded; lease released' };
  },
};
