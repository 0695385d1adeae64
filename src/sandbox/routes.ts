// Request paths to resource routes: `/api/v1/...` and `/apis/<group>/<version>/...`, namespaced or cluster-wide,
// with an optional object name and subresource, and the Kubernetes verb a method means on that route.
import type { ResourceDef } from './resources.js';
import { notFound } from './status.js';

export interface Route {
  res: ResourceDef;
  namespace?: string;
  name?: string;
  subresource: string;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
export type MutatingVerb = Extract<Verb, 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'>;

const MUTATING: readonly Verb[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export function isMutating(verb: Verb): verb is MutatingVerb {
  return MUTATING.includes(verb);
}

/** Finds served resources by plural and group-version. */
export class Router {
  private readonly byPlural = new Map<string, ResourceDef[]>();

  constructor(resources: readonly ResourceDef[]) {
    for (const r of resources) this.byPlural.set(r.plural, [...(this.byPlural.get(r.plural) ?? []), r]);
  }

  private find(plural: string, gv: string): ResourceDef | undefined {
    return (this.byPlural.get(plural) ?? []).find(r => (r.group ? `${r.group}/${r.version}` : r.version) === gv);
  }

  /** The route of decoded path segments, or undefined for a path that names no served resource. */
  route(parts: string[]): Route | undefined {
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
      const res = this.find(rest[2], gv);
      if (res?.namespaced) return { res, namespace: rest[1], name: rest[3], subresource: rest[4] ?? '' };
    }
    const res = this.find(rest[0], gv);
    if (!res || rest.length > 3) return undefined;
    return { res, name: rest[1], subresource: rest[2] ?? '' };
  }
}

/** A subresource the resource does not serve is a 404 naming the object, as kube-apiserver answers. */
export function checkSubresource(r: Route): void {
  if (!r.subresource) return;
  if ((r.subresource === 'status' && r.res.status) || (r.subresource === 'scale' && r.res.scale)) return;
  throw notFound({ group: r.res.group, resource: r.res.plural }, r.name ?? '');
}

/** The verb an HTTP method means on a route (undefined: 405). */
export function verbOf(method: string, r: Route, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : r.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return r.name ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
