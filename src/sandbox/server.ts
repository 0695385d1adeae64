// The sandbox API server: a local HTTPS server on 127.0.0.1 that speaks the Kubernetes REST API for
// namespaces, pods, the OKG CRDs and the Advanced StatefulSet, closely enough that kubectl and
// @kubernetes/client-node cannot tell it from a cluster for every call OKG Ops makes. This file holds the request
// pipeline (authenticate, discovery, route, log, authorize, faults, verb) and the server's lifetime; routes.ts,
// verbs.ts, http.ts, accessReview.ts and writeLog.ts hold the steps.
import { createServer as createPlainServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaces, servedResources, type ResourceDef } from './resources.js';
import { Store } from './store.js';
import { Registry } from './registry.js';
import { ApiError, forbidden, methodNotAllowed, pageNotFound, unauthorized } from './status.js';
import { authorize, TokenTable, USER_NAMES, type SandboxUser } from './auth.js';
import { discoveryDocument } from './discovery.js';
import { injectFaults, type FaultConfig } from './faults.js';
import { writeKubeconfigs } from './kubeconfig.js';
import { servingCertificate } from './tls.js';
import { WatchHub } from './watch.js';
import { parseJson, readBody, send, sendError } from './http.js';
import { checkSubresource, isMutating, Router, verbOf } from './routes.js';
import { runVerb, type VerbContext } from './verbs.js';
import { ACCESS_REVIEW_PATH, selfSubjectAccessReview } from './accessReview.js';
import { WriteLog, type WriteLogEntry } from './writeLog.js';
import { PodLogs } from './podLog.js';
import { PodExec } from './podExec.js';

export type { WriteLogEntry };

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
  /** How often a running container's synthetic log gets a heartbeat line (pods/log; default 1000 ms). */
  logIntervalMs?: number;
}

export interface SandboxServer {
  readonly url: string;
  /**
   * The OKG emulator's own door: plain HTTP on 127.0.0.1 that answers the controller's token only (any other is
   * 401). The emulator in the same process needs no TLS to reach its own server, and TLS was a quarter of the
   * request cost at 10,000 rooms (profiled). Every other client, and the controller's kubeconfig file, use `url`.
   */
  readonly controllerUrl: string;
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
  /** The synthetic container logs pods/log serves (tests append lines a game server would print). */
  readonly podLogs: PodLogs;
  close(): Promise<void>;
}

export async function startSandboxServer(opts: SandboxServerOptions = {}): Promise<SandboxServer> {
  const resources = [...servedResources(), ...(opts.extraResources ?? [])];
  const store = new Store(opts.watchHistory ?? 20000);
  const registry = new Registry(store, resources);
  const tokens = new TokenTable();
  const random = opts.random ?? Math.random;
  let faults: FaultConfig | undefined = opts.faults;
  const log = new WriteLog();
  const router = new Router(resources);
  let serverAddress = '';
  const hub = new WatchHub(store, { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000 });
  const verbs: VerbContext = { registry, store, hub, faults: () => faults };
  const podsDef = resources.find(x => x.plural === 'pods' && !x.group)!;
  const podLogs = new PodLogs(store, podsDef, { intervalMs: opts.logIntervalMs });
  const podExec = new PodExec({
    store,
    pods: podsDef,
    userOf: h => tokens.userOf(h),
    authorize,
    userName: u => USER_NAMES[u],
  });

  for (const ns of ['default', 'kube-system', 'kube-public', 'kruise-game-system']) {
    registry.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, onlyUser?: SandboxUser): Promise<void> {
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
    if (!user || (onlyUser && user !== onlyUser)) throw unauthorized();

    if (method === 'GET') {
      const doc = discoveryDocument(url.pathname, resources, serverAddress);
      if (doc) return send(res, 200, doc);
    }
    if (method === 'POST' && url.pathname === ACCESS_REVIEW_PATH) {
      return send(res, 201, selfSubjectAccessReview(user, parseJson(await readBody(req))));
    }

    const r = router.route(parts);
    if (!r) throw pageNotFound();
    // pods/log streams text (./podLog.ts); pods/exec arrives as an upgrade (./podExec.ts).
    if (r.res === podsDef && r.subresource === 'log' && r.name && method === 'GET') {
      if (
        !authorize(user, {
          verb: 'get',
          group: '',
          resource: 'pods',
          subresource: 'log',
          namespace: r.namespace,
          name: r.name,
        })
      )
        throw forbidden(USER_NAMES[user], 'get', { group: '', resource: 'pods' }, 'log', r.namespace, r.name);
      return podLogs.serve(req, res, r.namespace, r.name, q);
    }
    checkSubresource(r);
    const verb = verbOf(method, r, q.get('watch') === 'true' || q.get('watch') === '1');
    if (!verb) throw methodNotAllowed();
    const dryRun = q.getAll('dryRun').includes('All');
    const mutating = isMutating(verb);
    const bodyText = mutating ? await readBody(req) : '';
    const entry = mutating ? log.add(req, user, verb, r, bodyText, dryRun) : undefined;
    try {
      const attrs = { verb, group: r.res.group, resource: r.res.plural, subresource: r.subresource };
      if (!authorize(user, { ...attrs, namespace: r.namespace, name: r.name })) {
        const gr = { group: r.res.group, resource: r.res.plural };
        throw forbidden(USER_NAMES[user], verb, gr, r.subresource, r.namespace, r.name);
      }
      await injectFaults(faults, random, user, verb, r);
      const { code, body } = runVerb(verbs, verb, { req, res, route: r, query: q, bodyText, dryRun, user });
      if (entry) entry.code = code;
      if (body !== undefined) send(res, code, body);
    } catch (e) {
      if (entry) entry.code = e instanceof ApiError ? e.code : 500;
      throw e;
    }
  }

  const cert = servingCertificate();
  const server: Server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => sendError(res, e));
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => podExec.upgrade(req, socket, head));
  server.keepAliveTimeout = 65_000;
  const plain = createPlainServer((req, res) => {
    handle(req, res, 'controller').catch((e: unknown) => sendError(res, e));
  });
  plain.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    plain.once('error', reject);
    plain.listen(0, '127.0.0.1', () => resolve());
  });
  const plainAddr = plain.address() as AddressInfo;
  const addr = server.address() as AddressInfo;
  serverAddress = `${addr.address}:${addr.port}`;
  const url = `https://${serverAddress}`;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'okg-sandbox-'));
  const paths = writeKubeconfigs(dir, url, tokens.tokens, cert.certPem);

  return {
    url,
    controllerUrl: `http://127.0.0.1:${plainAddr.port}`,
    store,
    registry,
    tokens: tokens.tokens,
    caPem: cert.certPem,
    kubeconfigPath: user => paths[user],
    writeLog: () => log.all(),
    clearWriteLog: () => log.clear(),
    setFaults: f => {
      faults = f;
    },
    resource(plural, group) {
      const r = resources.find(x => x.plural === plural && (group === undefined || x.group === group));
      if (!r) throw new Error(`the sandbox serves no resource "${plural}"`);
      return r;
    },
    podLogs,
    async close() {
      hub.closeAll();
      podLogs.closeAll();
      podExec.closeAll();
      server.closeAllConnections();
      plain.closeAllConnections();
      await Promise.all([
        new Promise<void>(resolve => server.close(() => resolve())),
        new Promise<void>(resolve => plain.close(() => resolve())),
      ]);
    },
  };
}
