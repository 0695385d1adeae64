// OKG controller emulator: OpenKruise Advanced StatefulSet controller + kruise-game v1.0 GameServerSet and
// GameServer controllers + a kubelet, talking to a Kubernetes API only through @kubernetes/client-node.
// One informer per resource (all namespaces), one deduplicating work queue keyed by object, conditional writes.
// Rules: API.md §1 (objects/ownership), §2.1 (update strategy), §3 (GSS status), §4 (GS), §5 (labels), §6 (reconcile
// order, Kill, scale), §8.2 (scale before workload update), §8.5 (label sync lag).
import type { KubeConfig, KubernetesObject, Informer, ObjectCache } from '@kubernetes/client-node';
import {
  ANN_ASTS_HASH, ANN_OPS_STATE_CHANGED, ANN_RESERVE_IDS, ANN_STATE_CHANGED, LABEL_DELETE_PRIORITY, LABEL_GS_DELETING,
  LABEL_GS_STATE, LABEL_NETWORK_DISABLED, LABEL_OPS_STATE, LABEL_OWNER_GSS, LABEL_REVISION, LABEL_UPDATE_PRIORITY,
  PLURAL_ASTS, PLURAL_GS, PLURAL_GSS,
} from './constants.js';
import { isConflict, isNotFound, KubeClient, statusCode, type Resource } from './kube.js';
import {
  astsDesiredOrdinals, astsHash, buildAsts, gssAfterGoRoundTrip, buildAstsStatus, buildGameServer, buildGameServerStatus, buildGssStatus,
  buildPod, buildPodStatus, canonicalJson, controllerOf, desiredPodLabels, reclaimPolicyOf, reserveOrdinalsFor,
  revisionOf, workloadFields, type KubeletStage,
} from './objects.js';
import { defaultAdvancedStatefulSet } from './kruiseDefaults.js';
import { computeScale, ordinalOf, parseReserveIds, replicasAfterKilling } from './scale.js';
import { atoiOrZero } from './state.js';
import { WorkQueue } from './queue.js';
import type { AdvancedStatefulSet, GameServer, GameServerSet, IntOrString, Json, Pod, PodStatus } from './types.js';

export interface RoomBehaviour {
  /** time from pod creation to Ready (Running-not-ready at half of it) */
  readyAfterMs?: number;
  /** final kubelet outcome; default Ready */
  outcome?: 'Ready' | 'NotReady' | 'Crash' | 'Pending';
}

export interface OkgEmulatorOptions {
  readyAfterMs?: number;
  terminatingMs?: number;
  labelSyncLagMs?: number;
  room?: (namespace: string, name: string) => RoomBehaviour | undefined;
  nodeName?: string;
  hostIP?: string;
  /**
   * OKG 1.0's stale spec echo (API.md §8 pitfall 7, kruise-game #281, fixed after v1.0.0 by #283), seen against
   * real kruise-game v1.0.0 (docs/controlplane.md, tier B): after a
   * GameServer's spec changes, its controller merge-patches the spec it saw back, about this many ms later —
   * reverting whatever another writer set in between (a matchmaker's Allocated, a release's Kill). 0 (default): off.
   */
  staleSpecEchoMs?: number;
  /** parallel reconciles (default 32) */
  concurrency?: number;
  /** quiet period `settled()` waits for after the queue drains, to let watch events arrive (default 50) */
  settleQuietMs?: number;
  log?: (message: string) => void;
}

export interface OkgEmulator {
  stop(): Promise<void>;
  /** Resolves when the queue is empty, no timers are pending and no watch event arrived for a quiet period. */
  settled(): Promise<void>;
  /** Override one room's kubelet behaviour (undefined removes the override). */
  setRoomBehaviour(namespace: string, name: string, behaviour: RoomBehaviour | undefined): void;
  /** Turn OKG 1.0's stale spec echo on (ms) or off (0) from now on; see `staleSpecEchoMs`. */
  setStaleSpecEcho(ms: number): void;
}

