// One kubeconfig file with a context per sandbox (each sandbox's admin user), named as given; the first is the
// current context. For tests of several clusters side by side (the extension's okg.contexts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Sandbox } from '../../src/sandbox/sandbox.js';

interface Named {
  name: string;
  [k: string]: unknown;
}
interface KubeconfigFile {
  clusters: Named[];
  users: Named[];
  contexts: (Named & { context: Record<string, unknown> })[];
}

export function mergedKubeconfig(worlds: [string, Sandbox][]): string {
  const out = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [] as Named[],
    users: [] as Named[],
    contexts: [] as Named[],
    'current-context': worlds[0][0],
  };
  for (const [name, sb] of worlds) {
    const kc = yaml.load(readFileSync(sb.kubeconfigPath('admin'), 'utf8')) as KubeconfigFile;
    out.clusters.push({ ...kc.clusters[0], name });
    out.users.push({ ...kc.users[0], name });
    out.contexts.push({ name, context: { ...kc.contexts[0].context, cluster: name, user: name } });
  }
  const file = join(mkdtempSync(join(tmpdir(), 'okg-contexts-')), 'kubeconfig.yaml');
  writeFileSync(file, yaml.dump(out), { mode: 0o600 });
  return file;
}
