export declare const ROOT: string;
export declare const GO_MODULE: string;
export declare const MANIFESTS: string;
export declare const BINARIES: string[];
export type ControlPlaneUser = 'admin' | 'viewer' | 'operator' | 'controller';
export declare const USERS: ControlPlaneUser[];
export declare const USER_NAMES: Record<ControlPlaneUser, string>;
export declare function cacheDir(): string;
export declare function kubernetesVersion(): string;
export declare function findGo(): { go: string; version: string } | undefined;
export declare function buildControlPlane(opts?: { log?: (m: string) => void }): { binDir: string; built: boolean; ms: number };
export declare function freePort(): Promise<number>;
export interface AuditWrite {
  user: string; verb: string; resource?: string; subresource?: string; namespace?: string; name?: string;
  code: number; body?: unknown; time: string; dryRun: boolean;
}
export interface ControlPlane {
  url: string; caPem: string; dir: string; binDir: string; kubectlPath: string; auditLogPath: string;
  tokens: Record<ControlPlaneUser, string>;
  kubeconfigPath(user: ControlPlaneUser): string;
  /** Runs the built kubectl synchronously; throws on a non-zero exit. */
  kubectl(args: string[], user?: ControlPlaneUser): string;
  writes(): AuditWrite[];
  logs(): Record<string, string>;
  stop(): Promise<void>;
}
export declare function startControlPlane(opts?: { binDir?: string; log?: (m: string) => void }): Promise<ControlPlane>;
