// The release's words: what the operator asks for (inputs), what will happen (plan and preview), and what is
// happening (the typed event stream the VS Code wizard and the CLI both consume).
import type { ContainerImage } from '../cluster/okg.js';

/** How old rooms leave once they are marked: not at all (KEDA or a person does it), by lowering replicas, or by Kill. */
export type ReclaimMode = 'none' | 'scale-down' | 'kill';
export const RECLAIM_MODES: readonly ReclaimMode[] = ['none', 'scale-down', 'kill'];

/** What the operator asks for. Exactly one of `add` and `replicas`. */
export interface ReleaseInput {
  namespace: string;
  gameServerSet: string;
  /** The new image per container (at least one). */
  images: ContainerImage[];
  /** How many new rooms to create (scale up by N). */
  add?: number;
  /** Or: the replica count to scale to (must be above the current one). */
  replicas?: number;
  /** How many new-version rooms must be Ready before old ones are retired. Default: the number of new rooms. */
  ready?: number;
  /** Limit for each wait (rooms Ready, pod labels, reclaim). Default 10 minutes. */
  timeoutMs?: number;
  /**
   * Stop the wait for Ready early when the new rooms fail in a way that does not heal by itself (a bad image, a crash
   * loop) for this long, instead of waiting out the timeout; nothing is marked by then. Default 60 s; 0 = off.
   */
  failFastAfterMs?: number;
  /** Which old rooms to retire: those whose opsState is one of these (default ["None"]) and that do not run the new image. */
  retireOpsStates?: string[];
  /** Default "none". */
  reclaim?: ReclaimMode;
  /**
   * Settle window before reclaim: how long after marking the release waits, then re-reads the rooms, before it
   * lowers replicas or sets Kill. A matchmaker whose view of the rooms is at most this old has shown its Allocated by
   * then, so the re-read sees it. Default 2 s (DEFAULT_SETTLE_MS); 0 turns it off. Ignored with reclaim none.
   */
  settleMs?: number;
  /** Apply the OnDelete fix (drop `rollingUpdate`) instead of refusing when OnDelete is not really in force. */
  fixUpdateStrategy?: boolean;
  /**
   * Take the lease over from this holder, for a run that died on another machine: the holder as the lock refusal
   * names it (user@host, or its holder id). Refused, with nothing written, unless it names the current holder.
   * Not part of the release itself (a resumed release keeps its inputs).
   */
  takeOver?: string;
}

/** The input after validation and defaults, as stored in the release record. */
export type NormalizedInput = Omit<
  ReleaseInput,
  'timeoutMs' | 'failFastAfterMs' | 'retireOpsStates' | 'reclaim' | 'fixUpdateStrategy' | 'takeOver' | 'settleMs'
> &
  Required<Pick<ReleaseInput, 'timeoutMs' | 'retireOpsStates' | 'reclaim' | 'fixUpdateStrategy' | 'settleMs'>> &
  // Optional here: records written before fail-fast existed lack it (validateInput always sets it).
  Pick<ReleaseInput, 'failFastAfterMs'>;

/** The engine's steps, in order: the one list (each one's title and work: src/release/steps.ts; the wizard's schema and progress derive from it). */
export const STEPS = [
  'lock',
  'patch-image',
  'wait-generation',
  'scale',
  'wait-ready',
  'mark',
  'reclaim',
  'unlock',
] as const;
export type StepName = (typeof STEPS)[number];

export interface PlannedStep {
  step: StepName;
  /** One line for the operator, e.g. "scale minecraft from 3 to 6 replicas". */
  title: string;
  /** Already done by an earlier, interrupted run of the same release (it will be checked and skipped). */
  done: boolean;
}

/** Why a room is left alone. */
export type ProtectReason =
  'Allocated' | 'Maintaining' | 'Kill' | 'WaitToBeDeleted' | 'custom opsState' | 'terminating';

/** One room in the preview. `to-create` rooms do not exist yet (names predicted from OKG's lowest-free-ordinal rule). */
export interface RoomPreview {
  name: string;
  version: 'old' | 'new' | 'to-create';
  state: string;
  opsState: string;
  images: ContainerImage[];
  action: 'retire' | 'keep' | 'protected' | 'create';
  reason?: string;
}

/** One row of the predicted `kubectl get gs` after the release. */
export interface PredictedRoom {
  name: string;
  state: string;
  opsState: string;
  images: ContainerImage[];
}