type Kind = 'gss' | 'asts' | 'gs' | 'kubelet' | 'echo';
const keyOf = (kind: Kind, ns: string, name: string): string => `${kind}|${ns}/${name}`;
const nsName = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Cache<T> {
  constructor(readonly inf: Informer<KubernetesObject> & ObjectCache<KubernetesObject>) {}
  get(ns: string, name: string): T | undefined {
    return this.inf.get(name, ns) as unknown as T | undefined;
  }
}

const SPEC_LABELS = [LABEL_OPS_STATE, LABEL_DELETE_PRIORITY, LABEL_UPDATE_PRIORITY, LABEL_NETWORK_DISABLED];

export async function startOkgEmulator(kc: KubeConfig, opts: OkgEmulatorOptions = {}): Promise<OkgEmulator> {
  const emu = new Emulator(kc, opts);
  await emu.start();
  return {
    stop: () => emu.stop(),
    settled: () => emu.settled(),
    setStaleSpecEcho: (ms: number) => { emu.echoMs = ms; },
    setRoomBehaviour: (ns, name, b) => emu.setRoomBehaviour(ns, name, b),
  };
}

class Emulator {
  private readonly client: KubeClient;
  private readonly queue: WorkQueue;
  private readonly caches: Record<Resource, Cache<unknown>>;
  private readonly gss: Cache<GameServerSet>;
  private readonly asts: Cache<AdvancedStatefulSet>;
  private readonly pods: Cache<Pod>;
  private readonly gs: Cache<GameServer>;
  /** `ns/gss` → pod name → pod (pods with the owner-gss label) */
  private readonly podsByGss = new Map<string, Map<string, Pod>>();
  private readonly podIndex = new Map<string, string>();
  /** ASTS expectations: `ns/asts` → pod name → time of the pending create/delete */
  private readonly expectations = new Map<string, Map<string, number>>();
  private readonly kubeletSeen = new Map<string, { uid: string; at: number; startTime: string }>();
  private readonly terminatingSeen = new Map<string, { uid: string; at: number }>();
  private readonly lag = new Map<string, { sig: string; since: number }>();
  private readonly rooms = new Map<string, RoomBehaviour>();
  private stopped = false;
  private readyResolve: () => void = () => undefined;
  private readonly ready = new Promise<void>((r) => { this.readyResolve = r; });

  private readonly readyAfterMs: number;
  private readonly terminatingMs: number;
  private readonly labelSyncLagMs: number;

  constructor(kc: KubeConfig, private readonly opts: OkgEmulatorOptions) {
    this.readyAfterMs = opts.readyAfterMs ?? 300;
    this.terminatingMs = opts.terminatingMs ?? 200;
    this.labelSyncLagMs = opts.labelSyncLagMs ?? 0;
    this.echoMs = opts.staleSpecEchoMs ?? 0;
    this.client = new KubeClient(kc);
    this.queue = new WorkQueue((k) => this.handle(k), opts.concurrency ?? 32, (k, e) => this.log(`sync ${k} failed: ${describe(e)}`));
    const mk = <T>(r: Resource): Cache<T> => new Cache<T>(this.client.informer<KubernetesObject>(r));
    this.gss = mk<GameServerSet>(PLURAL_GSS);
    this.asts = mk<AdvancedStatefulSet>(PLURAL_ASTS);
    this.pods = mk<Pod>('pods');
    this.gs = mk<GameServer>(PLURAL_GS);
    this.caches = { [PLURAL_GSS]: this.gss, [PLURAL_ASTS]: this.asts, pods: this.pods, [PLURAL_GS]: this.gs } as Record<Resource, Cache<unknown>>;
  }

  private log(msg: string): void {
    this.opts.log?.(`[okg-emulator] ${msg}`);
  }

