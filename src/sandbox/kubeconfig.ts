// Kubeconfig files for the sandbox's users: one file per user, each with its own context, so a test
// or the demo picks a user by picking a file. Tokens stay in these files and never reach a log.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { SandboxUser } from './auth.js';

export const SANDBOX_CLUSTER = 'okg-sandbox';

export function contextName(user: SandboxUser): string {
  return user === 'admin' ? SANDBOX_CLUSTER : `${SANDBOX_CLUSTER}-${user}`;
}

export function kubeconfigText(
  url: string,
  user: SandboxUser,
  token: string,
  caPem: string,
  namespace = 'default',
): string {
  const ctx = contextName(user);
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: SANDBOX_CLUSTER,
        cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: `${SANDBOX_CLUSTER}-${user}`, user: { token } }],
    contexts: [{ name: ctx, context: { cluster: SANDBOX_CLUSTER, user: `${SANDBOX_CLUSTER}-${user}`, namespace } }],
    'current-context': ctx,
    preferences: {},
  });
}

/** Writes `kubeconfig-<user>.yaml` for every user into `dir` (mode 0600) and returns the paths. */
export function writeKubeconfigs(
  dir: string,
  url: string,
  tokens: Record<SandboxUser, string>,
  caPem: string,
): Record<SandboxUser, string> {
  mkdirSync(dir, { recursive: true });
  const out = {} as Record<SandboxUser, string>;
  for (const user of Object.keys(tokens) as SandboxUser[]) {
    const path = join(dir, `kubeconfig-${user}.yaml`);
    writeFileSync(path, kubeconfigText(url, user, tokens[user], caPem), { mode: 0o600 });
    out[user] = path;
  }
  return out;
}
