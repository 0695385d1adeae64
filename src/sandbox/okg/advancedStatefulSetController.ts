// OpenKruise's Advanced StatefulSet controller as OKG relies on it (API.md §1, §2.1): one pod per desired ordinal
// (reserveOrdinals skipped), ReCreate rolling updates highest update priority first within maxUnavailable, status.
// Expectations stop it from acting again before the informer has seen its own pod creates and deletes.
import { isPodReady } from '../../cluster/okg.js';
import { LABEL_OWNER_GSS, LABEL_REVISION, LABEL_UPDATE_PRIORITY, PLURAL_ASTS } from './constants.js';
import { isConflict, isNotFound, statusCode } from './kube.js';
import { astsDesiredOrdinals, buildAstsStatus, revisionOf } from './astsObjects.js';
import { buildPod } from './podObjects.js';
import { sameCanonicalJson } from './hash.js';
import { controllerOf } from './owners.js';
import { ordinalOf } from './scale.js';
import { atoiOrZero } from './state.js';
import { ignore, type ControllerContext } from './controller.js';
import type { IntOrString, Pod } from './types.js';

export class AdvancedStatefulSetController {
  /** `ns/asts` → pod name → time of the pending create/delete */
  private readonly expectations = new Map<string, Map<string, number>>();

  /** @param onPodBuilt admission of a new pod (the network plugin's OnPodAdded); may change it */
  constructor(
    private readonly ctx: ControllerContext,
    private readonly nodeName: string | undefined,
    private readonly onPodBuilt: (pod: Pod) => void = () => undefined,
  ) {}

  /** The informer saw this pod of the ASTS `ns/astsName` change: a pending create/delete of it is fulfilled. */
  observed(ns: string, astsName: string, podName: string): void {
    const exp = this.expectations.get(`${ns}/${astsName}`);
    if (exp?.has(podName)) exp.delete(podName);
  }

  private expect(astsKey: string, podName: string): void {
    let m = this.expectations.get(astsKey);
    if (!m) this.expectations.set(astsKey, (m = new Map()));
    m.set(podName, Date.now());
  }

  private unexpect(astsKey: string, podName: string): void {
    this.expectations.get(astsKey)?.delete(podName);
  }

  async sync(ns: string, name: string): Promise<void> {
    const { client } = this.ctx;
    const asts = this.ctx.asts.get(ns, name);
    const ek = `${ns}/${name}`;
    if (!asts || asts.metadata.deletionTimestamp) {
      this.expectations.delete(ek);
      return;
    }
    const exp = this.expectations.get(ek);
    if (exp && exp.size > 0) {
      const now = Date.now();
      for (const [n, t] of exp) if (now - t > 5000) exp.delete(n);
      if (exp.size > 0) return; // wait for the informer to observe our own writes
    }
    const selector = asts.spec.selector?.matchLabels?.[LABEL_OWNER_GSS] ?? name;
    const pods = this.ctx.podsOfGss(ns, selector).filter(p => controllerOf(p)?.uid === asts.metadata.uid);
    const desired = astsDesiredOrdinals(asts);
    const desiredSet = new Set(desired);
    const byOrdinal = new Map(pods.map(p => [ordinalOf(p.metadata.name ?? ''), p]));
    const writes: Promise<unknown>[] = [];

    for (const ord of desired) {
      if (byOrdinal.has(ord)) continue;
      const pod = buildPod(asts, ord, { nodeName: this.nodeName });
      this.onPodBuilt(pod);
      const podName = pod.metadata.name ?? '';
      this.expect(ek, podName);
      writes.push(
        client.create('pods', ns, pod).catch((e: unknown) => {
          this.unexpect(ek, podName);
          if (statusCode(e) !== 409) throw e;
        }),
      );
    }
    const deletePod = (p: Pod): void => {
      const podName = p.metadata.name ?? '';
      this.expect(ek, podName);
      writes.push(
        client.delete('pods', ns, podName, { uid: p.metadata.uid }).catch((e: unknown) => {
          this.unexpect(ek, podName);
          if (!isNotFound(e) && !isConflict(e)) throw e;
        }),
      );
    };
    for (const p of pods) {
      if (!p.metadata.deletionTimestamp && !desiredSet.has(ordinalOf(p.metadata.name ?? ''))) deletePod(p);
    }

    // rolling update (ReCreate): delete outdated pods, highest update priority first, within maxUnavailable
    const strategy = asts.spec.updateStrategy;
    const ru = (strategy?.rollingUpdate ?? {}) as {
      partition?: number;
      maxUnavailable?: IntOrString;
      paused?: boolean;
    };
    if ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && !ru.paused && writes.length === 0) {
      const rev = revisionOf(asts);
      const live = desired.map(o => byOrdinal.get(o));
      const unavailable = live.filter(p => !p || p.metadata.deletionTimestamp || !isPodReady(p)).length;
      const maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? 1, desired.length);
      const outdated = live
        .filter(
          (p): p is Pod =>
            p !== undefined && !p.metadata.deletionTimestamp && p.metadata.labels?.[LABEL_REVISION] !== rev,
        )
        .sort(
          (a, b) =>
            atoiOrZero(b.metadata.labels?.[LABEL_UPDATE_PRIORITY]) -
              atoiOrZero(a.metadata.labels?.[LABEL_UPDATE_PRIORITY]) ||
            ordinalOf(b.metadata.name ?? '') - ordinalOf(a.metadata.name ?? ''),
        );
      const budget = Math.min(
        Math.max(0, maxUnavailable - unavailable),
        Math.max(0, outdated.length - (ru.partition ?? 0)),
      );
      for (const p of outdated.slice(0, budget)) deletePod(p);
    }

    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');

    const status = buildAstsStatus(asts, pods);
    const old = asts.status ?? {};
    if (Object.keys(status).some(k => !sameCanonicalJson(old[k], status[k]))) {
      await client.patch(PLURAL_ASTS, ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
    }
    if (failed) throw failed.reason;
  }
}

function resolveIntOrPercent(v: IntOrString, total: number): number {
  if (typeof v === 'number') return Math.max(1, v);
  const m = /^(\d+)%$/.exec(v.trim());
  if (m) return Math.max(1, Math.floor((Number(m[1]) * total) / 100));
  return Math.max(1, atoiOrZero(v));
}
