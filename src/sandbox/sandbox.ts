// The whole sandbox world: API server + OKG controller emulator + a scenario. This is what
// `okg sandbox`, `npm run demo`, the extension's "Start Demo Cluster" and the tests start.
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { startSandboxServer, type SandboxServer, type SandboxServerOptions } from './server.js';
import { checkEmulatorOptions, startOkgEmulator, type OkgEmulator, type OkgEmulatorOptions } from './okg/emulator.js';
import { emulatorWorkerUrl, startOkgEmulatorThread } from './okg/emulatorThread.js';
import {
  createObject,
  DEFAULT_SCALE,
  scaleGameServerSet,
  SEED,
  seedGameServerSet,
  type ScaleOptions,
  type ScenarioName,
} from './scenarios.js';
import { failRuleFor } from './okg/failures.js';
import { KubeClient } from './okg/kube.js';
import { PLURAL_GSS } from './okg/constants.js';
import { EMULATED_NETWORKS, type EmulatedNetwork } from './okg/network.js';
import type { SandboxUser } from './auth.js';
import type { KubeObject } from './types.js';
import { startMatchmaker, type Matchmaker, type MatchmakerOptions } from './matchmaker.js';

export interface SandboxOptions extends SandboxServerOptions, OkgEmulatorOptions {
  scenario?: ScenarioName;
  scale?: Partial<ScaleOptions>;
  /** The seed's GameServerSet with this `spec.network` (OKG's Kubernetes-HostPort or Kubernetes-NodePort plugin). */
  network?: EmulatedNetwork;
  /** How long to wait for the scenario's rooms to be Ready. */
  settleTimeoutMs?: number;
  /**
   * Run the OKG emulator on its own thread (./okg/emulatorThread.ts), as `okg sandbox` does: at 10,000 rooms the
   * emulator and the API server then use two cores. Ignored with a `room` function (in-thread only) or when the
   * thread's script is not there.
   */
  emulatorThread?: boolean;
  /** A matchmaker with a stale view, started (as user operator) once the scenario is loaded; namespace defaults to the seed's. */
  matchmaker?: Omit<MatchmakerOptions, 'namespace'> & { namespace?: string };
}

export interface Sandbox {
  readonly server: SandboxServer;
  readonly emulator: OkgEmulator;
  /** Present when started with the `matchmaker` option. */
  readonly matchmaker?: Matchmaker;
  readonly url: string;
  kubeconfigPath(user: SandboxUser): string;
  kubeConfig(user?: SandboxUser): KubeConfig;
  /** Resolves when `predicate` holds for the stored objects, re-checked after every change. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  checkEmulatorOptions(opts);
  if (opts.network !== undefined && !EMULATED_NETWORKS.includes(opts.network)) {
    throw new Error(`--network must be one of ${EMULATED_NETWORKS.join(', ')}, got "${String(opts.network)}"`);
  }
  if (opts.network !== undefined && (opts.scenario ?? 'seed') !== 'seed')
    throw new Error(`--network applies to the seed scenario only, not "${opts.scenario}"`);
  // Faults are for the clients under test: the scenario loader below writes as admin, so they are switched on only
  // once the world is loaded (the emulator's own user is exempt in the server).
  const server = await startSandboxServer({ ...opts, faults: undefined });
  const kubeConfig = (user: SandboxUser = 'admin') => {
    const kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath(user));
    return kc;
  };
  let emulator: OkgEmulator | undefined;
  try {
    const script = opts.emulatorThread && !opts.room ? emulatorWorkerUrl() : undefined;
    const kc = emulatorKubeConfig(server);
    emulator = script ? await startOkgEmulatorThread(kc, opts, script) : await startOkgEmulator(kc, opts);
  } catch (e) {
    await server.close();
    throw e;
  }
  // Re-checks after changes, at most every 20 ms, so a predicate over 10,000 rooms stays cheap.
  const waitFor = (predicate: () => boolean, timeoutMs = 30_000, what = 'the sandbox to settle') =>
    new Promise<void>((resolve, reject) => {
      if (predicate()) {
        resolve();
        return;
      }
      let pending: NodeJS.Timeout | undefined;
      const done = (err?: Error) => {
        clearTimeout(timer);
        clearTimeout(pending);
        unsubscribe();
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const unsubscribe = server.store.subscribe(() => {
        pending ??= setTimeout(() => {
          pending = undefined;
          if (predicate()) done();
        }, 20);
      });
    });
  const sandbox: { -readonly [K in keyof Sandbox]: Sandbox[K] } = {
    server,
    emulator,
    url: server.url,
    kubeConfig,
    waitFor,
    kubeconfigPath: user => server.kubeconfigPath(user),
    async stop() {
      await sandbox.matchmaker?.stop();
      await emulator?.stop();
      await server.close();
    },
  };
  try {
    await loadScenario(sandbox, opts);
    if (opts.matchmaker)
      sandbox.matchmaker = await startMatchmaker(kubeConfig('operator'), {
        namespace: SEED.namespace,
        ...opts.matchmaker,
      });
  } catch (e) {
    await sandbox.stop();
    throw e;
  }
  server.setFaults(opts.faults);
  server.clearWriteLog();
  return sandbox;
}

/**
 * The emulator's kubeconfig: the controller's token at the server's plain-HTTP door for it (`controllerUrl`; no TLS
 * to reach a server in the same process). client-node takes an http:// server only with skipTLSVerify set.
 */
function emulatorKubeConfig(server: SandboxServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'okg-sandbox-controller', server: server.controllerUrl, skipTLSVerify: true }],
    users: [{ name: 'controller', token: server.tokens.controller }],
    contexts: [{ name: 'controller', cluster: 'okg-sandbox-controller', user: 'controller' }],
    currentContext: 'controller',
  });
  return kc;
}

