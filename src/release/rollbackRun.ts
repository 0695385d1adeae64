// One run of a rollback: a ReleaseRun with the rollback's step table (rollbackSteps.ts), driven by the same run
// loop (runLoop.ts) and ended the same way (the outcome recorded, the lease released). The lease, the conditional
// marks (marking.ts) and the exact reclaim (reclaim.ts) are the release's own code; their events are relayed
// under the rollback's current step, and the rollback's plan, summary and messages are here.
import type { ContainerImage } from '../cluster/okg.js';
import type { Prepared, ReleaseContext } from './engine.js';
import type { ReleaseWorld } from './plan.js';
import type { ReleaseChanges } from './record.js';
import { ROLLBACK_STEP_TABLE } from './rollbackSteps.js';
import {
  ROLLBACK_STEPS,
  type RollbackEvent,
  type RollbackPlan,
  type RollbackResult,
  type RollbackStepName,
  type RollbackSummary,
} from './rollbackTypes.js';
import { cancelledMessage, refusedResult, ReleaseRun } from './run.js';
import { runSteps } from './runLoop.js';
import type { NamespaceCache } from '../cluster/cache.js';
import type { Holder } from './record.js';
import type { ReleaseEvent, ReleasePlan } from './types.js';
import { DEFAULT_SETTLE_MS, ReleaseRefused } from './validate.js';

export type RollbackContext = Omit<ReleaseContext, 'onEvent'> & { onEvent?: (e: RollbackEvent) => void };

export interface PreparedRollback {
  plan: RollbackPlan;
  world: ReleaseWorld;
  cache: NamespaceCache;
  ownsCache: boolean;
  holder: Holder;
  changes: ReleaseChanges;
}

/**
 * The release-shaped view of a rollback plan that the shared release code reads: the namespace, the set, the
 * timeout for its waits, reclaim by scale-down, the restored images as "the" images. Nothing else of it is used.
 */
function releasePlanView(p: RollbackPlan): ReleasePlan {
  return {
    input: {
      namespace: p.input.namespace,
      gameServerSet: p.input.gameServerSet,
      images: p.images,
      timeoutMs: p.input.timeoutMs,
      retireOpsStates: ['None'],
      reclaim: 'scale-down',
      fixUpdateStrategy: false,
      settleMs: DEFAULT_SETTLE_MS,
    },
    fromReplicas: p.fromReplicas,
    toReplicas: p.toReplicas,
    newRooms: 0,
    ready: 0,
    oldImages: p.images,
    steps: [],
    rooms: [],
    predicted: [],
    fixesUpdateStrategy: false,
    network: false /* a rollback waits for no new room */,
    ...(p.resumes ? { resumes: p.resumes } : {}),
    warnings: [],
  };
}

export class RollbackRun extends ReleaseRun {
  readonly rollback: RollbackPlan;
  /** What the release changed (from the record). */
  readonly changes: ReleaseChanges;
  /** The release's new images, and the template images the rollback restores. */
  readonly newImages: ContainerImage[];
  readonly oldImages: ContainerImage[];
  /** Old rooms set back, already reclaimed, and left alone because they changed. */
  readonly restored: string[] = [];
  readonly gone: string[] = [];
  readonly skippedOld: string[] = [];
  private current: RollbackStepName = 'lock';
  private readonly rctx: RollbackContext;
  private readonly reqStart: number;

  constructor(ctx: RollbackContext, p: PreparedRollback) {
    const box: { self?: RollbackRun } = {};
    const { onEvent: _o, ...rest } = ctx;
    const prepared: Prepared = {
      plan: releasePlanView(p.plan),
      world: p.world,
      cache: p.cache,
      ownsCache: p.ownsCache,
      holder: p.holder,
    };
    super({ ...rest, onEvent: e => box.self?.relay(e) }, prepared);
    box.self = this;
    this.rctx = ctx;
    this.rollback = p.plan;
    this.changes = p.changes;
    this.newImages = p.changes.images;
    this.oldImages = p.plan.images;
    this.reqStart = ctx.client.requestCount();
  }

