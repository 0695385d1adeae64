// The verbs of the API server, independent of HTTP: create, update, patch, delete with the
// metadata rules of kube-apiserver (uid, resourceVersion preconditions, generation on spec change,
// status and scale subresources, graceful pod deletion, finalizers). The checks on a body are in objectChecks.ts,
// patch types in patchBody.ts, the Scale view in scaleSubresource.ts, dependents' collection in garbageCollector.ts.
import { randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from './types.js';
import type { ResourceDef } from './resources.js';
import { namespaces } from './resources.js';
import { Store } from './store.js';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './status.js';
import { isRecord } from './json.js';
import { checkTypeMeta, conform, validateName } from './objectChecks.js';
import { applyPatchBody, patchTypeOf } from './patchBody.js';
import { scaledObject, scaleOf } from './scaleSubresource.js';
import { collectDependents } from './garbageCollector.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

function gr(res: ResourceDef) {
  return { group: res.group, resource: res.plural };
}

export function nowTimestamp(ms = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** JSON equality of two JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter(k => a[k] !== undefined);
    const kb = Object.keys(b).filter(k => b[k] !== undefined);
    return ka.length === kb.length && ka.every(k => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Everything but metadata and status: what bumps metadata.generation. */
function specPart(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export class Registry {
  constructor(
    readonly store: Store,
    readonly resources: readonly ResourceDef[],
  ) {}

  get(res: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(res, namespace, name);
    if (!obj) throw notFound(gr(res), name);
    return obj;
  }

  private checkNamespace(res: ResourceDef, namespace: string | undefined): void {
    if (res.namespaced && namespace && !this.store.get(namespaces, undefined, namespace)) {
      throw notFound({ group: '', resource: 'namespaces' }, namespace);
    }
  }

  create(res: ResourceDef, namespace: string | undefined, body: unknown, dryRun = false): KubeObject {
    checkTypeMeta(res, body);
    const meta: ObjectMeta = { ...(body.metadata ?? {}) };
    if (res.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName)
      meta.name = `${meta.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    if (!meta.name) {
      throw invalid(res.kind, res.group, '', [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    validateName(res, meta.name);
    this.checkNamespace(res, meta.namespace);
    if (this.store.get(res, meta.namespace, meta.name)) throw alreadyExists(gr(res), meta.name);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (res.generation) meta.generation = 1;
    else delete meta.generation;
    let obj: KubeObject = {
      ...body,
      apiVersion: res.group ? `${res.group}/${res.version}` : res.version,
      kind: res.kind,
      metadata: meta,
    };
    if (res.status && res.schema) delete obj.status; // CRs with a status subresource ignore status on create
    if (res.kind === 'Pod')
      obj.status = { phase: 'Pending', qosClass: 'BestEffort', ...(isRecord(obj.status) ? obj.status : {}) };
    if (res.kind === 'Namespace') obj.status = { phase: 'Active' };
    obj = conform(res, obj);
    return dryRun
      ? { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.store.currentRv()) } }
      : this.store.insert(res, obj);
  }

  /** PUT: `subresource` '' (status kept from storage when a status subresource exists) or 'status'. */
  update(
    res: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource: string,
    dryRun = false,
  ): KubeObject {
    checkTypeMeta(res, body);
    const meta = body.metadata ?? {};
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (res.namespaced && meta.namespace && namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const old = this.get(res, namespace, name);
    if (meta.resourceVersion === undefined || meta.resourceVersion === '') {
      if (res.group !== '') {
        // Custom resources need a resourceVersion to update; kube names the resource, not the kind, here.
        throw invalid(res.plural, res.group, name, [
          {
            reason: 'FieldValueInvalid',
            field: 'metadata.resourceVersion',
            message: 'Invalid value: 0: must be specified for an update',
          },
        ]);
      }
    } else if (meta.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(gr(res), name);
    }
    return this.write(res, old, body, subresource, dryRun);
  }

  /** Stores `incoming` over `old` following the subresource rules; returns `old` for a no-op. */
  private write(
    res: ResourceDef,
    old: KubeObject,
    incoming: KubeObject,
    subresource: string,
    dryRun: boolean,
  ): KubeObject {
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...old, status: incoming.status };
      if (incoming.status === undefined) delete next.status;
    } else {
      const inMeta = incoming.metadata ?? {};
      next = {
        ...incoming,
        apiVersion: old.apiVersion,
        kind: old.kind,
        metadata: {
          ...inMeta,
          name: old.metadata.name,
          namespace: old.metadata.namespace,
          uid: old.metadata.uid,
          creationTimestamp: old.metadata.creationTimestamp,
          deletionTimestamp: old.metadata.deletionTimestamp,
          deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds,
          generation: old.metadata.generation,
          resourceVersion: old.metadata.resourceVersion,
        },
      };
      for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
        if (next.metadata[k] === undefined) delete next.metadata[k];
      }
      if (res.status) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
    }
    next = conform(res, next);
    if (res.generation && !jsonEqual(specPart(old), specPart(next))) {
      next.metadata = { ...next.metadata, generation: (old.metadata.generation ?? 0) + 1 };
    }
    if (jsonEqual(old, next)) return old;
    if (dryRun) return next;
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length && res.kind !== 'Pod') {
      return this.removeNow(res, next);
    }
    return this.store.replace(res, next, old);
  }

  patch(
    res: ResourceDef,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    subresource: string,
    dryRun = false,
  ): KubeObject {
    const type = patchTypeOf(res, contentType);
    const old = this.get(res, namespace, name);
    if (subresource === 'scale') {
      const scale = applyPatchBody(type, scaleOf(res, old), body);
      return this.applyScale(res, old, scale, dryRun);
    }
    const patched = applyPatchBody(type, old, body);
    if (!isRecord(patched) || !isRecord(patched.metadata))
      throw badRequest('the patched object is not a Kubernetes object');
    const p = patched as KubeObject;
    if (p.metadata.resourceVersion !== undefined && p.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(gr(res), name);
    }
    if (p.metadata.name !== old.metadata.name) {
      throw badRequest(
        `the name of the object (${String(p.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    return this.write(res, old, p, subresource, dryRun);
  }

  /** The autoscaling/v1 Scale view of an object with a scale subresource. */
  scaleOf(res: ResourceDef, obj: KubeObject): KubeObject {
    return scaleOf(res, obj);
  }

  /** PUT of a Scale. */
  updateScale(
    res: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    dryRun = false,
  ): KubeObject {
    return this.applyScale(res, this.get(res, namespace, name), body, dryRun);
  }

  private applyScale(res: ResourceDef, old: KubeObject, scale: unknown, dryRun: boolean): KubeObject {
    return scaleOf(res, this.write(res, old, scaledObject(res, old, scale), '', dryRun));
  }

  /**
   * DELETE. Pods on a node are deleted gracefully (deletionTimestamp now + grace; the kubelet finishes with
   * grace 0); objects with finalizers wait for them; the rest go at once and their dependents are collected.
   */
  delete(
    res: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
    dryRun = false,
  ): KubeObject {
    const old = this.get(res, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        gr(res),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      // rest/delete.go names the Kind here, not the resource.
      throw conflict(
        { group: res.group, resource: res.kind },
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${old.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    if (dryRun) return old;
    if (res.kind === 'Pod') {
      const spec = (old.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
      const phase = (old.status as { phase?: string } | undefined)?.phase;
      const grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
      const graceful = !!spec.nodeName && phase !== 'Succeeded' && phase !== 'Failed' && grace > 0;
      if (graceful) {
        const current = old.metadata.deletionGracePeriodSeconds;
        if (current !== undefined && current <= grace) return old;
        return this.store.replace(
          res,
          {
            ...old,
            metadata: {
              ...old.metadata,
              deletionTimestamp: nowTimestamp(Date.now() + grace * 1000),
              deletionGracePeriodSeconds: grace,
            },
          },
          old,
        );
      }
    }
    if (old.metadata.finalizers?.length) {
      if (old.metadata.deletionTimestamp) return old;
      return this.store.replace(
        res,
        { ...old, metadata: { ...old.metadata, deletionTimestamp: nowTimestamp(), deletionGracePeriodSeconds: 0 } },
        old,
      );
    }
    if (res === namespaces) this.emptyNamespace(name);
    return this.removeNow(res, old, opts.propagationPolicy);
  }

  private removeNow(
    res: ResourceDef,
    obj: KubeObject,
    propagation: DeleteOptions['propagationPolicy'] = 'Background',
  ): KubeObject {
    const gone = this.store.remove(res, obj.metadata.namespace, obj.metadata.name!)!;
    const uid = obj.metadata.uid;
    if (uid)
      collectDependents(this.store, uid, propagation === 'Orphan', d => this.delete(d.res, d.namespace, d.name, {}));
    return gone;
  }

  private emptyNamespace(ns: string): void {
    for (const res of this.namespacedResources()) {
      for (const o of this.store.list(res, ns)) this.store.remove(res, ns, o.metadata.name!);
    }
  }

  private namespacedResources(): ResourceDef[] {
    return this.resources.filter(r => r.namespaced);
  }
}
