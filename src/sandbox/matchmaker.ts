// A sandbox matchmaker: allocates rooms (spec.opsState Allocated, unconditional merge patches, as
// open-match-director and most hand-written allocators do) from a view of the rooms that is deliberately old —
// a watch whose events it applies `viewLagMs` late, or a list re-read every `relistMs`. It records every allocation
// (room, uid, when, how old its view was), so a test or the bench can tell which rooms with players a release removed.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { GAME_GROUP, GAME_VERSION, LABEL_OWNER_GSS, PLURAL_GS } from './okg/constants.js';
import { KubeClient, isNotFound, plain, statusCode } from './okg/kube.js';
import { ordinalOf } from './okg/scale.js';

export interface MatchmakerOptions {
  namespace: string;
  /** Only rooms of this GameServerSet (owner-gss label); default every room of the namespace. */
  gameServerSet?: string;
  /** The view shows the rooms as they were this long ago (watch events applied this late; lists too). Default 500. */
  viewLagMs?: number;
  /** Instead of a watch, re-list the rooms every this many ms (the view is then up to relistMs + viewLagMs old). */
  relistMs?: number;
  /** At most one allocation per this many ms. Default 100. */
  intervalMs?: number;
  /** Stop after this many allocations. Default 5. */
  maxAllocations?: number;
  /** Stop allocating this long after `begin()`. Default 10 s. */
  durationMs?: number;
  /** Which believed-free room to take: lowest ordinal first (default, as a list in name order gives), or random. */
  pick?: 'lowest' | 'random';
  /** Seed of the random pick (default 1), so a run can be repeated. */
  seed?: number;
  /** Build the view but allocate only after `begin()` (default: allocate at once). */
  paused?: boolean;
  log?: (message: string) => void;
}

/** One Allocated write the API server accepted. */
export interface Allocation {
  name: string;
  /** The GameServer the write landed on (from the server's answer). */
  uid: string;
  /** Date.now() when the write was sent and when the server answered. */
  sentAt: number;
  at: number;
  /** How old the view was that said the room was None and Ready. */
  viewAgeMs: number;
  /** The room's resourceVersion after the write. */
  resourceVersion?: string;
}

/** A write that did not land (the room was gone, or the server refused). */
export interface Miss {
  name: string;
  at: number;
  code?: number;
  reason: string;
}

export interface Matchmaker {
  readonly allocations: readonly Allocation[];
  readonly misses: readonly Miss[];
  /** The rooms as the matchmaker sees them now (its old view), lowest ordinal first. */
  view(): RoomSeen[];
  /** Starts allocating (for a matchmaker made with `paused`); the duration bound counts from here. */
  begin(): void;
  /** Resolves when it stopped allocating: bounds reached or `stop()`. */
  readonly finished: Promise<void>;
  stop(): Promise<void>;
}

/** A room as the matchmaker's view shows it. */
export interface RoomSeen {
  name: string;
  uid: string;
  opsState: string;
  state: string;
  terminating: boolean;
}
type Seen = RoomSeen;

const byOrdinal = (a: Seen, b: Seen): number => ordinalOf(a.name) - ordinalOf(b.name) || a.name.localeCompare(b.name);

type GameServerLike = KubernetesObject & { spec?: { opsState?: string }; status?: { currentState?: string } };

function seen(o: GameServerLike): Seen {
  return {
    name: o.metadata?.name ?? '',
    uid: o.metadata?.uid ?? '',
    opsState: o.spec?.opsState ?? 'None',
    state: o.status?.currentState ?? '',
    terminating: !!o.metadata?.deletionTimestamp,
  };
}

/** Deterministic PRNG (mulberry32) for the random pick. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The allocations whose GameServer (same uid) is no longer among `rooms`: rooms with players that were removed. */
export function deletedAllocations(
  allocations: readonly Allocation[],
  rooms: Iterable<{ name: string; uid: string }>,
): Allocation[] {
  const uids = new Set([...rooms].map(r => r.uid));
  return allocations.filter(a => !uids.has(a.uid));
}

/** Starts a matchmaker; resolves once its first view is in place (after `viewLagMs`). */
export async function startMatchmaker(kc: KubeConfig, opts: MatchmakerOptions): Promise<Matchmaker> {
  const m = new StaleMatchmaker(kc, opts);
  await m.start();
  return m;
}

class StaleMatchmaker implements Matchmaker {
  readonly allocations: Allocation[] = [];
  readonly misses: Miss[] = [];
  readonly finished: Promise<void>;
  private readonly client: KubeClient;
  private readonly lagMs: number;
  private readonly random: () => number;
  /** The view: name → room as seen `lagMs` ago. */
  private readonly seenRooms = new Map<string, Seen>();
  /** Relist mode: when the list the view shows was taken (Date.now()). */
  private listedAt = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly taken = new Set<string>(); // uids this matchmaker allocated (it does not allocate a room twice)
  private stopInformer?: () => Promise<void>;
  private loop?: NodeJS.Timeout;
  private begun = false;
  private stopped = false;
  private deadline = 0;
  private writing = false;
  private finish: () => void = () => undefined;

  constructor(
    kc: KubeConfig,
    private readonly opts: MatchmakerOptions,
  ) {
    this.client = new KubeClient(kc);
    this.lagMs = opts.viewLagMs ?? 500;
    this.random = rng(opts.seed ?? 1);
    this.finished = new Promise(r => {
      this.finish = r;
    });
  }

