// Watch streams: newline-delimited JSON events over a chunked HTTP response, resumable from a
// resourceVersion (410 Expired as an ERROR event once history is gone), with bookmarks, server
// timeouts, injected cuts, label-selector ADDED/DELETED transitions and Table-formatted events.
// At scale: the hub hears the store once and hands each event only to the watches of its resource; an object is
// encoded once for every watcher (./wireJson.ts); a stream writes the events of one turn of the event loop at once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from './types.js';
import type { ResourceDef } from './resources.js';
import type { Store, StoreEvent, EventType } from './store.js';
import type { ListFilter } from './listFilter.js';
import { gone } from './status.js';
import { toTable, type IncludeObject } from './tables.js';
import { objectJson } from './wireJson.js';

export interface WatchRequest {
  res: ResourceDef;
  namespace?: string;
  filter: ListFilter;
  resourceVersion: string;
  bookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  cutAfterSeconds?: number;
  /** Every event reaches the client this much later (a lagging watch cache): a write's answer comes before its event. */
  delayMs?: number;
  /** Set when the client asked for Table events. */
  table?: IncludeObject;
}

export class WatchHub {
  /** Open watch streams and how to finish each (unsubscribe, stop timers, end the response). */
  private readonly open = new Map<ServerResponse, () => void>();
  /** The event handlers of the open watches, by resource. */
  private readonly byResource = new Map<ResourceDef, Set<(e: StoreEvent) => void>>();
  private unsubscribeStore?: () => void;

  constructor(
    private readonly store: Store,
    private readonly opts: { bookmarkIntervalMs: number },
  ) {}

  closeAll(): void {
    for (const finish of [...this.open.values()]) finish();
    this.open.clear();
  }

  /** `onEvent` hears the store's events of `res` until the returned function is called. */
  private subscribe(res: ResourceDef, onEvent: (e: StoreEvent) => void): () => void {
    this.unsubscribeStore ??= this.store.subscribe(e => {
      const handlers = this.byResource.get(e.res);
      if (handlers) for (const h of handlers) h(e);
    });
    let set = this.byResource.get(res);
    if (!set) this.byResource.set(res, (set = new Set()));
    set.add(onEvent);
    return () => {
      set.delete(onEvent);
      if (set.size === 0 && this.byResource.get(res) === set) this.byResource.delete(res);
    };
  }

  serve(req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    this.open.set(res, () => res.end());
    let headersSent = false;
    const inScope = (o: KubeObject) => !w.res.namespaced || !w.namespace || o.metadata.namespace === w.namespace;
    // Lines of this turn of the event loop, written together at its end (one chunk instead of one per event).
    let pending: string[] = [];
    let flushing: NodeJS.Immediate | undefined;
    const flush = () => {
      clearImmediate(flushing);
      flushing = undefined;
      if (!pending.length) return;
      const text = pending.join('');
      pending = [];
      if (!res.writableEnded && !res.destroyed) res.write(text);
    };
    const send = (type: EventType | 'BOOKMARK' | 'ERROR', object: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      let line: string;
      if (w.table && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
        const payload = toTable(
          w.res,
          [object as KubeObject],
          { resourceVersion: (object as KubeObject).metadata.resourceVersion },
          w.table,
          headersSent,
        );
        headersSent = true;
        line = JSON.stringify({ type, object: payload });
      } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
        // The same bytes as JSON.stringify({ type, object }), the object's text shared with every other watcher.
        line = `{"type":"${type}","object":${objectJson(object as KubeObject)}}`;
      } else line = JSON.stringify({ type, object });
      pending.push(`${line}\n`);
      flushing ??= setImmediate(flush);
    };
    const delayed = new Set<NodeJS.Timeout>();
    // Same delay for every event, so they keep their order.
    const write: typeof send = (type, object) => {
      if (!w.delayMs) {
        send(type, object);
        return;
      }
      const t = setTimeout(() => {
        delayed.delete(t);
        send(type, object);
      }, w.delayMs);
      delayed.add(t);
    };
    const bookmark = (annotations?: Record<string, string>) =>
      write('BOOKMARK', {
        kind: w.res.kind,
        apiVersion: w.res.group ? `${w.res.group}/${w.res.version}` : w.res.version,
        metadata: {
          resourceVersion: String(this.store.currentRv()),
          creationTimestamp: null,
          ...(annotations ? { annotations } : {}),
        },
      });
    const onEvent = (e: StoreEvent) => {
      if (e.res !== w.res || !inScope(e.object)) return;
      const now = e.type !== 'DELETED' && w.filter.matches(e.object);
      const before = e.previous !== undefined && w.filter.matches(e.previous);
      if (e.type === 'ADDED' && now) write('ADDED', e.object);
      else if (e.type === 'MODIFIED') {
        if (now && before) write('MODIFIED', e.object);
        else if (now) write('ADDED', e.object);
        else if (before) write('DELETED', e.object);
      } else if (e.type === 'DELETED' && before) write('DELETED', e.object);
    };

    const rv = w.resourceVersion;
    if (rv === '' || rv === '0' || w.sendInitialEvents) {
      for (const o of this.store.list(w.res, w.res.namespaced ? w.namespace : undefined))
        if (w.filter.matches(o)) write('ADDED', o);
      if (w.bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const n = Number(rv);
      const events = Number.isInteger(n) && n >= 0 ? this.store.eventsSince(n) : 'expired';
      if (events === 'expired') {
        write('ERROR', gone(`too old resource version: ${rv} (${this.store.oldestRv() - 1})`).body());
        flush();
        this.open.delete(res);
        res.end();
        return;
      }
      for (const e of events) onEvent(e);
    }
    const unsubscribe = this.subscribe(w.res, onEvent);
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      unsubscribe();
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      for (const t of delayed) clearTimeout(t);
      flush();
      this.open.delete(res);
      if (!res.writableEnded) res.end();
    };
    this.open.set(res, finish);
    if (w.bookmarks) timers.push(setInterval(() => bookmark(), this.opts.bookmarkIntervalMs));
    // kube-apiserver closes watches after timeoutSeconds, or a random 30–60 min without it.
    const timeout = w.timeoutSeconds ?? 1800 * (1 + Math.random());
    timers.push(setTimeout(finish, timeout * 1000));
    if (w.cutAfterSeconds)
      timers.push(
        setTimeout(() => {
          finish();
          res.destroy();
        }, w.cutAfterSeconds * 1000),
      );
    req.on('close', finish);
    res.on('close', finish);
  }
}
