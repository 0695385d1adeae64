// The release engine: lock → image → observedGeneration → scale → new rooms Ready → mark old idle rooms →
// optional reclaim → unlock. Every write is conditional (JSON Patch `test` ops on what was read, plus the
// record annotation, so only the lease holder writes), every wait is watch-driven (NamespaceCache.waitFor),
// every step first checks whether its effect is already there, so a rerun resumes from the record.
import type { JsonPatchOp, OkgClient } from '../cluster/client.js';
import { NamespaceCache } from '../cluster/cache.js';
import { ClusterError } from '../cluster/errors.js';
import { sameImage } from '../cluster/images.js';
import { gameServerSetView, LABEL_OWNER_GSS, LABEL_POD_DELETE_PRIORITY, LABEL_POD_OPS_STATE, ordinalOf, scaleDownOrder, type ContainerImage, type RawObject, type RoomView } from '../cluster/okg.js';
import { applyToRooms, type RoomResult as BulkResult } from './bulk.js';
import { isNewVersion, planRelease, type ReleaseWorld } from './plan.js';
import { preflight } from './preflight.js';
import {
  DEFAULT_LEASE_MS, describeHolder, historyEntry, leaseState, newHolder, newReleaseId, parseRecord, rawRecord, recordPatch,
  recordTest, serializeRecord, type HistoryEntry, type Holder, type ReleaseRecord,
} from './record.js';
import { STEP_ORDER, type ReleaseEvent, type ReleaseInput, type ReleasePlan, type ReleaseResult, type ReleaseSummary, type StepName } from './types.js';
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

/** The lease was taken over by someone else (our lease had expired). */
class LeaseLost extends Error {}

const WRITE_ATTEMPTS = 8;
const isRefusedTest = (e: unknown): boolean => e instanceof ClusterError && (e.kind === 'invalid' || e.kind === 'conflict');

function templateContainers(gss: RawObject): { name?: string; image?: string }[] {
  const t = gss.spec?.gameServerTemplate as { spec?: { containers?: { name?: string; image?: string }[] } } | undefined;
  return t?.spec?.containers ?? [];
}

