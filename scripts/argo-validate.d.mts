export declare const ARGO_MODULE: string;
export declare function argoVersion(): string;
export declare function buildArgoValidator(opts?: { log?: (m: string) => void }): {
  bin: string;
  mutex: string;
  crds: { full: string; minimal: string };
  version: string;
  built: boolean;
};
