// The worlds the tier-A tests run in: the sandbox (our TypeScript API server) and a real kube-apiserver with etcd
// (scripts/controlplane.mjs). Both are reached the same way — URL, CA, a token and a kubeconfig per user — so
// one assertion runs against both and holds both to one standard.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import { USER_NAMES, type SandboxUser } from '../../src/sandbox/auth.js';
import type { ControlPlane } from '../../scripts/controlplane.mjs';
import type { OkgControlPlane } from '../../scripts/controlplane-okg.mjs';

export type User = SandboxUser;
export type WorldName = 'sandbox' | 'kube-apiserver' | 'real OKG';

/** One mutating request as either world records it (sandbox write log; kube-apiserver audit log). */
export interface WriteRecord {
  user: User | string;
  verb: string;
  resource?: string;
  subresource?: string;
  name?: string;
  code: number;
  dryRun: boolean;
  body?: unknown;
}

export interface World {
  readonly name: WorldName;
  readonly url: string;
  readonly caPem: string;
  token(user: User): string;
  kubeconfigPath(user: User): string;
  kubeConfig(user?: User): KubeConfig;
  /** Mutating requests since the last `clearWrites()`, oldest first. */
  writes?(): Promise<WriteRecord[]>;
  clearWrites?(): Promise<void>;
  /** Forgets watch history, so old resourceVersions answer 410 (the sandbox keeps all of it until asked). */
  compact?(): void;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
type Scripts = typeof import('../../scripts/controlplane.mjs');
type OkgScripts = typeof import('../../scripts/controlplane-okg.mjs');
export const controlPlaneScripts = (): Promise<Scripts> =>
  import(pathToFileURL(join(ROOT, 'scripts', 'controlplane.mjs')).href) as Promise<Scripts>;
const okgScripts = (): Promise<OkgScripts> =>
  import(pathToFileURL(join(ROOT, 'scripts', 'controlplane-okg.mjs')).href) as Promise<OkgScripts>;

function kubeConfigOf(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export function sandboxWorld(server: SandboxServer, stop: () => Promise<void> = () => server.close()): World {
  return {
    name: 'sandbox',
    url: server.url,
    caPem: server.caPem,
    token: u => server.tokens[u],
    kubeconfigPath: u => server.kubeconfigPath(u),
    kubeConfig: (u = 'admin') => kubeConfigOf(server.kubeconfigPath(u)),
    writes: async () =>
      server.writeLog().map(e => ({
        user: e.user,
        verb: e.verb,
        resource: e.resource,
        subresource: e.subresource || undefined,
        name: e.name,
        code: e.code,
        dryRun: e.dryRun,
        body: e.body,
      })),
    clearWrites: async () => {
      server.clearWriteLog();
    },
    compact: () => server.store.compact(),
    stop,
  };
}

export async function startSandboxWorld(): Promise<World & { server: SandboxServer }> {
  const server = await startSandboxServer({ bookmarkIntervalMs: 500 });
  return { ...sandboxWorld(server), server };
}

/**
 * Why the control-plane world cannot run, or undefined when it can. OKG_NO_CONTROLPLANE=1 is the only way to
 * leave it out; a missing Go is an error (the suite fails with this reason), never a silent skip.
 */
export function controlPlaneOptOut(): string | undefined {
  return process.env.OKG_NO_CONTROLPLANE === '1'
    ? 'OKG_NO_CONTROLPLANE=1 is set: the kube-apiserver world (tier A) was not started'
    : undefined;
}

const byName = new Map(Object.entries(USER_NAMES).map(([k, v]) => [v, k as User]));

let built: Promise<string> | undefined;

const buildLog = (m: string) => process.stderr.write(`      [controlplane] ${m}\n`);
const binaries = async (): Promise<string> => {
  const s = await controlPlaneScripts();
  return (built ??= Promise.resolve().then(() => s.buildControlPlane({ log: buildLog }).binDir));
};
let tierBBuilt: Promise<{ kruiseDir: string; kwokDir: string }> | undefined;

/** Builds (once per process; cached across runs) and starts etcd + kube-apiserver with the OKG CRDs. */
export async function startControlPlaneWorld(): Promise<World & { cp: ControlPlane }> {
  const s = await controlPlaneScripts();
  const cp = await s.startControlPlane({ binDir: await binaries() });
  return controlPlaneWorld('kube-apiserver', cp);
}

/** Tier B: the control plane plus kube-controller-manager, kube-scheduler, KWOK, kruise-manager and kruise-game. */
export async function startOkgWorld(): Promise<World & { cp: OkgControlPlane }> {
  const binDir = await binaries();
  const s = await okgScripts();
  tierBBuilt ??= Promise.resolve().then(() => ({
    kruiseDir: s.buildKruise({ log: buildLog }).binDir,
    kwokDir: s.buildKwok({ log: buildLog }).binDir,
  }));
  const cp = await s.startOkgControlPlane({ binDir, ...(await tierBBuilt) });
  return controlPlaneWorld('real OKG', cp);
}

/** kube-apiserver + kube-controller-manager with OKG v1.0.0's CRDs and no OKG: for the emulator, compared with real OKG. */
export async function startControllerManagerWorld(): Promise<World & { cp: OkgControlPlane }> {
  const s = await okgScripts();
  return controlPlaneWorld('kube-apiserver', await s.startOkgControlPlane({ binDir: await binaries(), okg: false }));
}

function controlPlaneWorld<C extends ControlPlane>(name: WorldName, cp: C): World & { cp: C } {
  let mark = 0;
  const all = () => cp.writes().map(w => ({ ...w, user: byName.get(w.user) ?? w.user }));
  return {
    name,
    url: cp.url,
    caPem: cp.caPem,
    cp,
    token: u => cp.tokens[u],
    kubeconfigPath: u => cp.kubeconfigPath(u),
    kubeConfig: (u = 'admin') => kubeConfigOf(cp.kubeconfigPath(u)),
    // The audit log is written as each request completes; give the last line a moment to land.
    writes: async () => {
      await new Promise(r => setTimeout(r, 100));
      return all().slice(mark);
    },
    clearWrites: async () => {
      await new Promise(r => setTimeout(r, 100));
      mark = all().length;
    },
    stop: () => cp.stop(),
  };
}

/** The kubectl both worlds are driven with: the one built with the control plane, else KUBECTL or kubectl on PATH. */
export async function kubectlBinary(): Promise<string> {
  if (controlPlaneOptOut()) return process.env.KUBECTL ?? 'kubectl';
  return join(await binaries(), 'kubectl');
}
