// The wizard's list of GameServerSets: every set the Game Servers view shows, in its order, each with the
// unfinished release recorded on it (offered for resume or take-over); a set with values the contract cannot carry
// is skipped and logged, a scope whose cache fails is named in the error.
import type { NamespaceCache } from '../cluster/cache.js';
import { readHostMessage, type Target } from '../webview/protocol.js';
import type { WizardDeps, WizardScope } from './host.js';
import { resumeOffer } from './resume.js';

/** Every GameServerSet the explorer shows, with an unfinished release to offer for resume. */
export async function listTargets(deps: WizardDeps): Promise<{ targets: Target[]; error?: string }> {
  const out: Target[] = [];
  const errors: string[] = [];
  let scopes: WizardScope[];
  try {
    scopes = await deps.scopes();
  } catch (e) {
    return { targets: [], error: e instanceof Error ? e.message : String(e) };
  }
  for (const scope of scopes) {
    let cache: NamespaceCache;
    try {
      cache = await scope.cache();
    } catch (e) {
      errors.push(`${scope.label}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const g of cache.gameServerSets()) {
      const t: Target = {
        scope: scope.id,
        scopeLabel: scope.label,
        namespace: scope.namespace,
        name: g.name,
        replicas: g.replicas,
        readyReplicas: g.readyReplicas,
        rooms: cache.rooms(g.name).length,
        images: g.images,
        onDeleteInForce: g.onDeleteInForce,
      };
      const interrupted = resumeOffer(scope, g, deps.log);
      if (interrupted) t.interrupted = interrupted;
      if (!readHostMessage({ type: 'targets', targets: [t] }).ok) {
        deps.log.warn(`release wizard: GameServerSet ${g.name} has values the wizard cannot show; skipped`);
        continue;
      }
      out.push(t);
    }
  }
  return { targets: out, ...(errors.length ? { error: errors.join('; ') } : {}) };
}
