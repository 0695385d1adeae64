// kruise-game v1.0's GameServerSet controller (API.md §6): create the Advanced StatefulSet → Kill → scale
// (reserve ids, deletion order, §8.2 scale before the workload update) → update the workload → status (§3).
import { ANN_ASTS_HASH, ANN_RESERVE_IDS, LABEL_GS_DELETING, PLURAL_ASTS, PLURAL_GS, PLURAL_GSS } from './constants.js';
import { astsHash, buildAsts, reserveOrdinalsFor, workloadFields } from './astsObjects.js';
import { buildGssStatus, gssAfterGoRoundTrip } from './gssObjects.js';
import { sameCanonicalJson } from './hash.js';
import { controllerOf } from './owners.js';
import { reclaimPolicyOf } from './gameServerObjects.js';
import { defaultAdvancedStatefulSet } from './kruiseDefaults.js';
import { computeScale, parseReserveIds, replicasAfterKilling } from './scale.js';
import { ignore, type ControllerContext } from './controller.js';
import type { AdvancedStatefulSet, GameServerSet, Json, Pod } from './types.js';

export class GameServerSetController {
  constructor(private readonly ctx: ControllerContext) {}

  async sync(ns: string, name: string, key: string): Promise<void> {
    const { client } = this.ctx;
    const gss = this.ctx.gss.get(ns, name);
    if (!gss || gss.metadata.deletionTimestamp) return;
    const asts = this.ctx.asts.get(ns, name);
    if (!asts) {
      await client.create(PLURAL_ASTS, ns, buildAsts(gss)).catch(ignore(409));
      return;
    }
    if (controllerOf(asts)?.uid !== gss.metadata.uid) return; // not ours (e.g. left over from a deleted GSS)
    const pods = this.ctx.podsOfGss(ns, name);
    const replicas = gss.spec.replicas ?? 0;

    // (3) Kill
    const afterKill = replicasAfterKilling(replicas, asts.spec.replicas, pods);
    if (afterKill !== undefined) {
      this.ctx.log(`${key}: kill → replicas ${replicas} → ${afterKill}`);
      await client.replace(PLURAL_GSS, ns, name, gssAfterGoRoundTrip(gss, afterKill)).catch(ignore(409, 404));
      return;
    }

    // (4) scale
    const reserve = parseReserveIds(gss.spec.reserveGameServerIds);
    const annotated = parseReserveIds(
      (gss.metadata.annotations?.[ANN_RESERVE_IDS] ?? '').split(',').filter(s => s !== ''),
    );
    const differs = replicas !== asts.spec.replicas || !sameCanonicalJson(reserve, annotated);
    const workloadBusy = (asts.status?.replicas as number | undefined) !== asts.spec.replicas;
    if (differs && !workloadBusy) {
      await this.scale(gss, asts, pods, reserve);
      return;
    }

    // (5) update workload (after scale: §8.2)
    if (asts.metadata.annotations?.[ANN_ASTS_HASH] !== astsHash(gss)) {
      const next: AdvancedStatefulSet = {
        ...asts,
        metadata: {
          ...asts.metadata,
          annotations: { ...(asts.metadata.annotations ?? {}), [ANN_ASTS_HASH]: astsHash(gss) },
        },
        spec: { ...asts.spec, ...workloadFields(gss) },
      };
      delete next.status;
      defaultAdvancedStatefulSet(next);
      await client.replace(PLURAL_ASTS, ns, name, next).catch(ignore(409, 404));
      return;
    }

    // (6) status; observedGeneration only when nothing was left to do
    const status = buildGssStatus(gss, asts, pods);
    if (differs) status.observedGeneration = gss.status?.observedGeneration ?? 0;
    // v1.0 merge-patches its status struct, where updatedReadyReplicas is `omitempty`: a 0 is never written, so the
    // last non-zero count stays (seen in tier B: 2 updated-ready rooms shown while the new version's rooms all fail)
    if (status.updatedReadyReplicas === 0) delete status.updatedReadyReplicas;
    const old = gss.status ?? {};
    if (Object.keys(status).some(k => !sameCanonicalJson(old[k], status[k]))) {
      await client.patch(PLURAL_GSS, ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
    }
  }

  private async scale(gss: GameServerSet, asts: AdvancedStatefulSet, pods: Pod[], reserve: number[]): Promise<void> {
    const { client } = this.ctx;
    const ns = gss.metadata.namespace ?? '';
    const name = gss.metadata.name ?? '';
    const replicas = gss.spec.replicas ?? 0;
    const plan = computeScale(replicas, reserve, pods);
    this.ctx.log(
      `gss|${ns}/${name}: scale ${asts.spec.replicas} → ${replicas}; delete [${plan.toDelete}] add [${plan.toAdd}]`,
    );
    const desiredReserve = reserveOrdinalsFor(plan.desired, reserve);
    const next: AdvancedStatefulSet = {
      ...asts,
      spec: {
        ...asts.spec,
        replicas,
        ...(desiredReserve.length || asts.spec.reserveOrdinals ? { reserveOrdinals: desiredReserve } : {}),
        scaleStrategy: {
          ...((asts.spec.scaleStrategy as Json | undefined) ?? {}),
          maxUnavailable: gss.spec.scaleStrategy?.maxUnavailable,
        },
      },
    };
    delete next.status;
    defaultAdvancedStatefulSet(next);
    await client.replace(PLURAL_ASTS, ns, name, next);
    await client.patch(PLURAL_GSS, ns, name, { metadata: { annotations: { [ANN_RESERVE_IDS]: reserve.join(',') } } });
    if (reclaimPolicyOf(gss) === 'Delete') {
      const mark = async (ord: number, value: string): Promise<void> => {
        const gsName = `${name}-${ord}`;
        const gs = this.ctx.gs.get(ns, gsName);
        if (!gs || (gs.metadata.labels?.[LABEL_GS_DELETING] ?? 'false') === value) return;
        if (value === 'false' && gs.metadata.labels?.[LABEL_GS_DELETING] === undefined) return;
        await client
          .patch(PLURAL_GS, ns, gsName, { metadata: { labels: { [LABEL_GS_DELETING]: value } } })
          .catch(ignore(404));
      };
      await Promise.all([...plan.toDelete.map(o => mark(o, 'true')), ...plan.toAdd.map(o => mark(o, 'false'))]);
    }
  }
}
