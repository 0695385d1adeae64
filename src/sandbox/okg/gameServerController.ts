// kruise-game v1.0's GameServer controller (API.md §4, §5): create each pod's GameServer, sync the GameServer's
// spec to pod labels (with the label sync lag of §8.5), the pod's state to GameServer status, reclaim Delete;
// and, when turned on, OKG 1.0's stale spec echo (§8 pitfall 7).
import {
  ANN_OPS_STATE_CHANGED,
  ANN_STATE_CHANGED,
  LABEL_DELETE_PRIORITY,
  LABEL_GS_DELETING,
  LABEL_GS_STATE,
  LABEL_NETWORK_DISABLED,
  LABEL_OPS_STATE,
  LABEL_OWNER_GSS,
  LABEL_UPDATE_PRIORITY,
  PLURAL_GS,
} from './constants.js';
import { buildGameServer, buildGameServerStatus, desiredPodLabels } from './gameServerObjects.js';
import { canonicalJson, sameCanonicalJson } from './hash.js';
import { controllerOf } from './owners.js';
import { ANN_NETWORK_TRIGGER_TIME, ANN_NETWORK_TYPE } from './network.js';
import { ignore, keyOf, nsName, type ControllerContext } from './controller.js';
import type { GameServer, Json } from './types.js';

const SPEC_LABELS = [LABEL_OPS_STATE, LABEL_DELETE_PRIORITY, LABEL_UPDATE_PRIORITY, LABEL_NETWORK_DISABLED];

export class GameServerController {
  private readonly lag = new Map<string, { sig: string; since: number }>();
  private readonly seenSpec = new Map<string, string>();
  private readonly echoes = new Map<string, Json>();
  private readonly echoed = new Map<string, string>();
  /** See OkgEmulatorOptions.staleSpecEchoMs; 0 = off. */
  echoMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly labelSyncLagMs: number,
    echoMs: number,
  ) {
    this.echoMs = echoMs;
  }

  /** A GameServer event: with the echo on, the spec seen now is written back, unconditionally, a moment later. */
  onGameServer(gs: GameServer, deleted: boolean): void {
    if (!this.echoMs) return;
    const key = nsName(gs);
    if (deleted) {
      this.seenSpec.delete(key);
      return;
    }
    const spec = {
      opsState: gs.spec.opsState,
      deletionPriority: gs.spec.deletionPriority,
      updatePriority: gs.spec.updatePriority,
    };
    const sig = canonicalJson(spec);
    if (this.seenSpec.get(key) === sig) return;
    this.seenSpec.set(key, sig);
    if (this.echoed.get(key) === sig) {
      this.echoed.delete(key);
      return;
    } // the event of our own echo
    // One reconcile at a time per GameServer: it read its cache at the first change; later changes that land before
    // its write are overwritten by it (then the next change starts the next one).
    if (this.echoes.has(key)) return;
    this.echoes.set(key, spec);
    this.ctx.queue.addAfter(keyOf('echo', gs.metadata.namespace ?? '', gs.metadata.name ?? ''), this.echoMs);
  }

  async echo(ns: string, name: string): Promise<void> {
    const spec = this.echoes.get(`${ns}/${name}`);
    this.echoes.delete(`${ns}/${name}`);
    if (!spec) return;
    this.echoed.set(`${ns}/${name}`, canonicalJson(spec));
    await this.ctx.client.patch(PLURAL_GS, ns, name, { spec }).catch(ignore(404, 409, 422));
  }

  async sync(ns: string, name: string, key: string): Promise<void> {
    const { client } = this.ctx;
    const pod = this.ctx.pods.get(ns, name);
    const gs = this.ctx.gs.get(ns, name);
    if (!pod) {
      this.lag.delete(key);
      if (gs && gs.metadata.labels?.[LABEL_GS_DELETING] === 'true' && !gs.metadata.deletionTimestamp) {
        await client.delete(PLURAL_GS, ns, name, { uid: gs.metadata.uid }).catch(ignore(404, 409));
      }
      return;
    }
    const gssName = pod.metadata.labels?.[LABEL_OWNER_GSS];
    if (!gssName) return;
    if (!gs) {
      const gss = this.ctx.gss.get(ns, gssName);
      if (!gss || pod.metadata.deletionTimestamp) return;
      await client.create(PLURAL_GS, ns, buildGameServer(pod, gss)).catch(ignore(409));
      return;
    }
    if (gs.metadata.deletionTimestamp) return;
    const owner = controllerOf(gs) ?? gs.metadata.ownerReferences?.[0];
    if (owner?.kind === 'Pod' && owner.uid !== pod.metadata.uid) return; // stale GS of a previous pod: the GC removes it

    // GS spec → pod labels
    const want = desiredPodLabels(gs, pod);
    const have = pod.metadata.labels ?? {};
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(want)) if (have[k] !== v) labels[k] = v;
    const specDiff = SPEC_LABELS.filter(k => k in labels && have[k] !== undefined);
    if (specDiff.length > 0 && this.labelSyncLagMs > 0) {
      const sig = canonicalJson(specDiff.map(k => [k, labels[k]]));
      const now = Date.now();
      let entry = this.lag.get(key);
      if (!entry || entry.sig !== sig) this.lag.set(key, (entry = { sig, since: now }));
      const remaining = entry.since + this.labelSyncLagMs - now;
      if (remaining > 0) {
        for (const k of specDiff) delete labels[k];
        this.ctx.queue.addAfter(key, remaining);
      } else {
        this.lag.delete(key);
      }
    } else if (specDiff.length === 0) {
      this.lag.delete(key);
    }
    // a pod with a network gets the network trigger time once (v1.0 re-sets it every 5 s in the network's first
    // minute to wake the plugin; the emulator's plugin needs no waking: ./networkController.ts)
    const trigger =
      pod.metadata.annotations?.[ANN_NETWORK_TYPE] !== undefined &&
      Number.isNaN(Date.parse(pod.metadata.annotations?.[ANN_NETWORK_TRIGGER_TIME] ?? ''));
    if (Object.keys(labels).length > 0 || trigger) {
      const now = new Date().toISOString();
      const annotations: Record<string, string> = {};
      if (LABEL_OPS_STATE in labels) annotations[ANN_OPS_STATE_CHANGED] = now;
      if (LABEL_GS_STATE in labels) annotations[ANN_STATE_CHANGED] = now;
      if (trigger) annotations[ANN_NETWORK_TRIGGER_TIME] = now.replace(/\.\d+Z$/, 'Z');
      await client
        .patch('pods', ns, name, {
          metadata: {
            resourceVersion: pod.metadata.resourceVersion,
            ...(Object.keys(labels).length ? { labels } : {}),
            ...(Object.keys(annotations).length ? { annotations } : {}),
          },
        })
        .catch(ignore(404, 409));
      return; // the pod update event brings us back for the status
    }

    // pod → GS status
    const status = buildGameServerStatus(pod, gs.status, new Date().toISOString());
    const old = gs.status ?? {};
    const changed =
      Object.keys(status).some(k => k !== 'lastTransitionTime' && !sameCanonicalJson(old[k], status[k])) ||
      old.lastTransitionTime === undefined;
    if (changed) {
      await client
        .patch(
          PLURAL_GS,
          ns,
          name,
          { metadata: { resourceVersion: gs.metadata.resourceVersion }, status },
          { subresource: 'status' },
        )
        .catch(ignore(404, 409));
    }
  }
}
