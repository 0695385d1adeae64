// OKG controller emulator: the composition root of the controllers it stands in for — OpenKruise's Advanced
// StatefulSet controller (./advancedStatefulSetController.ts), kruise-game v1.0's GameServerSet and GameServer
// controllers (./gameServerSetController.ts, ./gameServerController.ts) with the Kubernetes-HostPort/NodePort network
// plugins (./network.ts, ./networkController.ts), and a kubelet (./kubelet.ts) with its Events — talking to a
// Kubernetes API only over HTTP as a client: client-node's informers, and plain JSON writes authenticated by
// client-node's KubeConfig (./kube.ts). One informer per resource (all namespaces), one deduplicating work queue
// keyed by controller and object, conditional writes. `okg sandbox` runs it on its own thread (./emulatorThread.ts).
// Rules: API.md §1 (objects/ownership), §2.1 (update strategy), §3 (GSS status), §4 (GS), §5 (labels), §6 (reconcile
// order, Kill, scale), §8.2 (scale before workload update), §8.5 (label sync lag).
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import {
  DEFAULT_HOST_IP,
  DEFAULT_NODE_NAME,
  LABEL_OWNER_GSS,
  PLURAL_ASTS,
  PLURAL_GS,
  PLURAL_GSS,
} from './constants.js';
import { KubeClient, type Resource } from './kube.js';
import { controllerOf } from './owners.js';
import { WorkQueue } from './queue.js';
import { Cache, describe, keyOf, nsName, type ControllerContext, type Kind } from './controller.js';
import { GameServerSetController } from './gameServerSetController.js';
import { AdvancedStatefulSetController } from './advancedStatefulSetController.js';
import { GameServerController } from './gameServerController.js';
import { Kubelet, type RoomBehaviour } from './kubelet.js';
import { checkFailImages, type FailImage } from './failures.js';
import { EventRecorder } from './events.js';
import { DEFAULT_HOST_PORT_RANGE, NetworkPlugins } from './network.js';
import { NetworkController } from './networkController.js';
import type { AdvancedStatefulSet, GameServer, GameServerSet, Pod } from './types.js';

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
  /**
   * Worlds where a release fails: every container whose image contains `substring` fails with `mode`
   * (ImagePullBackOff, CrashLoopBackOff, NeverReady, or SlowReady after `seconds`), as the kubelet shows it, with
   * its Events. The first matching rule wins; rules bind to a pod when the kubelet first sees it.
   */
  failImages?: FailImage[];
  /**
   * The kubelet's time scale: ms standing for its first back-off of 10 s (image pulls and restarts double from it,
   * capped at 30 times it, the kubelet's 300 s). Default 1000 (1 kubelet second = 100 ms).
   */
  backoffBaseMs?: number;
  /** ms from a networked pod getting its IP to its network being Ready (default 300) */
  networkReadyAfterMs?: number;
  /** the Kubernetes-HostPort plugin's port range (default 8000-9000, kruise-game's config.toml) */
  hostPortRange?: [number, number];
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
  /** Replace the fail rules for pods the kubelet sees from now on; see `failImages`. Throws on a bad rule. */
  setFailImages(rules: FailImage[]): void;
  /** The network delay for pods that get their IP from now on; see `networkReadyAfterMs`. */
  setNetworkReadyAfter(ms: number): void;
  /**
   * Hold one room's network NotReady whatever the delay (true: a plugin that never gets it its port), or let it
   * follow the delay again (false).
   */
  holdRoomNetwork(namespace: string, name: string, held: boolean): void;
}

function checkMs(name: string, v: number | undefined, min = 0): void {
  if (v !== undefined && !(Number.isFinite(v) && v >= min))
    throw new Error(`${name} must be a number of milliseconds of at least ${min}, got ${String(v)}`);
}

