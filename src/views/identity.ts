// Which cluster the view shows, said everywhere it matters: the view's description ("kind-prod · default"),
// the status bar item (click: Switch Context), the words every confirmation starts with, and whether a
// context is protected (okg.protectedContexts). The server is shown as its host only: never a URL with
// userinfo or a query (redact.ts masks anything left).
import { isProtectedContext } from '../cluster/protected.js';
import { redact } from '../cluster/redact.js';
import type { Connection } from './connections.js';
import { settings } from './settings.js';

/** The server's host[:port], without scheme, userinfo, path or query. */
export function serverHost(server: string): string {
  try {
    return new URL(server).host || redact(server);
  } catch {
    return redact(
      server
        .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
        .replace(/^[^@/]*@/, '')
        .replace(/[/?#].*$/, ''),
    );
  }
}

export function isProtected(conn: Connection): boolean {
  return !conn.demo && isProtectedContext(conn.contextName, settings().protectedContexts);
}

/** "kind-prod · default" (or "kind-prod · default, games"), with " · protected" on a protected context. */
export function viewDescription(
  shown: readonly { conn: Connection; namespaces: readonly string[] }[],
): string | undefined {
  if (!shown.length) return undefined;
  return shown
    .map(s => `${s.conn.contextName} · ${s.namespaces.join(', ')}${isProtected(s.conn) ? ' · protected' : ''}`)
    .join(' | ');
}

/** The first line of every confirmation: which cluster and namespace a change goes to. */
export function whereLine(targets: readonly { conn: Connection; namespace: string }[]): string {
  const seen = new Map<string, { conn: Connection; namespaces: Set<string> }>();
  for (const t of targets) {
    const e = seen.get(t.conn.id) ?? { conn: t.conn, namespaces: new Set<string>() };
    e.namespaces.add(t.namespace);
    seen.set(t.conn.id, e);
  }
  return (
    [...seen.values()]
      .map(
        e =>
          `Context ${e.conn.contextName}${isProtected(e.conn) ? ' (protected)' : ''} (${serverHost(e.conn.client.server)}), namespace ${[...e.namespaces].join(', ')}`,
      )
      .join('; ') + '.'
  );
}
