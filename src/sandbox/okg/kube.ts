// The emulator's only way to the cluster: @kubernetes/client-node. Its informers (list + watch) keep the caches;
// its writes go as plain JSON requests authenticated by client-node's KubeConfig (applyToHTTPSOptions) over one
// keep-alive agent. The generated clients' typed decoding (ObjectSerializer, then a JSON copy back to plain
// objects) and node-fetch were a third of the emulator's CPU at 100 sets × 100 rooms (profiled), so the hot path
// skips them; `core` and `custom` stay for the rare calls (Events) and for tests.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  makeInformer,
  type RequestContext,
  type SecurityAuthentication,
  type Informer,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import {
  GAME_GROUP,
  GAME_VERSION,
  KRUISE_GROUP,
  KRUISE_VERSION,
  PLURAL_ASTS,
  PLURAL_GS,
  PLURAL_GSS,
} from './constants.js';
import { AgentPool, JsonTransport, type JsonRequest } from './jsonTransport.js';

export type Resource = 'pods' | typeof PLURAL_GSS | typeof PLURAL_GS | typeof PLURAL_ASTS;

const GV: Record<Exclude<Resource, 'pods'>, { group: string; version: string }> = {
  [PLURAL_GSS]: { group: GAME_GROUP, version: GAME_VERSION },
  [PLURAL_GS]: { group: GAME_GROUP, version: GAME_VERSION },
  [PLURAL_ASTS]: { group: KRUISE_GROUP, version: KRUISE_VERSION },
};

export type PatchType = 'merge' | 'json';

/** Plain JSON copy (Dates → RFC3339 strings, class instances → objects). */
export function plain<T>(v: unknown): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const c =
    (err as { code?: unknown; statusCode?: unknown } | null)?.code ??
    (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof c === 'number' ? c : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;

/**
 * The kubeconfig's authentication (headers, client certificate) with its per-request agent swapped for the pool's
 * keep-alive agent of the same TLS options. Proxy and plain-HTTP agents (other classes) are left as they are.
 */
class PooledAuthentication implements SecurityAuthentication {
  constructor(
    private readonly kc: KubeConfig,
    private readonly pool: AgentPool,
  ) {}

  getName(): string {
    return 'kubeconfig authentication, pooled';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(context);
    const given = context.getAgent();
    if (given) context.setAgent(this.pool.agentFor(given));
  }
}

/** `kc.makeApiClient(type)`, with requests over the pooled agent of `auth`. */
function makePooledClient<T>(
  kc: KubeConfig,
  auth: SecurityAuthentication,
  type: new (c: ReturnType<typeof createConfiguration>) => T,
): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return new type(
    createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: auth } }),
  );
}

const podPath = (namespace: string, name?: string, subresource?: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${name === undefined ? '' : `/${encodeURIComponent(name)}`}${subresource ? `/${subresource}` : ''}`;

function resourcePath(resource: Resource, namespace: string, name?: string, subresource?: string): string {
  if (resource === 'pods') return podPath(namespace, name, subresource);
  const { group, version } = GV[resource];
  const tail = `${name === undefined ? '' : `/${encodeURIComponent(name)}`}${subresource ? `/${subresource}` : ''}`;
  return `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${resource}${tail}`;
}

export class KubeClient {
  /** Typed clients, for the rare calls (Events) and tests; the emulator's hot path uses `json`. */
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  private readonly pool = new AgentPool();
  private readonly json: JsonTransport;

  constructor(readonly kc: KubeConfig) {
    const auth = new PooledAuthentication(kc, this.pool);
    this.core = makePooledClient(kc, auth, CoreV1Api);
    this.custom = makePooledClient(kc, auth, CustomObjectsApi);
    this.json = new JsonTransport(kc, this.pool);
  }

  /** Closes the pooled connections (the client is not used afterwards). */
  close(): void {
    this.pool.destroy();
  }

  informer<T extends KubernetesObject>(resource: Resource): Informer<T> & ObjectCache<T> {
    const path =
      resource === 'pods' ? '/api/v1/pods' : `/apis/${GV[resource].group}/${GV[resource].version}/${resource}`;
    return makeInformer<T>(this.kc, path, () => this.json.request<KubernetesListObject<T>>({ method: 'GET', path }));
  }

  // Writes resolve to nothing: the controllers act on what their informers show, never on a write's answer.

  create(resource: Resource, namespace: string, body: object): Promise<void> {
    return this.json.request({ method: 'POST', path: resourcePath(resource, namespace), body, parse: false });
  }

  patch(
    resource: Resource,
    namespace: string,
    name: string,
    body: object,
    opts: { type?: PatchType; subresource?: 'status' } = {},
  ): Promise<void> {
    return this.json.request(this.patchRequest(resource, namespace, name, body, opts, false));
  }

  /** A patch whose answer (the object as stored) is wanted: the matchmaker reads its allocation's uid. */
  patchReturning<T>(
    resource: Resource,
    namespace: string,
    name: string,
    body: object,
    opts: { type?: PatchType; subresource?: 'status' } = {},
  ): Promise<T> {
    return this.json.request<T>(this.patchRequest(resource, namespace, name, body, opts, true));
  }

  private patchRequest(
    resource: Resource,
    namespace: string,
    name: string,
    body: object,
    opts: { type?: PatchType; subresource?: 'status' },
    parse: boolean,
  ): JsonRequest {
    return {
      method: 'PATCH',
      path: resourcePath(resource, namespace, name, opts.subresource),
      body,
      contentType: opts.type === 'json' ? PatchStrategy.JsonPatch : PatchStrategy.MergePatch,
      parse,
    };
  }

  /** PUT (resourceVersion in the body makes it conditional). Custom resources only. */
  replace(resource: Exclude<Resource, 'pods'>, namespace: string, name: string, body: object): Promise<void> {
    return this.json.request({ method: 'PUT', path: resourcePath(resource, namespace, name), body, parse: false });
  }

  async delete(
    resource: Resource,
    namespace: string,
    name: string,
    opts: { gracePeriodSeconds?: number; uid?: string; resourceVersion?: string } = {},
  ): Promise<void> {
    const preconditions =
      opts.uid || opts.resourceVersion
        ? {
            ...(opts.uid ? { uid: opts.uid } : {}),
            ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}),
          }
        : undefined;
    const body = {
      ...(preconditions ? { preconditions } : {}),
      ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
    };
    await this.json.request({
      method: 'DELETE',
      path: resourcePath(resource, namespace, name),
      query: { gracePeriodSeconds: opts.gracePeriodSeconds },
      body,
      parse: false,
    });
  }
}