  send(e: RollbackEvent): void {
    try {
      this.rctx.onEvent?.(e);
    } catch {
      /* a listener's failure must not stop the rollback */
    }
  }

  /** Events of the shared release code, under the rollback's step. */
  private relay(e: ReleaseEvent): void {
    if (e.type === 'step-progress' || e.type === 'room-changed') this.send({ ...e, step: this.current });
    else if (e.type === 'warning') this.send(e);
  }

  /** Runs the rollback's step table through the release's run loop (ReleaseRun's own `run` is the release's table). */
  async rollBack(): Promise<RollbackResult> {
    return this.guarded<RollbackResult>(
      async () => {
        for (const w of this.rollback.warnings) this.send({ type: 'warning', message: w });
        await runSteps({
          run: this,
          order: ROLLBACK_STEPS,
          table: ROLLBACK_STEP_TABLE,
          titles: this.rollback.steps,
          lease: this.lease,
          signal: this.signal,
          enter: step => {
            this.current = step;
          },
          send: e => this.send(e),
          announce: id => this.send({ type: 'planned', id, plan: this.rollback }),
        });
        const summary = this.rollbackSummary();
        this.send({ type: 'done', id: this.rec.id, summary });
        if (summary.lost.length)
          return { id: this.rec.id, outcome: 'lost', message: this.lostMessage(), plan: this.rollback, summary };
        return {
          id: this.rec.id,
          outcome: 'succeeded',
          message: `rollback ${this.rec.id} of release ${this.changes.id} succeeded`,
          plan: this.rollback,
          summary,
        };
      },
      e => this.end(e),
    );
  }

  /** The outcome message (also recorded) of a rollback that lost rooms: names them. */
  override lostMessage(): string {
    return `rollback ${this.lease.rec?.id ?? ''} of release ${this.changes.id} finished with losses: OKG removed ${this.allLost().join(', ')}, which the rollback meant to keep (OKG ranked them by a pod label that still showed WaitToBeDeleted); check them`;
  }

  rollbackSummary(): RollbackSummary {
    const rec = this.lease.rec;
    // Marked rooms still there changed after marking (e.g. were allocated): kept, and reported as skipped.
    const uids = new Map((rec?.retire ?? []).map(e => [e.name, e.uid]));
    const marked = rec?.marked ?? [];
    const kept = marked.filter(n => {
      const r = this.cache.room(n);
      return r && r.uid === uids.get(n) && !r.terminating;
    });
    return {
      restored: this.restored,
      gone: this.gone,
      skipped: [...this.skippedOld, ...(rec?.skipped ?? []), ...kept],
      retired: marked.filter(n => !kept.includes(n)),
      lost: this.allLost(),
      reclaimed: rec?.reclaimed ?? 0,
      finalReplicas: this.cache.gameServerSet(this.name)?.replicas ?? this.rollback.toReplicas,
      requests: this.client.requestCount() - this.reqStart,
    };
  }

  /** Ends a run that did not succeed: records the outcome (best effort; the record stays current so a rerun resumes). */
  private async end(e: unknown): Promise<RollbackResult> {
    const rec = this.lease.rec;
    if (e instanceof ReleaseRefused && !rec) return refusedResult(e);
    const cancelled = this.cancelledBy(e);
    const outcome = cancelled ? 'cancelled' : 'failed';
    const reason = e instanceof Error ? e.message : String(e);
    const message = cancelled ? cancelledMessage(this.current) : `failed at step ${this.current}: ${reason}`;
    await this.recordStop(e, outcome, message);
    this.send({ type: 'failed', id: rec?.id ?? '', step: this.current, outcome, message });
    return {
      ...(rec ? { id: rec.id } : {}),
      outcome,
      step: this.current,
      message,
      plan: this.rollback,
      summary: this.rollbackSummary(),
    };
  }
}
