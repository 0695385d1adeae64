// The wizard page's state (saved with the webview's setState so a reload keeps the operator's place) and the
// interface the step views use to act on it. No DOM here: main.ts builds the page, the step views render.
import type { RollbackPlan } from '../release/rollbackTypes.js';
import type { ReleasePlan } from '../release/types.js';
import { DEFAULT_FAIL_FAST, DEFAULT_SETTLE, DEFAULT_TIMEOUT, type Form } from './form.js';
import type {
  FormInput,
  ReleaseInputValue,
  ResumeRef,
  RollbackTarget,
  RunResult,
  Target,
  WebviewMessage,
} from './protocol.js';
import type { RunChange, RunModel, SavedRun } from './runModel.js';

export type Step = 'target' | 'images' | 'rooms' | 'preview' | 'run' | 'result' | 'rollback';
export const FORM_STEPS: readonly Step[] = ['target', 'images', 'rooms', 'preview', 'run', 'result', 'rollback'];
export const STEP_LABELS: Record<Step, string> = {
  target: 'GameServerSet',
  images: 'Images',
  rooms: 'Rooms',
  preview: 'Preview',
  run: 'Run',
  result: 'Result',
  rollback: 'Roll Back',
};

/**
 * The release (or the rollback of one) this page shows: what it runs, how it ended, and its progress as last saved
 * (never its events).
 */
export type RunState = ({ scope: string; input: ReleaseInputValue } | { scope: string; rollback: RollbackTarget }) & {
  result?: RunResult;
  saved?: SavedRun;
};

/** The set a run is about. */
export const runSet = (run: RunState): string => ('input' in run ? run.input : run.rollback).gameServerSet;

export interface State {
  v: 3;
  step: Step;
  targets: Target[];
  targetsError?: string;
  form: Form;
  /** Resuming the release recorded on a set: the host replays the record's own inputs, the form is not sent. */
  resume?: { scope: string; ref: ResumeRef };
  seq: number;
  planning: boolean;
  plan?: ReleasePlan;
  planMessage?: string;
  planError?: string;
  run?: RunState;
  cancelling?: boolean;
  /** The rollback of the last run's release: asked for (`rollbackSeq`), being planned, planned, or refused. */
  rollbackSeq?: number;
  rollbackPlanning?: boolean;
  rollbackPlan?: RollbackPlan;
  rollbackError?: string;
}

export function emptyForm(): Form {
  return {
    scope: '',
    name: '',
    images: {},
    add: '',
    ready: '',
    timeout: DEFAULT_TIMEOUT,
    settle: DEFAULT_SETTLE,
    failFast: DEFAULT_FAIL_FAST,
    reclaim: 'none',
    fixUpdateStrategy: false,
  };
}

/** The page's state from what the webview saved (our own, but still checked for shape so a corrupt one cannot break the page). */
export function restoredState(saved: unknown): State {
  const base: State = { v: 3, step: 'target', targets: [], form: emptyForm(), seq: 0, planning: false };
  const s = saved as Partial<State> | undefined;
  if (!s || typeof s !== 'object' || s.v !== 3 || typeof s.step !== 'string' || !FORM_STEPS.includes(s.step as Step))
    return base;
  const form = { ...base.form, ...(typeof s.form === 'object' && s.form ? s.form : {}) };
  return { ...base, ...s, form, planning: false, targets: Array.isArray(s.targets) ? s.targets : [] } as State;
}

/** What a step view may do. */
export interface App {
  readonly state: State;
  post(m: WebviewMessage): void;
  /** Saves the page's state now (a run's progress saves itself, at most a few times a second). */
  save(): void;
  /** Shows a step: rebuilds its DOM and (by default) moves focus to its heading. */
  go(step: Step, focus?: boolean): void;
  /** Announces a line in the live status region. */
  say(text: string): void;
  /** The set chosen in the form. */
  target(): Target | undefined;
  selectTarget(scope: string, name: string): void;
  /** The release the form asks for (undefined while a field is invalid). */
  formRequest(): { scope: string; input: FormInput } | undefined;
  requestPreview(): void;
  newRelease(): void;
  /** The running (or finished) release: progress, rooms, counts over time. */
  run(): RunModel;
  /** Set by the run view: called after each progress message with what it changed. */
  onProgress?: (c: RunChange) => void;
}
