export declare const ROOT: string;
export declare const GO_MODULE: string;
export declare const MANIFESTS: string;
export declare const PACKAGES: Record<string, string>;
export declare const BINARIES: string[];
export type ControlPlaneUser = 'admin' | 'viewer' | 'operator' | 'controller';
export type TierBUser = 'kcm' | 'scheduler' | 'kwok' | 'kruise';
export declare const USERS: ControlPlaneUser[];
export declare const USER_NAMES: Record<ControlPlaneUser, string>;
export declare const TIER_B_USERS: TierBUser[];
export declare const TIER_B_USER_NAMES: Record<TierBUser, string>;
export declare function cacheDir(): string;
export declare function kubernetesVersion(): string;
export declare function findGo(): { go: string; version: string } | undefined;
export interface Build {
  binDir: string;
  built: boolean;
  ms: number;
}
export declare function buildGoModule(opts: {
  moduleDir: string;
  packages: Record<string, string>;
  prefix: string;
  flags?: string;
  what: string;
  log?: (m: string) => void;
}): Build;
export declare function buildControlPlane(opts?: { log?: (m: string) => void }): Build;
export interface Process {
  name: string;
  logPath: string;
  exited?: { code: number | null; signal: string | null };
}
export declare function waitUntil(
  what: string,
  proc: Process,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void>;
export declare function get(
  url: string,
  opts?: { ca?: string; token?: string },
): Promise<{ status: number; body: string }>;
export declare function openssl(dir: string, args: string[]): void;
export declare function freePort(): Promise<number>;
export interface AuditWrite {
  user: string;
  verb: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code: number;
  body?: unknown;
  time: string;
  dryRun: boolean;
}
export interface ControlPlane {
  url: string;
  caPem: string;
  dir: string;
  binDir: string;
  kubectlPath: string;
  auditLogPath: string;
  tokens: Record<ControlPlaneUser, string> & Partial<Record<TierBUser, string>>;
  kubeconfigPath(user: ControlPlaneUser | TierBUser): string;
  /** Runs the built kubectl synchronously (stdin: `input`); throws on a non-zero exit. */
  kubectl(args: string[], user?: ControlPlaneUser | TierBUser, input?: string): string;
  /** Starts another process in the control plane's folder; `stop()` stops it first. */
  startProcess(name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Process;
  writes(): AuditWrite[];
  logs(): Record<string, string>;
  stop(): Promise<void>;
}
/** `tierB`: tokens for TIER_B_USERS and the ServiceAccount admission plugin on; `crds`: files or folders to apply. */
export declare function startControlPlane(opts?: {
  binDir?: string;
  log?: (m: string) => void;
  tierB?: boolean;
  crds?: string[];
}): Promise<ControlPlane>;
