// What the emulated controllers share (the emulator, ./emulator.ts, builds it): the client, the informer caches,
// the work queue, the pods of each GameServerSet, and the small helpers of a reconcile (keys, tolerated codes).
import type { KubernetesObject, Informer, ObjectCache } from '@kubernetes/client-node';
import { statusCode, type KubeClient } from './kube.js';
import type { WorkQueue } from './queue.js';
import type { AdvancedStatefulSet, GameServer, GameServerSet, Pod } from './types.js';

/** The queue's key kinds: one per controller, plus the GameServer controller's delayed stale spec echo. */
export type Kind = 'gss' | 'asts' | 'gs' | 'kubelet' | 'echo' | 'net';
export const keyOf = (kind: Kind, ns: string, name: string): string => `${kind}|${ns}/${name}`;
export const nsName = (o: { metadata?: { namespace?: string; name?: string } }): string =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class Cache<T> {
  constructor(readonly inf: Informer<KubernetesObject> & ObjectCache<KubernetesObject>) {}
  get(ns: string, name: string): T | undefined {
    return this.inf.get(name, ns) as unknown as T | undefined;
  }
}

export interface ControllerContext {
  readonly client: KubeClient;
  readonly queue: WorkQueue;
  readonly gss: Cache<GameServerSet>;
  readonly asts: Cache<AdvancedStatefulSet>;
  readonly pods: Cache<Pod>;
  readonly gs: Cache<GameServer>;
  /** The pods labelled with this GameServerSet as their owner-gss. */
  podsOfGss(ns: string, gssName: string): Pod[];
  log(message: string): void;
}

/** A rejection handler that swallows the given HTTP codes (the next event retries) and rethrows anything else. */
export function ignore(...codes: number[]): (e: unknown) => void {
  return (e: unknown) => {
    const c = statusCode(e);
    if (c === undefined || !codes.includes(c)) throw e;
  };
}

/** An API error in one line for the log: code and the start of the body. */
export function describe(e: unknown): string {
  const c = statusCode(e);
  const body = (e as { body?: unknown } | null)?.body;
  const msg = e instanceof Error ? e.message : String(e);
  return `${c ?? ''} ${typeof body === 'string' ? body.slice(0, 300) : msg.slice(0, 300)}`.trim();
}
