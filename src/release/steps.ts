// THE step table: what each step of the release is called and does. The order is STEPS (types.ts, shared with
// the webview); a step is one file in steps/ plus one line here (tsc refuses a name in STEPS without its line).
import type { ContainerImage } from '../cluster/okg.js';
import type { ReleaseRun } from './run.js';
import type { StepName } from './types.js';
import { lockStep } from './steps/lock.js';
import { patchImageStep } from './steps/patchImage.js';
import { waitGenerationStep } from './steps/waitGeneration.js';
import { scaleStep } from './steps/scale.js';
import { waitReadyStep } from './steps/waitReady.js';
import { markStep } from './steps/mark.js';
import { reclaimStep } from './steps/reclaim.js';
import { unlockStep } from './steps/unlock.js';

/** How a step ended; `already-done` when its effect was already there. */
export interface StepOutcome {
  result: 'done' | 'already-done' | 'skipped';
  message: string;
}

/** What a step's title is made of (from the plan). */
export interface TitleArgs {
  gss: string;
  from: number;
  to: number;
  images: ContainerImage[];
  ready: number;
  reclaim: string;
  fix: boolean;
  settleMs: number;
  network: boolean;
}

/** One step of a step table: the release's (STEP_TABLE) or the rollback's (rollbackSteps.ts). */
export interface StepDef<Run, Args> {
  /** One line for the operator, e.g. "scale minecraft from 3 to 6 replicas". */
  title(a: Args): string;
  /**
   * Recorded steps are marked done in the release record and skipped by a rerun once done; the bookkeeping steps
   * (lock, unlock) are not: they always run.
   */
  recorded: boolean;
  /** Does the step, checking first whether its effect is already there (a rerun resumes through it). */
  run(r: Run): Promise<StepOutcome>;
}

export type Step = StepDef<ReleaseRun, TitleArgs>;

export const STEP_TABLE: { readonly [K in StepName]: Step } = {
  lock: lockStep,
  'patch-image': patchImageStep,
  'wait-generation': waitGenerationStep,
  scale: scaleStep,
  'wait-ready': waitReadyStep,
  mark: markStep,
  reclaim: reclaimStep,
  unlock: unlockStep,
};
