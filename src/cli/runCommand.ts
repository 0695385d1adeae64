// What `okg release` and `okg rollback` share: duration flags, connecting (a bad kubeconfig is exit 1, a bad flag
// exit 2), the lines of the events every step table sends, the run itself with its progress (rewritten in place on
// a terminal, Ctrl-C cancelling cleanly), the closing output in text or JSON, and the exit code of the result.
import { KubeconfigError } from '../cluster/kubeconfig.js';
import type { StepEvent } from '../release/types.js';
import { parseDuration, ReleaseRefused } from '../release/validate.js';
import { connect } from './args.js';
import { formatTable } from './roomsCommand.js';
import { EXIT_FAILED, EXIT_LOST, EXIT_OK, EXIT_USAGE, UsageError } from './usage.js';

export interface EventLine {
  line: string;
  /** A progress line, rewritten in place on a terminal. */
  progress?: boolean;
}

/** A bad flag or refused input (nothing was written): printed, exit 2; anything else is rethrown. */
export function usageExit(e: unknown, err: (line: string) => void): number {
  if (e instanceof UsageError || e instanceof ReleaseRefused) {
    err(`okg: ${e.message}`);
    return EXIT_USAGE;
  }
  throw e;
}

/** A plan as text: its first line, the numbered steps, the room table and the predicted table, then the warnings. */
export function planText(p: {
  head: string;
  steps: readonly { title: string; done: boolean }[];
  /** NAME, VERSION, STATE, OPSSTATE, IMAGE, ACTION of each room. */
  rooms: string[][];
  /** NAME, STATE, OPSSTATE, IMAGE of each room predicted after the run. */
  predicted: string[][];
  /** "release" or "rollback". */
  what: string;
  /** Not printed when they come as the run's warning events. */
  warnings: readonly string[];
}): string[] {
  const indent = (rows: string[][]) => formatTable(rows).map(l => `  ${l}`);
  return [
    p.head,
    ...p.steps.map((s, i) => `  ${i + 1}. ${s.title}${s.done ? ' (done)' : ''}`),
    'rooms:',
    ...indent([['NAME', 'VERSION', 'STATE', 'OPSSTATE', 'IMAGE', 'ACTION'], ...p.rooms]),
    `predicted after the ${p.what}:`,
    ...indent([['NAME', 'STATE', 'OPSSTATE', 'IMAGE'], ...p.predicted]),
    ...p.warnings.map(w => `warning: ${w}`),
  ];
}

/** A duration flag's milliseconds (undefined when not given); a bad value is a usage error naming the flag. */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = parseDuration(value);
  if (typeof t === 'string') throw new UsageError(`${flag}: ${t}`);
  return t;
}

/** Connects as the flags say, or the exit code after printing why not (2: a bad flag, 1: the kubeconfig). */
export function connectOrExit(
  flags: Parameters<typeof connect>[0],
  err: (line: string) => void,
): ReturnType<typeof connect> | number {
  try {
    return connect(flags);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`okg: ${e.message}`);
      return EXIT_USAGE;
    }
    if (e instanceof KubeconfigError) {
      err(`okg: ${e.message}`);
      return EXIT_FAILED;
    }
    throw e;
  }
}

/** The line of an event every step table sends: a step's start, progress and end, a room written, a warning. */
export function stepEventLine(e: StepEvent<string>): EventLine {
  switch (e.type) {
    case 'step-started':
      return { line: `[${e.index}/${e.total}] ${e.title}` };
    case 'step-progress':
      return { line: `      ${e.message}`, progress: true };
    case 'step-done':
      return { line: `      ${e.result === 'done' ? 'done' : e.result}: ${e.message}` };
    case 'room-changed':
      return { line: `      ${e.room}: ${e.from} → ${e.to} ${e.result}${e.reason ? ` (${e.reason})` : ''}` };
    case 'warning':
      return { line: `warning: ${e.message}` };
  }
}

/** What a run resolves with, a release's or a rollback's. */
export interface RunResult {
  outcome: string;
  usage?: boolean;
  id?: string;
  step?: string;
  message: string;
  summary?: unknown;
  plan?: unknown;
  suggest?: string;
  reasons?: unknown;
}

/** 0 succeeded, 3 finished but lost rooms (named), 2 bad input (nothing was written), else 1. */
export function exitCode(r: Pick<RunResult, 'outcome' | 'usage'>): number {
  if (r.outcome === 'succeeded') return EXIT_OK;
  if (r.outcome === 'lost') return EXIT_LOST;
  return r.outcome === 'refused' && r.usage ? EXIT_USAGE : EXIT_FAILED;
}

/** The events of a run, a release's or a rollback's, as `runAndPrint` needs them. */
export interface RunEvents<E extends { type: string }> {
  /** The plan's lines when `e` is the planned event (its warnings come as warning events, so without them). */
  planOf(e: E): string[] | undefined;
  /** The line of any other event (undefined: none). */
  lineOf(e: E): EventLine | undefined;
}

/** Printed to stderr: the run failed, or finished with losses (a release's and a rollback's `done` name them). */
function isProblem(e: { type: string; summary?: { lost: unknown[] } }): boolean {
  return e.type === 'failed' || (e.type === 'done' && (e.summary?.lost.length ?? 0) > 0);
}

/** Runs `start` with Ctrl-C wired to cancel it, prints its events as they come and its result; the exit code. */
export async function runAndPrint<E extends { type: string }>(
  output: 'text' | 'json',
  events: RunEvents<E>,
  start: (signal: AbortSignal, onEvent: (e: E) => void, say: (line: string) => void) => Promise<RunResult>,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSignal);
  const tty = output === 'text' && process.stdout.isTTY === true;
  let inPlace = false;
  const seen: E[] = [];
  const onEvent = (e: E) => {
    if (output === 'json') {
      if (e.type !== 'planned') seen.push(e);
      return;
    }
    const plan = events.planOf(e);
    if (plan) {
      for (const l of plan) out(l);
      return;
    }
    const l = events.lineOf(e);
    if (!l) return;
    if (tty && l.progress) {
      process.stdout.write(`\r\x1b[K${l.line.trim()}`);
      inPlace = true;
      return;
    }
    if (tty && inPlace) {
      process.stdout.write('\r\x1b[K');
      inPlace = false;
    }
    if (isProblem(e)) err(`okg: ${l.line}`);
    else out(l.line);
  };
  // A line between the progress (e.g. -v's kubectl lines): on stderr with -o json, so stdout stays JSON.
  const say = (line: string) => {
    if (tty && inPlace) {
      process.stdout.write('\r\x1b[K');
      inPlace = false;
    }
    (output === 'json' ? err : out)(line);
  };
  try {
    const r = await start(abort.signal, onEvent, say);
    if (tty && inPlace) process.stdout.write('\r\x1b[K');
    const code = exitCode(r);
    if (output === 'json') {
      out(
        JSON.stringify(
          {
            outcome: r.outcome,
            id: r.id,
            step: r.step,
            message: r.message,
            ...(r.suggest ? { suggest: r.suggest } : {}),
            ...(r.reasons ? { reasons: r.reasons } : {}),
            summary: r.summary,
            plan: r.plan,
            events: seen,
          },
          null,
          2,
        ),
      );
      if (code !== EXIT_OK) err(`okg: ${r.message}`);
    } else if (r.outcome === 'refused') {
      err(`okg: ${r.message}`);
    } else if ((r.outcome === 'succeeded' || r.outcome === 'lost') && !r.summary) {
      // Nothing to do (already released or rolled back): the result's message is all there is to say.
      out(r.message);
    }
    return code;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
