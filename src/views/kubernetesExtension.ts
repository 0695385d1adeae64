// Optional: when the Kubernetes extension (ms-kubernetes-tools.vscode-kubernetes-tools) is installed, follow
// the kubeconfig and context it uses, through its published configuration API. Never required.
import * as vscode from 'vscode';
import type { Explorer } from './explorer.js';
import type { RefreshTriggers } from './refresh.js';

const EXTENSION_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';

type KubeconfigPath = { pathType: 'host'; hostPath: string } | { pathType: 'wsl'; wslPath: string };

interface ConfigurationApi {
  getKubeconfigPath(): KubeconfigPath;
  /** v1_1 names; v1 calls them onDidKubeconfigPathChange / onDidActiveContextChanged. */
  onDidChangeKubeconfigPath?: vscode.Event<KubeconfigPath>;
  onDidChangeContext?: vscode.Event<string | null>;
  onDidKubeconfigPathChange?: vscode.Event<KubeconfigPath>;
  onDidActiveContextChanged?: vscode.Event<string | null>;
}

interface ApiBroker {
  api(request: { component: string; version: string }): { succeeded: boolean; api?: unknown };
}

const hostPath = (p: KubeconfigPath) => (p.pathType === 'host' ? p.hostPath : undefined);

export async function followKubernetesExtension(
  explorer: Explorer,
  triggers: RefreshTriggers,
  log: vscode.LogOutputChannel,
): Promise<vscode.Disposable | undefined> {
  const ext = vscode.extensions?.getExtension<ApiBroker>(EXTENSION_ID);
  if (!ext) return undefined;
  try {
    const broker = ext.isActive ? ext.exports : await ext.activate();
    let api: ConfigurationApi | undefined;
    for (const version of ['v1_1', 'v1']) {
      const r = broker?.api?.({ component: 'configuration', version });
      if (r?.succeeded) {
        api = r.api as ConfigurationApi;
        break;
      }
    }
    if (!api) return undefined;
    explorer.kubernetesExtensionKubeconfig = hostPath(api.getKubeconfigPath());
    const onPath = api.onDidChangeKubeconfigPath ?? api.onDidKubeconfigPathChange;
    const onContext = api.onDidChangeContext ?? api.onDidActiveContextChanged;
    const subs: vscode.Disposable[] = [];
    if (onPath) {
      subs.push(
        onPath(p => {
          explorer.kubernetesExtensionKubeconfig = hostPath(p);
          triggers.reconnect('the Kubernetes extension changed its kubeconfig');
        }),
      );
    }
    if (onContext) {
      // Its context change wins over an earlier Switch Context pick.
      subs.push(
        onContext(ctx => {
          explorer.kubernetesExtensionContext = ctx ?? undefined;
          void explorer
            .setContext(undefined)
            .then(() => triggers.reconnect('the Kubernetes extension changed its context'));
        }),
      );
    }
    log.info("following the Kubernetes extension's kubeconfig and context");
    triggers.reconnect('following the Kubernetes extension');
    return vscode.Disposable.from(...subs);
  } catch (e) {
    log.warn(`the Kubernetes extension's API is not usable: ${(e as Error).message}`);
    return undefined;
  }
}
