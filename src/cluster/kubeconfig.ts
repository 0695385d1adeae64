// Which cluster, as whom, in which namespace: kubeconfig loading through client-node. KUBECONFIG with
// several paths is merged (first file wins, as kubectl does); an explicit file replaces it. Nothing here
// ever writes a kubeconfig: the namespace scope lives in the target, not in the user's file. A loaded
// KubeConfig reports credential failures without echoing what an exec plugin printed (it may be the token).
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { credentialFailure } from './errors.js';
import { clip } from './clip.js';
import { redact } from './redact.js';

export interface ClusterTarget {
  /** An explicit kubeconfig file (or several, merged in order); otherwise KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string | string[];
  /** A context name; otherwise the kubeconfig's current context. */
  context?: string;
}

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(redact(message));
  }
}

/**
 * Every request made with this KubeConfig prepares its credentials here: our transport, client-node's watches
 * (informers, through applyToFetchOptions) and its generated API clients. A failure becomes a
 * CredentialFailure that names the plugin or file and never carries the plugin's stdout or stderr.
 */
class GuardedKubeConfig extends KubeConfig {
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    try {
      await super.applyToHTTPSOptions(opts);
    } catch (e) {
      throw credentialFailure(e, this);
    }
  }

  override async applySecurityAuthentication(
    context: Parameters<KubeConfig['applySecurityAuthentication']>[0],
  ): Promise<void> {
    try {
      await super.applySecurityAuthentication(context);
    } catch (e) {
      throw credentialFailure(e, this);
    }
  }
}

/** Loads and validates a kubeconfig. Throws a KubeconfigError with one sentence on any problem. */
export function loadKubeConfig(target: ClusterTarget = {}, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new GuardedKubeConfig();
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const files =
    target.kubeconfig === undefined
      ? fromEnv
      : Array.isArray(target.kubeconfig)
        ? target.kubeconfig
        : [target.kubeconfig];
  try {
    if (files.length) {
      for (const f of files) {
        if (!existsSync(f)) {
          throw new KubeconfigError(
            target.kubeconfig === undefined
              ? `KUBECONFIG names ${f}, which does not exist; fix KUBECONFIG or pass --kubeconfig FILE`
              : `kubeconfig file ${f} does not exist; pass an existing file with --kubeconfig`,
          );
        }
      }
      // Merge as kubectl does: the first file that names a cluster, user or context wins; the first
      // file's current-context wins.
      const parts = files.map(f => {
        const k = new KubeConfig();
        k.loadFromFile(f);
        return k;
      });
      const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
        const seen = new Map<string, T>();
        for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
        return [...seen.values()];
      };
      kc.loadFromOptions({
        clusters: firstByName(parts.map(p => p.clusters)),
        users: firstByName(parts.map(p => p.users)),
        contexts: firstByName(parts.map(p => p.contexts)),
        currentContext: parts.find(p => p.currentContext)?.currentContext ?? '',
      });
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof KubeconfigError) throw e;
    throw new KubeconfigError(
      `cannot read the kubeconfig (${files.join(', ') || '~/.kube/config'}): ${clip(redact(String((e as Error)?.message ?? e).split('\n')[0]))}`,
    );
  }
  if (!kc.contexts.length || !kc.clusters.length) {
    throw new KubeconfigError(
      'no Kubernetes context found: set KUBECONFIG or pass --kubeconfig FILE (for a local try-out: npx okg sandbox)',
    );
  }
  if (target.context) {
    if (!kc.contexts.some(c => c.name === target.context)) {
      throw new KubeconfigError(
        `context "${clip(target.context)}" is not in the kubeconfig; known contexts: ${clip(kc.contexts.map(c => c.name).join(', '))}`,
      );
    }
    kc.setCurrentContext(target.context);
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (!ctx) throw new KubeconfigError('the kubeconfig has no current context; pass --context NAME');
  if (!kc.getCluster(ctx.cluster))
    throw new KubeconfigError(
      `context "${ctx.name}" names cluster "${ctx.cluster}", which the kubeconfig does not define`,
    );
  return kc;
}

/** The namespace of the current context, or "default". */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
}
