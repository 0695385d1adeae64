// The garbage collector: when an owner is removed, its dependents are deleted (their last live owner gone) or
// orphaned (the reference dropped), asynchronously as kube-controller-manager's collector does it.
import type { Store } from './store.js';
import type { ResourceDef } from './resources.js';

export interface DependentKey {
  res: ResourceDef;
  namespace?: string;
  name: string;
}

/** `deleteDependent` is the registry's delete, so a collected pod is deleted gracefully and collects its own dependents. */
export function collectDependents(
  store: Store,
  ownerUid: string,
  orphan: boolean,
  deleteDependent: (d: DependentKey) => void,
): void {
  const dependents = store.dependentsOf(ownerUid);
  if (!dependents.length) return;
  setImmediate(() => {
    for (const d of dependents) {
      const obj = store.get(d.res, d.namespace, d.name);
      if (!obj) continue;
      const refs = obj.metadata.ownerReferences ?? [];
      const remaining = refs.filter(r => r.uid !== ownerUid);
      if (!orphan && !remaining.some(r => store.hasUid(r.uid))) {
        try {
          deleteDependent(d);
        } catch {
          /* already gone */
        }
      } else if (remaining.length !== refs.length) {
        store.replace(
          d.res,
          { ...obj, metadata: { ...obj.metadata, ownerReferences: remaining.length ? remaining : undefined } },
          obj,
        );
      }
    }
  });
}