  private mine(o: GameServerLike): boolean {
    if (o.metadata?.namespace !== this.opts.namespace) return false;
    return !this.opts.gameServerSet || o.metadata?.labels?.[LABEL_OWNER_GSS] === this.opts.gameServerSet;
  }

  /** Runs `fn` `lagMs` from now: what the matchmaker learns now, it acts on that much later. */
  private later(fn: () => void): void {
    if (this.lagMs <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, this.lagMs);
    this.timers.add(t);
  }

  async start(): Promise<void> {
    if (this.opts.relistMs) {
      await this.relist();
      const t = setInterval(() => {
        void this.relist();
      }, this.opts.relistMs);
      this.stopInformer = async () => {
        clearInterval(t);
      };
    } else {
      const inf = this.client.informer<GameServerLike>(PLURAL_GS);
      const apply = (o: GameServerLike, deleted: boolean) => {
        if (!this.mine(o)) return;
        const s = seen(plain<GameServerLike>(o));
        this.later(() => {
          if (deleted) this.seenRooms.delete(s.name);
          else this.seenRooms.set(s.name, s);
        });
      };
      inf.on('add', o => apply(o, false));
      inf.on('update', o => apply(o, false));
      inf.on('delete', o => apply(o, true));
      inf.on('error', (err: unknown) => {
        if (this.stopped) return;
        this.log(`watch failed (${String(err)}); restarting`);
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!this.stopped) void inf.start().catch(() => undefined);
        }, 200);
        this.timers.add(t);
      });
      await inf.start();
      this.stopInformer = () => inf.stop();
    }
    await new Promise(r => setTimeout(r, this.lagMs));
    if (!this.opts.paused) this.begin();
  }

  private async relist(): Promise<void> {
    const at = Date.now();
    try {
      const selector = this.opts.gameServerSet ? `${LABEL_OWNER_GSS}=${this.opts.gameServerSet}` : undefined;
      const list = plain<{ items: GameServerLike[] }>(
        await this.client.custom.listNamespacedCustomObject({
          group: GAME_GROUP,
          version: GAME_VERSION,
          namespace: this.opts.namespace,
          plural: PLURAL_GS,
          ...(selector ? { labelSelector: selector } : {}),
        }),
      );
      const rooms = list.items.filter(o => this.mine(o)).map(seen);
      this.later(() => {
        this.seenRooms.clear();
        for (const s of rooms) this.seenRooms.set(s.name, s);
        this.listedAt = at;
      });
    } catch (e) {
      if (!this.stopped) this.log(`list failed: ${String(e)}`);
    }
  }

  view(): RoomSeen[] {
    return [...this.seenRooms.values()].map(r => ({ ...r })).sort(byOrdinal);
  }

  begin(): void {
    if (this.begun || this.stopped) return;
    this.begun = true;
    this.deadline = Date.now() + (this.opts.durationMs ?? 10_000);
    this.loop = setInterval(() => {
      void this.tick();
    }, this.opts.intervalMs ?? 100);
    void this.tick();
  }

  private done(): void {
    clearInterval(this.loop);
    this.loop = undefined;
    this.finish();
  }

  /** The rooms the view says are free (None and Ready), in the order the matchmaker takes them. */
  private candidates(): Seen[] {
    const free = [...this.seenRooms.values()].filter(
      r => r.opsState === 'None' && r.state === 'Ready' && !r.terminating && !this.taken.has(r.uid),
    );
    free.sort(byOrdinal);
    if (this.opts.pick === 'random' && free.length) return [free[Math.floor(this.random() * free.length)]];
    return free;
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.writing) return;
    if (this.allocations.length >= (this.opts.maxAllocations ?? 5) || Date.now() >= this.deadline) {
      this.done();
      return;
    }
    const room = this.candidates()[0];
    if (!room) return;
    this.writing = true;
    this.taken.add(room.uid);
    const sentAt = Date.now();
    // A watch applied lagMs late shows the rooms as they were lagMs ago; a list, as they were when it was taken.
    const viewAgeMs = this.opts.relistMs ? sentAt - this.listedAt : this.lagMs;
    try {
      // No resourceVersion, no test: the write lands on whatever the room is now (that is the point).
      const gs = await this.client.patchReturning<GameServerLike>(
        PLURAL_GS,
        this.opts.namespace,
        room.name,
        { spec: { opsState: 'Allocated' } },
        { type: 'merge' },
      );
      this.allocations.push({
        name: room.name,
        uid: gs.metadata?.uid ?? '',
        sentAt,
        at: Date.now(),
        viewAgeMs,
        resourceVersion: gs.metadata?.resourceVersion,
      });
      this.log(`allocated ${room.name} (view ${viewAgeMs} ms old)`);
    } catch (e) {
      const code = statusCode(e);
      this.misses.push({
        name: room.name,
        at: Date.now(),
        ...(code !== undefined ? { code } : {}),
        reason: isNotFound(e) ? 'gone' : String((e as Error).message ?? e),
      });
    } finally {
      this.writing = false;
    }
  }

  private log(message: string): void {
    this.opts.log?.(`[matchmaker] ${message}`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.done();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.stopInformer?.().catch(() => undefined);
    // let a write in flight finish, so the record is complete
    for (let i = 0; this.writing && i < 200; i++) await new Promise(r => setTimeout(r, 10));
    this.client.close();
  }
}
