// Which connections the Game Servers view should show: the kubeconfig (setting, the Kubernetes extension's,
// KUBECONFIG, ~/.kube/config), the chosen context (remembered in workspace state, else the Kubernetes
// extension's, else the kubeconfig's current one) and the demo cluster. A problem is said once, by the caller.
import type * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import { identityOf, kubeconfigFiles, loadContext, type KubeconfigProblem } from './connections.js';
import { settings } from './settings.js';

export const STATE_CONTEXT = 'okg.context';

export interface DemoTarget {
  kubeconfig: string;
  context: string;
}

export interface Target {
  id: string;
  contextName: string;
  kc: KubeConfig;
  demo: boolean;
  identity: string;
}

export interface TargetSources {
  state: vscode.Memento;
  log: vscode.LogOutputChannel;
  /** The kubeconfig path the Kubernetes extension uses, when it is installed. */
  kubernetesExtensionKubeconfig?: string;
  /** The context the Kubernetes extension has active, when it is installed. */
  kubernetesExtensionContext?: string;
  demo?: DemoTarget;
}

function kubeTarget(kc: KubeConfig): Target {
  const name = kc.getCurrentContext();
  return { id: `kc:${name}`, contextName: name, kc, demo: false, identity: identityOf(kc) };
}

export function desiredTargets(src: TargetSources): { targets: Target[]; problem?: KubeconfigProblem } {
  const targets: Target[] = [];
  let problem: KubeconfigProblem | undefined;
  const files = kubeconfigFiles({
    setting: settings().kubeconfig,
    kubernetesExtension: src.kubernetesExtensionKubeconfig,
  });
  if ('problem' in files) {
    problem = files.problem;
  } else {
    const several = settings().contexts;
    if (several.length) {
      // Several contexts side by side (okg.contexts): each its own connection; one that is gone is said, the
      // others are shown.
      const gone: string[] = [];
      for (const name of several) {
        const loaded = loadContext(files.files, name);
        if ('kc' in loaded) targets.push(kubeTarget(loaded.kc));
        else gone.push(name);
      }
      if (gone.length)
        problem = {
          state: 'badKubeconfig',
          sentence: `The kubeconfig has no context ${gone.map(n => `"${n.slice(0, 100)}"`).join(', ')} (setting okg.contexts); choose the contexts again with OKG: Switch Context.`,
        };
    } else {
      const chosen = src.state.get<string>(STATE_CONTEXT) ?? src.kubernetesExtensionContext;
      let loaded = loadContext(files.files, chosen);
      // A remembered context that has since gone: say so, and show the kubeconfig's current one.
      if ('problem' in loaded && chosen) {
        const current = loadContext(files.files);
        if ('kc' in current) {
          problem = loaded.problem;
          loaded = current;
        }
      }
      if ('kc' in loaded) targets.push(kubeTarget(loaded.kc));
      else problem = loaded.problem;
    }
  }
  if (src.demo) {
    const loaded = loadContext([src.demo.kubeconfig], src.demo.context);
    if ('kc' in loaded)
      targets.push({
        id: 'demo',
        contextName: `${src.demo.context} (demo)`,
        kc: loaded.kc,
        demo: true,
        identity: identityOf(loaded.kc),
      });
    else src.log.error(`demo cluster: ${loaded.problem.sentence}`);
  }
  return { targets, problem };
}
