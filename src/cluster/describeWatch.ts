// A room up close, kept current: the GameServer, its pod and the events of both, each listed once and then
// followed by one watch (field selectors on the name), re-listed with backoff after a watch ends. Feeds the
// describe text (./describe.ts); no request per room per second, and `stop` ends all three watches.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { RawObject } from './okg.js';
import { openStream } from './logs.js';
import { ClusterError } from './errors.js';

export interface RoomSnapshot {
  gs?: RawObject;
  pod?: RawObject;
  events: RawObject[];
}

interface Source {
  what: 'gs' | 'pod' | 'events';
  listPath: string;
  watchPath: string;
  fieldSelector?: string;
  resource: string;
  /** Keeps only the objects this accepts (a set's events: the set's and its rooms'). */
  filter?: (o: RawObject) => boolean;
}

/** GETs one JSON object; a 404 is undefined. */
export async function getJson(
  kc: KubeConfig,
  path: string,
  op: { verb: string; resource: string; namespace: string; name: string },
  signal?: AbortSignal,
): Promise<RawObject | undefined> {
  try {
    const res = await openStream(kc, path, op, signal);
    let text = '';
    for await (const c of res) text += c;
    return JSON.parse(text) as RawObject;
  } catch (e) {
    if (e instanceof ClusterError && e.status === 404) return undefined;
    throw e;
  }
}

function sources(namespace: string, room: string): Source[] {
  const ns = encodeURIComponent(namespace);
  const byName = `metadata.name=${room}`;
  return [
    {
      what: 'gs',
      listPath: `/apis/game.kruise.io/v1alpha1/namespaces/${ns}/gameservers`,
      watchPath: `/apis/game.kruise.io/v1alpha1/namespaces/${ns}/gameservers`,
      fieldSelector: byName,
      resource: 'gameservers.game.kruise.io',
    },
    {
      what: 'pod',
      listPath: `/api/v1/namespaces/${ns}/pods`,
      watchPath: `/api/v1/namespaces/${ns}/pods`,
      fieldSelector: byName,
      resource: 'pods',
    },
    {
      what: 'events',
      listPath: `/api/v1/namespaces/${ns}/events`,
      watchPath: `/api/v1/namespaces/${ns}/events`,
      fieldSelector: `involvedObject.name=${room}`,
      resource: 'events',
    },
  ];
}

/** One fetch of the three (for `okg describe`). */
export async function fetchRoom(
  kc: KubeConfig,
  namespace: string,
  room: string,
  signal?: AbortSignal,
): Promise<RoomSnapshot> {
  const [gs, pod, events] = await Promise.all(
    sources(namespace, room).map(src =>
      getJson(
        kc,
        `${src.listPath}?fieldSelector=${encodeURIComponent(src.fieldSelector ?? '')}`,
        { verb: 'list', resource: src.resource, namespace, name: room },
        signal,
      ),
    ),
  );
  const items = (l: RawObject | undefined) => (l as { items?: RawObject[] } | undefined)?.items ?? [];
  return { gs: items(gs)[0], pod: items(pod)[0], events: items(events) };
}

/** The events of a GameServerSet and its rooms (`set-N`): one watch of the namespace's events, filtered here. */
export function setEventSources(namespace: string, set: string): Source[] {
  const room = new RegExp(`^${set.replace(/[.]/g, '\\.')}-\\d+$`);
  return [
    {
      what: 'events',
      listPath: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      watchPath: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      resource: 'events',
      filter: o => {
        const name = (o as { involvedObject?: { name?: string } }).involvedObject?.name ?? '';
        return name === set || room.test(name);
      },
    },
  ];
}

/** Follows a room (or with `srcs`, a set's events); `onChange` gets each new snapshot, `onError` a failure (the watch retries by itself). */
export class RoomWatch {
  private readonly objects = {
    gs: new Map<string, RawObject>(),
    pod: new Map<string, RawObject>(),
    events: new Map<string, RawObject>(),
  };
  private readonly aborts = new Set<AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly room: string,
    private readonly onChange: (s: RoomSnapshot) => void,
    private readonly onError: (e: unknown) => void = () => {},
    private readonly srcs: Source[] = sources(namespace, room),
  ) {}

  snapshot(): RoomSnapshot {
    return {
      gs: [...this.objects.gs.values()][0],
      pod: [...this.objects.pod.values()][0],
      events: [...this.objects.events.values()],
    };
  }

  start(): void {
    for (const src of this.srcs) void this.follow(src, 1000);
  }

  private async follow(src: Source, backoffMs: number): Promise<void> {
    if (this.stopped) return;
    const ac = new AbortController();
    this.aborts.add(ac);
    const retry = (e: unknown, ran = false) => {
      this.aborts.delete(ac);
      if (this.stopped) return;
      this.onError(e);
      const wait = ran ? 1000 : backoffMs;
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.follow(src, Math.min(wait * 2, 30_000));
      }, wait);
      this.timers.add(t);
    };
    try {
      const list = await getJson(
        this.kc,
        src.fieldSelector ? `${src.listPath}?fieldSelector=${encodeURIComponent(src.fieldSelector)}` : src.listPath,
        { verb: 'list', resource: src.resource, namespace: this.namespace, name: this.room },
        ac.signal,
      );
      if (this.stopped) return;
      const map = this.objects[src.what];
      map.clear();
      for (const o of ((list as { items?: RawObject[] } | undefined)?.items ?? []).filter(
        x => !src.filter || src.filter(x),
      ))
        map.set(o.metadata.uid ?? o.metadata.name, o);
      this.onChange(this.snapshot());
      const rv = (list?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      let healthy = false;
      const req = await new Watch(this.kc).watch(
        src.watchPath,
        {
          ...(src.fieldSelector ? { fieldSelector: src.fieldSelector } : {}),
          resourceVersion: rv,
          allowWatchBookmarks: true,
        },
        (type: string, o: RawObject) => {
          if (type === 'BOOKMARK' || this.stopped || (src.filter && !src.filter(o))) return;
          healthy = true;
          const key = o.metadata.uid ?? o.metadata.name;
          if (type === 'DELETED') map.delete(key);
          else map.set(key, o);
          this.onChange(this.snapshot());
        },
        (err: unknown) => {
          // A watch the server ended resumes at once through a fresh list; a failed one backs off (reset once it ran).
          if (!err) {
            this.aborts.delete(ac);
            void this.follow(src, 1000);
          } else retry(err, healthy);
        },
      );
      ac.signal.addEventListener('abort', () => req.abort(), { once: true });
    } catch (e) {
      retry(e);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
    for (const t of this.timers) clearTimeout(t);
    this.aborts.clear();
    this.timers.clear();
  }
}
