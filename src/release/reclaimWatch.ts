// What the release sees of the rooms while it reclaims: every room's last-known state from every watch event (not
// from snapshots, so a room Allocated and then removed between two checks is still known as Allocated), the rooms
// removed since reclaim began, and when OKG is at rest — nothing left that it may still remove on the strength of a
// pod label it has already read. A release may end only then (reclaimOutcome.ts), or it would report success while
// OKG is about to remove a room a matchmaker has just allocated (issue 13 §6).
import type { NamespaceCache } from '../cluster/cache.js';
import type { RoomView } from '../cluster/okg.js';
import type { ReleaseRun } from './run.js';

const MARKS = ['WaitToBeDeleted', 'Kill'];

/**
 * A live room OKG may still act on: on its way out by Kill, or with a pod label that does not show its GameServer's
 * mark (or shows a mark its GameServer no longer has). OKG's GameServer controller can write a label from a stale
 * read (Kill after a matchmaker's Allocated) that its GameServerSet controller then acts on.
 */
function unsettled(r: RoomView): boolean {
  if (r.opsState === 'Kill' || r.podOpsState === 'Kill') return true;
  const marked = MARKS.includes(r.opsState) || MARKS.includes(r.podOpsState ?? '');
  return marked && r.podOpsState !== undefined && r.podOpsState !== r.opsState;
}

/**
 * Whether resourceVersion `a` is at least `b`. They are opaque, but every API server we know of (and the sandbox)
 * uses etcd revisions: compared as integers when both are, so a re-list that skips the exact version still counts.
 */
function atLeast(a: string, b: string): boolean {
  return a === b || (/^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) >= BigInt(b));
}

/** A room as last seen; `removed` once its GameServer is gone (or its pod/GameServer is being deleted). */
export interface RoomSeen {
  name: string;
  uid: string;
  opsState: string;
  removed: boolean;
}

/** Follows the rooms of one GameServerSet through the watch from construction until `stop()`. */
export class ReclaimWatch {
  private readonly byUid = new Map<string, RoomSeen>();
  private readonly uidOf = new Map<string, string>();
  private readonly off: () => void;
  private gssVersions = new Set<string>();

  constructor(
    private readonly cache: NamespaceCache,
    private readonly gss: string,
  ) {
    for (const r of cache.rooms(gss)) this.see(r);
    this.off = cache.onChange(e => {
      if (e.kind === 'gameserversets') {
        const v = cache.gameServerSet(gss)?.resourceVersion;
        if (e.name === gss && v) this.gssVersions.add(v);
        return;
      }
      const r = cache.room(e.name);
      if (r && r.gameServerSet === gss) this.see(r);
      else if (e.kind === 'gameservers' && e.type === 'delete') {
        // The cache has dropped it: what we saw last (the event before the delete) is its final state.
        const uid = this.uidOf.get(e.name);
        const s = uid ? this.byUid.get(uid) : undefined;
        if (s) s.removed = true;
      }
    });
  }

  private see(r: RoomView): void {
    const prev = this.uidOf.get(r.name);
    if (prev && prev !== r.uid) {
      const old = this.byUid.get(prev);
      if (old) old.removed = true; // re-created under the same name: the old room is gone
    }
    this.uidOf.set(r.name, r.uid);
    // Once being removed, always removed (its pod can go before its GameServer, which then looks live again).
    const removed = r.terminating || !!this.byUid.get(r.uid)?.removed;
    this.byUid.set(r.uid, { name: r.name, uid: r.uid, opsState: r.opsState, removed });
  }

  stop(): void {
    this.off();
  }

  /** Rooms removed (or being removed) since the watch began, each with the last opsState seen before it went. */
  removed(): RoomSeen[] {
    return [...this.byUid.values()].filter(s => s.removed);
  }

  /**
   * Whether OKG is at rest for the set: it has observed the spec (at least `minGeneration`, the generation our own
   * write produced — the watch may not show it yet), no room is terminating, there are no more live rooms than
   * replicas, and no live room is on its way out by Kill (OKG lowers replicas by the pods labelled Kill) or has a
   * pod label that does not match its GameServer's mark yet.
   */
  atRest(minGeneration: number): boolean {
    const g = this.cache.gameServerSet(this.gss);
    if (!g || g.generation < minGeneration || g.observedGeneration < g.generation) return false;
    const rooms = this.cache.rooms(this.gss);
    if (rooms.some(r => r.terminating || unsettled(r))) return false;
    return rooms.length <= g.replicas;
  }

  /** Why OKG is not at rest, for a timeout message. */
  describeUnrest(minGeneration: number): string {
    const g = this.cache.gameServerSet(this.gss);
    if (!g) return `${this.gss} is not in the watch`;
    if (g.generation < minGeneration) return `the watch does not show generation ${minGeneration} of ${this.gss} yet`;
    if (g.observedGeneration < g.generation)
      return `OKG has not observed generation ${g.generation} (observedGeneration ${g.observedGeneration})`;
    const rooms = this.cache.rooms(this.gss);
    const busy = rooms
      .filter(r => r.terminating || unsettled(r))
      .map(r => `${r.name} (${r.terminating ? 'terminating' : `${r.opsState}; pod label ${r.podOpsState ?? 'none'}`})`);
    if (busy.length) return `OKG is still acting on ${busy.join(', ')}`;
    return `${rooms.length} rooms for ${g.replicas} replicas`;
  }

  /**
   * Makes sure a write OKG started before we judged it at rest is seen: writes the lease (a GameServerSet write,
   * so an OKG update of replicas based on an older read is refused with a conflict), then waits until the watch
   * shows the set at least as new as a read after it. Resolves true if OKG is still at rest then.
   */
  async fence(run: ReleaseRun, minGeneration: number): Promise<boolean> {
    this.gssVersions = new Set();
    await run.lease.save(() => undefined);
    const rv = (await run.client.getGameServerSet(run.ns, run.name, run.signal)).metadata.resourceVersion;
    const seen = () => {
      const now = this.cache.gameServerSet(this.gss)?.resourceVersion;
      return !rv || this.gssVersions.has(String(rv)) || (!!now && atLeast(now, String(rv)));
    };
    await this.cache.waitFor(() => (seen() ? true : undefined), {
      timeoutMs: run.plan.input.timeoutMs,
      signal: run.signal,
      describeTimeout: () => `the watch of ${run.name} did not show the release's own write within the timeout`,
    });
    return this.atRest(minGeneration);
  }
}
