// The Events about a release's rooms: ONE list and then ONE watch of the namespace's core/v1 Events per
// release, filtered here to the GameServerSet's pods, never a request per room or per tick. Keeps each pod's
// last Event (by pod uid: a re-created room's name carries no old events) for the waiting reasons.
import type { OkgClient } from '../cluster/client.js';
import { Reflector, type Obj } from '../cluster/reflector.js';
import type { RawObject } from '../cluster/okg.js';
import type { PodEvent } from './reasons.js';

interface EventObject extends RawObject {
  involvedObject?: { kind?: string; name?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  series?: { lastObservedTime?: string };
}

const when = (e: EventObject): number => {
  const t =
    e.series?.lastObservedTime ??
    e.lastTimestamp ??
    e.eventTime ??
    e.firstTimestamp ??
    String(e.metadata.creationTimestamp ?? '');
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : 0;
};

export class PodEvents {
  /** pod name → pod uid → its last Event */
  private readonly last = new Map<string, Map<string, { event: PodEvent; at: number }>>();
  /** Told the pod an Event is about, or nothing when the whole list was read again. */
  private readonly listeners = new Set<(pod?: string) => void>();
  private readonly ac = new AbortController();
  private readonly reflector: Reflector;
  /** Why Events cannot be read (forbidden, not served); the reasons then come from the pods alone. */
  unavailable?: string;
  /** Watch connections made (the lists are counted by the client). */
  watches = 0;

  constructor(
    client: OkgClient,
    namespace: string,
    private readonly relevant: (podName: string) => boolean,
  ) {
    // The cluster core's list-then-watch (backoff, re-list after a failure, clean stop), over the namespace's Events.
    this.reflector = new Reflector(
      client.kc,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      async () => (await client.listEvents(namespace, this.ac.signal)).items as Obj[],
      undefined,
      {
        change: (type, o) => {
          if (type !== 'delete') this.absorb(o as EventObject, true);
        },
        listed: () => {
          this.unavailable = undefined;
          this.changed();
        },
        failed: err => {
          this.unavailable = err instanceof Error ? err.message : String(err);
        },
        watching: () => {
          this.watches++;
        },
      },
    );
  }

  /** Lists once and starts the watch; never throws (a failure sets `unavailable` and is retried in the background). */
  async start(): Promise<void> {
    await this.reflector.relist().catch(() => undefined);
  }

  private absorb(e: EventObject, notify: boolean): void {
    const o = e.involvedObject;
    if (o?.kind !== 'Pod' || !o.name || !this.relevant(o.name)) return;
    let byUid = this.last.get(o.name);
    if (!byUid) {
      byUid = new Map();
      this.last.set(o.name, byUid);
    }
    const at = when(e);
    const prev = byUid.get(o.uid ?? '');
    if (prev && prev.at > at) return;
    byUid.set(o.uid ?? '', { event: { type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' }, at });
    if (notify) this.changed(o.name);
  }

  private changed(pod?: string): void {
    for (const l of this.listeners) l(pod);
  }

  /** The last Event about the pod `name` with `uid` (none while the pod's uid is unknown). */
  lastEvent(name: string, uid?: string): PodEvent | undefined {
    return uid ? this.last.get(name)?.get(uid)?.event : undefined;
  }

  onChange(l: (pod?: string) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  stop(): void {
    this.ac.abort();
    this.reflector.stop();
    this.listeners.clear();
  }
}
