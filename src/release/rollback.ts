// The rollback's entry points: previewRollback (plan, no write) and runRollback (plan, then run the steps). A
// rollback undoes the last release of a GameServerSet from its record: lock (the release's own lease) → restore the
// template image → observedGeneration → set the old rooms it marked back → mark the idle new-version rooms → reclaim
// exactly those → replicas back to at least the baseline → unlock, the outcome written into the record's history.
import { namespaceCache, withPrepared } from './engine.js';
import type { ReleaseWorld } from './plan.js';
import { preflight } from './preflight.js';
import { newHolder, parseRecord, rawRecord } from './record.js';
import { planRollback, rollbackTarget, validateRollbackInput } from './rollbackPlan.js';
import { RollbackRun, type PreparedRollback, type RollbackContext } from './rollbackRun.js';
import type { RollbackInput, RollbackResult } from './rollbackTypes.js';
import { DEFAULT_SETTLE_MS } from './validate.js';

export type { RollbackContext } from './rollbackRun.js';

/** Validates, runs the preflight (namespace, set, access) and plans, without any write. Throws ReleaseRefused. */
async function prepare(input: RollbackInput, ctx: RollbackContext): Promise<PreparedRollback> {
  const inp = validateRollbackInput(input);
  const raw = await preflight(
    ctx.client,
    {
      namespace: inp.namespace,
      gameServerSet: inp.gameServerSet,
      images: [],
      timeoutMs: inp.timeoutMs,
      retireOpsStates: ['None'],
      reclaim: 'scale-down',
      fixUpdateStrategy: false,
      settleMs: DEFAULT_SETTLE_MS,
    },
    ctx.signal,
  );
  const { cache, ownsCache } = await namespaceCache(ctx, inp.namespace);
  const holder = newHolder(ctx.holder);
  const world: ReleaseWorld = { gameServerSet: raw, rooms: cache.rooms(inp.gameServerSet), holder, now: Date.now() };
  try {
    const plan = planRollback(input, world);
    const changes = rollbackTarget(parseRecord(rawRecord(raw)), inp.gameServerSet).changes;
    return { plan, world, cache, ownsCache, holder, changes };
  } catch (e) {
    if (ownsCache) await cache.release();
    throw e;
  }
}

/**
 * Plans the rollback of the last release (which one, the room-by-room table, the predicted final table) and writes
 * nothing. Resolves with `refused` (and the one-sentence reason) or `succeeded` with the plan.
 */
export async function previewRollback(input: RollbackInput, ctx: RollbackContext): Promise<RollbackResult> {
  return withPrepared(
    () => prepare(input, ctx),
    p => ({
      outcome: 'succeeded',
      message: p.plan.alreadyDone
        ? `release ${p.plan.release.id} was already rolled back (${p.plan.alreadyDone}); nothing to do`
        : 'dry run: nothing was changed',
      plan: p.plan,
    }),
  );
}

/**
 * Runs (or resumes) the rollback of the last release. Never throws for input or cluster problems: resolves with
 * the outcome, `refused` meaning nothing was written. Emits RollbackEvents to `ctx.onEvent` as it goes.
 */
export async function runRollback(input: RollbackInput, ctx: RollbackContext): Promise<RollbackResult> {
  return withPrepared(
    () => prepare(input, ctx),
    async (p): Promise<RollbackResult> => {
      if (p.plan.alreadyDone)
        return {
          outcome: 'succeeded',
          message: `release ${p.plan.release.id} was already rolled back (${p.plan.alreadyDone}); nothing to do`,
          plan: p.plan,
        };
      return new RollbackRun(ctx, p).rollBack();
    },
  );
}