export interface ReleasePlan {
  input: NormalizedInput;
  /** Replicas before the release (from the record when resuming). */
  fromReplicas: number;
  toReplicas: number;
  newRooms: number;
  ready: number;
  /** Images of the template before the release. */
  oldImages: ContainerImage[];
  steps: PlannedStep[];
  rooms: RoomPreview[];
  predicted: PredictedRoom[];
  /** The OnDelete fix will be written together with the image. */
  fixesUpdateStrategy: boolean;
  /** The GameServerSet configures a network: a room is ready for players only once its network is Ready too (readiness.ts). */
  network: boolean;
  /** A previous run of this release is resumed (its id). */
  resumes?: string;
  /** The resumed run is taken over from its holder (gone, or named by `takeOver`): who and why. */
  takesOver?: { release: string; holder: string; reason: string };
  /** The same release already succeeded (its id): running it again changes nothing. */
  alreadyDone?: string;
  warnings: string[];
}

/** Several rooms not ready for players for one reason (the first room's message). */
export interface ReasonGroup {
  reason: string;
  message: string;
  rooms: string[];
}

/** Per-room result of a conditional write. */
export type RoomResult = 'changed' | 'unchanged' | 'skipped' | 'failed';

/** The events every run of a step table sends (a release's and a rollback's), by the table's step names. */
export type StepEvent<S extends string> =
  | { type: 'step-started'; step: S; index: number; total: number; title: string }
  | { type: 'step-progress'; step: S; message: string; done?: number; of?: number }
  | { type: 'step-done'; step: S; result: 'done' | 'already-done' | 'skipped'; message: string }
  | {
      type: 'room-changed';
      step: S;
      room: string;
      from: string;
      to: string;
      result: RoomResult;
      reason?: string;
    }
  | { type: 'warning'; message: string };

/** The event stream: a discriminated union on `type`. */
export type ReleaseEvent =
  | { type: 'planned'; id: string; plan: ReleasePlan }
  | StepEvent<StepName>
  /**
   * While waiting for Ready: a new room's state changed (at most one per room per change). `ready`: it counts towards
   * the gate (ready for players); else `reason` and `message` say why not (e.g. ImagePullBackOff), `restarts` counts
   * container restarts, `lastEvent` is the pod's last Event and `permanent` says the reason does not heal by itself.
   */
  | {
      type: 'room-waiting';
      step: StepName;
      room: string;
      ready: boolean;
      reason: string;
      message: string;
      restarts: number;
      lastEvent?: string;
      permanent: boolean;
    }
  | { type: 'done'; id: string; summary: ReleaseSummary }
  | {
      type: 'failed';
      id: string;
      step: StepName;
      outcome: 'failed' | 'cancelled' | 'stopped-early';
      message: string;
      suggest?: 'rollback';
      reasons?: ReasonGroup[];
    };

/**
 * How a release ended, as recorded on the GameServerSet (a stop-early is recorded as failed). `lost`: the release ran
 * to the end, but OKG removed rooms that had players (Allocated or another protected opsState).
 */
export type ReleaseOutcome = 'succeeded' | 'lost' | 'failed' | 'cancelled';

export interface ReleaseSummary {
  /** Rooms marked for retirement by this release (WaitToBeDeleted, or Kill in kill mode). */
  retired: string[];
  /** Rooms left alone because they changed since they were read (e.g. turned Allocated). */
  skipped: string[];
  /** Idle marked rooms OKG removed (scale-down or Kill); never a room that had players. */
  reclaimed: number;
  /** Rooms with players OKG removed during reclaim, as "name (opsState seen)": then the outcome is `lost`. */
  lost: string[];
  finalReplicas: number;
  /** API requests this run made (reads, reviews and writes; watches not included). */
  requests: number;
}

/** What `runRelease` resolves with; it never throws for cluster or input problems. */
export interface ReleaseResult {
  id?: string;
  /**
   * `refused`: nothing was written (bad input, preflight). `stopped-early`: the new rooms failed in a way that does
   * not heal by itself (reasons), the wait stopped before its timeout and nothing was marked.
   */
  outcome: ReleaseOutcome | 'refused' | 'stopped-early';
  /** For `refused`: whether the input itself was wrong (usage, exit 2) or the cluster said no (exit 1). */
  usage?: boolean;
  step?: StepName;
  message: string;
  plan?: ReleasePlan;
  summary?: ReleaseSummary;
  /** Nothing was marked and the new rooms do not become ready: rolling back (okg rollback) restores the old image. */
  suggest?: 'rollback';
  /** Why the new rooms were not ready for players when the wait ended, grouped. */
  reasons?: ReasonGroup[];
}
