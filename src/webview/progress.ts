// A release's (or a rollback's) progress as a pure fold of its event stream: state → event → state, never mutating the state it
// is given. The wizard's run view renders it; the CLI's progress printer can import it too: this file has no
// DOM, node or vscode dependency (lint-enforced), only the engine's types and its one step list.
import type { PlannedRollbackStep, RollbackStepName } from '../release/rollbackTypes.js';
import { STEPS, type PlannedStep, type ReleaseEvent, type RoomResult, type StepName } from '../release/types.js';
import type { FeedEvent, RollbackFeedEvent } from './feed.js';

/** A step of a release or of a rollback (the run view shows either, from the plan's own step list). */
type AnyStep = StepName | RollbackStepName;

export type StepStatus = 'pending' | 'running' | 'done' | 'already-done' | 'skipped' | 'failed' | 'cancelled';

export interface StepProgress {
  readonly step: AnyStep;
  readonly title: string;
  readonly status: StepStatus;
  readonly message?: string;
  readonly done?: number;
  readonly of?: number;
  /** The rooms the message is about, when there are too many to name in it. */
  readonly rooms?: readonly string[];
}

export interface Progress {
  /** Every step of the engine, in its order. */
  readonly steps: readonly StepProgress[];
  /** Room writes by result (the rooms themselves are the run view's room list). */
  readonly roomResults: Readonly<Record<RoomResult, number>>;
  readonly warnings: readonly string[];
  /** The last count of new-version rooms Ready (wait-ready). */
  readonly ready?: { readonly done: number; readonly of: number };
  readonly id?: string;
  /** Set by the closing event. */
  readonly outcome?: 'succeeded' | 'lost' | 'failed' | 'cancelled';
}

/**
 * Before any event: every step pending, titled from the plan when there is one. A rollback's plan brings its own
 * steps; without a plan, a release's.
 */
export function initialProgress(planned: readonly (PlannedStep | PlannedRollbackStep)[] = []): Progress {
  const titles = new Map<AnyStep, string>(planned.map(s => [s.step, s.title]));
  const rollback = planned.some(s => !(STEPS as readonly string[]).includes(s.step));
  const names: readonly AnyStep[] = rollback ? planned.map(s => s.step) : STEPS;
  return {
    steps: names.map(step => ({ step, title: titles.get(step) ?? step, status: 'pending' as const })),
    roomResults: { changed: 0, unchanged: 0, skipped: 0, failed: 0 },
    warnings: [],
  };
}

const updateStep = (p: Progress, step: AnyStep, change: (s: StepProgress) => StepProgress): Progress => ({
  ...p,
  steps: p.steps.map(s => (s.step === step ? change(s) : s)),
});

/** The progress after one more event. */
export function foldProgress(p: Progress, e: FeedEvent | ReleaseEvent | RollbackFeedEvent): Progress {
  switch (e.type) {
    case 'planned': {
      const planned: readonly (PlannedStep | PlannedRollbackStep)[] = e.plan.steps;
      // A rollback's steps are not a release's: its plan replaces the list (nothing has run before `planned`).
      if (planned.some(s => !p.steps.some(x => x.step === s.step))) return { ...initialProgress(planned), id: e.id };
      const titles = new Map<AnyStep, string>(planned.map(s => [s.step, s.title]));
      return { ...p, id: e.id, steps: p.steps.map(s => ({ ...s, title: titles.get(s.step) ?? s.title })) };
    }
    case 'step-started':
      return updateStep(p, e.step, s => ({ ...s, status: 'running', title: e.title }));
    case 'step-progress': {
      const rooms = 'rooms' in e ? e.rooms : undefined;
      const next = updateStep(p, e.step, ({ rooms: _r, ...s }) => ({
        ...s,
        message: e.message,
        done: e.done,
        of: e.of,
        ...(rooms ? { rooms } : {}),
      }));
      return e.step === 'wait-ready' && e.done !== undefined && e.of !== undefined
        ? { ...next, ready: { done: e.done, of: e.of } }
        : next;
    }
    case 'step-done': {
      const rooms = 'rooms' in e ? e.rooms : undefined;
      return updateStep(p, e.step, ({ rooms: _r, ...s }) => ({
        ...s,
        status: e.result,
        message: e.message,
        ...(rooms ? { rooms } : {}),
      }));
    }
    case 'room-changed':
      return { ...p, roomResults: { ...p.roomResults, [e.result]: p.roomResults[e.result] + 1 } };
    case 'warning':
      return { ...p, warnings: [...p.warnings, e.message] };
    case 'done':
      return { ...p, id: e.id, outcome: e.summary.lost.length ? 'lost' : 'succeeded' };
    case 'room-waiting':
      return p; // the Run list's reason column (the wizard's host puts it on the room)
    case 'failed': {
      const outcome = e.outcome === 'stopped-early' ? 'failed' : e.outcome; // a stop-early is a failure of the step
      const rooms = 'rooms' in e ? e.rooms : undefined;
      return {
        ...updateStep(p, e.step, ({ rooms: _r, ...s }) => ({
          ...s,
          status: outcome,
          message: e.message,
          ...(rooms ? { rooms } : {}),
        })),
        ...(e.id ? { id: e.id } : {}),
        outcome,
      };
    }
  }
}

/** The progress after every event of a stream. */
export function progressOf(
  events: readonly (FeedEvent | ReleaseEvent | RollbackFeedEvent)[],
  planned?: readonly (PlannedStep | PlannedRollbackStep)[],
): Progress {
  return events.reduce(foldProgress, initialProgress(planned));
}

/** The step running now, if any. */
export function currentStep(p: Progress): StepProgress | undefined {
  return p.steps.find(s => s.status === 'running');
}
