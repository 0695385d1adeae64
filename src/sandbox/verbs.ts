// What each Kubernetes verb does on a resource route: one handler a verb, over the registry (reads and writes),
// the store (lists) and the watch hub (streams). The table is typed by Verb, so the compiler checks it is complete.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxUser } from './auth.js';
import type { FaultConfig } from './faults.js';
import { parseJson, wantsTable } from './http.js';
import { ListFilter } from './listFilter.js';
import type { DeleteOptions, Registry } from './registry.js';
import type { ResourceDef } from './resources.js';
import type { Route, Verb } from './routes.js';
import { methodNotAllowed } from './status.js';
import type { Store } from './store.js';
import { toTable, type IncludeObject } from './tables.js';
import type { KubeObject } from './types.js';
import type { WatchHub } from './watch.js';

/** What the handlers act on; `faults` is read per request because tests change it while the server runs. */
export interface VerbContext {
  registry: Registry;
  store: Store;
  hub: WatchHub;
  faults(): FaultConfig | undefined;
}

/** One request on a resource route, its body already read (mutating verbs only). */
export interface VerbRequest {
  req: IncomingMessage;
  res: ServerResponse;
  route: Route;
  query: URLSearchParams;
  bodyText: string;
  dryRun: boolean;
  user: SandboxUser;
}

/** `body` undefined: the handler answered itself (a watch stream). */
export interface VerbResult {
  code: number;
  body: unknown;
}

type Handler = (ctx: VerbContext, v: VerbRequest) => VerbResult;

const apiVersionOf = (res: ResourceDef) => (res.group ? `${res.group}/${res.version}` : res.version);
const includeOf = (q: URLSearchParams) => (q.get('includeObject') as IncludeObject | null) ?? 'Metadata';

const HANDLERS: Record<Verb, Handler> = {
  get({ registry }, { req, route: r, query }) {
    const obj = registry.get(r.res, r.namespace, r.name!);
    if (r.subresource === 'scale') return { code: 200, body: registry.scaleOf(r.res, obj) };
    if (!wantsTable(req.headers.accept)) return { code: 200, body: obj };
    return {
      code: 200,
      body: toTable(r.res, [obj], { resourceVersion: obj.metadata.resourceVersion }, includeOf(query)),
    };
  },

  list({ store }, { req, route: r, query }) {
    const page = new ListFilter(r.res, query).page(store, r.namespace);
    if (wantsTable(req.headers.accept))
      return { code: 200, body: toTable(r.res, page.items, page.metadata, includeOf(query)) };
    return {
      code: 200,
      body: { kind: r.res.listKind, apiVersion: apiVersionOf(r.res), metadata: page.metadata, items: page.items },
    };
  },

  watch({ hub, faults }, { req, res, route: r, query: q, user }) {
    // Faults are for the clients under test: the OKG emulator's watches are never cut nor delayed.
    const f = user === 'controller' ? undefined : faults();
    hub.serve(req, res, {
      res: r.res,
      namespace: r.namespace,
      filter: new ListFilter(r.res, q, r.name),
      resourceVersion: q.get('resourceVersion') ?? '',
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      sendInitialEvents: q.get('sendInitialEvents') === 'true',
      timeoutSeconds: q.has('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
      cutAfterSeconds: f?.watchCutSeconds,
      table: wantsTable(req.headers.accept) ? includeOf(q) : undefined,
      delayMs: f?.watchDelayMs,
    });
    return { code: 200, body: undefined };
  },

  create({ registry }, { route: r, bodyText, dryRun }) {
    if (r.name) throw methodNotAllowed();
    return { code: 201, body: registry.create(r.res, r.namespace, parseJson(bodyText), dryRun) };
  },

  update({ registry }, { route: r, bodyText, dryRun }) {
    const body = parseJson(bodyText);
    if (r.subresource === 'scale')
      return { code: 200, body: registry.updateScale(r.res, r.namespace, r.name!, body, dryRun) };
    return { code: 200, body: registry.update(r.res, r.namespace, r.name!, body, r.subresource, dryRun) };
  },

  patch({ registry }, { req, route: r, bodyText, dryRun }) {
    const type = req.headers['content-type'] ?? '';
    return {
      code: 200,
      body: registry.patch(r.res, r.namespace, r.name!, type, parseJson(bodyText), r.subresource, dryRun),
    };
  },

  delete({ registry }, { route: r, query, bodyText, dryRun }) {
    const obj = registry.delete(r.res, r.namespace, r.name!, deleteOptions(query, bodyText), dryRun);
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
  },

  deletecollection({ registry, store }, { route: r, query, bodyText, dryRun }) {
    const opts = deleteOptions(query, bodyText);
    const items: KubeObject[] = [];
    for (const o of new ListFilter(r.res, query).all(store, r.namespace))
      items.push(registry.delete(r.res, o.metadata.namespace, o.metadata.name!, opts, dryRun));
    return {
      code: 200,
      body: {
        kind: r.res.listKind,
        apiVersion: apiVersionOf(r.res),
        metadata: { resourceVersion: String(store.currentRv()) },
        items,
      },
    };
  },
};

export function runVerb(ctx: VerbContext, verb: Verb, v: VerbRequest): VerbResult {
  return HANDLERS[verb](ctx, v);
}

/** DeleteOptions from the body, with the query's gracePeriodSeconds and propagationPolicy on top (as kubectl sends them). */
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
