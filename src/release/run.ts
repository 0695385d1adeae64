// One run of a release: the release's step table (steps.ts) through the shared run loop (runLoop.ts), the event
// stream, and the end: the outcome recorded and the lease released. What the steps share (client, cache, plan,
// lease, marks) is here; a rollback run (rollbackRun.ts) is this with another step table.
import type { OkgClient } from '../cluster/client.js';
import type { NamespaceCache } from '../cluster/cache.js';
import { ClusterError } from '../cluster/errors.js';
import type { ContainerImage } from '../cluster/okg.js';
import type { RoomResult as BulkResult } from './bulk.js';
import type { Prepared, ReleaseContext } from './engine.js';
import { LeaseLost, ReleaseLease } from './lease.js';
import { MarkTracker } from './marking.js';
import { takeOverWarning } from './plan.js';
import { DEFAULT_LEASE_MS, type Holder, type ReleaseRecord } from './record.js';
import { runSteps } from './runLoop.js';
import { STEP_TABLE } from './steps.js';
import {
  STEPS,
  type ReleaseEvent,
  type ReleasePlan,
  type ReleaseResult,
  type ReleaseSummary,
  type StepName,
} from './types.js';
import { ReleaseRefused, seconds } from './validate.js';
import { NotReadyInTime } from './steps/waitReady.js';

/** A refusal (nothing was written) as a result, a release's or a rollback's; any other error is rethrown. */
export function refusedResult(e: unknown): { outcome: 'refused'; usage: boolean; message: string } {
  if (e instanceof ReleaseRefused) return { outcome: 'refused', usage: e.usage, message: e.message };
  if (e instanceof ClusterError) return { outcome: 'refused', usage: false, message: e.message };
  throw e;
}

export class ReleaseRun {
  readonly client: OkgClient;
  readonly cache: NamespaceCache;
  readonly plan: ReleasePlan;
  readonly holder: Holder;
  readonly ns: string;
  readonly name: string;
  readonly images: ContainerImage[];
  readonly leaseMs: number;
  /** The holder whose lease the lock step may take over (input `takeOver`). */
  readonly takeOver?: string;
  /** Rooms written at once while marking and killing. */
  readonly concurrency: number;
  readonly lease: ReleaseLease;
  readonly marks: MarkTracker;
  /** The generation of the image write (patch-image), for wait-generation. */
  imageGeneration?: number;
  /** When the mark writes were answered (step mark): the settle window before reclaim counts from here. */
  markedAt?: number;
  /** Rooms with players OKG removed during reclaim, "name (opsState)", seen by this run (see allLost). */
  readonly lost: string[] = [];
  /** Aborted on cancel and on a lost lease (protected: a rollback run drives its own steps). */
  protected readonly ac = new AbortController();
  private readonly startRequests: number;
  private step: StepName = 'lock';

  constructor(
    private readonly ctx: ReleaseContext,
    p: Prepared,
  ) {
    this.client = ctx.client;
    this.cache = p.cache;
    this.plan = p.plan;
    this.holder = p.holder;
    this.ns = p.plan.input.namespace;
    this.name = p.plan.input.gameServerSet;
    this.images = p.plan.input.images;
    this.leaseMs = ctx.leaseMs ?? DEFAULT_LEASE_MS;
    this.concurrency = ctx.concurrency ?? 16;
    this.takeOver = p.takeOver;
    this.startRequests = ctx.client.requestCount();
    this.marks = new MarkTracker(this.cache);
    this.lease = new ReleaseLease({
      client: this.client,
      namespace: this.ns,
      gameServerSet: this.name,
      holder: this.holder,
      leaseMs: this.leaseMs,
      signal: this.signal,
      onLost: e => this.ac.abort(e),
      waitObserved: g => this.waitObserved(g),
    });
  }

  /** Aborts on the caller's cancel and when the lease is lost. */
  get signal(): AbortSignal {
    return this.ac.signal;
  }

  /** The record; every step after lock has it. */
  get rec(): ReleaseRecord {
    return this.lease.rec!;
  }

  emit(e: ReleaseEvent): void {
    try {
      this.ctx.onEvent?.(e);
    } catch {
      /* a listener's failure must not stop the release */
    }
  }

  progress(message: string, done?: number, of?: number): void {
    this.emit({ type: 'step-progress', step: this.step, message, ...(done !== undefined ? { done, of } : {}) });
  }

  emitRoom(step: StepName, from: string, to: string, r: BulkResult): void {
    this.emit({
      type: 'room-changed',
      step,
      room: r.name,
      from,
      to,
      result: r.outcome,
      ...(r.reason ? { reason: r.reason } : {}),
    });
  }

  /** Waits (watch-driven) until OKG has observed `generation` of the GameServerSet; resolves with the observed one. */
  waitObserved(generation: number): Promise<number> {
    return this.cache.waitFor(
      () => {
        const g = this.cache.gameServerSet(this.name);
        return g && g.observedGeneration >= generation ? g.observedGeneration : undefined;
      },
      {
        timeoutMs: this.plan.input.timeoutMs,
        signal: this.signal,
        describeTimeout: () =>
          `OKG has not applied generation ${generation} of ${this.name} within the timeout (observedGeneration ${this.cache.gameServerSet(this.name)?.observedGeneration ?? '?'}); is the kruise-game controller running?`,
      },
    );
  }

