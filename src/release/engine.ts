// The release engine's entry points: previewRelease (plan, no write) and runRelease (plan, then run the steps).
// lock → image → observedGeneration → scale → new rooms Ready → mark old idle rooms → optional reclaim → unlock:
// the steps are in steps.ts (one file each in steps/), one run in run.ts, its lease and writes in lease.ts.
// Every write is conditional, every wait is watch-driven, every step first checks whether its effect is already
// there, so a rerun resumes from the record.
import type { OkgClient } from '../cluster/client.js';
import { NamespaceCache } from '../cluster/cache.js';
import { planRelease, type ReleaseWorld } from './plan.js';
import { preflight } from './preflight.js';
import { newHolder, parseRecord, rawRecord, type Holder } from './record.js';
import { refusedResult, ReleaseRun } from './run.js';
import type { ReleaseEvent, ReleaseInput, ReleasePlan, ReleaseResult } from './types.js';
import { ReleaseRefused, validateInput } from './validate.js';

/** Where and how a release runs. */
export interface ReleaseContext {
  client: OkgClient;
  /** A started cache of the release's namespace (shared with the UI); one is made when absent. */
  cache?: NamespaceCache;
  /** Cancels cleanly: the record says cancelled at the current step, the lease is released. */
  signal?: AbortSignal;
  onEvent?: (e: ReleaseEvent) => void;
  /** Who runs it (default: this user, host and process, with a fresh id). Pass the same id to resume one's own run at once. */
  holder?: Partial<Holder>;
  /** Lease length; renewed every third of it while the release runs. Default 60 s. */
  leaseMs?: number;
  /** Rooms written at once while marking. Default 16. */
  concurrency?: number;
}

/** A planned release, ready to run. The caller must release `cache` when `ownsCache`. */
export interface Prepared {
  plan: ReleasePlan;
  world: ReleaseWorld;
  cache: NamespaceCache;
  ownsCache: boolean;
  holder: Holder;
  takeOver?: string;
}

/** The caller's cache, or a started one of `namespace` that the caller must release (`ownsCache`). */
export async function namespaceCache(
  ctx: Pick<ReleaseContext, 'client' | 'cache'>,
  namespace: string,
): Promise<{ cache: NamespaceCache; ownsCache: boolean }> {
  if (ctx.cache) return { cache: ctx.cache, ownsCache: false };
  const cache = new NamespaceCache(ctx.client, namespace).retain();
  try {
    await cache.start();
  } catch (e) {
    await cache.release();
    throw new ReleaseRefused(e instanceof Error ? e.message : String(e), false);
  }
  return { cache, ownsCache: true };
}

/** Validates, runs the preflight and plans, without any write. Throws ReleaseRefused (one sentence). */
async function prepare(input: ReleaseInput, ctx: ReleaseContext): Promise<Prepared> {
  const inp = validateInput(input);
  const raw = await preflight(ctx.client, inp, ctx.signal);
  const { cache, ownsCache } = await namespaceCache(ctx, inp.namespace);
  const holder = newHolder(ctx.holder);
  const world: ReleaseWorld = { gameServerSet: raw, rooms: cache.rooms(inp.gameServerSet), holder, now: Date.now() };
  try {
    return {
      plan: planRelease(input, world),
      world,
      cache,
      ownsCache,
      holder,
      ...(input.takeOver !== undefined ? { takeOver: input.takeOver } : {}),
    };
  } catch (e) {
    if (ownsCache) await cache.release();
    throw e;
  }
}

/**
 * Plans a release against the cluster (validation, preflight, lock check, preview) and writes nothing.
 * Resolves with outcome `refused` (and the reason) or `succeeded` with the plan.
 */
export async function previewRelease(input: ReleaseInput, ctx: ReleaseContext): Promise<ReleaseResult> {
  return withPrepared(
    () => prepare(input, ctx),
    p => ({
      outcome: 'succeeded',
      message: p.plan.alreadyDone
        ? `already released (${p.plan.alreadyDone}); nothing to do`
        : 'dry run: nothing was changed',
      plan: p.plan,
    }),
  );
}

/**
 * Runs (or resumes) a release. Never throws for input or cluster problems: resolves with the outcome,
 * `refused` meaning nothing was written. Emits events to `ctx.onEvent` as it goes.
 */
export async function runRelease(input: ReleaseInput, ctx: ReleaseContext): Promise<ReleaseResult> {
  return withPrepared(
    () => prepare(input, ctx),
    async (p): Promise<ReleaseResult> => {
      if (p.plan.alreadyDone) {
        const last = parseRecord(rawRecord(p.world.gameServerSet)).history.find(h => h.id === p.plan.alreadyDone);
        const how =
          last?.outcome === 'lost'
            ? `finished with losses (${last.message ?? 'OKG removed rooms with players'})`
            : 'succeeded';
        return {
          outcome: 'succeeded',
          message: `release ${p.plan.alreadyDone} with these inputs already ${how}; nothing to do`,
          plan: p.plan,
        };
      }
      return new ReleaseRun(ctx, p).run();
    },
  );
}

/**
 * Prepares a run (a refusal, nothing written, is the result), then `use`s it; the cache it made is released after,
 * whatever `use` does. The release's and the rollback's entry points all go through here.
 */
export async function withPrepared<P extends { cache: NamespaceCache; ownsCache: boolean }, R>(
  prepareRun: () => Promise<P>,
  use: (p: P) => R | Promise<R>,
): Promise<R | ReturnType<typeof refusedResult>> {
  let p: P;
  try {
    p = await prepareRun();
  } catch (e) {
    return refusedResult(e);
  }
  try {
    return await use(p);
  } finally {
    if (p.ownsCache) await p.cache.release();
  }
}
