// The verbs of the API server, independent of HTTP: create, update, patch, delete with the
// metadata rules of kube-apiserver (uid, resourceVersion preconditions, generation on spec change,
// status and scale subresources, graceful pod deletion, ownerReference garbage collection).
import { randomUUID } from 'node:crypto';
import type { FieldCause, KubeObject, ObjectMeta } from './types.js';
import type { ResourceDef } from './resources.js';
import { namespaces } from './resources.js';
import { Store } from './store.js';
import {
  ApiError,
  alreadyExists,
  apiserverPanic,
  badRequest,
  conflict,
  invalid,
  notFound,
  patchNotApplicable,
  unsupportedMediaType,
} from './status.js';
import { applyJsonPatch, JsonPatchError } from './jsonpatch.js';
import { applyMergePatch, mergePatchDecodeError } from './mergepatch.js';
import type { JSONSchemaProps } from './schema/props.js';
import { validateObject } from './schema/validation.js';
import { pruneObject } from './schema/pruning.js';
import { applyDefaults } from './schema/defaulting.js';
import { evalJsonPath } from './jsonpath.js';
import { isRecord } from './json.js';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

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

  private validateName(res: ResourceDef, name: string): void {
    const re = res === namespaces ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
    if (name.length <= (res === namespaces ? 63 : 253) && re.test(name)) return;
    const message =
      res === namespaces
        ? `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
        : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
    throw invalid(res.kind, res.group, name, [{ reason: 'FieldValueInvalid', field: 'metadata.name', message }]);
  }

  /** Defaults, prunes and validates a custom resource against its CRD schema (422 with the causes). */
  private conform(res: ResourceDef, obj: KubeObject): KubeObject {
    if (!res.schema) {
      // A schemaless CRD (the Advanced StatefulSet) still gets apiextensions' scale checks.
      const causes = this.scaleCauses(res, obj);
      if (causes.length) throw invalid(res.kind, res.group, obj.metadata.name ?? '', causes);
      return obj;
    }
    const schema = res.schema as JSONSchemaProps;
    const defaulted = pruneObject(applyDefaults(obj, schema), schema) as KubeObject;
    const causes = [...validateObject(defaulted, schema), ...this.scaleCauses(res, defaulted)];
    if (causes.length) throw invalid(res.kind, res.group, obj.metadata.name ?? '', causes);
    return defaulted;
  }

  /** apiextensions' ValidateScaleSpec/ValidateScaleStatus: field paths keep their leading dot. */
  private scaleCauses(res: ResourceDef, obj: KubeObject): FieldCause[] {
    if (!res.scale) return [];
    const out: FieldCause[] = [];
    for (const path of [res.scale.specReplicasPath, res.scale.statusReplicasPath]) {
      const v = evalJsonPath(obj, path);
      if (typeof v === 'number' && Number.isInteger(v)) {
        if (v < 0)
          out.push({
            reason: 'FieldValueInvalid',
            field: path,
            message: `Invalid value: ${v}: should be a non-negative integer`,
          });
        else if (v > 2147483647)
          out.push({
            reason: 'FieldValueInvalid',
            field: path,
            message: `Invalid value: ${v}: should be less than or equal to 2147483647`,
          });
      }
    }
    return out;
  }

  private checkTypeMeta(res: ResourceDef, body: unknown): asserts body is KubeObject {
    if (!isRecord(body)) throw badRequest("Object 'Kind' is missing in the request body");
    const gv = res.group ? `${res.group}/${res.version}` : res.version;
    if (
      body.kind !== undefined &&
      body.kind !== res.kind &&
      res.group !== '' &&
      (body.apiVersion === undefined || body.apiVersion === gv)
    ) {
      // A custom resource with another kind is refused by apiextensions' validation, naming the kind sent.
      const name = isRecord(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
      throw invalid(String(body.kind), res.group, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'kind',
          message: `Invalid value: ${JSON.stringify(body.kind)}: must be ${res.kind}`,
        },
      ]);
    }
    if (body.kind !== undefined && body.kind !== res.kind) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`,
      );
    }
    if (body.apiVersion !== undefined && body.apiVersion !== gv) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`,
      );
    }
    if (body.metadata !== undefined && !isRecord(body.metadata)) throw badRequest('metadata must be an object');
  }

  create(res: ResourceDef, namespace: string | undefined, body: unknown, dryRun = false): KubeObject {
    this.checkTypeMeta(res, body);
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
    this.validateName(res, meta.name);
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
    obj = this.conform(res, obj);
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
    this.checkTypeMeta(res, body);
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
    next = this.conform(res, next);
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
    const type = contentType.split(';')[0].trim().toLowerCase();
    const strategicAllowed = !res.schema && (res.kind === 'Pod' || res.kind === 'Namespace');
    if (!PATCH_TYPES.includes(type) && !(strategicAllowed && type === 'application/strategic-merge-patch+json')) {
      const accepted = strategicAllowed
        ? [
            'application/json-patch+json',
            'application/merge-patch+json',
            'application/strategic-merge-patch+json',
            'application/apply-patch+yaml',
          ]
        : PATCH_TYPES;
      throw unsupportedMediaType(accepted);
    }
    if (type === 'application/apply-patch+yaml') {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'server-side apply is not supported by the OKG sandbox; use kubectl apply without --server-side, or a merge patch',
      );
    }
    const old = this.get(res, namespace, name);
    if (subresource === 'scale') return this.patchScale(res, old, type, body, dryRun);
    const patched = this.applyPatch(type, old, body);
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

  private applyPatch(type: string, old: KubeObject, body: unknown): unknown {
    if (type === 'application/json-patch+json') {
      try {
        return applyJsonPatch(old, body);
      } catch (e) {
        if (e instanceof JsonPatchError) {
          throw e.kind === 'malformed'
            ? badRequest(e.message)
            : e.kind === 'panic'
              ? apiserverPanic()
              : patchNotApplicable(e.message);
        }
        throw e;
      }
    }
    if (body === undefined) throw badRequest('json: cannot unmarshal the patch into a JSON object');
    const refused = mergePatchDecodeError(body);
    if (refused !== undefined) throw badRequest(refused);
    return applyMergePatch(old, body);
  }

  /** The autoscaling/v1 Scale view of an object with a scale subresource. */
  scaleOf(res: ResourceDef, obj: KubeObject): KubeObject {
    const sc = res.scale!;
    const spec = evalJsonPath(obj, sc.specReplicasPath);
    const status = evalJsonPath(obj, sc.statusReplicasPath);
    const selector = sc.labelSelectorPath ? evalJsonPath(obj, sc.labelSelectorPath) : undefined;
    const m = obj.metadata;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
        creationTimestamp: m.creationTimestamp,
      },
      spec: { replicas: typeof spec === 'number' ? spec : 0 },
      status: {
        replicas: typeof status === 'number' ? status : 0,
        ...(typeof selector === 'string' && selector ? { selector } : {}),
      },
    };
  }

  private applyScale(res: ResourceDef, old: KubeObject, scale: unknown, dryRun: boolean): KubeObject {
    if (!isRecord(scale) || !isRecord(scale.spec)) throw badRequest('the body is not an autoscaling/v1 Scale');
    const meta = isRecord(scale.metadata) ? scale.metadata : {};
    if (
      meta.resourceVersion !== undefined &&
      meta.resourceVersion !== '' &&
      meta.resourceVersion !== old.metadata.resourceVersion
    ) {
      throw conflict(gr(res), old.metadata.name!);
    }
    const replicas = scale.spec.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
      throw invalid('Scale', 'autoscaling', old.metadata.name!, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    // Only custom resources have a scale here: a negative count is written into the resource and refused as the
    // resource (kube-apiserver answers `GameServerSet.game.kruise.io "x" is invalid: [spec.replicas: …]`, no Scale error).
    const path = res.scale!.specReplicasPath.replace(/^\./, '').split('.');
    const next = structuredClone(old) as Record<string, unknown>;
    let cur = next;
    for (const k of path.slice(0, -1)) {
      if (!isRecord(cur[k])) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
    cur[path[path.length - 1]] = replicas;
    const stored = this.write(res, old, next as KubeObject, '', dryRun);
    return this.scaleOf(res, stored);
  }

  private patchScale(res: ResourceDef, old: KubeObject, type: string, body: unknown, dryRun: boolean): KubeObject {
    return this.applyScale(res, old, this.applyPatch(type, this.scaleOf(res, old), body), dryRun);
  }

  updateScale(
    res: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    dryRun = false,
  ): KubeObject {
    return this.applyScale(res, this.get(res, namespace, name), body, dryRun);
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
    if (uid) this.collect(uid, propagation === 'Orphan');
    return gone;
  }

  /** The garbage collector: dependents of a removed owner are deleted (or orphaned), asynchronously as in kube. */
  private collect(ownerUid: string, orphan: boolean): void {
    const dependents = this.store.dependentsOf(ownerUid);
    if (!dependents.length) return;
    setImmediate(() => {
      for (const d of dependents) {
        const obj = this.store.get(d.res, d.namespace, d.name);
        if (!obj) continue;
        const refs = obj.metadata.ownerReferences ?? [];
        const remaining = refs.filter(r => r.uid !== ownerUid);
        if (!orphan && !remaining.some(r => this.store.hasUid(r.uid))) {
          try {
            this.delete(d.res, d.namespace, d.name, {});
          } catch {
            /* already gone */
          }
        } else if (remaining.length !== refs.length) {
          this.store.replace(
            d.res,
            { ...obj, metadata: { ...obj.metadata, ownerReferences: remaining.length ? remaining : undefined } },
            obj,
          );
        }
      }
    });
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