/** A room counts when Ready — or, for a failing set, when it exists (rooms of a failing image never get Ready). */
function roomCounts(o: KubeObject, failing: boolean): boolean {
  return failing || (o.status as { currentState?: string } | undefined)?.currentState === 'Ready';
}

/** `count` rooms of the set are Ready (the seed's check: a scan, fine for its 3 rooms). */
function roomsReady(server: SandboxServer, namespace: string, gss: string, count: number, failing = false): boolean {
  const gs = server.resource('gameservers');
  let ready = 0;
  for (const o of server.store.list(gs, namespace)) {
    if (o.metadata.labels?.['game.kruise.io/owner-gss'] !== gss) continue;
    if (roomCounts(o, failing)) ready++;
  }
  return ready >= count;
}

/**
 * The rooms that count per set, kept up to date from the store's events, so waiting for a big fleet costs O(1)
 * per event instead of a scan of every room at every check (at 100 × 100 rooms the scans were half the time).
 */
function trackRooms(
  server: SandboxServer,
  sets: { ns: string; name: string; failing: boolean; rooms: number }[],
): { done(): boolean; stop(): void } {
  const gs = server.resource('gameservers');
  const bySet = new Map(
    sets.map(x => [`${x.ns}/${x.name}`, { want: x.rooms, failing: x.failing, rooms: new Set<string>() }]),
  );
  const see = (o: KubeObject, gone: boolean) => {
    const set = bySet.get(`${o.metadata.namespace}/${o.metadata.labels?.['game.kruise.io/owner-gss'] ?? ''}`);
    if (!set) return;
    if (!gone && roomCounts(o, set.failing)) set.rooms.add(o.metadata.name!);
    else set.rooms.delete(o.metadata.name!);
  };
  const stop = server.store.subscribe(e => {
    if (e.res !== gs) return;
    // A relabelled room leaves the set it was in.
    if (e.previous && e.type !== 'DELETED') see(e.previous, true);
    see(e.object, e.type === 'DELETED');
  });
  for (const o of server.store.list(gs)) see(o, false);
  return { done: () => [...bySet.values()].every(set => set.rooms.size >= set.want), stop };
}

function imagesOf(gss: object): string[] {
  const t = (gss as { spec?: { gameServerTemplate?: { spec?: { containers?: { image?: string }[] } } } }).spec
    ?.gameServerTemplate;
  return (t?.spec?.containers ?? []).map(c => c.image ?? '');
}

function podLabel(server: SandboxServer, namespace: string, name: string, key: string): string | undefined {
  return server.store.get(server.resource('pods'), namespace, name)?.metadata.labels?.[key];
}

async function loadScenario(s: Sandbox, opts: SandboxOptions): Promise<void> {
  const scenario = opts.scenario ?? 'seed';
  const timeout = opts.settleTimeoutMs ?? 120_000;
  const kc = s.kubeConfig('admin');
  if (scenario === 'empty') return;
  if (scenario === 'seed') {
    const seed = seedGameServerSet(opts.network);
    await createObject(kc, seed);
    const failing = imagesOf(seed).some(image => failRuleFor(image, opts.failImages ?? []) !== undefined);
    await s.waitFor(
      () => roomsReady(s.server, SEED.namespace, SEED.gameServerSet, SEED.replicas, failing),
      timeout,
      'the seed rooms to be Ready',
    );
    // As the seed does: kubectl patch gs minecraft-0 --type=merge -p '{"spec":{"opsState":"Allocated"}}'
    const api = KubernetesObjectApi.makeApiClient(kc);
    await api.patch(
      {
        apiVersion: 'game.kruise.io/v1alpha1',
        kind: 'GameServer',
        metadata: { name: SEED.allocated, namespace: SEED.namespace },
        spec: { opsState: 'Allocated' },
      } as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    await s.waitFor(
      () => podLabel(s.server, SEED.namespace, SEED.allocated, 'game.kruise.io/gs-opsState') === 'Allocated',
      timeout,
      'minecraft-0 to be Allocated',
    );
    return;
  }
  const size: ScaleOptions = { ...DEFAULT_SCALE, ...opts.scale };
  const nsNames = Array.from({ length: size.namespaces }, (_, i) => `games-${i}`);
  for (const ns of nsNames) await createObject(kc, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const sets: { ns: string; name: string; failing: boolean; gss: object }[] = [];
  for (let i = 0; i < size.gameServerSets; i++) {
    const ns = nsNames[i % nsNames.length];
    const name = `fleet-${String(i).padStart(3, '0')}`;
    const gss = scaleGameServerSet(ns, name, size.rooms, i);
    sets.push({
      ns,
      name,
      gss,
      failing: imagesOf(gss).some(image => failRuleFor(image, opts.failImages ?? []) !== undefined),
    });
  }
  // All sets at once over one keep-alive client: created one after another (a new TLS connection and a discovery
  // request each), the 100th set waited for 99 round trips through a server busy with the emulator's writes.
  const client = new KubeClient(kc);
  try {
    await Promise.all(sets.map(x => client.create(PLURAL_GSS, x.ns, x.gss)));
  } finally {
    client.close();
  }
  const tracker = trackRooms(
    s.server,
    sets.map(x => ({ ...x, rooms: size.rooms })),
  );
  try {
    await s.waitFor(() => tracker.done(), timeout * 5, `${size.gameServerSets * size.rooms} rooms to be Ready`);
  } finally {
    tracker.stop();
  }
}
