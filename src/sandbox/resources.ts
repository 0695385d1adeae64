// The resources the sandbox serves: core v1 namespaces, pods and events, the two OKG CRDs loaded from
// the real manifests (data/crds), and OpenKruise's Advanced StatefulSet (schemaless) that OKG creates.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

export interface PrinterColumn {
  name: string;
  type: string; // string | integer | number | boolean | date
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceDef {
  group: string; // '' for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  status: boolean; // has a status subresource (main writes ignore status, /status writes only status)
  scale?: ScaleSpec;
  /** openAPIV3Schema for custom resources; undefined = no validation/pruning. */
  schema?: unknown;
  /** Server-side printer columns after NAME; undefined = the built-in printer of that kind. */
  printerColumns?: PrinterColumn[];
  /** metadata.generation is kept (CRs and workloads); pods and namespaces have none here. */
  generation: boolean;
  /** Hash of the storage version, for discovery. */
  storageVersionHash: string;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function groupVersion(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** Finds the repo's data folder from the source tree, the compiled tree or the bundle. */
export function dataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'data', 'crds');
    if (existsSync(candidate)) return join(dir, 'data');
    dir = dirname(dir);
  }
  throw new Error('cannot find the data/crds folder of okg-ops next to the program; reinstall the package');
}

interface CrdManifest {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind?: string;
      plural: string;
      singular?: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      additionalPrinterColumns?: PrinterColumn[];
      schema?: { openAPIV3Schema?: unknown };
      subresources?: { status?: object; scale?: ScaleSpec };
    }[];
  };
}

function storageHash(s: string): string {
  // A stable 11-character token like kube's storageVersionHash (base64 of a sha256 prefix).
  let h1 = 0x811c9dc5,
    h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 + s.charCodeAt(i), 2246822519) >>> 0;
  }
  return Buffer.from([h1 >>> 24, h1 >>> 16, h1 >>> 8, h1, h2 >>> 24, h2 >>> 16, h2 >>> 8, h2].map(b => b & 255))
    .toString('base64')
    .slice(0, 11);
}

export function resourceFromCrd(text: string): ResourceDef {
  const crd = yaml.load(text) as CrdManifest;
  const v = crd.spec.versions.find(x => x.storage) ?? crd.spec.versions[0];
  const n = crd.spec.names;
  return {
    group: crd.spec.group,
    version: v.name,
    plural: n.plural,
    singular: n.singular ?? n.kind.toLowerCase(),
    kind: n.kind,
    listKind: n.listKind ?? `${n.kind}List`,
    namespaced: crd.spec.scope === 'Namespaced',
    shortNames: n.shortNames ?? [],
    categories: n.categories ?? [],
    verbs: ALL_VERBS,
    status: !!v.subresources?.status,
    scale: v.subresources?.scale,
    schema: v.schema?.openAPIV3Schema,
    printerColumns: (v.additionalPrinterColumns ?? []).map(c => ({ ...c, priority: c.priority ?? 0 })),
    generation: true,
    storageVersionHash: storageHash(`${crd.spec.group}/${v.name}/${n.kind}`),
  };
}

let okgCrds: ResourceDef[] | undefined;

/** The two OKG CRDs, parsed once from the repo's copy of the real manifests. */
export function okgResources(): ResourceDef[] {
  if (!okgCrds) {
    const dir = join(dataDir(), 'crds');
    okgCrds = ['game.kruise.io_gameserversets.yaml', 'game.kruise.io_gameservers.yaml'].map(f =>
      resourceFromCrd(readFileSync(join(dir, f), 'utf8')),
    );
  }
  return okgCrds;
}

export const namespaces: ResourceDef = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  status: true,
  generation: false,
  storageVersionHash: storageHash('v1/Namespace'),
};

export const pods: ResourceDef = {
  group: '',
  version: 'v1',
  plural: 'pods',
  singular: 'pod',
  kind: 'Pod',
  listKind: 'PodList',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: ALL_VERBS,
  status: true,
  generation: false,
  storageVersionHash: storageHash('v1/Pod'),
};

/** core/v1 Events: the emulated kubelet records its pull failures, back-offs and probe failures there; releases read them. */
export const events: ResourceDef = {
  group: '',
  version: 'v1',
  plural: 'events',
  singular: 'event',
  kind: 'Event',
  listKind: 'EventList',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  verbs: ALL_VERBS,
  status: false,
  generation: false,
  storageVersionHash: storageHash('v1/Event'),
};

/** OpenKruise's Advanced StatefulSet: served schemaless; OKG's GameServerSet owns one of the same name. */
export const advancedStatefulSets: ResourceDef = {
  group: 'apps.kruise.io',
  version: 'v1beta1',
  plural: 'statefulsets',
  singular: 'statefulset',
  kind: 'StatefulSet',
  listKind: 'StatefulSetList',
  namespaced: true,
  shortNames: ['asts'],
  categories: ['all'],
  verbs: ALL_VERBS,
  status: true,
  scale: {
    specReplicasPath: '.spec.replicas',
    statusReplicasPath: '.status.replicas',
    labelSelectorPath: '.status.labelSelector',
  },
  printerColumns: [
    {
      name: 'DESIRED',
      type: 'integer',
      jsonPath: '.spec.replicas',
      priority: 0,
      description: 'The desired number of pods.',
    },
    {
      name: 'CURRENT',
      type: 'integer',
      jsonPath: '.status.replicas',
      priority: 0,
      description: 'The number of currently all pods.',
    },
    {
      name: 'UPDATED',
      type: 'integer',
      jsonPath: '.status.updatedReplicas',
      priority: 0,
      description: 'The number of pods updated.',
    },
    {
      name: 'READY',
      type: 'integer',
      jsonPath: '.status.readyReplicas',
      priority: 0,
      description: 'The number of pods ready.',
    },
    {
      name: 'AGE',
      type: 'date',
      jsonPath: '.metadata.creationTimestamp',
      priority: 0,
      description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
    },
  ],
  generation: true,
  storageVersionHash: storageHash('apps.kruise.io/v1beta1/StatefulSet'),
};

/** Everything the sandbox serves, core first. */
export function servedResources(): ResourceDef[] {
  return [namespaces, pods, events, ...okgResources(), advancedStatefulSets];
}