  async start(): Promise<void> {
    const on = (c: Cache<unknown>, fn: (o: KubernetesObject, deleted: boolean) => void): void => {
      c.inf.on('add', (o) => fn(o, false));
      c.inf.on('update', (o) => fn(o, false));
      c.inf.on('delete', (o) => fn(o, true));
      c.inf.on('error', (err: unknown) => {
        if (this.stopped) return;
        this.log(`informer error: ${describe(err)}; restarting`);
        setTimeout(() => { if (!this.stopped) void c.inf.start().catch(() => undefined); }, 200);
      });
    };
    on(this.gss as Cache<unknown>, (o) => this.queue.add(`gss|${nsName(o)}`));
    on(this.asts as Cache<unknown>, (o) => {
      this.queue.add(`asts|${nsName(o)}`);
      const owner = controllerOf(o as unknown as AdvancedStatefulSet);
      if (owner?.kind === 'GameServerSet') this.queue.add(keyOf('gss', o.metadata?.namespace ?? '', owner.name));
    });
    on(this.pods as Cache<unknown>, (o, deleted) => this.onPod(o as unknown as Pod, deleted));
    on(this.gs as Cache<unknown>, (o, deleted) => {
      this.queue.add(`gs|${nsName(o)}`);
      if (this.echoMs) this.echoSpec(o as unknown as GameServer, deleted);
    });
    await Promise.all(Object.values(this.caches).map((c) => c.inf.start()));
    this.readyResolve();
  }

  private readonly seenSpec = new Map<string, string>();
  echoMs = 0;

  /** See `staleSpecEchoMs`: the spec seen now is written back, unconditionally, a moment later. */
  private echoSpec(gs: GameServer, deleted: boolean): void {
    const key = nsName(gs);
    if (deleted) { this.seenSpec.delete(key); return; }
    const spec = { opsState: gs.spec.opsState, deletionPriority: gs.spec.deletionPriority, updatePriority: gs.spec.updatePriority };
    const sig = canonicalJson(spec);
    if (this.seenSpec.get(key) === sig) return;
    this.seenSpec.set(key, sig);
    if (this.echoed.get(key) === sig) { this.echoed.delete(key); return; } // the event of our own echo
    // One reconcile at a time per GameServer: it read its cache at the first change; later changes that land before
    // its write are overwritten by it (then the next change starts the next one).
    if (this.echoes.has(key)) return;
    this.echoes.set(key, spec);
    this.queue.addAfter(`echo|${key}`, this.echoMs);
  }

  private readonly echoes = new Map<string, Json>();
  private readonly echoed = new Map<string, string>();

  private async echo(ns: string, name: string): Promise<void> {
    const spec = this.echoes.get(`${ns}/${name}`);
    this.echoes.delete(`${ns}/${name}`);
    if (!spec) return;
    this.echoed.set(`${ns}/${name}`, canonicalJson(spec));
    await this.client.patch(PLURAL_GS, ns, name, { spec }).catch(ignore(404, 409, 422));
  }

  private onPod(pod: Pod, deleted: boolean): void {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const key = `${ns}/${name}`;
    // index by owner-gss
    const prev = this.podIndex.get(key);
    const gssName = pod.metadata.labels?.[LABEL_OWNER_GSS];
    const next = !deleted && gssName ? `${ns}/${gssName}` : undefined;
    if (prev && prev !== next) {
      this.podsByGss.get(prev)?.delete(name);
      this.podIndex.delete(key);
    }
    if (next) {
      let m = this.podsByGss.get(next);
      if (!m) this.podsByGss.set(next, (m = new Map()));
      m.set(name, pod);
      this.podIndex.set(key, next);
    }
    // expectations of the owning ASTS
    const owner = controllerOf(pod);
    if (owner?.kind === 'StatefulSet') {
      const ek = `${ns}/${owner.name}`;
      const exp = this.expectations.get(ek);
      if (exp?.has(name)) exp.delete(name);
      this.queue.add(keyOf('asts', ns, owner.name));
    }
    this.queue.add(keyOf('kubelet', ns, name));
    this.queue.add(keyOf('gs', ns, name));
    if (gssName) this.queue.add(keyOf('gss', ns, gssName));
    if (prev && prev !== next) this.queue.add(`gss|${prev}`);
  }

  setRoomBehaviour(namespace: string, name: string, b: RoomBehaviour | undefined): void {
    const key = `${namespace}/${name}`;
    if (b) this.rooms.set(key, b);
    else this.rooms.delete(key);
    this.queue.add(keyOf('kubelet', namespace, name));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.stop();
    await Promise.all(Object.values(this.caches).map((c) => c.inf.stop().catch(() => undefined)));
  }

