// The sandbox API server: a local HTTP server on 127.0.0.1 that speaks the Kubernetes REST API for
// namespaces, pods, the OKG CRDs and the Advanced StatefulSet, closely enough that kubectl and
// @kubernetes/client-node cannot tell it from a cluster for every call OKG Ops makes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from './types.js';
import { namespaces, servedResources, type ResourceDef } from './resources.js';
import { Store } from './store.js';
import { Registry, type DeleteOptions } from './registry.js';
import {
  ApiError,
  badRequest,
  conflict,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  pageNotFound,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
} from './status.js';
import { authorize, TokenTable, USER_NAMES, type Attributes, type SandboxUser } from './auth.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import { toTable, type IncludeObject } from './tables.js';
import { latencyOf, type FaultConfig } from './faults.js';
import { writeKubeconfigs } from './kubeconfig.js';
import { servingCertificate } from './tls.js';
import { WatchHub, type WatchRequest } from './watch.js';
import { ListFilter } from './listFilter.js';

export interface SandboxServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where kubeconfig files are written; default a fresh temporary folder. */
  dir?: string;
  faults?: FaultConfig;
  /** Events kept for watch resumption; older resourceVersions answer 410 Gone. */
  watchHistory?: number;
  /** How often watches that allow bookmarks get one. */
  bookmarkIntervalMs?: number;
  /** Deterministic randomness for fault injection (tests). */
  random?: () => number;
  /** More resources to serve (tests: Argo's CRDs, RBAC objects), after the built-in ones. */
  extraResources?: ResourceDef[];
}

/** One mutating request, as tests read them: who asked to change what, and what the server answered. */
export interface WriteLogEntry {
  seq: number;
  time: string;
  user: SandboxUser;
  verb: 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  resource: string;
  subresource: string;
  namespace?: string;
  name?: string;
  code: number;
  dryRun: boolean;
  contentType?: string;
  body?: unknown;
}

export interface SandboxServer {
  readonly url: string;
  readonly store: Store;
  readonly registry: Registry;
  readonly tokens: Record<SandboxUser, string>;
  /** PEM of the self-signed serving certificate (the kubeconfigs' certificate authority). */
  readonly caPem: string;
  kubeconfigPath(user: SandboxUser): string;
  /** Every mutating request so far (successful or not), oldest first. */
  writeLog(): WriteLogEntry[];
  clearWriteLog(): void;
  setFaults(f: FaultConfig | undefined): void;
  /** Resources by plural name, for scenario loaders and tests. */
  resource(plural: string, group?: string): ResourceDef;
  close(): Promise<void>;
}

