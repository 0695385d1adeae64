// Owner references as OKG's controllers set them (controller and blockOwnerDeletion true), and reading one back.
import type { OwnerReference } from '../types.js';

export function ownerRef(obj: {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; uid?: string };
}): OwnerReference {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function controllerOf(obj: { metadata: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find(r => r.controller === true);
}