function obsGen(gss: RawObject): number {
  return Number((gss.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0);
}

interface Prepared { plan: ReleasePlan; world: ReleaseWorld; cache: NamespaceCache; ownsCache: boolean; holder: Holder }

/**
 * Validates, runs the preflight and plans, without any write. Throws ReleaseRefused (one sentence).
 * The caller must release `cache` when `ownsCache`.
 */
async function prepare(input: ReleaseInput, ctx: ReleaseContext): Promise<Prepared> {
  const inp = validateInput(input);
  const raw = await preflight(ctx.client, inp, ctx.signal);
  let cache = ctx.cache;
  const ownsCache = !cache;
  if (!cache) {
    cache = new NamespaceCache(ctx.client, inp.namespace).retain();
    try {
      await cache.start();
    } catch (e) {
      await cache.release();
      throw new ReleaseRefused(e instanceof Error ? e.message : String(e), false);
    }
  }
  const holder = newHolder(ctx.holder);
  const world: ReleaseWorld = { gameServerSet: raw, rooms: cache.rooms(inp.gameServerSet), holder, now: Date.now() };
  try {
    return { plan: planRelease(input, world), world, cache, ownsCache, holder };
  } catch (e) {
    if (ownsCache) await cache.release();
    throw e;
  }
}

function refusedResult(e: unknown): ReleaseResult {
  if (e instanceof ReleaseRefused) return { outcome: 'refused', usage: e.usage, message: e.message };
  if (e instanceof ClusterError) return { outcome: 'refused', usage: false, message: e.message };
  throw e;
}

/**
 * Plans a release against the cluster (validation, preflight, lock check, preview) and writes nothing.
 * Resolves with outcome `refused` (and the reason) or `succeeded` with the plan.
 */
export async function previewRelease(input: ReleaseInput, ctx: ReleaseContext): Promise<ReleaseResult> {
  let p: Prepared;
  try { p = await prepare(input, ctx); } catch (e) { return refusedResult(e); }
  if (p.ownsCache) await p.cache.release();
  return { outcome: 'succeeded', message: p.plan.alreadyDone ? `already released (${p.plan.alreadyDone}); nothing to do` : 'dry run: nothing was changed', plan: p.plan };
}

/**
 * Runs (or resumes) a release. Never throws for input or cluster problems: resolves with the outcome,
 * `refused` meaning nothing was written. Emits events to `ctx.onEvent` as it goes.
 */
export async function runRelease(input: ReleaseInput, ctx: ReleaseContext): Promise<ReleaseResult> {
  let p: Prepared;
  try { p = await prepare(input, ctx); } catch (e) { return refusedResult(e); }
  try {
    if (p.plan.alreadyDone) {
      return { outcome: 'succeeded', message: `release ${p.plan.alreadyDone} with these inputs already succeeded; nothing to do`, plan: p.plan };
    }
    return await new Run(ctx, p).run();
  } finally {
    if (p.ownsCache) await p.cache.release();
  }
}

class Run {
  private readonly client: OkgClient;
  private readonly cache: NamespaceCache;
  private readonly plan: ReleasePlan;
  private readonly holder: Holder;
  private readonly ns: string;
  private readonly name: string;
  private readonly images: ContainerImage[];
  private readonly leaseMs: number;
  private readonly ac = new AbortController();
  private readonly startRequests: number;
  private rec?: ReleaseRecord;
  private history: HistoryEntry[] = [];
  /** The record annotation as last written by us: every GSS write tests it. */
  private lastRaw?: string;
  private serial: Promise<unknown> = Promise.resolve();
  private step: StepName = 'lock';
  private imageGeneration?: number;
  private heartbeat?: NodeJS.Timeout;
  /**
   * Retired rooms as the watch saw them since marking: 'marked' once seen WaitToBeDeleted/Kill, then the opsState
   * of any later change (e.g. 'Allocated'). A room changed after marking is never reclaimed by this release, even if
   * it shows the mark again: OKG 1.0's GameServer controller can merge-patch a stale spec back (docs/controlplane.md,
   * tier B), turning a matchmaker's Allocated into WaitToBeDeleted again.
   */
  private readonly afterMark = new Map<string, string>();
  private stopTracking?: () => void;

  constructor(private readonly ctx: ReleaseContext, p: Prepared) {
    this.client = ctx.client;
    this.cache = p.cache;
    this.plan = p.plan;
    this.holder = p.holder;
    this.ns = p.plan.input.namespace;
    this.name = p.plan.input.gameServerSet;
    this.images = p.plan.input.images;
    this.leaseMs = ctx.leaseMs ?? DEFAULT_LEASE_MS;
    this.startRequests = ctx.client.requestCount();
  }

  private get signal(): AbortSignal { return this.ac.signal; }

  private emit(e: ReleaseEvent): void {
    try { this.ctx.onEvent?.(e); } catch { /* a listener's failure must not stop the release */ }
  }

  private progress(message: string, done?: number, of?: number): void {
    this.emit({ type: 'step-progress', step: this.step, message, ...(done !== undefined ? { done, of } : {}) });
  }

  async run(): Promise<ReleaseResult> {
    const onAbort = () => this.ac.abort(this.ctx.signal?.reason);
    if (this.ctx.signal?.aborted) onAbort();
    this.ctx.signal?.addEventListener('abort', onAbort, { once: true });
    for (const w of this.plan.warnings) this.emit({ type: 'warning', message: w });
    try {
      for (const step of STEP_ORDER) {
        this.step = step;
        if (this.signal.aborted) throw this.signal.reason;
        const index = STEP_ORDER.indexOf(step);
        const title = this.plan.steps[index].title;
        if (step !== 'lock' && step !== 'unlock' && this.rec?.done.includes(step)) {
          this.emit({ type: 'step-done', step, result: 'already-done', message: `${title}: done by an earlier run` });
          continue;
        }
        this.emit({ type: 'step-started', step, index: index + 1, total: STEP_ORDER.length, title });
        if (step !== 'lock' && step !== 'unlock') await this.saveRecord(r => { r.step = step; });
        const r = await this.runStep(step);
        // Recorded with the next write (the next step's start): a crash before it only repeats this idempotent step.
        if (step !== 'lock' && step !== 'unlock' && !this.rec!.done.includes(step)) this.rec!.done.push(step);
        this.emit({ type: 'step-done', step, ...r });
        if (step === 'lock') this.emit({ type: 'planned', id: this.rec!.id, plan: this.plan });
      }
      this.warnChangedAfterMark();
      const summary = this.summary(await this.currentReplicas());
      this.emit({ type: 'done', id: this.rec!.id, summary });
      return { id: this.rec!.id, outcome: 'succeeded', message: `release ${this.rec!.id} succeeded`, plan: this.plan, summary };
    } catch (e) {
      return await this.stop(e);
    } finally {
      clearInterval(this.heartbeat);
      this.stopTracking?.();
      this.ctx.signal?.removeEventListener('abort', onAbort);
    }
  }

  private summary(finalReplicas: number): ReleaseSummary {
    return {
      retired: this.rec?.marked ?? [], skipped: this.rec?.skipped ?? [], reclaimed: this.rec?.reclaimed ?? 0,
      finalReplicas, requests: this.client.requestCount() - this.startRequests,
    };
  }

  private async currentReplicas(): Promise<number> {
    return this.cache.gameServerSet(this.name)?.replicas ?? this.plan.toReplicas;
  }

  /** Ends a run that did not succeed: records the outcome (best effort) and releases the lease. */
  private async stop(e: unknown): Promise<ReleaseResult> {
    if (e instanceof ReleaseRefused && !this.rec) return refusedResult(e);
    const cancelled = this.ctx.signal?.aborted === true && !(e instanceof LeaseLost);
    const outcome = cancelled ? 'cancelled' : 'failed';
    const reason = e instanceof Error ? e.message : String(e);
    const message = cancelled ? `cancelled at step ${this.step}; the cluster is consistent and a rerun resumes from here` : `failed at step ${this.step}: ${reason}`;
    if (this.rec && !(e instanceof LeaseLost)) {
      try {
        await this.saveRecord(r => {
          r.outcome = outcome;
          r.message = message;
          r.finishedAt = new Date().toISOString();
          r.leaseExpiresAt = r.finishedAt;
        }, false);
      } catch (err) {
        this.emit({ type: 'warning', message: `could not record the outcome on the GameServerSet: ${(err as Error).message}` });
      }
    }
    this.emit({ type: 'failed', id: this.rec?.id ?? '', step: this.step, outcome, message });
    return { ...(this.rec ? { id: this.rec.id } : {}), outcome, step: this.step, message, plan: this.plan, summary: this.summary(await this.currentReplicas()) };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Record and GameServerSet writes (serialised: each tests the record we wrote last)

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.serial.then(fn, fn);
    this.serial = next.catch(() => undefined);
    return next;
  }

  /** Re-reads after a refused write: still our record? then adopt its text; else the lease is lost. */
  private async adopt(useSignal: boolean): Promise<RawObject> {
    const raw = await this.client.getGameServerSet(this.ns, this.name, useSignal ? this.signal : undefined);
    const doc = parseRecord(rawRecord(raw));
    if (!doc.current || doc.current.id !== this.rec?.id || doc.current.holder.id !== this.holder.id) {
      const who = doc.current ? `release ${doc.current.id} of ${describeHolder(doc.current.holder)}` : 'someone who removed the record';
      throw new LeaseLost(`the lease on ${this.name} was taken over by ${who}`);
    }
    this.lastRaw = rawRecord(raw);
    return raw;
  }

  /** Updates the record with a conditional patch (test on the text we wrote last). */
  private saveRecord(mutate: (r: ReleaseRecord) => void, useSignal = true): Promise<void> {
    return this.serialise(async () => {
      const rec = this.rec!;
      mutate(rec);
      const now = Date.now();
      rec.updatedAt = new Date(now).toISOString();
      if (!rec.outcome) rec.leaseExpiresAt = new Date(now + this.leaseMs).toISOString();
      let doc = { current: rec as ReleaseRecord | undefined, history: this.history };
      if (rec.outcome === 'succeeded') doc = { current: undefined, history: [historyEntry(rec, 'succeeded', now), ...this.history] };
      const text = serializeRecord(doc);
      for (let attempt = 1; ; attempt++) {
        try {
          const path = recordTest(this.lastRaw!).path;
          await this.client.patchGameServerSet(this.ns, this.name, [recordTest(this.lastRaw!), { op: 'replace', path, value: text }], useSignal ? this.signal : undefined);
          this.lastRaw = text;
          return;
        } catch (e) {
          if (!isRefusedTest(e) || attempt >= WRITE_ATTEMPTS) throw e;
          await this.adopt(useSignal);
        }
      }
    });
  }

  /**
   * A conditional spec write: GET, `build` decides ('done' when the effect is there, 'wait' when OKG has not
   * caught up with the current generation), the patch tests the record and whatever `build` tests.
   */
  private async gssWrite(build: (gss: RawObject) => JsonPatchOp[] | 'done' | 'wait'): Promise<RawObject> {
    for (let attempt = 1; ; attempt++) {
      // One attempt holds the write lock; waits happen outside it, so the lease keeps being renewed.
      const r = await this.serialise(async (): Promise<{ obj?: RawObject; wait?: number }> => {
        const raw = await this.client.getGameServerSet(this.ns, this.name, this.signal);
        if (rawRecord(raw) !== this.lastRaw) await this.adopt(true);
        const ops = build(raw);
        if (ops === 'done') return { obj: raw };
        if (ops === 'wait') return { wait: raw.metadata.generation ?? 0 };
        try {
          return { obj: await this.client.patchGameServerSet(this.ns, this.name, [recordTest(this.lastRaw!), ...ops], this.signal) };
        } catch (e) {
          if (!isRefusedTest(e) || attempt >= WRITE_ATTEMPTS) throw e;
          return {};
        }
      });
      if (r.obj) return r.obj;
      if (r.wait !== undefined) await this.waitObserved(r.wait);
    }
  }

  private waitObserved(generation: number): Promise<number> {
    return this.cache.waitFor(() => {
      const g = this.cache.gameServerSet(this.name);
      return g && g.observedGeneration >= generation ? g.observedGeneration : undefined;
    }, {
      timeoutMs: this.plan.input.timeoutMs, signal: this.signal,
      describeTimeout: () => `OKG has not applied generation ${generation} of ${this.name} within the timeout (observedGeneration ${this.cache.gameServerSet(this.name)?.observedGeneration ?? '?'}); is the kruise-game controller running?`,
    });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Steps

  private runStep(step: StepName): Promise<{ result: 'done' | 'already-done' | 'skipped'; message: string }> {
    switch (step) {
      case 'lock': return this.lock();
      case 'patch-image': return this.patchImage();
      case 'wait-generation': return this.waitGeneration();
      case 'scale': return this.scale();
      case 'wait-ready': return this.waitReady();
      case 'mark': return this.mark();
      case 'reclaim': return this.reclaim();
      case 'unlock': return this.unlock();
    }
  }

  private async lock(): Promise<{ result: 'done'; message: string }> {
    for (let attempt = 1; ; attempt++) {
      const raw = await this.client.getGameServerSet(this.ns, this.name, this.signal);
      const doc = parseRecord(rawRecord(raw));
      const now = Date.now();
      const state = leaseState(doc.current, this.holder, now);
      if (state === 'held') {
        const c = doc.current!;
        throw new ReleaseRefused(`GameServerSet ${this.name} is locked by release ${c.id} of ${describeHolder(c.holder)} (at step ${c.step}) until ${c.leaseExpiresAt}`, false);
      }
      const iso = new Date(now).toISOString();
      const lease = new Date(now + this.leaseMs).toISOString();
      let rec: ReleaseRecord;
      let history = doc.history;
      const prev = doc.current;
      if (prev && this.plan.resumes === prev.id && prev.outcome !== 'succeeded') {
        if (state === 'expired') this.emit({ type: 'warning', message: `took over release ${prev.id} from ${describeHolder(prev.holder)} (lease expired at ${prev.leaseExpiresAt})` });
        rec = { ...prev, holder: this.holder, leaseExpiresAt: lease, updatedAt: iso, step: 'lock' };
        delete rec.outcome; delete rec.message; delete rec.finishedAt;
      } else {
        if (prev && prev.outcome !== 'succeeded') history = [historyEntry(prev, 'superseded', now), ...history];
        const g = gameServerSetView(raw);
        const from = g.replicas;
        const to = this.plan.input.add !== undefined ? from + this.plan.input.add : this.plan.toReplicas;
        if (from !== this.plan.fromReplicas) this.emit({ type: 'warning', message: `${this.name} changed to ${from} replicas since the plan; scaling to ${to}` });
        rec = {
          id: newReleaseId(now), holder: this.holder, leaseExpiresAt: lease, startedAt: iso, updatedAt: iso, input: this.plan.input,
          baseline: { replicas: from, images: g.images, rooms: this.cache.rooms(this.name).map(r => r.name) },
          target: { replicas: to, ready: this.plan.ready }, step: 'lock', done: [],
        };
      }
      const text = serializeRecord({ current: rec, history });
      try {
        await this.client.patchGameServerSet(this.ns, this.name, recordPatch(raw, text), this.signal);
      } catch (e) {
        if (isRefusedTest(e) && attempt < WRITE_ATTEMPTS) continue;
        throw e;
      }
      this.rec = rec;
      this.history = history;
      this.lastRaw = text;
      this.heartbeat = setInterval(() => {
        this.saveRecord(() => undefined).catch((e: unknown) => {
          if (e instanceof LeaseLost) this.ac.abort(e);
        });
      }, Math.max(50, Math.floor(this.leaseMs / 3)));
      this.heartbeat.unref?.();
      return { result: 'done', message: `${rec.id} holds the lease until ${rec.leaseExpiresAt}${this.plan.resumes ? ` (resumed at ${prev?.step ?? 'lock'})` : ''}` };
    }
  }

  private async patchImage(): Promise<{ result: 'done' | 'already-done'; message: string }> {
    const baseline = this.rec!.baseline.images;
    const fix = this.plan.input.fixUpdateStrategy;
    let already = true;
    const patched = await this.gssWrite(raw => {
      const g = gameServerSetView(raw);
      const containers = templateContainers(raw);
      const ops: JsonPatchOp[] = [];
      const writes: JsonPatchOp[] = [];
      for (const c of this.images) {
        const i = containers.findIndex(x => x.name === c.container);
        if (i < 0) throw new Error(`container "${c.container}" is no longer in GameServerSet ${this.name}`);
        const cur = containers[i].image ?? '';
        if (sameImage(cur, c.image)) continue;
        const was = baseline.find(b => b.container === c.container)?.image;
        if (was !== undefined && !sameImage(cur, was)) throw new Error(`the image of container "${c.container}" changed to ${cur} since the release started; not overwritten`);
        const base = `/spec/gameServerTemplate/spec/containers/${i}`;
        ops.push({ op: 'test', path: `${base}/name`, value: c.container }, { op: 'test', path: `${base}/image`, value: cur });
        writes.push({ op: 'replace', path: `${base}/image`, value: c.image });
      }
      const fixNeeded = fix && !g.onDeleteInForce;
      if (fixNeeded) {
        ops.push({ op: 'test', path: '/spec/updateStrategy', value: raw.spec?.updateStrategy ?? null });
        writes.push({ op: 'replace', path: '/spec/updateStrategy', value: { type: 'OnDelete' } });
      } else if (!g.onDeleteInForce) {
        throw new Error(`OnDelete is no longer in force on ${this.name}; not patching the image`);
      }
      if (!writes.length) return 'done';
      if (g.observedGeneration < g.generation) return 'wait';
      already = false;
      // The controller has caught up with the current generation, and nothing else in the spec moved since.
      return [...ops, { op: 'test', path: '/metadata/generation', value: raw.metadata.generation },
        { op: 'test', path: '/status/observedGeneration', value: obsGen(raw) }, { op: 'test', path: '/spec/replicas', value: raw.spec?.replicas }, ...writes];
    });
    this.imageGeneration = patched.metadata.generation;
    return already ? { result: 'already-done', message: 'the template already has the new image' }
      : { result: 'done', message: `template images set (generation ${patched.metadata.generation})` };
  }

  private async waitGeneration(): Promise<{ result: 'done'; message: string }> {
    const gen = this.imageGeneration ?? (await this.client.getGameServerSet(this.ns, this.name, this.signal)).metadata.generation ?? 0;
    this.progress(`waiting for observedGeneration ≥ ${gen}`);
    await this.waitObserved(gen);
    return { result: 'done', message: `OKG applied generation ${gen}` };
  }

  private async scale(): Promise<{ result: 'done' | 'already-done'; message: string }> {
    const to = this.rec!.target.replicas;
    let from = -1;
    await this.gssWrite(raw => {
      const g = gameServerSetView(raw);
      if (g.replicas >= to) {
        if (g.replicas > to) this.emit({ type: 'warning', message: `${this.name} already has ${g.replicas} replicas (more than the ${to} planned); not scaling` });
        return 'done';
      }
      for (const c of this.images) {
        if (!g.images.some(x => x.container === c.container && sameImage(x.image, c.image))) {
          throw new Error(`the template of ${this.name} no longer has ${c.container}=${c.image}; not scaling (new rooms would get the wrong image)`);
        }
      }
      if (g.observedGeneration < g.generation) return 'wait';
      from = g.replicas;
      return [
        { op: 'test', path: '/metadata/generation', value: raw.metadata.generation },
        { op: 'test', path: '/status/observedGeneration', value: obsGen(raw) },
        { op: 'test', path: '/spec/replicas', value: raw.spec?.replicas },
        { op: 'replace', path: '/spec/replicas', value: to },
      ];
    });
    return from < 0 ? { result: 'already-done', message: `${this.name} already has ${to} replicas` } : { result: 'done', message: `${this.name} scaled from ${from} to ${to} replicas` };
  }

  private newReady(): RoomView[] {
    return this.cache.rooms(this.name).filter(r => !r.terminating && r.state === 'Ready' && isNewVersion(r, this.images));
  }

  private describeMissing(): string {
    const rooms = this.cache.rooms(this.name).filter(r => !r.terminating);
    const baseline = new Set(this.rec!.baseline.rooms);
    const problems: string[] = [];
    for (const r of rooms) {
      const isNew = isNewVersion(r, this.images);
      if (isNew && r.state === 'Ready') continue;
      if (isNew) problems.push(`${r.name} ${r.state || 'Creating'}`);
      else if (!baseline.has(r.name)) problems.push(`${r.name} was created with the old image`);
    }
    const g = this.cache.gameServerSet(this.name);
    const missing = this.rec!.target.replicas - rooms.length;
    if (missing > 0) problems.push(`${missing} room${missing === 1 ? '' : 's'} not created yet (${g?.currentReplicas ?? '?'} of ${g?.replicas ?? '?'} pods exist)`);
    return problems.join(', ') || 'no room is missing any more';
  }

  private async waitReady(): Promise<{ result: 'done'; message: string }> {
    const need = this.rec!.target.ready;
    let last = -1;
    const got = await this.cache.waitFor(() => {
      const n = this.newReady().length;
      if (n !== last) { last = n; this.progress(`${n} of ${need} new-version rooms Ready`, Math.min(n, need), need); }
      return n >= need ? n : undefined;
    }, {
      timeoutMs: this.plan.input.timeoutMs, signal: this.signal,
      describeTimeout: () => `only ${this.newReady().length} of ${need} new-version rooms are Ready after ${Math.round(this.plan.input.timeoutMs / 1000)} s: ${this.describeMissing()}`,
    });
    return { result: 'done', message: `${got} new-version room${got === 1 ? ' is' : 's are'} Ready` };
  }

  private emitRoom(step: StepName, from: string, to: string, r: BulkResult): void {
    this.emit({ type: 'room-changed', step, room: r.name, from, to, result: r.outcome, ...(r.reason ? { reason: r.reason } : {}) });
  }

  private async mark(): Promise<{ result: 'done' | 'skipped'; message: string }> {
    const inp = this.plan.input;
    if (!this.rec!.retire) {
      const retire = this.cache.rooms(this.name)
        .filter(r => !r.terminating && inp.retireOpsStates.includes(r.opsState) && !isNewVersion(r, this.images))
        .map(r => ({ name: r.name, uid: r.uid, opsState: r.opsState }));
      await this.saveRecord(r => { r.retire = retire; });
    }
    const retire = this.rec!.retire!;
    if (!retire.length) return { result: 'skipped', message: 'no idle old room to retire' };
    this.trackRetired(retire);
    const target = 'WaitToBeDeleted';
    const skipped: string[] = [];
    const rooms: RoomView[] = [];
    for (const e of retire) {
      const room = this.cache.room(e.name);
      let reason: string | undefined;
      if (!room || room.uid !== e.uid) reason = 'it is gone (or was re-created) since it was chosen';
      else if (room.terminating) reason = 'it is being deleted';
      else if (room.opsState !== e.opsState && room.opsState !== target) reason = `it is ${room.opsState} now (was ${e.opsState}); not overwritten`;
      if (reason) {
        skipped.push(e.name);
        this.emitRoom('mark', e.opsState, target, { name: e.name, outcome: 'skipped', reason });
      } else {
        rooms.push(room!);
      }
    }
    const seen = new Map(rooms.map(r => [r.name, r.opsState]));
    let done = 0;
    const results = await applyToRooms(this.client, rooms, { opsState: target }, {
      concurrency: this.ctx.concurrency ?? 16, signal: this.signal,
      onResult: r => {
        this.emitRoom('mark', seen.get(r.name) ?? '', target, r);
        this.progress(`${++done} of ${rooms.length} rooms written`, done, rooms.length);
      },
    });
    if (this.signal.aborted) throw this.signal.reason;
    const marked = results.filter(r => r.outcome === 'changed' || r.outcome === 'unchanged').map(r => r.name);
    skipped.push(...results.filter(r => r.outcome === 'skipped').map(r => r.name));
    const failed = results.filter(r => r.outcome === 'failed');
    if (!failed.length) await this.settleMarks(marked, new Map(retire.map(e => [e.name, e.opsState])), target);
    await this.saveRecord(r => { r.marked = marked; r.skipped = skipped; });
    if (failed.length) {
      throw new Error(`${failed.length} room${failed.length === 1 ? '' : 's'} could not be marked (${failed.map(f => `${f.name}: ${f.reason ?? 'failed'}`).join('; ')}); rerun to resume`);
    }
    return { result: 'done', message: `${marked.length} room${marked.length === 1 ? '' : 's'} marked ${target}${skipped.length ? `, ${skipped.length} skipped because they changed (${skipped.join(', ')})` : ''}` };
  }

  /**
   * Waits until OKG shows each mark on the pod too. OKG 1.0's GameServer controller can merge-patch a spec from its
   * stale cache right after our write (docs/controlplane.md, tier B), putting back the opsState the room had before
   * marking: such a room is marked again (still conditional), a few times at most. A room that turned anything else
   * (e.g. Allocated) is left alone.
   */
  private async settleMarks(marked: string[], before: Map<string, string>, target: string): Promise<void> {
    let todo = marked;
    if (todo.length) this.progress(`waiting for OKG to show the marks on the pods: ${todo.join(', ')}`);
    for (let round = 1; todo.length && round <= 5; round++) {
      const names = new Set(todo);
      const reverted = await this.cache.waitFor(() => {
        const rooms = this.cache.rooms(this.name).filter(r => names.has(r.name) && !r.terminating);
        // Not yet: the watch has not shown a mark, or OKG has not put it on the pod.
        if (rooms.some(r => !this.afterMark.has(r.name) || (r.opsState === target && r.podOpsState !== target))) return undefined;
        return rooms.filter(r => r.opsState === before.get(r.name) && this.changedAfterMark(r.name) === before.get(r.name));
      }, { timeoutMs: Math.min(this.plan.input.timeoutMs, 30_000), signal: this.signal, describeTimeout: () => 'OKG did not show the marks on the pods (label sync) in time' })
        .catch(e => { if (this.signal.aborted) throw e; return []; });
      if (!reverted.length) return;
      for (const r of reverted) this.afterMark.delete(r.name); // our own mark again: follow it afresh
      this.progress(`${reverted.map(r => r.name).join(', ')} show ${reverted[0].opsState} again (OKG wrote back a stale opsState); marking again`);
      await new Promise(r => setTimeout(r, 200 * round));
      const results = await applyToRooms(this.client, reverted, { opsState: target }, { concurrency: this.ctx.concurrency ?? 16, signal: this.signal });
      todo = results.filter(r => r.outcome === 'changed').map(r => r.name);
    }
  }

  /** Follows the retired rooms through the watch from marking on (see `afterMark`). */
  private trackRetired(retire: { name: string; uid: string }[]): void {
    if (this.stopTracking) return;
    const uids = new Map(retire.map(e => [e.name, e.uid]));
    const marks = ['WaitToBeDeleted', 'Kill'];
    const check = (name: string): void => {
      const r = this.cache.room(name);
      if (!r || r.uid !== uids.get(name) || r.terminating) return;
      const was = this.afterMark.get(name);
      if (marks.includes(r.opsState)) { if (was === undefined) this.afterMark.set(name, 'marked'); } else if (was === 'marked') this.afterMark.set(name, r.opsState);
    };
    for (const n of uids.keys()) check(n);
    this.stopTracking = this.cache.onChange(e => { if (e.kind === 'gameservers' && uids.has(e.name)) check(e.name); });
  }

  /** Rooms that changed after marking (e.g. were Allocated) but show a mark again now: somebody wrote it back. */
  private warnChangedAfterMark(): void {
    const back = [...this.afterMark.keys()].filter(n => this.changedAfterMark(n) && ['WaitToBeDeleted', 'Kill'].includes(this.cache.room(n)?.opsState ?? ''));
    if (!back.length) return;
    this.emit({
      type: 'warning',
      message: `${back.map(n => `${n} (was ${this.changedAfterMark(n)} after marking, now ${this.cache.room(n)?.opsState})`).join(', ')}: marked again by someone else — OKG 1.0 can write a stale opsState back. Not reclaimed by this release; check for players before lowering replicas`,
    });
  }

  /** The opsState a retired room was seen with after it had been marked, if it changed since (e.g. 'Allocated'). */
  private changedAfterMark(name: string): string | undefined {
    const v = this.afterMark.get(name);
    return v && v !== 'marked' ? v : undefined;
  }

  private async reclaim(): Promise<{ result: 'done' | 'skipped'; message: string }> {
    const mode = this.plan.input.reclaim;
    if (this.rec?.retire?.length) this.trackRetired(this.rec.retire); // a resumed run starts following them here
    if (mode === 'none') return { result: 'skipped', message: 'reclaim none: marked rooms stay until replicas are lowered' };
    const marked = this.rec!.marked ?? [];
    if (!marked.length && !this.rec!.reclaim) return { result: 'skipped', message: 'nothing was marked, nothing to reclaim' };
    return mode === 'kill' ? this.reclaimKill(marked) : this.reclaimScaleDown(marked);
  }

  /** Rooms whose pod label could make OKG pick them ahead of idle rooms, but whose label does not match the GS yet. */
  private unsynced(names: Set<string>): RoomView[] {
    return this.cache.rooms(this.name).filter(r => !r.terminating && r.podOpsState !== undefined
      && (names.has(r.name) || ['WaitToBeDeleted', 'Kill'].includes(r.podOpsState) || ['WaitToBeDeleted', 'Kill'].includes(r.opsState))
      && r.podOpsState !== r.opsState);
  }

  /**
   * Waits until OKG has removed `names`, and has as many rooms as replicas. A room whose opsState is no longer one of
   * `marks` (a matchmaker allocated it after it was planned for removal: pitfall 4, a window no client can close)
   * stays, and OKG removes the next room in its order instead. Returns the planned rooms that stayed.
   */
  private async waitReclaimed(names: string[], marks: readonly string[], what: string): Promise<{ kept: string[]; lost: string[] }> {
    if (!names.length) return { kept: [], lost: [] };
    const planned = new Set(names);
    const ours = (r: RoomView) => planned.has(r.name) && !!this.rec!.retire?.some(e => e.uid === r.uid);
    const changed = new Map<string, string>(); // planned rooms last seen with another opsState (e.g. Allocated)
    await this.cache.waitFor(() => {
      const rooms = this.cache.rooms(this.name);
      for (const r of rooms) if (ours(r) && !marks.includes(r.opsState)) changed.set(r.name, r.opsState);
      // Wait for planned rooms still marked, and for terminating ones until they are gone (so a change made to a
      // room while OKG removes it is seen, and reported, before the room disappears).
      const left = rooms.filter(r => ours(r) && (marks.includes(r.opsState) || r.terminating));
      const g = this.cache.gameServerSet(this.name);
      const live = rooms.filter(r => !r.terminating).length;
      return left.length === 0 && g && g.observedGeneration >= g.generation && live <= g.replicas ? true : undefined;
    }, {
      timeoutMs: this.plan.input.timeoutMs, signal: this.signal,
      describeTimeout: () => `${what} are not all gone within the timeout (left: ${this.cache.rooms(this.name).filter(ours).map(r => `${r.name} ${r.state}`).join(', ') || 'none'})`,
    });
    const kept = this.cache.rooms(this.name).filter(r => ours(r) && !r.terminating).map(r => r.name);
    // Changed after the plan and removed anyway: OKG ranked it by a pod label that still showed the mark (§8.5).
    const lost = [...changed.keys()].filter(n => !kept.includes(n)).map(n => `${n} (${changed.get(n)})`);
    return { kept, lost };
  }

  /** The warning when planned rooms stayed (changed after the plan) or OKG removed others. */
  private reportReclaim(mark: string, planned: string[], { kept, lost }: { kept: string[]; lost: string[] }, before: Set<string>): void {
    const removed = [...before].filter(n => (!this.cache.room(n) || this.cache.room(n)!.terminating) && !planned.includes(n));
    if (lost.length) {
      this.emit({ type: 'warning', message: `OKG removed ${lost.join(', ')} although ${lost.length === 1 ? 'it' : 'they'} changed after ${mark === 'Kill' ? 'Kill was set' : 'replicas were lowered'}: its pod label still showed ${mark} (OKG's label sync lag; no client can close this window)` });
    }
    if (kept.length) {
      const now = kept.map(n => `${n} (${this.cache.room(n)?.opsState ?? 'gone'})`).join(', ');
      for (const n of kept) this.emitRoom('reclaim', mark, this.cache.room(n)?.opsState ?? '', { name: n, outcome: 'skipped', reason: 'it changed after it was planned for removal (a matchmaker?); kept' });
      this.emit({ type: 'warning', message: `kept ${now}: changed after ${mark === 'Kill' ? 'Kill was set' : 'replicas were lowered'}${removed.length ? `; OKG removed ${removed.join(', ')} in their place` : ''}` });
    } else if (removed.length) {
      this.emit({ type: 'warning', message: `OKG also removed ${removed.join(', ')} (they were ranked ahead of the marked rooms)` });
    }
  }

  private async reclaimScaleDown(marked: string[]): Promise<{ result: 'done'; message: string }> {
    let plan = this.rec!.reclaim;
    if (!plan) {
      const names = new Set(marked);
      const uids = new Map((this.rec!.retire ?? []).map(e => [e.name, e.uid]));
      const sel = `${LABEL_OWNER_GSS}=${this.name}`;
      let confirmed: string[] = [];
      let notMarked: string[] = [];
      for (let round = 1; ; round++) {
        // §8.5: OKG's scale-down reads pod labels; wait until they show what the GameServers say.
        let last = -1;
        await this.cache.waitFor(() => {
          const lag = this.unsynced(names);
          if (lag.length !== last) { last = lag.length; this.progress(`waiting for pod labels: ${lag.length ? lag.map(r => `${r.name} (${r.podOpsState} → ${r.opsState})`).join(', ') : 'all in sync'}`); }
          return lag.length === 0 ? true : undefined;
        }, {
          timeoutMs: this.plan.input.timeoutMs, signal: this.signal,
          describeTimeout: () => `the pod labels of ${this.unsynced(names).map(r => r.name).join(', ')} still do not show their opsState (OKG label sync lag); replicas were not lowered`,
        });
        // Re-check from the server just before lowering: only rooms marked in spec AND label, not terminating.
        const [gsList, podList] = await Promise.all([this.client.listGameServers(this.ns, sel, this.signal), this.client.listPods(this.ns, sel, this.signal)]);
        const pods = new Map(podList.map(p => [p.metadata.name, p]));
        confirmed = [];
        notMarked = [];
        let lagging = false;
        for (const gs of gsList) {
          const n = gs.metadata.name;
          const pod = pods.get(n);
          const spec = String(gs.spec?.opsState ?? 'None');
          const label = pod?.metadata.labels?.[LABEL_POD_OPS_STATE];
          const ranked = (v: string | undefined) => v === 'WaitToBeDeleted' || v === 'Kill';
          if (pod && !pod.metadata.deletionTimestamp && (ranked(spec) || ranked(label)) && spec !== label) lagging = true;
          if (!names.has(n) || gs.metadata.uid !== uids.get(n)) continue;
          const changed = this.changedAfterMark(n);
          if (changed) notMarked.push(`${n} (${spec}; was ${changed} after marking)`);
          else if (spec === 'WaitToBeDeleted' && label === 'WaitToBeDeleted' && pod && !pod.metadata.deletionTimestamp) confirmed.push(n);
          else notMarked.push(`${n} (${spec})`);
        }
        if (!lagging) {
          // OKG removes the first rooms of its own order (pod labels, §6), not ours: lower replicas only by the
          // confirmed rooms at the head of that order. A room ranked ahead that is not confirmed (e.g. one that was
          // Allocated after marking and shows WaitToBeDeleted again: OKG 1.0 can write a stale opsState back) would
          // otherwise be removed in place of an idle one.
          const order = scaleDownOrder(podList.filter(p => !p.metadata.deletionTimestamp).map(p => ({
            name: p.metadata.name, opsState: p.metadata.labels?.[LABEL_POD_OPS_STATE] ?? 'None',
            deletionPriority: p.metadata.labels?.[LABEL_POD_DELETE_PRIORITY] ?? '0', ordinal: ordinalOf(p.metadata.name),
          })));
          const ok = new Set(confirmed);
          let head = 0;
          while (head < order.length && ok.has(order[head].name)) head++;
          if (head < confirmed.length) {
            const blocker = order[head];
            const held = confirmed.filter(n => !order.slice(0, head).some(o => o.name === n));
            const why = this.changedAfterMark(blocker.name) ? `; was ${this.changedAfterMark(blocker.name)} after marking` : '';
            this.emit({ type: 'warning', message: `kept ${held.map(n => `${n} (WaitToBeDeleted)`).join(', ')}: OKG would remove ${blocker.name} (${blocker.opsState}${why}) before ${held.length === 1 ? 'it' : 'them'}, so replicas are lowered only by ${head}` });
            confirmed = order.slice(0, head).map(o => o.name);
          }
          break;
        }
        if (round >= 20) throw new Error('pod labels keep changing under the release (a busy allocator?); replicas were not lowered — rerun to retry');
        this.progress('a room changed just before reclaim; waiting for its pod label again');
      }
      if (notMarked.length) this.emit({ type: 'warning', message: `not reclaimed because they changed after marking: ${notMarked.join(', ')}` });
      const g = gameServerSetView(await this.client.getGameServerSet(this.ns, this.name, this.signal));
      plan = { from: g.replicas, to: g.replicas - confirmed.length, rooms: confirmed };
      if (!confirmed.length) {
        await this.saveRecord(r => { r.reclaimed = 0; });
        return { result: 'done', message: 'no marked room is still WaitToBeDeleted; replicas unchanged' };
      }
      const p = plan;
      await this.saveRecord(r => { r.reclaim = p; });
    }
    const p = plan;
    let wrote = false;
    await this.gssWrite(raw => {
      const g = gameServerSetView(raw);
      if (g.replicas === p.to) return 'done';
      if (g.replicas !== p.from) throw new Error(`${this.name} has ${g.replicas} replicas, not the ${p.from} seen before reclaim; not lowering (rerun to re-plan)`);
      if (g.observedGeneration < g.generation) return 'wait';
      wrote = true;
      return [
        { op: 'test', path: '/metadata/generation', value: raw.metadata.generation },
        { op: 'test', path: '/status/observedGeneration', value: obsGen(raw) },
        { op: 'test', path: '/spec/replicas', value: p.from },
        { op: 'replace', path: '/spec/replicas', value: p.to },
      ];
    });
    this.progress(`replicas ${p.from} → ${p.to}; waiting for ${p.rooms.join(', ')} to go`);
    const before = new Set(this.cache.rooms(this.name).map(r => r.name));
    const outcome = await this.waitReclaimed(p.rooms, ['WaitToBeDeleted'], 'the reclaimed rooms');
    this.reportReclaim('WaitToBeDeleted', p.rooms, outcome, before);
    const kept = outcome.kept;
    const gone = p.rooms.length - kept.length;
    await this.saveRecord(r => { r.reclaimed = gone; });
    return { result: 'done', message: `${wrote ? 'lowered' : 'found'} replicas ${p.from} → ${p.to}; ${gone} marked room${gone === 1 ? '' : 's'} removed${kept.length ? `, ${kept.length} kept (changed after the plan)` : ''}` };
  }

  private async reclaimKill(marked: string[]): Promise<{ result: 'done'; message: string }> {
    const uids = new Map((this.rec!.retire ?? []).map(e => [e.name, e.uid]));
    const rooms = marked.map(n => this.cache.room(n)).filter((r): r is RoomView => !!r && r.uid === uids.get(r.name) && !r.terminating
      && (r.opsState === 'WaitToBeDeleted' || r.opsState === 'Kill') && !this.changedAfterMark(r.name));
    for (const n of marked) {
      const r = this.cache.room(n);
      const changed = this.changedAfterMark(n);
      if (r && r.uid === uids.get(n) && !rooms.includes(r)) this.emitRoom('reclaim', r.opsState, 'Kill', { name: n, outcome: 'skipped', reason: changed ? `it was ${changed} after it was marked; not killed` : `it is ${r.opsState} now; not killed` });
    }
    const before = new Set(this.cache.rooms(this.name).map(r => r.name));
    const killed: string[] = [];
    let kept: string[] = [];
    let lost: string[] = [];
    let todo = rooms;
    for (let round = 1; todo.length; round++) {
      const results = await applyToRooms(this.client, todo, { opsState: 'Kill' }, {
        concurrency: this.ctx.concurrency ?? 16, signal: this.signal,
        onResult: r => this.emitRoom('reclaim', 'WaitToBeDeleted', 'Kill', r),
      });
      if (this.signal.aborted) throw this.signal.reason;
      const failed = results.filter(r => r.outcome === 'failed');
      if (failed.length) throw new Error(`${failed.length} room(s) could not be set to Kill (${failed.map(f => `${f.name}: ${f.reason ?? 'failed'}`).join('; ')}); rerun to resume`);
      const now = results.filter(r => r.outcome === 'changed' || r.outcome === 'unchanged').map(r => r.name);
      for (const n of now) if (!killed.includes(n)) killed.push(n);
      this.progress(`waiting for OKG to remove ${now.join(', ') || 'nothing'}`);
      const outcome = await this.waitReclaimed(killed, ['Kill'], 'the killed rooms');
      lost = outcome.lost;
      // OKG 1.0 can merge-patch a stale WaitToBeDeleted over our Kill: set Kill again (still conditional) on those.
      const reverted = outcome.kept.map(n => this.cache.room(n)).filter((r): r is RoomView => !!r && r.opsState === 'WaitToBeDeleted' && !this.changedAfterMark(r.name));
      kept = outcome.kept.filter(n => !reverted.some(r => r.name === n));
      if (reverted.length) this.progress(`${reverted.map(r => r.name).join(', ')} show WaitToBeDeleted again (OKG wrote back a stale opsState); setting Kill again`);
      todo = round < 5 ? reverted : [];
      if (todo.length) await new Promise(r => setTimeout(r, 250 * round)); // let OKG's cache catch up first
      if (round >= 5) kept.push(...reverted.map(r => r.name));
    }
    // On a resumed run, rooms killed before the interruption are already gone.
    const goneBefore = this.rec!.done.includes('mark') && this.plan.resumes ? marked.filter(n => this.cache.room(n)?.uid !== uids.get(n)) : [];
    this.reportReclaim('Kill', killed, { kept, lost }, before);
    const gone = killed.length - kept.length + goneBefore.length;
    await this.saveRecord(r => { r.reclaimed = gone; });
    return { result: 'done', message: `${gone} room${gone === 1 ? '' : 's'} killed; OKG lowered replicas itself${kept.length ? `; ${kept.length} kept (changed after Kill was set)` : ''}` };
  }

  private async unlock(): Promise<{ result: 'done'; message: string }> {
    clearInterval(this.heartbeat);
    await this.saveRecord(r => {
      r.step = 'unlock';
      r.outcome = 'succeeded';
      r.finishedAt = new Date().toISOString();
      r.leaseExpiresAt = r.finishedAt;
    });
    return { result: 'done', message: 'outcome recorded; lease released' };
  }
}
