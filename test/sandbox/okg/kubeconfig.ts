// Test helper: load a sandbox kubeconfig. The sandbox serves plain http, which client-node 1.4 only accepts
// with skipTLSVerify, so it is set here when the kubeconfig lacks it.
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (kc.clusters.every((c) => !c.server.startsWith('http:') || c.skipTLSVerify)) return kc;
  const fixed = new KubeConfig();
  fixed.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, skipTLSVerify: c.server.startsWith('http:') ? true : c.skipTLSVerify })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return fixed;
}