interface Route {
  kind: 'resource';
  res: ResourceDef;
  namespace?: string;
  name?: string;
  subresource: string;
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' };

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { ...JSON_HEADERS, ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export async function startSandboxServer(opts: SandboxServerOptions = {}): Promise<SandboxServer> {
  const resources = [...servedResources(), ...(opts.extraResources ?? [])];
  const store = new Store(opts.watchHistory ?? 20000);
  const registry = new Registry(store, resources);
  const tokens = new TokenTable();
  const random = opts.random ?? Math.random;
  let faults: FaultConfig | undefined = opts.faults;
  const log: WriteLogEntry[] = [];
  let seq = 0;
  let serverAddress = '';
  const hub = new WatchHub(store, { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000 });

  for (const ns of ['default', 'kube-system', 'kube-public', 'kruise-game-system']) {
    registry.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  const byPlural = new Map<string, ResourceDef[]>();
  for (const r of resources) byPlural.set(r.plural, [...(byPlural.get(r.plural) ?? []), r]);
  const findResource = (plural: string, gv: string): ResourceDef | undefined =>
    (byPlural.get(plural) ?? []).find(r => (r.group ? `${r.group}/${r.version}` : r.version) === gv);

  function route(parts: string[]): Route | undefined {
    // parts after /api/v1 or /apis/g/v: [plural, name?, sub?] or [namespaces, ns, plural, name?, sub?]
    let gv: string, rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      gv = 'v1';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      gv = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else return undefined;
    if (rest.length >= 3 && rest[0] === 'namespaces') {
      const res = findResource(rest[2], gv);
      if (res?.namespaced)
        return { kind: 'resource', res, namespace: rest[1], name: rest[3], subresource: rest[4] ?? '' };
    }
    const res = findResource(rest[0], gv);
    if (!res || rest.length > 3) return undefined;
    return { kind: 'resource', res, name: rest[1], subresource: rest[2] ?? '' };
  }

  function verbOf(method: string, r: Route, watch: boolean): string {
    switch (method) {
      case 'GET':
        return r.name ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return r.name ? 'delete' : 'deletecollection';
      default:
        return '';
    }
  }

  async function injectFaults(user: SandboxUser, verb: string, r: Route): Promise<void> {
    const f = faults;
    if (!f || user === 'controller') return;
    const delay = latencyOf(f, random);
    if (delay > 0) await sleep(delay);
    if (f.errorRate && random() < f.errorRate) {
      const codes = f.errorCodes?.length ? f.errorCodes : [500, 503, 429];
      const code = codes[Math.floor(random() * codes.length)];
      if (code === 429) throw tooManyRequests(f.retryAfterSeconds ?? 1);
      if (code === 503) throw serviceUnavailable();
      throw internalError('injected fault (okg sandbox --faults)');
    }
    if (f.conflictRate && (verb === 'update' || verb === 'patch') && r.name && random() < f.conflictRate) {
      throw conflict({ group: r.res.group, resource: r.res.plural }, r.name);
    }
  }

  function selfSubjectAccessReview(user: SandboxUser, body: unknown): object {
    const spec = (
      body as { spec?: { resourceAttributes?: Partial<Attributes>; nonResourceAttributes?: object } } | undefined
    )?.spec;
    if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes)) {
      throw new ApiError(
        422,
        'Invalid',
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' },
      );
    }
    let allowed = true;
    if (spec.resourceAttributes) {
      const a = spec.resourceAttributes;
      allowed = authorize(user, {
        verb: a.verb ?? '',
        group: a.group ?? '',
        resource: a.resource ?? '',
        subresource: a.subresource ?? '',
        namespace: a.namespace,
        name: a.name,
      });
    }
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: allowed ? { allowed: true, reason: 'allowed by the OKG sandbox policy' } : { allowed: false },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const q = url.searchParams;
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = (req.method ?? 'GET').toUpperCase();

    if (['healthz', 'livez', 'readyz'].includes(parts[0])) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    const user = tokens.userOf(req.headers.authorization);
    if (!user) throw unauthorized();

    if (method === 'GET') {
      const p = url.pathname.replace(/\/$/, '');
      if (p === '/version') return send(res, 200, SERVER_VERSION);
      if (p === '/api') return send(res, 200, apiVersions(serverAddress));
      if (p === '/apis') return send(res, 200, apiGroupList(resources));
      if (p === '/api/v1') return send(res, 200, apiResourceList(resources, 'v1'));
      if (parts[0] === 'apis' && parts.length === 2) {
        const g = apiGroup(resources, parts[1]);
        if (g) return send(res, 200, g);
      }
      if (parts[0] === 'apis' && parts.length === 3) {
        const l = apiResourceList(resources, `${parts[1]}/${parts[2]}`);
        if (l) return send(res, 200, l);
      }
    }

    if (method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      return send(res, 201, selfSubjectAccessReview(user, parseJson(await readBody(req))));
    }

    const r = route(parts);
    if (!r) throw pageNotFound();
    if (
      r.subresource &&
      !((r.subresource === 'status' && r.res.status) || (r.subresource === 'scale' && r.res.scale))
    ) {
      throw notFound({ group: r.res.group, resource: r.res.plural }, r.name ?? '');
    }
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    const verb = verbOf(method, r, watch);
    if (!verb) throw methodNotAllowed();
    const mutating = ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(verb);
    const dryRun = q.getAll('dryRun').includes('All');
    const bodyText = mutating ? await readBody(req) : '';
    const entry: WriteLogEntry | undefined = mutating
      ? {
          seq: ++seq,
          time: new Date().toISOString(),
          user,
          verb: verb as WriteLogEntry['verb'],
          group: r.res.group,
          resource: r.res.plural,
          subresource: r.subresource,
          namespace: r.namespace,
          name: r.name,
          code: 0,
          dryRun,
          contentType: req.headers['content-type'],
          body: (() => {
            try {
              return bodyText ? JSON.parse(bodyText) : undefined;
            } catch {
              return bodyText;
            }
          })(),
        }
      : undefined;
    if (entry) log.push(entry);
    try {
      if (
        !authorize(user, {
          verb,
          group: r.res.group,
          resource: r.res.plural,
          subresource: r.subresource,
          namespace: r.namespace,
          name: r.name,
        })
      ) {
        throw forbidden(
          USER_NAMES[user],
          verb,
          { group: r.res.group, resource: r.res.plural },
          r.subresource,
          r.namespace,
          r.name,
        );
      }
      await injectFaults(user, verb, r);
      const { code, body } = await execute(req, res, r, verb, q, bodyText, dryRun, user);
      if (entry) entry.code = code;
      if (body !== undefined) send(res, code, body);
    } catch (e) {
      if (entry) entry.code = e instanceof ApiError ? e.code : 500;
      throw e;
    }
  }

  async function execute(
    req: IncomingMessage,
    res: ServerResponse,
    r: Route,
    verb: string,
    q: URLSearchParams,
    bodyText: string,
    dryRun: boolean,
    user: SandboxUser,
  ): Promise<{ code: number; body: unknown }> {
    const table = wantsTable(req.headers.accept);
    const include = (q.get('includeObject') as IncludeObject | null) ?? 'Metadata';
    const sub = r.subresource;
    switch (verb) {
      case 'get': {
        const obj = registry.get(r.res, r.namespace, r.name!);
        if (sub === 'scale') return { code: 200, body: registry.scaleOf(r.res, obj) };
        return {
          code: 200,
          body: table ? toTable(r.res, [obj], { resourceVersion: obj.metadata.resourceVersion }, include) : obj,
        };
      }
      case 'list': {
        const filter = new ListFilter(r.res, q);
        const page = filter.page(store, r.namespace);
        if (table) return { code: 200, body: toTable(r.res, page.items, page.metadata, include) };
        return {
          code: 200,
          body: {
            kind: r.res.listKind,
            apiVersion: r.res.group ? `${r.res.group}/${r.res.version}` : r.res.version,
            metadata: page.metadata,
            items: page.items,
          },
        };
      }
      case 'watch': {
        const wr: WatchRequest = {
          res: r.res,
          namespace: r.namespace,
          filter: new ListFilter(r.res, q, r.name),
          resourceVersion: q.get('resourceVersion') ?? '',
          bookmarks: q.get('allowWatchBookmarks') === 'true',
          sendInitialEvents: q.get('sendInitialEvents') === 'true',
          timeoutSeconds: q.has('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
          cutAfterSeconds: user === 'controller' ? undefined : faults?.watchCutSeconds,
          table: table ? include : undefined,
          delayMs: user === 'controller' ? undefined : faults?.watchDelayMs,
        };
        hub.serve(req, res, wr);
        return { code: 200, body: undefined };
      }
      case 'create': {
        if (r.name) throw methodNotAllowed();
        const obj = registry.create(r.res, r.namespace, parseJson(bodyText), dryRun);
        return { code: 201, body: obj };
      }
      case 'update': {
        const body = parseJson(bodyText);
        if (sub === 'scale')
          return { code: 200, body: registry.updateScale(r.res, r.namespace, r.name!, body, dryRun) };
        return { code: 200, body: registry.update(r.res, r.namespace, r.name!, body, sub, dryRun) };
      }
      case 'patch': {
        const body = parseJson(bodyText);
        return {
          code: 200,
          body: registry.patch(r.res, r.namespace, r.name!, req.headers['content-type'] ?? '', body, sub, dryRun),
        };
      }
      case 'delete': {
        const opts = deleteOptions(q, bodyText);
        const obj = registry.delete(r.res, r.namespace, r.name!, opts, dryRun);
        // Custom resources answer a finished delete with a Success Status (ReturnDeletedObject=false); pods return the object.
        if (r.res.schema && !obj.metadata.deletionTimestamp) {
          return {
            code: 200,
            body: {
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Success',
              details: { name: obj.metadata.name, group: r.res.group, kind: r.res.plural, uid: obj.metadata.uid },
            },
          };
        }
        return { code: 200, body: obj };
      }
      case 'deletecollection': {
        const opts = deleteOptions(q, bodyText);
        const filter = new ListFilter(r.res, q);
        const items: KubeObject[] = [];
        for (const o of filter.all(store, r.namespace))
          items.push(registry.delete(r.res, o.metadata.namespace, o.metadata.name!, opts, dryRun));
        return {
          code: 200,
          body: {
            kind: r.res.listKind,
            apiVersion: r.res.group ? `${r.res.group}/${r.res.version}` : r.res.version,
            metadata: { resourceVersion: String(store.currentRv()) },
            items,
          },
        };
      }
    }
    throw methodNotAllowed();
  }

  const cert = servingCertificate();
  const server: Server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof ApiError ? e : internalError(e instanceof Error ? e.message : String(e));
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err.plainText) {
        res.writeHead(err.code, {
          'Content-Type': 'text/plain; charset=utf-8',
          'X-Content-Type-Options': 'nosniff',
          ...err.headers,
        });
        res.end(`${err.message}\n`);
        return;
      }
      send(res, err.code, err.body(), err.headers);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  serverAddress = `${addr.address}:${addr.port}`;
  const url = `https://${serverAddress}`;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'okg-sandbox-'));
  const paths = writeKubeconfigs(dir, url, tokens.tokens, cert.certPem);

  return {
    url,
    store,
    registry,
    tokens: tokens.tokens,
    caPem: cert.certPem,
    kubeconfigPath: user => paths[user],
    writeLog: () => log.slice(),
    clearWriteLog: () => {
      log.length = 0;
    },
    setFaults: f => {
      faults = f;
    },
    resource(plural, group) {
      const r = resources.find(x => x.plural === plural && (group === undefined || x.group === group));
      if (!r) throw new Error(`the sandbox serves no resource "${plural}"`);
      return r;
    },
    async close() {
      hub.closeAll();
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

function deleteOptions(q: URLSearchParams, bodyText: string): DeleteOptions {
  let body: DeleteOptions = {};
  if (bodyText.trim()) {
    const parsed = parseJson(bodyText);
    if (parsed && typeof parsed === 'object') body = parsed as DeleteOptions;
  }
  const grace = q.get('gracePeriodSeconds');
  const prop = q.get('propagationPolicy');
  return {
    ...body,
    ...(grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(prop ? { propagationPolicy: prop as DeleteOptions['propagationPolicy'] } : {}),
  };
}
