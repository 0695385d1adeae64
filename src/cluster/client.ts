// Typed calls to the API for GameServerSets, GameServers, Pods and access reviews. Every call maps its
// failure to one sentence (errors.ts), retries only transient failures with backoff, honours an
// AbortSignal, and is counted so tests and benchmarks can see exactly which requests a flow made.
import {
  AuthorizationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions,
} from '@kubernetes/client-node';
import { serverUrl } from './kubeconfig.js';
import { ClusterError, isTransient, toClusterError, type Operation } from './errors.js';
import { OKG_GROUP, OKG_VERSION, type RawObject } from './okg.js';

export interface JsonPatchOp { op: 'test' | 'replace' | 'add' | 'remove'; path: string; value?: unknown }

export interface AccessCheck { verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string }

export interface ClientOptions {
  /** Attempts for transient failures (429, 5xx, timeouts). Default 5. */
  attempts?: number;
  /** First backoff, doubled per attempt (Retry-After wins when larger). Default 200 ms. */
  backoffMs?: number;
}

const GSS = `gameserversets.${OKG_GROUP}`;
const GS = `gameservers.${OKG_GROUP}`;

const plain = <T>(v: unknown): T => JSON.parse(JSON.stringify(v)) as T;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class OkgClient {
  readonly server: string;
  /** Requests made, by "verb resource" (e.g. "patch gameservers"). */
  readonly requests = new Map<string, number>();
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly authz: AuthorizationV1Api;

  constructor(readonly kc: KubeConfig, private readonly opts: ClientOptions = {}) {
    this.server = serverUrl(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.authz = kc.makeApiClient(AuthorizationV1Api);
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
        return plain<T>(await fn());
      } catch (e) {
        const err = toClusterError(e, { ...op, server: this.server });
        if (!isTransient(err) || attempt >= attempts) throw err;
        await sleep(Math.max(delay, (err.retryAfterSeconds ?? 0) * 1000), signal);
        delay *= 2;
      }
    }
  }

  getGameServerSet(namespace: string, name: string, signal?: AbortSignal): Promise<RawObject> {
    return this.call({ verb: 'get', resource: GSS, namespace, name },
      () => this.custom.getNamespacedCustomObject({ group: OKG_GROUP, version: OKG_VERSION, namespace, plural: 'gameserversets', name }), signal);
  }

  async listGameServerSets(namespace?: string, signal?: AbortSignal): Promise<RawObject[]> {
    const list = await this.call<{ items: RawObject[] }>({ verb: 'list', resource: GSS, namespace }, () => namespace
      ? this.custom.listNamespacedCustomObject({ group: OKG_GROUP, version: OKG_VERSION, namespace, plural: 'gameserversets' })
      : this.custom.listClusterCustomObject({ group: OKG_GROUP, version: OKG_VERSION, plural: 'gameserversets' }), signal);
    return list.items;
  }

  async listGameServers(namespace: string, labelSelector?: string, signal?: AbortSignal): Promise<RawObject[]> {
    const list = await this.call<{ items: RawObject[] }>({ verb: 'list', resource: GS, namespace },
      () => this.custom.listNamespacedCustomObject({ group: OKG_GROUP, version: OKG_VERSION, namespace, plural: 'gameservers', labelSelector }), signal);
    return list.items;
  }

  async listPods(namespace: string, labelSelector?: string, signal?: AbortSignal): Promise<RawObject[]> {
    const list = await this.call<{ items: RawObject[] }>({ verb: 'list', resource: 'pods', namespace },
      () => this.core.listNamespacedPod({ namespace, labelSelector }), signal);
    return list.items;
  }

  /** A JSON Patch; put `test` ops first to make it conditional on what was read. */
  patchGameServerSet(namespace: string, name: string, ops: JsonPatchOp[], signal?: AbortSignal): Promise<RawObject> {
    return this.call({ verb: 'patch', resource: GSS, namespace, name },
      () => this.custom.patchNamespacedCustomObject({ group: OKG_GROUP, version: OKG_VERSION, namespace, plural: 'gameserversets', name, body: ops },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)), signal);
  }

  patchGameServer(namespace: string, name: string, ops: JsonPatchOp[], signal?: AbortSignal): Promise<RawObject> {
    return this.call({ verb: 'patch', resource: GS, namespace, name },
      () => this.custom.patchNamespacedCustomObject({ group: OKG_GROUP, version: OKG_VERSION, namespace, plural: 'gameservers', name, body: ops },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)), signal);
  }

  async namespaceExists(namespace: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.call({ verb: 'get', resource: 'namespaces', name: namespace }, () => this.core.readNamespace({ name: namespace }), signal);
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
      () => this.authz.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { ...check } } },
      }), signal);
    return review.status?.allowed === true;
  }
}
