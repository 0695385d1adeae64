// Which cluster, as whom, in which namespace: kubeconfig loading through client-node. KUBECONFIG with
// several paths is merged (first file wins, as kubectl does); an explicit file replaces it. Nothing here
// ever writes a kubeconfig: the namespace scope lives in the target, not in the user's file.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export interface ClusterTarget {
  /** An explicit kubeconfig file (or several, merged in order); otherwise KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string | string[];
  /** A context name; otherwise the kubeconfig's current context. */
  context?: string;
}

export class KubeconfigError extends Error {}

/** Loads and validates a kubeconfig. Throws a KubeconfigError with one sentence on any problem. */
export function loadKubeConfig(target: ClusterTarget = {}): KubeConfig {
  const kc = new KubeConfig();
  const files = target.kubeconfig === undefined ? [] : Array.isArray(target.kubeconfig) ? target.kubeconfig : [target.kubeconfig];
  try {
    if (files.length) {
      for (const f of files) {
        if (!existsSync(f)) throw new KubeconfigError(`kubeconfig file ${f} does not exist; pass an existing file with --kubeconfig`);
      }
      kc.loadFromFile(files[0]);
      for (const f of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more, true);
      }
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof KubeconfigError) throw e;
    throw new KubeconfigError(`cannot read the kubeconfig (${files.join(', ') || process.env.KUBECONFIG || '~/.kube/config'}): ${(e as Error).message.split('\n')[0]}`);
  }
  if (!kc.contexts.length || !kc.clusters.length) {
    throw new KubeconfigError('no Kubernetes context found: set KUBECONFIG or pass --kubeconfig FILE (for a local try-out: npx okg sandbox)');
  }
  if (target.context) {
    if (!kc.contexts.some(c => c.name === target.context)) {
      throw new KubeconfigError(`context "${target.context}" is not in the kubeconfig; known contexts: ${kc.contexts.map(c => c.name).join(', ')}`);
    }
    kc.setCurrentContext(target.context);
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (!ctx) throw new KubeconfigError('the kubeconfig has no current context; pass --context NAME');
  if (!kc.getCluster(ctx.cluster)) throw new KubeconfigError(`context "${ctx.name}" names cluster "${ctx.cluster}", which the kubeconfig does not define`);
  return kc;
}

/** The namespace of the current context, or "default". */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
}

/** The API server URL of the current context (for error messages; never credentials). */
export function serverUrl(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '(no server)';
}
