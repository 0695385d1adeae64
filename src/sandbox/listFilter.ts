// Label and field selection plus limit/continue paging for list, watch and deletecollection.
import type { KubeObject } from './types.js';
import type { ResourceDef } from './resources.js';
import type { Store } from './store.js';
import { badRequest, gone } from './status.js';
import { matchLabels, parseLabelSelector, SelectorError } from './labels.js';
import { matchFields, parseFieldSelector } from './fields.js';

type LabelSel = ReturnType<typeof parseLabelSelector>;
type FieldReqs = ReturnType<typeof parseFieldSelector>;

const POD_FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  'spec.nodeName': o => (o.spec as { nodeName?: string } | undefined)?.nodeName ?? '',
  'spec.restartPolicy': o => (o.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? '',
  'spec.schedulerName': o => (o.spec as { schedulerName?: string } | undefined)?.schedulerName ?? '',
  'spec.serviceAccountName': o => (o.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? '',
  'status.phase': o => (o.status as { phase?: string } | undefined)?.phase ?? '',
  'status.podIP': o => (o.status as { podIP?: string } | undefined)?.podIP ?? '',
};

const NAMESPACE_FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  'status.phase': o => (o.status as { phase?: string } | undefined)?.phase ?? '',
};

type EventLike = {
  involvedObject?: Record<string, string | undefined>;
  reason?: string;
  reportingComponent?: string;
  source?: { component?: string };
  type?: string;
};
const ev = (o: KubeObject): EventLike => o as unknown as EventLike;
/** pkg/registry/core/event ToSelectableFields. */
const EVENT_FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  ...Object.fromEntries(
    ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map(f => [
      `involvedObject.${f}`,
      (o: KubeObject) => ev(o).involvedObject?.[f] ?? '',
    ]),
  ),
  reason: o => ev(o).reason ?? '',
  reportingComponent: o => ev(o).reportingComponent ?? '',
  source: o => ev(o).source?.component || ev(o).reportingComponent || '',
  type: o => ev(o).type ?? '',
};

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

export interface Page {
  items: KubeObject[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

export class ListFilter {
  private readonly labels?: LabelSel;
  private readonly fields?: FieldReqs;
  private readonly getters: Record<string, (o: KubeObject) => string | undefined>;

  /** `name` narrows to one object (a watch on a single object uses metadata.name=…). */
  constructor(
    private readonly res: ResourceDef,
    private readonly q: URLSearchParams,
    name?: string,
  ) {
    this.getters = {
      'metadata.name': o => o.metadata.name,
      'metadata.namespace': o => o.metadata.namespace ?? '',
      ...(res.kind === 'Pod'
        ? POD_FIELDS
        : res.kind === 'Namespace'
          ? NAMESPACE_FIELDS
          : res.kind === 'Event' && !res.group
            ? EVENT_FIELDS
            : {}),
    };
    try {
      const ls = q.get('labelSelector');
      if (ls) this.labels = parseLabelSelector(ls);
      let fs = q.get('fieldSelector') ?? '';
      if (name) fs = fs ? `${fs},metadata.name=${name}` : `metadata.name=${name}`;
      if (fs) this.fields = parseFieldSelector(fs);
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
    for (const req of this.fields ?? []) {
      if (!this.getters[req.field]) {
        // kube-apiserver 1.34 answers this for custom resources too (checked against it in test/controlplane).
        throw badRequest(`field label not supported: ${req.field}`);
      }
    }
  }

  matches(o: KubeObject): boolean {
    if (this.labels && !matchLabels(this.labels, o.metadata.labels)) return false;
    if (this.fields && !matchFields(this.fields, f => this.getters[f]?.(o))) return false;
    return true;
  }

  all(store: Store, namespace?: string): KubeObject[] {
    return store.list(this.res, namespace).filter(o => this.matches(o));
  }

  /**
   * One page of a list. Continue tokens carry the resourceVersion of the first page; once the watch
   * history no longer reaches it, the token is expired (410), as after an etcd compaction.
   * Difference from kube-apiserver: later pages show the current state, not a snapshot at that version.
   */
  page(store: Store, namespace?: string): Page {
    const limitText = this.q.get('limit');
    const limit = limitText ? Number(limitText) : 0;
    // kube-apiserver treats a negative limit as no limit.
    if (limitText && !Number.isInteger(limit)) throw badRequest(`invalid limit: ${limitText}`);
    const cont = this.q.get('continue');
    let rv = store.currentRv();
    let after: string | undefined;
    if (cont) {
      let token: ContinueToken;
      try {
        token = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as ContinueToken;
        if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string')
          throw new Error('bad');
      } catch {
        throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      }
      if (token.rv < store.oldestRv() - 1) {
        throw gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      rv = token.rv;
      after = token.start;
    }
    const candidates = store.list(this.res, namespace, after);
    const items: KubeObject[] = [];
    let i = 0;
    for (; i < candidates.length; i++) {
      if (!this.matches(candidates[i])) continue;
      if (limit > 0 && items.length === limit) break;
      items.push(candidates[i]);
    }
    const metadata: Page['metadata'] = { resourceVersion: String(rv) };
    if (limit > 0 && i < candidates.length) {
      const last = items[items.length - 1].metadata;
      const start = last.namespace && this.res.namespaced ? `${last.namespace}/${last.name}` : last.name!;
      metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
      if (!this.labels && !this.fields) metadata.remainingItemCount = candidates.length - i;
    }
    return { items, metadata };
  }
}
