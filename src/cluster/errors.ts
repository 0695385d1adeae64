// Every failure of a cluster call becomes one plain sentence that names what failed (verb, resource,
// namespace, object, server) and what to do. No token, certificate or kubeconfig content is ever included.
import { ApiException } from '@kubernetes/client-node';

export interface Operation {
  verb: string; // get, list, watch, create, patch, update, delete
  resource: string; // e.g. gameservers.game.kruise.io
  namespace?: string;
  name?: string;
  server: string;
}

export type ErrorKind = 'unauthorized' | 'forbidden' | 'notFound' | 'namespaceNotFound' | 'conflict' | 'invalid'
  | 'throttled' | 'serverError' | 'unreachable' | 'tls' | 'timeout' | 'authPlugin' | 'other';

export class ClusterError extends Error {
  constructor(message: string, readonly kind: ErrorKind, readonly status?: number, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

interface StatusBody { message?: string; reason?: string; details?: { causes?: { field?: string; message?: string }[]; retryAfterSeconds?: number } }

function statusOf(err: unknown): { code?: number; body?: StatusBody; headers?: Record<string, string> } {
  if (err instanceof ApiException) {
    let body: StatusBody | undefined;
    const raw = err.body as unknown;
    if (typeof raw === 'string') { try { body = JSON.parse(raw) as StatusBody; } catch { body = { message: raw.trim() }; } }
    else if (raw && typeof raw === 'object') body = raw as StatusBody;
    return { code: err.code, body, headers: err.headers as Record<string, string> };
  }
  const e = err as { statusCode?: number; code?: unknown; body?: StatusBody } | null;
  if (typeof e?.statusCode === 'number') return { code: e.statusCode, body: e.body };
  if (typeof e?.code === 'number') return { code: e.code, body: e.body };
  return {};
}

function where(op: Operation): string {
  const obj = op.name ? `${op.resource} "${op.name}"` : op.resource;
  return op.namespace ? `${obj} in namespace "${op.namespace}"` : obj;
}

/** Maps any error of a call to a ClusterError with one sentence. */
export function toClusterError(err: unknown, op: Operation): ClusterError {
  if (err instanceof ClusterError) return err;
  const { code, body, headers } = statusOf(err);
  const serverMessage = body?.message ? body.message.split('\n')[0] : '';
  const action = `${op.verb} ${where(op)}`;
  switch (code) {
    case 401:
      return new ClusterError(`cannot ${action}: the API server ${op.server} did not accept your credentials (401 Unauthorized); log in again or choose another context`, 'unauthorized', code);
    case 403:
      return new ClusterError(`not allowed to ${action} (403 Forbidden: ${serverMessage || 'no reason given'}); ask a cluster admin for "${op.verb}" on ${op.resource}, or use another context`, 'forbidden', code);
    case 404:
      if (/^namespaces "[^"]+" not found$/.test(serverMessage) && op.namespace) {
        return new ClusterError(`namespace "${op.namespace}" does not exist on ${op.server}; check the namespace name`, 'namespaceNotFound', code);
      }
      return new ClusterError(`cannot ${action}: it does not exist (404 Not Found)${op.name ? '' : '; is OpenKruise Game installed in this cluster?'}`, 'notFound', code);
    case 409:
      return new ClusterError(`cannot ${action}: it changed since it was read (409 Conflict); nothing was overwritten, reload and try again`, 'conflict', code);
    case 422: {
      const causes = body?.details?.causes?.map(c => (c.field ? `${c.field}: ${c.message}` : c.message)).filter(Boolean) ?? [];
      const detail = causes.length ? causes.join('; ') : serverMessage;
      return new ClusterError(`the API server rejected ${action} as invalid (422): ${detail}`, 'invalid', code);
    }
    case 429: {
      const retry = Number(headers?.['retry-after'] ?? body?.details?.retryAfterSeconds ?? 1);
      return new ClusterError(`the API server ${op.server} is throttling requests (429) during ${action}; retry in ${retry} s`, 'throttled', code, retry);
    }
    default:
      break;
  }
  if (code !== undefined && code >= 500) {
    return new ClusterError(`the API server ${op.server} failed to ${action} (${code}${serverMessage ? `: ${serverMessage}` : ''}); retry, or check the cluster's health`, 'serverError', code);
  }
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const sys = e?.code ?? e?.cause?.code;
  const text = `${e?.message ?? ''} ${e?.cause?.message ?? ''}`;
  if (sys === 'ECONNREFUSED' || sys === 'EHOSTUNREACH' || sys === 'ENOTFOUND' || sys === 'ECONNRESET' || /ECONNREFUSED|ENOTFOUND/.test(text)) {
    return new ClusterError(`cannot reach the Kubernetes API server at ${op.server} (${sys ?? 'connection failed'}) to ${action}; is the cluster running and the kubeconfig's server right? (for the demo cluster: npm run demo)`, 'unreachable');
  }
  if (sys === 'ETIMEDOUT' || sys === 'UND_ERR_CONNECT_TIMEOUT' || /timed? ?out/i.test(text)) {
    return new ClusterError(`the API server ${op.server} did not answer in time to ${action}; check the network or VPN to the cluster`, 'timeout');
  }
  if (/certificate|self[- ]signed|SSL|TLS|CERT_/i.test(`${sys ?? ''} ${text}`)) {
    return new ClusterError(`TLS with ${op.server} failed to ${action} (${sys ?? 'certificate problem'}); check certificate-authority in the kubeconfig's cluster entry`, 'tls');
  }
  const plugin = /spawn (\S+) ENOENT/.exec(text);
  if (plugin) {
    return new ClusterError(`the kubeconfig runs "${plugin[1]}" to get credentials, but "${plugin[1]}" is not on PATH; install it or fix users[].user.exec.command`, 'authPlugin');
  }
  return new ClusterError(`cannot ${action} on ${op.server}: ${(e?.message ?? String(err)).split('\n')[0]}`, 'other', code);
}

/** Transient failures worth retrying (throttling, 5xx, dropped connections, timeouts). */
export function isTransient(e: ClusterError): boolean {
  return e.kind === 'throttled' || e.kind === 'serverError' || e.kind === 'timeout' || (e.kind === 'unreachable' && /ECONNRESET/.test(e.message));
}
