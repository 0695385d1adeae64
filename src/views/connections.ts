// The cluster connections the Game Servers view shows, and where their kubeconfig comes from: the
// `okg.kubeconfig` setting, else the Kubernetes extension's, else KUBECONFIG, else ~/.kube/config. When there
// is none, or a named file is missing or unusable, the problem says so in extension terms (the setting, not
// CLI flags) and picks the welcome view. No `vscode` import: tests call these directly.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterCache, type CacheLease } from '../cluster/cache.js';
import { OkgClient } from '../cluster/client.js';
import { ClusterError } from '../cluster/errors.js';
import { contextNamespace, loadKubeConfig } from '../cluster/kubeconfig.js';

/** One cluster context the tree shows: the user's chosen kubeconfig context, or the demo cluster. */
export class Connection {
  readonly client: OkgClient;
  readonly cache: ClusterCache;
  private dropped = false;
  private closed = false;

  constructor(
    readonly id: string,
    readonly contextName: string,
    readonly kc: KubeConfig,
    readonly demo: boolean,
    readonly identity = identityOf(kc),
  ) {
    this.client = new OkgClient(kc);
    // The tree shows the sets before their rooms: ask for them first.
    this.cache = new ClusterCache(this.client, { setsFirst: true });
  }

  get defaultNamespace(): string {
    return contextNamespace(this.kc);
  }
  get isDropped(): boolean {
    return this.dropped;
  }

  /** A reference to one namespace's cache, for as long as its holder reads it. */
  acquire(namespace: string): CacheLease {
    if (this.closed) {
      throw new ClusterError(
        `the Game Servers view no longer shows context ${this.contextName} as it was (its kubeconfig or context changed); choose again in the tree`,
        'other',
      );
    }
    return this.cache.acquire(namespace);
  }

  /** The view stopped showing it; its client closes once the last holder lets go, and then it takes no more. */
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.cache.whenIdle(() => {
      this.closed = true;
      this.client.close();
    });
  }
}

/**
 * What makes two connections the same: the context's name, cluster entry and user entry (a hash: the user
 * entry holds credentials). A kubeconfig re-read with the same identity keeps its connection and caches.
 */
export function identityOf(kc: KubeConfig): string {
  const ctx = kc.getContextObject(kc.getCurrentContext());
  const json = JSON.stringify({
    context: kc.getCurrentContext(),
    cluster: kc.getCluster(ctx?.cluster ?? ''),
    user: kc.getUser(ctx?.user ?? ''),
  });
  return createHash('sha256').update(json).digest('hex');
}

export type KubeconfigProblemState = 'noKubeconfig' | 'missingKubeconfig' | 'badKubeconfig';

export interface KubeconfigProblem {
  state: KubeconfigProblemState;
  sentence: string;
}

export interface KubeconfigInputs {
  /** `okg.kubeconfig`. */
  setting: readonly string[];
  /** The Kubernetes extension's kubeconfig path, when it is installed. */
  kubernetesExtension?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  exists?: (path: string) => boolean;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The kubeconfig files to read (undefined: in-cluster), or why there are none. */
export function kubeconfigFiles(i: KubeconfigInputs): { files?: string[] } | { problem: KubeconfigProblem } {
  const exists = i.exists ?? existsSync;
  const env = i.env ?? process.env;
  const missing = (files: readonly string[], sentence: (f: string) => string) => {
    const f = files.find(p => !exists(p));
    return f === undefined ? undefined : { problem: { state: 'missingKubeconfig' as const, sentence: sentence(f) } };
  };
  if (i.setting.length) {
    return (
      missing(
        i.setting,
        f =>
          `The okg.kubeconfig setting names ${f}, which does not exist; point the setting at an existing kubeconfig file, or clear it to use KUBECONFIG or ~/.kube/config.`,
      ) ?? { files: [...i.setting] }
    );
  }
  if (i.kubernetesExtension) {
    return (
      missing(
        [i.kubernetesExtension],
        f =>
          `The Kubernetes extension's kubeconfig ${f} does not exist; set okg.kubeconfig to an existing kubeconfig file.`,
      ) ?? { files: [i.kubernetesExtension] }
    );
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (fromEnv.length) {
    return (
      missing(
        fromEnv,
        f =>
          `KUBECONFIG names ${f}, which does not exist; set okg.kubeconfig to an existing kubeconfig file (the setting wins over KUBECONFIG).`,
      ) ?? { files: fromEnv }
    );
  }
  const home = join(i.home ?? homedir(), '.kube', 'config');
  if (exists(home)) return { files: [home] };
  if (exists(SERVICE_ACCOUNT_TOKEN)) return {};
  return {
    problem: {
      state: 'noKubeconfig',
      sentence:
        'No kubeconfig found: okg.kubeconfig is empty, KUBECONFIG is not set and ~/.kube/config does not exist. Set okg.kubeconfig to your kubeconfig file, or start the demo cluster.',
    },
  };
}

/** The core's kubeconfig sentences end in CLI advice ("pass --context NAME"); the extension gives its own. */
function withoutCliAdvice(message: string): string {
  return message.replace(/(?:;|:) (?:set KUBECONFIG or )?pass --.*$/, '');
}

/** Loads the chosen context (or the current one) from the resolved files, or says why it cannot. */
export function loadContext(
  files: string[] | undefined,
  context?: string,
): { kc: KubeConfig } | { problem: KubeconfigProblem } {
  try {
    return { kc: loadKubeConfig({ kubeconfig: files, context }) };
  } catch (e) {
    const where = files?.length ? files.join(', ') : 'the in-cluster configuration';
    return {
      problem: {
        state: 'badKubeconfig',
        sentence: `The kubeconfig (${where}) cannot be used: ${withoutCliAdvice((e as Error).message)}. Fix it, choose another context with OKG: Switch Context, or point okg.kubeconfig at another file.`,
      },
    };
  }
}
