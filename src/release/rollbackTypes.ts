// The rollback's words: what the operator asks for, what will happen (plan, room table, predicted table), and the
// event stream (the same shapes as a release's events, with the rollback's step names).
import type { ContainerImage } from '../cluster/okg.js';
import type { PredictedRoom, StepEvent } from './types.js';

/** Roll back the last release of a GameServerSet. */
export interface RollbackInput {
  namespace: string;
  gameServerSet: string;
  /** The release to roll back (its id): refused when the last release is another one. Default: the last release. */
  release?: string;
  /** Limit for each wait (OKG applying the template, pod labels, rooms leaving). Default 10 minutes. */
  timeoutMs?: number;
}

/** The rollback's steps, in order (each one's title and work: src/release/rollbackSteps.ts). */
export const ROLLBACK_STEPS = [
  'lock',
  'restore-image',
  'wait-generation',
  'unmark-old',
  'retire-new',
  'reclaim-new',
  'restore-replicas',
  'unlock',
] as const;
export type RollbackStepName = (typeof ROLLBACK_STEPS)[number];

export interface PlannedRollbackStep {
  step: RollbackStepName;
  title: string;
  done: boolean;
}

/** One room in the rollback preview. `to-create` rooms do not exist yet (replicas restored; lowest free ordinals). */
export interface RollbackRoomPreview {
  name: string;
  version: 'old' | 'new' | 'to-create';
  state: string;
  opsState: string;
  images: ContainerImage[];
  /**
   * restore: an old room the release marked, set back to its previous opsState; retire: an idle new-version room,
   * marked and reclaimed; keep: left as it is; protected: never touched (players, maintenance, leaving); gone: a room
   * the release marked that is no longer there (reclaimed); create: a room OKG creates when replicas are restored.
   */
  action: 'restore' | 'retire' | 'keep' | 'protected' | 'gone' | 'create';
  /** For restore: the opsState it goes back to. */
  to?: string;
  reason?: string;
}

export interface RollbackPlan {
  input: Required<Pick<RollbackInput, 'namespace' | 'gameServerSet' | 'timeoutMs'>>;
  /** The release rolled back. */
  release: { id: string; outcome: string; step: string; images: ContainerImage[] };
  /** The template images restored (the release's baseline). */
  images: ContainerImage[];
  fromReplicas: number;
  /** Predicted replicas at the end: the rooms that stay, and at least the replicas before the release. */
  toReplicas: number;
  steps: PlannedRollbackStep[];
  rooms: RollbackRoomPreview[];
  predicted: PredictedRoom[];
  /** An interrupted run of this rollback is resumed (its id). */
  resumes?: string;
  /** The last release was already rolled back (by this rollback id): nothing to do, `steps` is empty. */
  alreadyDone?: string;
  warnings: string[];
}

export type RollbackEvent =
  | { type: 'planned'; id: string; plan: RollbackPlan }
  | StepEvent<RollbackStepName>
  | { type: 'done'; id: string; summary: RollbackSummary }
  | { type: 'failed'; id: string; step: RollbackStepName; outcome: 'failed' | 'cancelled'; message: string };

export interface RollbackSummary {
  /** Old rooms set back to their previous opsState. */
  restored: string[];
  /** Old rooms the release marked that were already gone (reclaimed). */
  gone: string[];
  /** Rooms left alone because they changed (e.g. a matchmaker allocated them). */
  skipped: string[];
  /** Idle new-version rooms marked and reclaimed. */
  retired: string[];
  /** Rooms the rollback meant to keep that OKG removed anyway (pod label lag): a loss, never reported as success by the CLI. */
  lost: string[];
  reclaimed: number;
  finalReplicas: number;
  requests: number;
}

export interface RollbackResult {
  id?: string;
  /**
   * `refused`: nothing was written. `succeeded` without `id`: nothing to do (`plan.alreadyDone`). `lost`: it finished,
   * but OKG removed rooms it meant to keep (`summary.lost`; recorded as the outcome `lost`).
   */
  outcome: 'succeeded' | 'lost' | 'failed' | 'cancelled' | 'refused';
  /** For `refused`: the input itself was wrong (CLI exit 2), else the cluster said no (exit 1). */
  usage?: boolean;
  step?: RollbackStepName;
  message: string;
  plan?: RollbackPlan;
  summary?: RollbackSummary;
}
