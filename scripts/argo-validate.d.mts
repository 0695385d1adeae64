export declare const ARGO_MODULE: string;
export declare function argoVersion(): string;
export declare function buildArgoValidator(opts?: { log?: (m: string) => void }): {
  bin: string;
  mutex: string;
  /** Argo's workflow-controller (test/controlplane/argo/cmd/argo-controller): serves nothing, talks to -kubeconfig. */
  controller: string;
  /** Argo's workflow-controller-configmap manifest, as the module ships it (no namespace). */
  controllerConfigMap: string;
  crds: { full: string; minimal: string };
  version: string;
  built: boolean;
};
