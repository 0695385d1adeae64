// A sandbox that serves Argo Workflows' CRDs (the minimal ones Argo ships, copied from its Go module by
// scripts/argo-validate.mjs) and the RBAC objects the export creates, as a cluster with Argo installed has them.
// No Argo controller runs here: Workflows are admitted and stored, nothing executes them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_VERBS, resourceFromCrd, type ResourceDef } from '../../src/sandbox/resources.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { argoValidator } from './argoRun.js';
import { startWorld } from './helpers.js';

function builtin(group: string, version: string, kind: string, plural: string): ResourceDef {
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    status: false,
    generation: false,
    storageVersionHash: `${group}/${version}/${kind}`.slice(0, 11),
  };
}

/** Argo's Workflow, WorkflowTemplate and WorkflowTaskResult CRDs, plus ServiceAccount, Role and RoleBinding. */
export async function argoResources(): Promise<ResourceDef[]> {
  const { crds } = await argoValidator();
  const argo = ['workflows', 'workflowtemplates', 'workflowtaskresults'].map(p =>
    resourceFromCrd(readFileSync(join(crds.minimal, `argoproj.io_${p}.yaml`), 'utf8')),
  );
  return [
    ...argo,
    builtin('', 'v1', 'ServiceAccount', 'serviceaccounts'),
    builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
    builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
  ];
}

/** The seed world on a sandbox that also serves Argo's CRDs. */
export async function startArgoWorld(): Promise<Sandbox> {
  return startWorld({ extraResources: await argoResources() });
}
