// Discovery documents (/version, /api, /apis, group and group-version resource lists) in the legacy
// (unaggregated) format. kubectl asks for aggregated discovery first and falls back to these when the
// response's Content-Type is plain application/json, as it does against older servers.
import type { ResourceDef } from './resources.js';
import { groupVersion } from './resources.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-okg-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'node',
  compiler: 'okg-sandbox',
  platform: 'linux/amd64',
};

const AUTHZ = { group: 'authorization.k8s.io', version: 'v1' };

interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string, version: string) {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

function groupsOf(resources: ResourceDef[]): { name: string; version: string }[] {
  const seen = new Map<string, string>();
  for (const r of resources) if (r.group && !seen.has(r.group)) seen.set(r.group, r.version);
  seen.set(AUTHZ.group, AUTHZ.version);
  return [...seen].map(([name, version]) => ({ name, version }));
}

export function apiGroupList(resources: ResourceDef[]): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupsOf(resources).map(g => groupEntry(g.name, g.version)),
  };
}

export function apiGroup(resources: ResourceDef[], group: string): object | undefined {
  const g = groupsOf(resources).find(x => x.name === group);
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.name, g.version) };
}

export function apiResourceList(resources: ResourceDef[], gv: string): object | undefined {
  if (gv === `${AUTHZ.group}/${AUTHZ.version}`) {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: [
        {
          name: 'selfsubjectaccessreviews',
          singularName: 'selfsubjectaccessreview',
          namespaced: false,
          kind: 'SelfSubjectAccessReview',
          verbs: ['create'],
        },
      ],
    };
  }
  const mine = resources.filter(r => groupVersion(r) === gv);
  if (!mine.length) return undefined;
  const out: ApiResource[] = [];
  for (const r of mine) {
    const main: ApiResource = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      storageVersionHash: r.storageVersionHash,
    };
    if (r.shortNames.length) main.shortNames = r.shortNames;
    if (r.categories.length) main.categories = r.categories;
    out.push(main);
    if (r.scale)
      out.push({
        name: `${r.plural}/scale`,
        singularName: '',
        namespaced: r.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    if (r.status)
      out.push({
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: out };
}

/** The discovery document a GET of this path asks for, or undefined when the path is not a discovery path. */
export function discoveryDocument(
  pathname: string,
  resources: ResourceDef[],
  serverAddress: string,
): object | undefined {
  const p = pathname.replace(/\/$/, '');
  if (p === '/version') return SERVER_VERSION;
  if (p === '/api') return apiVersions(serverAddress);
  if (p === '/apis') return apiGroupList(resources);
  if (p === '/api/v1') return apiResourceList(resources, 'v1');
  const parts = p.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'apis' && parts.length === 2) return apiGroup(resources, parts[1]);
  if (parts[0] === 'apis' && parts.length === 3) return apiResourceList(resources, `${parts[1]}/${parts[2]}`);
  return undefined;
}
