// The lease and record as one run writes them: claiming the record, renewing the lease, saving progress, and
// every spec write to the GameServerSet. Each write is a JSON Patch whose first op tests the record text this
// run wrote last (so only the lease holder writes), and writes are serialised so those tests chain.
import type { JsonPatchOp, OkgClient } from '../cluster/client.js';
import { ClusterError } from '../cluster/errors.js';
import type { RawObject } from '../cluster/okg.js';
import {
  describeHolder,
  historyEntry,
  isFinished,
  parseRecord,
  rawRecord,
  recordPatch,
  recordTest,
  serializeRecord,
  type HistoryEntry,
  type Holder,
  type ReleaseRecord,
} from './record.js';

/** The lease was taken over by someone else (our lease had expired). */
export class LeaseLost extends Error {}

/** Conditional writes refused this often in a row give up (each refusal re-reads first). */
export const WRITE_ATTEMPTS = 8;

/** A refused `test` op (422) or a conflict (409): what we tested changed, re-read and decide again. */
export const isRefusedTest = (e: unknown): boolean =>
  e instanceof ClusterError && (e.kind === 'invalid' || e.kind === 'conflict');

export interface LeaseOptions {
  client: OkgClient;
  namespace: string;
  gameServerSet: string;
  holder: Holder;
  leaseMs: number;
  /** The run's signal: writes stop when it aborts (the final outcome is written without it). */
  signal: AbortSignal;
  /** Called when a renewal finds the lease taken over. */
  onLost: (e: LeaseLost) => void;
  /** Waits until OKG has observed `generation` (spec writes wait for it outside the write lock). */
  waitObserved: (generation: number) => Promise<unknown>;
}

export class ReleaseLease {
  /** The record while this run holds it (set by `claim`). */
  rec?: ReleaseRecord;
  private history: HistoryEntry[] = [];
  /** The record annotation as last written by us: every GSS write tests it. */
  private lastRaw?: string;
  private serial: Promise<unknown> = Promise.resolve();
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly o: LeaseOptions) {}

  /**
   * Writes `rec` (with `history`) over the record seen in `raw`, conditional on that record (or on resourceVersion
   * when there was none) and on `tests`. Throws the API's error; `isRefusedTest` tells a lost race. On success
   * this run holds the lease and renews it every third of its length.
   */
  async claim(raw: RawObject, rec: ReleaseRecord, history: HistoryEntry[], tests: JsonPatchOp[] = []): Promise<void> {
    const text = serializeRecord({ current: rec, history });
    await this.o.client.patchGameServerSet(
      this.o.namespace,
      this.o.gameServerSet,
      [...tests, ...recordPatch(raw, text)],
      this.o.signal,
    );
    this.rec = rec;
    this.history = history;
    this.lastRaw = text;
    this.heartbeat = setInterval(
      () => {
        this.save(() => undefined).catch((e: unknown) => {
          if (e instanceof LeaseLost) this.o.onLost(e);
        });
      },
      Math.max(50, Math.floor(this.o.leaseMs / 3)),
    );
    this.heartbeat.unref?.();
  }

  stopRenewing(): void {
    clearInterval(this.heartbeat);
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.serial.then(fn, fn);
    this.serial = next.catch(() => undefined);
    return next;
  }

  /** Re-reads after a refused write: still our record? then adopt its text; else the lease is lost. */
  private async adopt(useSignal: boolean): Promise<RawObject> {
    const raw = await this.o.client.getGameServerSet(
      this.o.namespace,
      this.o.gameServerSet,
      useSignal ? this.o.signal : undefined,
    );
    const doc = parseRecord(rawRecord(raw));
    if (!doc.current || doc.current.id !== this.rec?.id || doc.current.holder.id !== this.o.holder.id) {
      const who = doc.current
        ? `release ${doc.current.id} of ${describeHolder(doc.current.holder)}`
        : 'someone who removed the record';
      throw new LeaseLost(`the lease on ${this.o.gameServerSet} was taken over by ${who}`);
    }
    this.lastRaw = rawRecord(raw);
    return raw;
  }

  /** Updates the record with a conditional patch (test on the text we wrote last); renews the lease unless finished. */
  save(mutate: (r: ReleaseRecord) => void, useSignal = true): Promise<void> {
    return this.serialise(async () => {
      const rec = this.rec!;
      mutate(rec);
      const now = Date.now();
      rec.updatedAt = new Date(now).toISOString();
      if (!rec.outcome) rec.leaseExpiresAt = new Date(now + this.o.leaseMs).toISOString();
      let doc = { current: rec as ReleaseRecord | undefined, history: this.history };
      if (isFinished(rec.outcome))
        doc = { current: undefined, history: [historyEntry(rec, rec.outcome!, now), ...this.history] };
      const text = serializeRecord(doc);
      for (let attempt = 1; ; attempt++) {
        try {
          const path = recordTest(this.lastRaw!).path;
          await this.o.client.patchGameServerSet(
            this.o.namespace,
            this.o.gameServerSet,
            [recordTest(this.lastRaw!), { op: 'replace', path, value: text }],
            useSignal ? this.o.signal : undefined,
          );
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
  async gssWrite(build: (gss: RawObject) => JsonPatchOp[] | 'done' | 'wait'): Promise<RawObject> {
    const { client, namespace: ns, gameServerSet: name, signal } = this.o;
    for (let attempt = 1; ; attempt++) {
      // One attempt holds the write lock; waits happen outside it, so the lease keeps being renewed.
      const r = await this.serialise(async (): Promise<{ obj?: RawObject; wait?: number }> => {
        const raw = await client.getGameServerSet(ns, name, signal);
        if (rawRecord(raw) !== this.lastRaw) await this.adopt(true);
        const ops = build(raw);
        if (ops === 'done') return { obj: raw };
        if (ops === 'wait') return { wait: raw.metadata.generation ?? 0 };
        try {
          return { obj: await client.patchGameServerSet(ns, name, [recordTest(this.lastRaw!), ...ops], signal) };
        } catch (e) {
          if (!isRefusedTest(e) || attempt >= WRITE_ATTEMPTS) throw e;
          return {};
        }
      });
      if (r.obj) return r.obj;
      if (r.wait !== undefined) await this.o.waitObserved(r.wait);
    }
  }
}

/** status.observedGeneration of a raw GameServerSet (0 before the controller's first sync). */
export function obsGen(gss: RawObject): number {
  return Number((gss.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0);
}

/** Test ops: OKG has caught up with the generation read, and replicas is still `replicas` (guards every spec write). */
export function caughtUpTests(gss: RawObject, replicas: unknown): JsonPatchOp[] {
  return [
    { op: 'test', path: '/metadata/generation', value: gss.metadata.generation },
    { op: 'test', path: '/status/observedGeneration', value: obsGen(gss) },
    { op: 'test', path: '/spec/replicas', value: replicas },
  ];
}