/** The emulator's options, checked before anything starts; one line naming the bad one. */
export function checkEmulatorOptions(opts: OkgEmulatorOptions): void {
  checkFailImages(opts.failImages);
  checkMs('backoffBaseMs', opts.backoffBaseMs, 1);
  checkMs('networkReadyAfterMs', opts.networkReadyAfterMs);
  const r = opts.hostPortRange;
  if (r && !(Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 1 && r[0] <= r[1] && r[1] <= 65535)) {
    throw new Error(
      `hostPortRange must be two ports from 1 to 65535, the first not above the second, got ${JSON.stringify(r)}`,
    );
  }
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

export async function startOkgEmulator(kc: KubeConfig, opts: OkgEmulatorOptions = {}): Promise<OkgEmulator> {
  checkEmulatorOptions(opts);
  const emu = new Emulator(kc, opts);
  await emu.start();
  return {
    stop: () => emu.stop(),
    settled: () => emu.settled(),
    setStaleSpecEcho: (ms: number) => {
      emu.gsController.echoMs = ms;
    },
    setRoomBehaviour: (ns, name, b) => emu.setRoomBehaviour(ns, name, b),
    setFailImages: rules => {
      emu.kubelet.failImages = checkFailImages(rules);
    },
    setNetworkReadyAfter: ms => {
      checkMs('networkReadyAfterMs', ms);
      emu.network.readyAfterMs = ms;
    },
    holdRoomNetwork: (ns, name, held) => emu.holdRoomNetwork(ns, name, held),
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
  private readonly gssController: GameServerSetController;
  private readonly astsController: AdvancedStatefulSetController;
  readonly gsController: GameServerController;
  readonly kubelet: Kubelet;
  readonly network: NetworkController;
  private readonly plugins: NetworkPlugins;
  private stopped = false;
  private readyResolve: () => void = () => undefined;
  private readonly ready = new Promise<void>(r => {
    this.readyResolve = r;
  });

  constructor(
    kc: KubeConfig,
    private readonly opts: OkgEmulatorOptions,
  ) {
    this.client = new KubeClient(kc);
    this.queue = new WorkQueue(
      k => this.handle(k),
      opts.concurrency ?? 32,
      (k, e) => this.log(`sync ${k} failed: ${describe(e)}`),
    );
    const mk = <T>(r: Resource): Cache<T> => new Cache<T>(this.client.informer<KubernetesObject>(r));
    this.gss = mk<GameServerSet>(PLURAL_GSS);
    this.asts = mk<AdvancedStatefulSet>(PLURAL_ASTS);
    this.pods = mk<Pod>('pods');
    this.gs = mk<GameServer>(PLURAL_GS);
    this.caches = { [PLURAL_GSS]: this.gss, [PLURAL_ASTS]: this.asts, pods: this.pods, [PLURAL_GS]: this.gs } as Record<
      Resource,
      Cache<unknown>
    >;
    const ctx: ControllerContext = {
      client: this.client,
      queue: this.queue,
      gss: this.gss,
      asts: this.asts,
      pods: this.pods,
      gs: this.gs,
      podsOfGss: (ns, gssName) => [...(this.podsByGss.get(`${ns}/${gssName}`)?.values() ?? [])],
      log: m => this.log(m),
    };
    this.gssController = new GameServerSetController(ctx);
    this.plugins = new NetworkPlugins(opts.hostPortRange ?? DEFAULT_HOST_PORT_RANGE);
    this.astsController = new AdvancedStatefulSetController(ctx, opts.nodeName, pod => this.plugins.onPodAdded(pod));
    this.gsController = new GameServerController(ctx, opts.labelSyncLagMs ?? 0, opts.staleSpecEchoMs ?? 0);
    const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
    this.kubelet = new Kubelet(ctx, {
      readyAfterMs: opts.readyAfterMs ?? 300,
      terminatingMs: opts.terminatingMs ?? 200,
      hostIP: opts.hostIP,
      room: opts.room,
      failImages: checkFailImages(opts.failImages),
      backoffBaseMs: opts.backoffBaseMs ?? 1000,
      events: new EventRecorder(this.client, { component: 'kubelet', host: nodeName }, m => this.log(m)),
    });
    this.network = new NetworkController(
      ctx,
      this.plugins,
      opts.hostIP ?? DEFAULT_HOST_IP,
      opts.networkReadyAfterMs ?? 300,
    );
  }

  private log(msg: string): void {
    this.opts.log?.(`[okg-emulator] ${msg}`);
  }

  async start(): Promise<void> {
    const on = (c: Cache<unknown>, fn: (o: KubernetesObject, deleted: boolean) => void): void => {
      c.inf.on('add', o => fn(o, false));
      c.inf.on('update', o => fn(o, false));
      c.inf.on('delete', o => fn(o, true));
      c.inf.on('error', (err: unknown) => {
        if (this.stopped) return;
        this.log(`informer error: ${describe(err)}; restarting`);
        setTimeout(() => {
          if (!this.stopped) void c.inf.start().catch(() => undefined);
        }, 200);
      });
    };
    on(this.gss as Cache<unknown>, o => this.queue.add(`gss|${nsName(o)}`));
    on(this.asts as Cache<unknown>, o => {
      this.queue.add(`asts|${nsName(o)}`);
      const owner = controllerOf(o as unknown as AdvancedStatefulSet);
      if (owner?.kind === 'GameServerSet') this.queue.add(keyOf('gss', o.metadata?.namespace ?? '', owner.name));
    });
    on(this.pods as Cache<unknown>, (o, deleted) => this.onPod(o as unknown as Pod, deleted));
    on(this.gs as Cache<unknown>, (o, deleted) => {
      this.queue.add(`gs|${nsName(o)}`);
      this.gsController.onGameServer(o as unknown as GameServer, deleted);
    });
    await Promise.all(Object.values(this.caches).map(c => c.inf.start()));
    this.readyResolve();
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
      this.astsController.observed(ns, owner.name, name);
      this.queue.add(keyOf('asts', ns, owner.name));
    }
    if (deleted) this.plugins.onPodDeleted(ns, name);
    this.queue.add(keyOf('kubelet', ns, name));
    this.queue.add(keyOf('net', ns, name));
    this.queue.add(keyOf('gs', ns, name));
    if (gssName) this.queue.add(keyOf('gss', ns, gssName));
    if (prev && prev !== next) this.queue.add(`gss|${prev}`);
  }

  setRoomBehaviour(namespace: string, name: string, b: RoomBehaviour | undefined): void {
    this.kubelet.setRoomBehaviour(namespace, name, b);
    this.queue.add(keyOf('kubelet', namespace, name));
  }

  holdRoomNetwork(namespace: string, name: string, held: boolean): void {
    this.network.hold(namespace, name, held);
    this.queue.add(keyOf('net', namespace, name));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.stop();
    await Promise.all(Object.values(this.caches).map(c => c.inf.stop().catch(() => undefined)));
    this.client.close();
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
      case 'gss':
        return this.gssController.sync(ns, name, key);
      case 'asts':
        return this.astsController.sync(ns, name);
      case 'gs':
        return this.gsController.sync(ns, name, key);
      case 'echo':
        return this.gsController.echo(ns, name);
      case 'kubelet':
        return this.kubelet.sync(ns, name, key);
      case 'net':
        return this.network.sync(ns, name, key);
    }
  }
}
