// "Open YAML": a read-only virtual document (scheme `okg`) with the object as the API server returns it,
// minus managedFields. It follows the object live: each open document holds its own reference to the
// namespace's cache and re-reads on a cache event for the object. When the view reconnects, a document
// moves to the new connection of its context (or keeps its own, if the context is no longer shown); it
// lets go when the document closes.
import * as vscode from 'vscode';
import yaml from 'js-yaml';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { CacheLease } from '../cluster/cache.js';
import { toClusterError } from '../cluster/errors.js';
import { OKG_GROUP, OKG_VERSION } from '../cluster/okg.js';
import type { Connection } from './connections.js';
import type { Explorer } from './explorer.js';
import { Disposable, DisposableStore, toDisposable } from './lifecycle.js';

export const YAML_SCHEME = 'okg';
export type Plural = 'gameservers' | 'gameserversets';

export function yamlUri(connId: string, namespace: string, plural: Plural, name: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: YAML_SCHEME,
    path: `/${encodeURIComponent(connId)}/${namespace}/${plural}/${name}.yaml`,
  });
}

type Address = { connId: string; namespace: string; plural: Plural; name: string };

export function parseYamlUri(uri: vscode.Uri): Address | undefined {
  const m = /^\/([^/]+)\/([^/]+)\/(gameservers|gameserversets)\/([^/]+)\.yaml$/.exec(uri.path);
  return m ? { connId: decodeURIComponent(m[1]), namespace: m[2], plural: m[3] as Plural, name: m[4] } : undefined;
}

/** One open document's hold on its object: the connection, the cache reference and the listener. */
interface Follow {
  uri: vscode.Uri;
  at: Address;
  conn: Connection;
  lease: CacheLease;
  subs: DisposableStore;
}

export class YamlProvider extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  private readonly follows = new Map<string, Follow>();

  constructor(private readonly explorer: Explorer) {
    super();
    this.register(vscode.workspace.onDidCloseTextDocument(doc => this.unfollow(doc.uri.toString())));
    this.register(explorer.onDidReconnect(() => this.moveToNewConnections()));
    this.register(
      toDisposable(() => {
        for (const key of [...this.follows.keys()]) this.unfollow(key);
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const at = parseYamlUri(uri);
    if (!at) return `# not an OKG object address: ${uri.toString()}\n`;
    const key = uri.toString();
    let f = this.follows.get(key);
    if (!f) {
      const conn = this.explorer.connection(at.connId);
      if (!conn) return `# the context of this document is no longer shown in the OKG explorer\n`;
      f = this.follow(uri, at, conn);
    }
    const { conn } = f;
    try {
      const api = conn.kc.makeApiClient(CustomObjectsApi);
      const obj = (await api.getNamespacedCustomObject({
        group: OKG_GROUP,
        version: OKG_VERSION,
        namespace: at.namespace,
        plural: at.plural,
        name: at.name,
      })) as { metadata?: { managedFields?: unknown } };
      const plain = JSON.parse(JSON.stringify(obj)) as { metadata?: { managedFields?: unknown } };
      if (plain.metadata) delete plain.metadata.managedFields;
      return `# ${at.plural === 'gameservers' ? 'GameServer' : 'GameServerSet'} ${at.namespace}/${at.name} on ${conn.contextName} (read-only, live)\n${yaml.dump(plain, { noRefs: true, lineWidth: 120 })}`;
    } catch (e) {
      const err = toClusterError(e, {
        verb: 'get',
        resource: `${at.plural}.${OKG_GROUP}`,
        namespace: at.namespace,
        name: at.name,
        server: conn.client.server,
      });
      return `# ${err.message}\n`;
    }
  }

  /** Holds the namespace's cache on `conn` and re-reads the document on each event for its object (debounced). */
  private follow(uri: vscode.Uri, at: Address, conn: Connection): Follow {
    const key = uri.toString();
    const subs = new DisposableStore();
    const lease = subs.add(this.explorer.hold(conn, at.namespace));
    let timer: NodeJS.Timeout | undefined;
    subs.add(toDisposable(() => clearTimeout(timer)));
    subs.add(
      toDisposable(
        lease.cache.onChange(e => {
          if (e.name !== at.name || (e.kind !== at.plural && !(at.plural === 'gameservers' && e.kind === 'pods')))
            return;
          timer ??= setTimeout(() => {
            timer = undefined;
            this.changed.fire(uri);
          }, 200);
        }),
      ),
    );
    const f = { uri, at, conn, lease, subs };
    this.follows.set(key, f);
    return f;
  }

  private unfollow(key: string): void {
    this.follows.get(key)?.subs.dispose();
    this.follows.delete(key);
  }

  /** After a reconnect: documents whose context now has a new connection follow that one. */
  private moveToNewConnections(): void {
    for (const [key, f] of [...this.follows]) {
      const now = this.explorer.connection(f.at.connId);
      if (!now || now === f.conn) continue;
      this.unfollow(key);
      this.follow(f.uri, f.at, now);
      this.changed.fire(f.uri);
    }
  }
}
