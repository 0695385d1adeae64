// The emulator's only way to the cluster: @kubernetes/client-node typed clients. Bodies of custom objects go
// through untouched (client-node hands back the parsed JSON, copied by no one); pods go through CoreV1Api (typed),
// so reads are normalised back to plain JSON. Requests go
// over one keep-alive agent: client-node's generated clients otherwise open a TLS connection per request, which was
// most of the emulator's CPU at scale (profiled: 100 sets × 100 rooms took minutes).
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  makeInformer,
  setHeaderOptions,
  type RequestContext,
  type SecurityAuthentication,
  type Informer,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type V1Pod,
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

/** TLS options compare by content: client-node reads certificates into new Buffers for every request. */
function sameOption(a: unknown, b: unknown): boolean {
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b;
}

/**
 * The kubeconfig's authentication (headers, client certificate) with its per-request agent swapped for one pooled
 * keep-alive agent of the same TLS options. Proxy and plain-HTTP agents (other classes) are left as they are.
 */
class PooledAuthentication implements SecurityAuthentication {
  private agent?: { key: unknown[]; agent: HttpsAgent };

  constructor(private readonly kc: KubeConfig) {}

  getName(): string {
    return 'kubeconfig authentication, pooled';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(context);
    const given = context.getAgent();
    if (!(given instanceof HttpsAgent) || given.constructor !== HttpsAgent) return;
    const o = (given as HttpsAgent & { options: AgentOptions }).options;
    const key = [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername];
    if (!this.agent || key.some((v, i) => !sameOption(v, this.agent!.key[i]))) {
      this.agent?.agent.destroy();
      this.agent = { key, agent: new HttpsAgent({ ...o, keepAlive: true, maxSockets: 64 }) };
    }
    context.setAgent(this.agent.agent);
  }

  destroy(): void {
    this.agent?.agent.destroy();
    this.agent = undefined;
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

export class KubeClient {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  private readonly auth: PooledAuthentication;

  constructor(readonly kc: KubeConfig) {
    this.auth = new PooledAuthentication(kc);
    this.core = makePooledClient(kc, this.auth, CoreV1Api);
    this.custom = makePooledClient(kc, this.auth, CustomObjectsApi);
  }

  /** Closes the pooled connections (the client is not used afterwards). */
  close(): void {
    this.auth.destroy();
  }

  informer<T extends KubernetesObject>(resource: Resource): Informer<T> & ObjectCache<T> {
    if (resource === 'pods') {
      return makeInformer<T>(this.kc, '/api/v1/pods', async () =>
        plain<KubernetesListObject<T>>(await this.core.listPodForAllNamespaces()),
      );
    }
    const { group, version } = GV[resource];
    return makeInformer<T>(
      this.kc,
      `/apis/${group}/${version}/${resource}`,
      async () =>
        (await this.custom.listClusterCustomObject({ group, version, plural: resource })) as KubernetesListObject<T>,
    );
  }

  async create<T>(resource: Resource, namespace: string, body: object): Promise<T> {
    if (resource === 'pods') return plain<T>(await this.core.createNamespacedPod({ namespace, body: body as V1Pod }));
    const { group, version } = GV[resource];
    return (await this.custom.createNamespacedCustomObject({ group, version, namespace, plural: resource, body })) as T;
  }

  async patch<T>(
    resource: Resource,
    namespace: string,
    name: string,
    body: object,
    opts: { type?: PatchType; subresource?: 'status' } = {},
  ): Promise<T> {
    const ct = opts.type === 'json' ? PatchStrategy.JsonPatch : PatchStrategy.MergePatch;
    const o = setHeaderOptions('Content-Type', ct);
    if (resource === 'pods') {
      const p =
        opts.subresource === 'status'
          ? this.core.patchNamespacedPodStatus({ name, namespace, body }, o)
          : this.core.patchNamespacedPod({ name, namespace, body }, o);
      return plain<T>(await p);
    }
    const { group, version } = GV[resource];
    const req = { group, version, namespace, plural: resource, name, body };
    const p =
      opts.subresource === 'status'
        ? this.custom.patchNamespacedCustomObjectStatus(req, o)
        : this.custom.patchNamespacedCustomObject(req, o);
    return (await p) as T;
  }

  /** PUT (resourceVersion in the body makes it conditional). Custom resources only. */
  async replace<T>(resource: Exclude<Resource, 'pods'>, namespace: string, name: string, body: object): Promise<T> {
    const { group, version } = GV[resource];
    return (await this.custom.replaceNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: resource,
      name,
      body,
    })) as T;
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
    if (resource === 'pods') {
      await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: opts.gracePeriodSeconds, body });
      return;
    }
    const { group, version } = GV[resource];
    await this.custom.deleteNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: resource,
      name,
      gracePeriodSeconds: opts.gracePeriodSeconds,
      body,
    });
  }
}
