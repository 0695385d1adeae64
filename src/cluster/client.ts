// Typed calls to the API for GameServerSets, GameServers, Pods and access reviews. Every call maps its
// failure to one sentence (errors.ts), retries only transient failures with backoff, honours an
// AbortSignal, and is counted so tests and benchmarks can see exactly which requests a flow made.
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, isTransient, toClusterError, type Operation } from './errors.js';
import { OKG_GROUP, OKG_VERSION, type RawObject } from './okg.js';
import { Transport } from './transport.js';

export interface JsonPatchOp {
  op: 'test' | 'replace' | 'add' | 'remove';
  path: string;
  value?: unknown;
}

export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface ClientOptions {
  /** Attempts for transient failures (429, 5xx, timeouts). Default 5. */
  attempts?: number;
  /** First backoff, doubled per attempt (Retry-After wins when larger). Default 200 ms. */
  backoffMs?: number;
}

const GSS = `gameserversets.${OKG_GROUP}`;
const GS = `gameservers.${OKG_GROUP}`;

const GAME = `/apis/${OKG_GROUP}/${OKG_VERSION}`;
const JSON_PATCH = 'application/json-patch+json';

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const seg = encodeURIComponent;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class OkgClient {
  readonly server: string;
  /** Requests made, by "verb resource" (e.g. "patch gameservers"). */
  readonly requests = new Map<string, number>();
  private readonly http: Transport;

  constructor(
    readonly kc: KubeConfig,
    private readonly opts: ClientOptions = {},
  ) {
    this.http = new Transport(kc);
    this.server = this.http.server;
  }

  /** Closes pooled connections (the process may then exit without waiting for keep-alive timeouts). */
  close(): void {
    this.http.close();
  }

  requestCount(): number {
    let n = 0;
    for (const v of this.requests.values()) n += v;
    return n;
  }

  private async call<T>(op: Omit<Operation, 'server'>, fn: () => Promise<unknown>, signal?: AbortSignal): Promise<T> {
    const attempts = this.opts.attempts ?? 5;
    let delay = this.opts.backoffMs ?? 200;
    const key = `${op.verb} ${op.resource.split('.')[0]}`;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw signal.reason;
      this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
      try {
        return (await fn()) as T;
      } catch (e) {
        const err = toClusterError(e, { ...op, server: this.server });
        if (!isTransient(err) || attempt >= attempts) throw err;
        await sleep(Math.max(delay, (err.retryAfterSeconds ?? 0) * 1000), signal);
        delay *= 2;
      }
    }
  }

  getGameServerSet(namespace: string, name: string, signal?: AbortSignal): Promise<RawObject> {
    return this.call(
      { verb: 'get', resource: GSS, namespace, name },
      () =>
        this.http.request(
          'GET',
          `${GAME}/namespaces/${seg(namespace)}/gameserversets/${seg(name)}`,
          undefined,
          undefined,
          signal,
        ),
      signal,
    );
  }

  async listGameServerSets(namespace?: string, signal?: AbortSignal): Promise<RawObject[]> {
    const path = namespace ? `${GAME}/namespaces/${seg(namespace)}/gameserversets` : `${GAME}/gameserversets`;
    const list = await this.call<{ items: RawObject[] }>(
      { verb: 'list', resource: GSS, namespace },
      () => this.http.request('GET', path, undefined, undefined, signal),
      signal,
    );
    return list.items;
  }

  async listGameServers(namespace: string, labelSelector?: string, signal?: AbortSignal): Promise<RawObject[]> {
    const list = await this.call<{ items: RawObject[] }>(
      { verb: 'list', resource: GS, namespace },
      () =>
        this.http.request(
          'GET',
          `${GAME}/namespaces/${seg(namespace)}/gameservers${query({ labelSelector })}`,
          undefined,
          undefined,
          signal,
        ),
      signal,
    );
    return list.items;
  }

  async listPods(namespace: string, labelSelector?: string, signal?: AbortSignal): Promise<RawObject[]> {
    const list = await this.call<{ items: RawObject[] }>(
      { verb: 'list', resource: 'pods', namespace },
      () =>
        this.http.request(
          'GET',
          `/api/v1/namespaces/${seg(namespace)}/pods${query({ labelSelector })}`,
          undefined,
          undefined,
          signal,
        ),
      signal,
    );
    return list.items;
  }

  /** core/v1 Events of a namespace (one list, then a watch from its resourceVersion: release/podEvents.ts). */
  listEvents(
    namespace: string,
    signal?: AbortSignal,
  ): Promise<{ items: RawObject[]; metadata?: { resourceVersion?: string } }> {
    return this.call(
      { verb: 'list', resource: 'events', namespace },
      () => this.http.request('GET', `/api/v1/namespaces/${seg(namespace)}/events`, undefined, undefined, signal),
      signal,
    );
  }

  /** A JSON Patch; put `test` ops first to make it conditional on what was read. */
  patchGameServerSet(namespace: string, name: string, ops: JsonPatchOp[], signal?: AbortSignal): Promise<RawObject> {
    return this.call(
      { verb: 'patch', resource: GSS, namespace, name },
      () =>
        this.http.request(
          'PATCH',
          `${GAME}/namespaces/${seg(namespace)}/gameserversets/${seg(name)}`,
          ops,
          JSON_PATCH,
          signal,
        ),
      signal,
    );
  }

  patchGameServer(namespace: string, name: string, ops: JsonPatchOp[], signal?: AbortSignal): Promise<RawObject> {
    return this.call(
      { verb: 'patch', resource: GS, namespace, name },
      () =>
        this.http.request(
          'PATCH',
          `${GAME}/namespaces/${seg(namespace)}/gameservers/${seg(name)}`,
          ops,
          JSON_PATCH,
          signal,
        ),
      signal,
    );
  }

  /** A GameServer as stored now (used only after a refused conditional write, to say what it became). */
  getGameServer(namespace: string, name: string, signal?: AbortSignal): Promise<RawObject> {
    return this.call(
      { verb: 'get', resource: GS, namespace, name },
      () =>
        this.http.request(
          'GET',
          `${GAME}/namespaces/${seg(namespace)}/gameservers/${seg(name)}`,
          undefined,
          undefined,
          signal,
        ),
      signal,
    );
  }

  /** The names of the namespaces the user may list (a 403 rejects, as any other failure). */
  async listNamespaceNames(signal?: AbortSignal): Promise<string[]> {
    const list = await this.call<{ items: RawObject[] }>(
      { verb: 'list', resource: 'namespaces' },
      () => this.http.request('GET', '/api/v1/namespaces', undefined, undefined, signal),
      signal,
    );
    return list.items.map(n => n.metadata?.name).filter((n): n is string => typeof n === 'string' && n !== '');
  }

  async namespaceExists(namespace: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.call(
        { verb: 'get', resource: 'namespaces', name: namespace },
        () => this.http.request('GET', `/api/v1/namespaces/${seg(namespace)}`, undefined, undefined, signal),
        signal,
      );
      return true;
    } catch (e) {
      if (e instanceof ClusterError && e.kind === 'notFound') return false;
      // A user who may not read namespaces can still work inside one: let the later calls decide.
      if (e instanceof ClusterError && e.kind === 'forbidden') return true;
      throw e;
    }
  }

  /** SelfSubjectAccessReview: may the current user do this? */
  async canI(check: AccessCheck, signal?: AbortSignal): Promise<boolean> {
    const review = await this.call<{ status?: { allowed?: boolean } }>(
      { verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io' },
      () =>
        this.http.request(
          'POST',
          '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { ...check } },
          },
          undefined,
          signal,
        ),
      signal,
    );
    return review.status?.allowed === true;
  }
}