  async run(): Promise<ReleaseResult> {
    return this.guarded<ReleaseResult>(
      async () => {
        // A take-over is reported by the lock step when it happens, not announced here as well.
        const takeOver = this.plan.takesOver && takeOverWarning(this.plan.takesOver);
        for (const w of this.plan.warnings) if (w !== takeOver) this.emit({ type: 'warning', message: w });
        await runSteps({
          run: this,
          order: STEPS,
          table: STEP_TABLE,
          titles: this.plan.steps,
          lease: this.lease,
          signal: this.signal,
          enter: step => {
            this.step = step;
          },
          send: e => this.emit(e),
          announce: id => this.emit({ type: 'planned', id, plan: this.plan }),
        });
        const again = this.marks.markedAgainWarning();
        if (again) this.emit({ type: 'warning', message: again });
        const summary = this.summary(this.currentReplicas());
        this.emit({ type: 'done', id: this.rec.id, summary });
        if (summary.lost.length)
          return { id: this.rec.id, outcome: 'lost', message: this.lostMessage(), plan: this.plan, summary };
        return {
          id: this.rec.id,
          outcome: 'succeeded',
          message: `release ${this.rec.id} succeeded`,
          plan: this.plan,
          summary,
        };
      },
      e => this.stop(e),
    );
  }

  /**
   * Runs `body` with the caller's cancel wired to this run's signal; a failure ends in `stop`. Either way the lease
   * stops being renewed and the mark tracker is released.
   */
  protected async guarded<T>(body: () => Promise<T>, stop: (e: unknown) => Promise<T>): Promise<T> {
    const onAbort = () => this.ac.abort(this.ctx.signal?.reason);
    if (this.ctx.signal?.aborted) onAbort();
    this.ctx.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await body();
    } catch (e) {
      return await stop(e);
    } finally {
      this.lease.stopRenewing();
      this.marks.dispose();
      this.ctx.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The caller cancelled (a lost lease aborts the signal too, but is a failure). */
  protected cancelledBy(e: unknown): boolean {
    return this.ctx.signal?.aborted === true && !(e instanceof LeaseLost);
  }

  /** Records how a run that did not succeed ended (best effort: a failed write is a warning); not after a lost lease. */
  protected async recordStop(e: unknown, outcome: 'failed' | 'cancelled', message: string): Promise<void> {
    if (!this.lease.rec || e instanceof LeaseLost) return;
    try {
      await this.lease.save(r => {
        r.outcome = outcome;
        r.message = message;
        r.finishedAt = new Date().toISOString();
        r.leaseExpiresAt = r.finishedAt;
      }, false);
    } catch (err) {
      this.emit({
        type: 'warning',
        message: `could not record the outcome on the GameServerSet: ${(err as Error).message}`,
      });
    }
  }

  private summary(finalReplicas: number): ReleaseSummary {
    const rec = this.lease.rec;
    return {
      retired: rec?.marked ?? [],
      skipped: rec?.skipped ?? [],
      reclaimed: rec?.reclaimed ?? 0,
      lost: this.allLost(),
      finalReplicas,
      requests: this.client.requestCount() - this.startRequests,
    };
  }

  /** Rooms with players OKG removed during reclaim, in this run or (recorded) in the one it resumed: the outcome is then `lost`. */
  allLost(): string[] {
    return [...new Set([...(this.lease.rec?.lost ?? []), ...this.lost])];
  }

  /** The outcome message of a release that lost rooms with players: names them and says why. */
  lostMessage(): string {
    const ms = this.plan.input.settleMs;
    const why =
      ms > 0
        ? `a matchmaker acting on a view of the rooms older than the ${seconds(ms)} settle window? a longer window keeps such rooms`
        : 'the settle window was off (0 s)';
    return `release ${this.lease.rec?.id ?? ''} finished with losses: OKG removed rooms with players: ${this.allLost().join(', ')} — allocated after the release's last check (${why})`;
  }

  private currentReplicas(): number {
    return this.cache.gameServerSet(this.name)?.replicas ?? this.plan.toReplicas;
  }

  /** Ends a run that did not succeed: records the outcome (best effort) and releases the lease. */
  private async stop(e: unknown): Promise<ReleaseResult> {
    const rec = this.lease.rec;
    if (e instanceof ReleaseRefused && !rec) return refusedResult(e);
    const cancelled = this.cancelledBy(e);
    const notReady = !cancelled && e instanceof NotReadyInTime ? e : undefined;
    // A stop-early is recorded as failed (a rerun resumes the wait); the result and the event say stopped-early.
    const outcome = cancelled ? 'cancelled' : 'failed';
    const reason = e instanceof Error ? e.message : String(e);
    // Nothing is marked before the new rooms are ready: rolling back restores the old image and leaves the rest.
    const rollback = notReady
      ? `; nothing was marked; to roll back: okg rollback -n ${this.ns} --gss ${this.name}`
      : '';
    const message = cancelled
      ? cancelledMessage(this.step)
      : notReady?.early
        ? `stopped early at step ${this.step}: ${reason}${rollback}`
        : `failed at step ${this.step}: ${reason}${rollback}`;
    const finalOutcome = notReady?.early ? ('stopped-early' as const) : outcome;
    const extra = notReady ? { suggest: 'rollback' as const, reasons: notReady.reasons } : {};
    await this.recordStop(e, outcome, message);
    this.emit({ type: 'failed', id: rec?.id ?? '', step: this.step, outcome: finalOutcome, message, ...extra });
    return {
      ...(rec ? { id: rec.id } : {}),
      outcome: finalOutcome,
      step: this.step,
      message,
      plan: this.plan,
      summary: this.summary(this.currentReplicas()),
      ...extra,
    };
  }
}

/** A cancelled run's message: the cluster is consistent, and a rerun resumes. */
export function cancelledMessage(step: string): string {
  return `cancelled at step ${step}; the cluster is consistent and a rerun resumes from here`;
}
