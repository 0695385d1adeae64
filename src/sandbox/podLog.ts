// pods/log: a synthetic log per container run that grows while the container runs (boot lines, then one
// heartbeat every `intervalMs`, then the exit line of a run that ended), plus lines tests append. It answers
// follow, previous, tailLines, sinceSeconds, timestamps and limitBytes as the kubelet does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceDef } from './resources.js';
import type { Store } from './store.js';
import { badRequest, notFound } from './status.js';
import {
  currentInstance,
  pickContainer,
  previousInstance,
  type ContainerSpecJson,
  type Instance,
  type PodJson,
} from './podContainer.js';

export interface PodLogOptions {
  /** How often a running container logs a heartbeat line (default 1000 ms). */
  intervalMs?: number;
}

interface Line {
  at: number;
  text: string;
}

/** Heartbeats kept per run, as a log rotation would: older ones are gone from `kubectl logs`. */
const KEPT_HEARTBEATS = 10_000;

function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function nonNegativeInt(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${key}: Invalid value: "${v}": must be a non-negative integer`);
  return Number(v);
}

const runKey = (uid: string | undefined, container: string, restart: number) => `${uid}/${container}/${restart}`;

export class PodLogs {
  private readonly appended = new Map<string, Line[]>();
  private readonly followers = new Set<() => void>();
  private readonly closers = new Set<() => void>();
  readonly intervalMs: number;

  constructor(
    private readonly store: Store,
    private readonly pods: ResourceDef,
    opts: PodLogOptions = {},
  ) {
    this.intervalMs = Math.max(10, opts.intervalMs ?? 1000);
  }

  private pod(namespace: string | undefined, name: string): PodJson {
    const pod = this.store.get(this.pods, namespace, name) as PodJson | undefined;
    if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
    return pod;
  }

  /** Adds a line to the current run's log of a container (tests and scenarios: what a game server would print). */
  append(namespace: string, name: string, container: string, text: string): void {
    const pod = this.pod(namespace, name);
    const run = currentInstance(pod, container);
    if (typeof run === 'string') throw new Error(run);
    const key = runKey(pod.metadata.uid, container, run.restart);
    const lines = this.appended.get(key) ?? [];
    lines.push({ at: Math.max(Date.now(), lines.at(-1)?.at ?? 0), text });
    this.appended.set(key, lines);
    for (const f of this.followers) f();
  }

  /** Every line of a run up to `now`, oldest first. */
  lines(pod: PodJson, c: ContainerSpecJson, run: Instance, now = Date.now()): Line[] {
    const end = Math.min(now, run.finishedAt ?? now);
    const port = c.ports?.[0]?.containerPort;
    const out: Line[] = [
      {
        at: run.startedAt,
        text: `Starting ${c.name} (image ${c.image ?? 'unknown'}) in room ${pod.metadata.name}, restart ${run.restart}`,
      },
      { at: run.startedAt, text: `Preparing world for room ${pod.metadata.name}` },
      { at: run.startedAt, text: port ? `Listening on 0.0.0.0:${port}` : 'Server ready' },
    ];
    const beats = Math.max(0, Math.floor((end - run.startedAt) / this.intervalMs));
    for (let k = Math.max(1, beats - KEPT_HEARTBEATS + 1); k <= beats; k++)
      out.push({ at: run.startedAt + k * this.intervalMs, text: `heartbeat ${k}: ${pod.metadata.name} up` });
    if (run.finishedAt !== undefined)
      out.push({
        at: run.finishedAt,
        text: `Fatal: exiting with code ${run.exitCode ?? 1} (${run.reason ?? 'Error'})`,
      });
    const extra = (this.appended.get(runKey(pod.metadata.uid, c.name, run.restart)) ?? []).filter(l => l.at <= now);
    if (extra.length) {
      out.push(...extra);
      out.sort((a, b) => a.at - b.at);
    }
    return out;
  }

  /** Serves GET …/pods/NAME/log. */
  serve(req: IncomingMessage, res: ServerResponse, namespace: string | undefined, name: string, q: URLSearchParams) {
    const pod = this.pod(namespace, name);
    const c = pickContainer(pod, q.get('container'));
    const previous = q.get('previous') === 'true';
    const follow = q.get('follow') === 'true';
    const timestamps = q.get('timestamps') === 'true';
    const tail = nonNegativeInt(q, 'tailLines');
    const since = nonNegativeInt(q, 'sinceSeconds');
    let budget = nonNegativeInt(q, 'limitBytes') ?? Infinity;
    const run = previous ? previousInstance(pod, c.name) : currentInstance(pod, c.name);
    if (typeof run === 'string') throw badRequest(run);

    const fmt = (l: Line) => (timestamps ? `${rfc3339Nano(l.at)} ${l.text}\n` : `${l.text}\n`);
    const now = Date.now();
    let lines = this.lines(pod, c, run, now);
    if (since !== undefined) lines = lines.filter(l => l.at >= now - since * 1000);
    if (tail !== undefined) lines = tail === 0 ? [] : lines.slice(-tail);
    let sent = this.lines(pod, c, run, now).length;

    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
    const write = (ls: Line[]): boolean => {
      for (const l of ls) {
        const text = fmt(l);
        if (Buffer.byteLength(text) > budget) {
          res.write(Buffer.from(text).subarray(0, budget));
          budget = 0;
          return false;
        }
        budget -= Buffer.byteLength(text);
        res.write(text);
      }
      return true;
    };
    if (!write(lines) || !follow || run.finishedAt !== undefined) {
      res.end();
      return;
    }
    // Following: new lines as they come, until the run ends (restart, exit, pod gone) or the client leaves.
    const uid = pod.metadata.uid;
    const stop = () => {
      clearInterval(timer);
      this.followers.delete(pump);
      this.closers.delete(stop);
      unsubscribe();
      res.end();
    };
    const pump = () => {
      const p = this.store.get(this.pods, namespace, name) as PodJson | undefined;
      const cur = p && p.metadata.uid === uid ? currentInstance(p, c.name) : undefined;
      const same = !!cur && typeof cur !== 'string' && cur.restart === run.restart;
      const all = this.lines(p ?? pod, c, same ? (cur as Instance) : run);
      if (!write(all.slice(sent))) return stop();
      sent = all.length;
      if (!same || (cur as Instance).finishedAt !== undefined) stop();
    };
    const timer = setInterval(pump, this.intervalMs);
    const unsubscribe = this.store.subscribe(e => {
      if (e.res === this.pods && e.object.metadata.namespace === namespace && e.object.metadata.name === name) pump();
    });
    this.followers.add(pump);
    this.closers.add(stop);
    req.on('close', stop);
  }

  /** Ends every follow (server shutdown). */
  closeAll(): void {
    for (const c of [...this.closers]) c();
  }
}
