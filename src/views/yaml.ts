// "Open YAML": a read-only virtual document (scheme `okg`) with the object as the API server returns it,
// minus managedFields. It follows the object live: a cache event for it re-reads the document.
import * as vscode from 'vscode';
import yaml from 'js-yaml';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { toClusterError } from '../cluster/errors.js';
import { OKG_GROUP, OKG_VERSION } from '../cluster/okg.js';
import type { Explorer } from './explorer.js';

export const YAML_SCHEME = 'okg';
export type Plural = 'gameservers' | 'gameserversets';

export function yamlUri(connId: string, namespace: string, plural: Plural, name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: YAML_SCHEME, path: `/${encodeURIComponent(connId)}/${namespace}/${plural}/${name}.yaml` });
}

export function parseYamlUri(uri: vscode.Uri): { connId: string; namespace: string; plural: Plural; name: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+)\/(gameservers|gameserversets)\/([^/]+)\.yaml$/.exec(uri.path);
  return m ? { connId: decodeURIComponent(m[1]), namespace: m[2], plural: m[3] as Plural, name: m[4] } : undefined;
}

export class YamlProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly watching = new Map<string, () => void>();
  private readonly closing: vscode.Disposable;

  constructor(private readonly explorer: Explorer) {
    this.closing = vscode.workspace.onDidCloseTextDocument(doc => {
      const key = doc.uri.toString();
      this.watching.get(key)?.();
      this.watching.delete(key);
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const at = parseYamlUri(uri);
    if (!at) return `# not an OKG object address: ${uri.toString()}\n`;
    const conn = this.explorer.connection(at.connId);
    if (!conn) return `# the context of this document is no longer shown in the OKG explorer\n`;
    const key = uri.toString();
    if (!this.watching.has(key)) {
      const cache = await this.explorer.namespaceCache(conn, at.namespace);
      const kind = at.plural;
      let timer: NodeJS.Timeout | undefined;
      const off = cache?.onChange(e => {
        if (e.name !== at.name || (e.kind !== kind && !(kind === 'gameservers' && e.kind === 'pods'))) return;
        timer ??= setTimeout(() => { timer = undefined; this.changed.fire(uri); }, 200);
      });
      this.watching.set(key, () => { clearTimeout(timer); off?.(); });
    }
    try {
      const api = conn.kc.makeApiClient(CustomObjectsApi);
      const obj = await api.getNamespacedCustomObject({ group: OKG_GROUP, version: OKG_VERSION, namespace: at.namespace, plural: at.plural, name: at.name }) as { metadata?: { managedFields?: unknown } };
      const plain = JSON.parse(JSON.stringify(obj)) as { metadata?: { managedFields?: unknown } };
      if (plain.metadata) delete plain.metadata.managedFields;
      return `# ${at.plural === 'gameservers' ? 'GameServer' : 'GameServerSet'} ${at.namespace}/${at.name} on ${conn.contextName} (read-only, live)\n${yaml.dump(plain, { noRefs: true, lineWidth: 120 })}`;
    } catch (e) {
      const err = toClusterError(e, { verb: 'get', resource: `${at.plural}.${OKG_GROUP}`, namespace: at.namespace, name: at.name, server: conn.client.server });
      return `# ${err.message}\n`;
    }
  }

  dispose(): void {
    for (const off of this.watching.values()) off();
    this.watching.clear();
    this.closing.dispose();
    this.changed.dispose();
  }
}