  async settled(): Promise<void> {
    const quiet = this.opts.settleQuietMs ?? 50;
    await this.ready;
    for (;;) {
      await this.queue.whenIdle();
      const mark = this.queue.lastActivity;
      await sleep(quiet);
      if (this.stopped || (this.queue.idle() && this.queue.lastActivity === mark)) return;
    }
  }

  private async handle(key: string): Promise<void> {
    await this.ready;
    if (this.stopped) return;
    const bar = key.indexOf('|');
    const kind = key.slice(0, bar) as Kind;
    const rest = key.slice(bar + 1);
    const slash = rest.indexOf('/');
    const ns = rest.slice(0, slash);
    const name = rest.slice(slash + 1);
    switch (kind) {
      case 'gss': return this.syncGss(ns, name, key);
      case 'asts': return this.syncAsts(ns, name);
      case 'gs': return this.syncGs(ns, name, key);
      case 'echo': return this.echo(ns, name);
      case 'kubelet': return this.syncKubelet(ns, name, key);
    }
  }

  private podsOfGss(ns: string, gssName: string): Pod[] {
    return [...(this.podsByGss.get(`${ns}/${gssName}`)?.values() ?? [])];
  }

  // -------------------------------------------------------------------------------------------------------------
  // GameServerSet controller (§6): create ASTS → Kill → scale → update workload → status.

