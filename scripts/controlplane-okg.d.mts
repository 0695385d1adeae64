import type { Build, ControlPlane } from './controlplane.mjs';
export declare const KRUISE_MODULE: string;
export declare const KRUISE_PACKAGES: Record<string, string>;
export declare const KWOK_MODULE: string;
export declare const NODE_NAME: string;
export declare function buildKwok(opts?: { log?: (m: string) => void }): Build;
export declare function kruiseVersions(): { kruise: string; kruiseGame: string };
export declare function buildKruise(opts?: { log?: (m: string) => void }): Build;
export interface OkgControlPlane extends ControlPlane {
  kruiseDir?: string;
  kwokDir?: string;
}
export interface FailImageRule {
  substring: string;
  mode: 'ImagePullBackOff' | 'CrashLoopBackOff';
}
export declare const TIER_B_FAIL_IMAGES: FailImageRule[];
export declare const TIER_B_BACKOFF_BASE_MS: number;
export declare function kwokStages(kwokDir: string, failImages?: FailImageRule[], backoffBaseMs?: number): string;
export declare function startOkgControlPlane(opts?: {
  binDir?: string;
  kruiseDir?: string;
  kwokDir?: string;
  log?: (m: string) => void;
  okg?: boolean;
  failImages?: FailImageRule[];
}): Promise<OkgControlPlane>;
