// Preflight: the checks that need the cluster but write nothing — the namespace and GameServerSet exist, and
// the current user may do every verb the release will use (SelfSubjectAccessReview), so a release never
// stops half-way on a 403.
import type { AccessCheck, OkgClient } from '../cluster/client.js';
import { ClusterError } from '../cluster/errors.js';
import { OKG_GROUP, type RawObject } from '../cluster/okg.js';
import type { NormalizedInput } from './types.js';
import { ReleaseRefused } from './validate.js';

interface NeededAccess extends AccessCheck {
  why: string;
}

/** Every verb the release uses, with what for. */
export function neededAccess(input: NormalizedInput): NeededAccess[] {
  const ns = input.namespace;
  const gss = input.gameServerSet;
  const reclaim = input.reclaim === 'scale-down' ? ', lowers its replicas' : '';
  return [
    {
      verb: 'patch',
      group: OKG_GROUP,
      resource: 'gameserversets',
      namespace: ns,
      name: gss,
      why: `the release sets the image and replicas of ${gss}${reclaim} and keeps its record there`,
    },
    {
      verb: 'patch',
      group: OKG_GROUP,
      resource: 'gameservers',
      namespace: ns,
      why: `the release marks old rooms WaitToBeDeleted${input.reclaim === 'kill' ? ' and then Kill' : ''}`,
    },
    { verb: 'list', group: OKG_GROUP, resource: 'gameservers', namespace: ns, why: 'the release reads the rooms' },
    {
      verb: 'watch',
      group: OKG_GROUP,
      resource: 'gameservers',
      namespace: ns,
      why: 'the release watches the rooms become Ready',
    },
    {
      verb: 'list',
      group: '',
      resource: 'pods',
      namespace: ns,
      why: 'the release reads the pod labels OKG scales down by',
    },
    { verb: 'watch', group: '', resource: 'pods', namespace: ns, why: 'the release watches the pod labels' },
  ];
}

const refusedBy = (e: unknown): ReleaseRefused => new ReleaseRefused(e instanceof Error ? e.message : String(e), false);

/**
 * Checks the namespace, the GameServerSet and the user's rights. Returns the GameServerSet as read.
 * Throws ReleaseRefused (one sentence, not usage) on the first problem. Sends only reads and reviews.
 */
export async function preflight(client: OkgClient, input: NormalizedInput, signal?: AbortSignal): Promise<RawObject> {
  const ns = input.namespace;
  let exists: boolean;
  try {
    exists = await client.namespaceExists(ns, signal);
  } catch (e) {
    throw refusedBy(e);
  }
  if (!exists) throw new ReleaseRefused(`namespace "${ns}" does not exist on ${client.server}; check -n`, false);

  let gss: RawObject;
  try {
    gss = await client.getGameServerSet(ns, input.gameServerSet, signal);
  } catch (e) {
    if (e instanceof ClusterError && e.kind === 'notFound') {
      let known = '';
      try {
        const names = (await client.listGameServerSets(ns, signal)).map(o => o.metadata.name);
        known = names.length
          ? ` (GameServerSets there: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})`
          : ' (there is none)';
      } catch {
        /* the list is only a hint */
      }
      throw new ReleaseRefused(
        `GameServerSet "${input.gameServerSet}" does not exist in namespace "${ns}"${known}`,
        false,
      );
    }
    throw refusedBy(e);
  }

  const checks = neededAccess(input);
  let allowed: boolean[];
  try {
    allowed = await Promise.all(checks.map(({ why: _why, ...c }) => client.canI(c, signal)));
  } catch (e) {
    throw refusedBy(e);
  }
  const denied = checks.filter((_, i) => !allowed[i]);
  if (denied.length) {
    const d = denied[0];
    const more =
      denied.length > 1
        ? ` (also denied: ${denied
            .slice(1)
            .map(x => `${x.verb} ${x.resource}`)
            .join(', ')})`
        : '';
    throw new ReleaseRefused(
      `you may not ${d.verb} ${d.resource}${d.group ? `.${d.group}` : ''} in namespace "${ns}", but ${d.why}${more}; ask a cluster admin for access or use another context — nothing was changed`,
      false,
    );
  }
  return gss;
}