  private async syncGss(ns: string, name: string, key: string): Promise<void> {
    const gss = this.gss.get(ns, name);
    if (!gss || gss.metadata.deletionTimestamp) return;
    const asts = this.asts.get(ns, name);
    if (!asts) {
      await this.client.create(PLURAL_ASTS, ns, buildAsts(gss)).catch(ignore(409));
      return;
    }
    if (controllerOf(asts)?.uid !== gss.metadata.uid) return; // not ours (e.g. left over from a deleted GSS)
    const pods = this.podsOfGss(ns, name);
    const replicas = gss.spec.replicas ?? 0;

    // (3) Kill
    const afterKill = replicasAfterKilling(replicas, asts.spec.replicas, pods);
    if (afterKill !== undefined) {
      this.log(`${key}: kill → replicas ${replicas} → ${afterKill}`);
      await this.client.replace(PLURAL_GSS, ns, name, gssAfterGoRoundTrip(gss, afterKill)).catch(ignore(409, 404));
      return;
    }

    // (4) scale
    const reserve = parseReserveIds(gss.spec.reserveGameServerIds);
    const annotated = parseReserveIds((gss.metadata.annotations?.[ANN_RESERVE_IDS] ?? '').split(',').filter((s) => s !== ''));
    const differs = replicas !== asts.spec.replicas || canonicalJson(reserve) !== canonicalJson(annotated);
    const workloadBusy = (asts.status?.replicas as number | undefined) !== asts.spec.replicas;
    if (differs && !workloadBusy) {
      await this.scale(gss, asts, pods, reserve);
      return;
    }

    // (5) update workload (after scale: §8.2)
    if (asts.metadata.annotations?.[ANN_ASTS_HASH] !== astsHash(gss)) {
      const next: AdvancedStatefulSet = {
        ...asts,
        metadata: { ...asts.metadata, annotations: { ...(asts.metadata.annotations ?? {}), [ANN_ASTS_HASH]: astsHash(gss) } },
        spec: { ...asts.spec, ...workloadFields(gss) },
      };
      delete next.status;
      defaultAdvancedStatefulSet(next);
      await this.client.replace(PLURAL_ASTS, ns, name, next).catch(ignore(409, 404));
      return;
    }

    // (6) status; observedGeneration only when nothing was left to do
    const status = buildGssStatus(gss, asts, pods);
    if (differs) status.observedGeneration = gss.status?.observedGeneration ?? 0;
    const old = gss.status ?? {};
    if (Object.keys(status).some((k) => canonicalJson(old[k]) !== canonicalJson(status[k]))) {
      await this.client.patch(PLURAL_GSS, ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
    }
  }

  private async scale(gss: GameServerSet, asts: AdvancedStatefulSet, pods: Pod[], reserve: number[]): Promise<void> {
    const ns = gss.metadata.namespace ?? '';
    const name = gss.metadata.name ?? '';
    const replicas = gss.spec.replicas ?? 0;
    const plan = computeScale(replicas, reserve, pods);
    this.log(`gss|${ns}/${name}: scale ${asts.spec.replicas} → ${replicas}; delete [${plan.toDelete}] add [${plan.toAdd}]`);
    const desiredReserve = reserveOrdinalsFor(plan.desired, reserve);
    const next: AdvancedStatefulSet = {
      ...asts,
      spec: {
        ...asts.spec,
        replicas,
        ...(desiredReserve.length || asts.spec.reserveOrdinals ? { reserveOrdinals: desiredReserve } : {}),
        scaleStrategy: { ...((asts.spec.scaleStrategy as Json | undefined) ?? {}), maxUnavailable: gss.spec.scaleStrategy?.maxUnavailable },
      },
    };
    delete next.status;
    defaultAdvancedStatefulSet(next);
    await this.client.replace(PLURAL_ASTS, ns, name, next);
    await this.client.patch(PLURAL_GSS, ns, name, { metadata: { annotations: { [ANN_RESERVE_IDS]: reserve.join(',') } } });
    if (reclaimPolicyOf(gss) === 'Delete') {
      const mark = async (ord: number, value: string): Promise<void> => {
        const gsName = `${name}-${ord}`;
        const gs = this.gs.get(ns, gsName);
        if (!gs || (gs.metadata.labels?.[LABEL_GS_DELETING] ?? 'false') === value) return;
        if (value === 'false' && gs.metadata.labels?.[LABEL_GS_DELETING] === undefined) return;
        await this.client.patch(PLURAL_GS, ns, gsName, { metadata: { labels: { [LABEL_GS_DELETING]: value } } }).catch(ignore(404));
      };
      await Promise.all([...plan.toDelete.map((o) => mark(o, 'true')), ...plan.toAdd.map((o) => mark(o, 'false'))]);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Advanced StatefulSet controller (OpenKruise): pods for the ordinal set, rolling update, status.

  private expect(astsKey: string, podName: string): void {
    let m = this.expectations.get(astsKey);
    if (!m) this.expectations.set(astsKey, (m = new Map()));
    m.set(podName, Date.now());
  }

  private unexpect(astsKey: string, podName: string): void {
    this.expectations.get(astsKey)?.delete(podName);
  }

  private async syncAsts(ns: string, name: string): Promise<void> {
    const asts = this.asts.get(ns, name);
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
    const pods = this.podsOfGss(ns, selector).filter((p) => controllerOf(p)?.uid === asts.metadata.uid);
    const desired = astsDesiredOrdinals(asts);
    const desiredSet = new Set(desired);
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(p.metadata.name ?? ''), p]));
    const writes: Promise<unknown>[] = [];

    for (const ord of desired) {
      if (byOrdinal.has(ord)) continue;
      const pod = buildPod(asts, ord, { nodeName: this.opts.nodeName });
      const podName = pod.metadata.name ?? '';
      this.expect(ek, podName);
      writes.push(this.client.create('pods', ns, pod).catch((e: unknown) => {
        this.unexpect(ek, podName);
        if (statusCode(e) !== 409) throw e;
      }));
    }
    const deletePod = (p: Pod): void => {
      const podName = p.metadata.name ?? '';
      this.expect(ek, podName);
      writes.push(this.client.delete('pods', ns, podName, { uid: p.metadata.uid }).catch((e: unknown) => {
        this.unexpect(ek, podName);
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }));
    };
    for (const p of pods) {
      if (!p.metadata.deletionTimestamp && !desiredSet.has(ordinalOf(p.metadata.name ?? ''))) deletePod(p);
    }

    // rolling update (ReCreate): delete outdated pods, highest update priority first, within maxUnavailable
    const strategy = asts.spec.updateStrategy;
    const ru = (strategy?.rollingUpdate ?? {}) as { partition?: number; maxUnavailable?: IntOrString; paused?: boolean };
    if ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && !ru.paused && writes.length === 0) {
      const rev = revisionOf(asts);
      const live = desired.map((o) => byOrdinal.get(o));
      const unavailable = live.filter((p) => !p || p.metadata.deletionTimestamp || !isReady(p)).length;
      const maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? 1, desired.length);
      const outdated = live
        .filter((p): p is Pod => p !== undefined && !p.metadata.deletionTimestamp && p.metadata.labels?.[LABEL_REVISION] !== rev)
        .sort((a, b) => atoiOrZero(b.metadata.labels?.[LABEL_UPDATE_PRIORITY]) - atoiOrZero(a.metadata.labels?.[LABEL_UPDATE_PRIORITY])
          || ordinalOf(b.metadata.name ?? '') - ordinalOf(a.metadata.name ?? ''));
      const budget = Math.min(Math.max(0, maxUnavailable - unavailable), Math.max(0, outdated.length - (ru.partition ?? 0)));
      for (const p of outdated.slice(0, budget)) deletePod(p);
    }

    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');

    const status = buildAstsStatus(asts, pods);
    const old = asts.status ?? {};
    if (Object.keys(status).some((k) => canonicalJson(old[k]) !== canonicalJson(status[k]))) {
      await this.client.patch(PLURAL_ASTS, ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
    }
    if (failed) throw failed.reason;
  }

  // -------------------------------------------------------------------------------------------------------------
  // GameServer controller: create GS, sync GS spec → pod labels (with lag), pod → GS status, Delete reclaim.

  private async syncGs(ns: string, name: string, key: string): Promise<void> {
    const pod = this.pods.get(ns, name);
    const gs = this.gs.get(ns, name);
    if (!pod) {
      this.lag.delete(key);
      if (gs && gs.metadata.labels?.[LABEL_GS_DELETING] === 'true' && !gs.metadata.deletionTimestamp) {
        await this.client.delete(PLURAL_GS, ns, name, { uid: gs.metadata.uid }).catch(ignore(404, 409));
      }
      return;
    }
    const gssName = pod.metadata.labels?.[LABEL_OWNER_GSS];
    if (!gssName) return;
    if (!gs) {
      const gss = this.gss.get(ns, gssName);
      if (!gss || pod.metadata.deletionTimestamp) return;
      await this.client.create(PLURAL_GS, ns, buildGameServer(pod, gss)).catch(ignore(409));
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
    const specDiff = SPEC_LABELS.filter((k) => k in labels && have[k] !== undefined);
    if (specDiff.length > 0 && this.labelSyncLagMs > 0) {
      const sig = canonicalJson(specDiff.map((k) => [k, labels[k]]));
      const now = Date.now();
      let entry = this.lag.get(key);
      if (!entry || entry.sig !== sig) this.lag.set(key, (entry = { sig, since: now }));
      const remaining = entry.since + this.labelSyncLagMs - now;
      if (remaining > 0) {
        for (const k of specDiff) delete labels[k];
        this.queue.addAfter(key, remaining);
      } else {
        this.lag.delete(key);
      }
    } else if (specDiff.length === 0) {
      this.lag.delete(key);
    }
    if (Object.keys(labels).length > 0) {
      const now = new Date().toISOString();
      const annotations: Record<string, string> = {};
      if (LABEL_OPS_STATE in labels) annotations[ANN_OPS_STATE_CHANGED] = now;
      if (LABEL_GS_STATE in labels) annotations[ANN_STATE_CHANGED] = now;
      await this.client.patch('pods', ns, name, {
        metadata: { resourceVersion: pod.metadata.resourceVersion, labels, ...(Object.keys(annotations).length ? { annotations } : {}) },
      }).catch(ignore(404, 409));
      return; // the pod update event brings us back for the status
    }

    // pod → GS status
    const status = buildGameServerStatus(pod, gs.status, new Date().toISOString());
    const old = gs.status ?? {};
    const changed = Object.keys(status).some((k) => k !== 'lastTransitionTime' && canonicalJson(old[k]) !== canonicalJson(status[k]))
      || old.lastTransitionTime === undefined;
    if (changed) {
      await this.client.patch(PLURAL_GS, ns, name, { metadata: { resourceVersion: gs.metadata.resourceVersion }, status }, { subresource: 'status' })
        .catch(ignore(404, 409));
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Kubelet: Pending → Running (not ready) → Ready; finishes terminating pods.

  private behaviour(ns: string, name: string): RoomBehaviour {
    return this.rooms.get(`${ns}/${name}`) ?? this.opts.room?.(ns, name) ?? {};
  }

  private async syncKubelet(ns: string, name: string, key: string): Promise<void> {
    const pod = this.pods.get(ns, name);
    if (!pod) {
      this.kubeletSeen.delete(key);
      this.terminatingSeen.delete(key);
      return;
    }
    if (!pod.spec.nodeName) return;
    const uid = pod.metadata.uid ?? '';
    const now = Date.now();
    if (pod.metadata.deletionTimestamp) {
      let t = this.terminatingSeen.get(key);
      if (!t || t.uid !== uid) this.terminatingSeen.set(key, (t = { uid, at: now }));
      const remaining = t.at + this.terminatingMs - now;
      if (remaining > 0) {
        this.queue.addAfter(key, remaining);
        return;
      }
      await this.client.delete('pods', ns, name, { gracePeriodSeconds: 0, uid }).catch(ignore(404, 409));
      return;
    }
    let seen = this.kubeletSeen.get(key);
    if (!seen || seen.uid !== uid) this.kubeletSeen.set(key, (seen = { uid, at: now, startTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    const b = this.behaviour(ns, name);
    const readyAfter = b.readyAfterMs ?? this.readyAfterMs;
    const outcome = b.outcome ?? 'Ready';
    const elapsed = now - seen.at;
    const current = stageOf(pod.status);
    if (current === 'Crash') return; // terminal
    let stage: KubeletStage;
    if (outcome === 'Pending' || elapsed < readyAfter / 2) stage = 'Pending';
    else if (outcome === 'Crash') stage = 'Crash';
    else if (outcome === 'NotReady' || elapsed < readyAfter) stage = 'Running';
    else stage = 'Ready';
    if (stage === 'Pending' && outcome !== 'Pending') this.queue.addAfter(key, Math.ceil(readyAfter / 2 - elapsed));
    else if (stage === 'Running' && outcome === 'Ready') this.queue.addAfter(key, Math.ceil(readyAfter - elapsed));
    if (current === stage) return;
    const iso = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const status = buildPodStatus(pod, stage, seen.startTime, iso, this.opts.hostIP);
    // keep transition times of conditions whose status did not change
    for (const c of status.conditions ?? []) {
      const prev = pod.status?.conditions?.find((p) => p.type === c.type);
      if (prev && prev.status === c.status && prev.lastTransitionTime) c.lastTransitionTime = prev.lastTransitionTime;
    }
    await this.client.patch('pods', ns, name, { status }, { subresource: 'status' }).catch(ignore(404));
  }
}

function stageOf(s: PodStatus | undefined): KubeletStage | undefined {
  switch (s?.phase) {
    case 'Pending': return s.containerStatuses ? 'Pending' : undefined;
    case 'Failed': return 'Crash';
    case 'Running': return s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'Running';
    default: return undefined;
  }
}

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function resolveIntOrPercent(v: IntOrString, total: number): number {
  if (typeof v === 'number') return Math.max(1, v);
  const m = /^(\d+)%$/.exec(v.trim());
  if (m) return Math.max(1, Math.floor((Number(m[1]) * total) / 100));
  return Math.max(1, atoiOrZero(v));
}

function ignore(...codes: number[]): (e: unknown) => void {
  return (e: unknown) => {
    const c = statusCode(e);
    if (c === undefined || !codes.includes(c)) throw e;
  };
}

function describe(e: unknown): string {
  const c = statusCode(e);
  const body = (e as { body?: unknown } | null)?.body;
  const msg = e instanceof Error ? e.message : String(e);
  return `${c ?? ''} ${typeof body === 'string' ? body.slice(0, 300) : msg.slice(0, 300)}`.trim();
}
