// Every failure of a cluster call becomes one plain sentence that names what failed (verb, resource,
// namespace, object, server) and what to do. No token, certificate, kubeconfig content or credential
// plugin output is ever included: every message passes through `redact`, and text echoed from elsewhere
// (a server's Status message, a name) is cut to about 120 characters.
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import { clip } from './clip.js';
import { redact } from './redact.js';

export interface Operation {
  verb: string; // get, list, watch, create, patch, update, delete
  resource: string; // e.g. gameservers.game.kruise.io
  namespace?: string;
  name?: string;
  server: string;
}

export type ErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'namespaceNotFound'
  | 'conflict'
  | 'invalid'
  | 'throttled'
  | 'serverError'
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'authPlugin'
  | 'credentials'
  | 'other';

export class ClusterError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    // Redacted here, so a message built anywhere (a watch failure, a wrapped unknown error) cannot carry a secret.
    super(redact(message));
  }
}

/** Text from outside (a server's message, a name, an error's text): first line, secrets out, then cut. */
const echoed = (s: string): string => clip(redact(s.split('\n')[0].trim()));

/**
 * The credentials of a request could not be prepared (exec credential plugin, token or certificate file, auth
 * provider). Raised by the transport and by loadKubeConfig's KubeConfig; `reason` is safe to show.
 */
export class CredentialFailure extends Error {
  constructor(
    readonly reason: string,
    readonly kind: 'authPlugin' | 'credentials',
  ) {
    super(reason);
  }
}

// client-node's own refusals of a kubeconfig while preparing a request (not credentials), and what to do.
const CONFIG_PROBLEMS: Record<string, string> = {
  'HTTP protocol is not allowed when skipTLSVerify is not set or false':
    "the server is plain http, which client-node allows only with insecure-skip-tls-verify: true in the kubeconfig's cluster entry; use https or set it",
  'Unsupported proxy type':
    "the proxy-url of the kubeconfig's cluster entry is not http, https or socks; fix proxy-url",
  'No active cluster!': "the kubeconfig's current context names no cluster; pass --context NAME",
};
const configProblem = (err: unknown): string | undefined =>
  err instanceof Error && Object.hasOwn(CONFIG_PROBLEMS, err.message) ? CONFIG_PROBLEMS[err.message] : undefined;

/** The exec credential plugin the current user runs, if any. */
function execCommand(kc: KubeConfig): string | undefined {
  const user = kc.getCurrentUser() as {
    exec?: { command?: unknown };
    authProvider?: { config?: { exec?: { command?: unknown } } };
  } | null;
  const command = user?.exec?.command ?? user?.authProvider?.config?.exec?.command;
  return typeof command === 'string' && command ? command : undefined;
}

/**
 * Why the credentials of the current user could not be prepared, without echoing what a plugin printed:
 * a plugin's stdout and stderr can hold the token itself.
 */
export function credentialFailure(err: unknown, kc: KubeConfig): CredentialFailure | Error {
  if (err instanceof CredentialFailure) return err;
  const e = err as (NodeJS.ErrnoException & { path?: string }) | null;
  if (configProblem(err)) return err as Error;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.code === 'string' && typeof e.path === 'string' && /^(open|read|stat)/.test(e.syscall ?? '')) {
    return new CredentialFailure(
      `cannot read ${clip(e.path)}, which the kubeconfig names (${e.code}); fix the path in the kubeconfig or create the file`,
      'credentials',
    );
  }
  const command = execCommand(kc);
  if (command) {
    const plugin = `"${clip(command)}"`;
    if (typeof e?.code === 'string' && /^spawn/.test(e.syscall ?? '')) {
      if (e.code === 'ENOENT')
        return new CredentialFailure(
          `the kubeconfig runs ${plugin} to get credentials, but ${plugin} is not on PATH; install it or fix users[].user.exec.command`,
          'authPlugin',
        );
      if (e.code === 'EACCES')
        return new CredentialFailure(
          `the kubeconfig runs ${plugin} to get credentials, but it is not executable (EACCES); chmod +x it or fix users[].user.exec.command`,
          'authPlugin',
        );
      return new CredentialFailure(
        `the exec credential plugin ${plugin} could not be started (${e.code}); check users[].user.exec.command`,
        'authPlugin',
      );
    }
    // JSON.parse failed (SyntaxError) or the JSON had no status (TypeError reading it).
    if (err instanceof SyntaxError || err instanceof TypeError) {
      return new CredentialFailure(
        `the exec credential plugin ${plugin} printed something that is not an ExecCredential JSON object; run it yourself to see`,
        'authPlugin',
      );
    }
    // client-node rejects with the plugin's stderr as the message when it exits non-zero.
    return new CredentialFailure(
      `the exec credential plugin ${plugin} failed (it exited with an error; its output is not shown, as it may hold a secret); run it yourself to see`,
      'authPlugin',
    );
  }
  return new CredentialFailure(
    `the credentials of kubeconfig user "${clip(kc.getCurrentUser()?.name ?? '')}" could not be prepared: ${echoed(message)}`,
    'credentials',
  );
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string }[]; retryAfterSeconds?: number };
}

function statusOf(err: unknown): { code?: number; body?: StatusBody; headers?: Record<string, string> } {
  if (err instanceof ApiException) {
    let body: StatusBody | undefined;
    const raw = err.body as unknown;
    if (typeof raw === 'string') {
      try {
        body = JSON.parse(raw) as StatusBody;
      } catch {
        body = { message: raw.trim() };
      }
    } else if (raw && typeof raw === 'object') body = raw as StatusBody;
    return { code: err.code, body, headers: err.headers as Record<string, string> };
  }
  const e = err as { statusCode?: number; code?: unknown; body?: StatusBody } | null;
  if (typeof e?.statusCode === 'number') return { code: e.statusCode, body: e.body };
  if (typeof e?.code === 'number') return { code: e.code, body: e.body };
  return {};
}

function where(op: Operation): string {
  const obj = op.name ? `${op.resource} "${clip(op.name)}"` : op.resource;
  return op.namespace ? `${obj} in namespace "${clip(op.namespace)}"` : obj;
}

/** Maps any error of a call to a ClusterError with one sentence. */
export function toClusterError(err: unknown, op: Operation): ClusterError {
  if (err instanceof ClusterError) return err;
  const action = `${op.verb} ${where(op)}`;
  if (err instanceof CredentialFailure)
    return new ClusterError(`cannot ${action} on ${op.server}: ${err.reason}`, err.kind);
  // Before the heuristics below: "skipTLSVerify" in client-node's plain-http refusal is not a TLS failure.
  const problem = configProblem(err);
  if (problem) return new ClusterError(`cannot ${action} on ${op.server}: ${problem}`, 'other');
  const { code, body, headers } = statusOf(err);
  const serverMessage = typeof body?.message === 'string' ? echoed(body.message) : '';
  switch (code) {
    case 401:
      return new ClusterError(
        `cannot ${action}: the API server ${op.server} did not accept your credentials (401 Unauthorized); log in again or choose another context`,
        'unauthorized',
        code,
      );
    case 403:
      return new ClusterError(
        `not allowed to ${action} (403 Forbidden: ${serverMessage || 'no reason given'}); ask a cluster admin for "${op.verb}" on ${op.resource}, or use another context`,
        'forbidden',
        code,
      );
    case 404:
      if (/^namespaces "[^"]+" not found$/.test(serverMessage) && op.namespace) {
        return new ClusterError(
          `namespace "${op.namespace}" does not exist on ${op.server}; check the namespace name`,
          'namespaceNotFound',
          code,
        );
      }
      return new ClusterError(
        `cannot ${action}: it does not exist (404 Not Found)${op.name ? '' : '; is OpenKruise Game installed in this cluster?'}`,
        'notFound',
        code,
      );
    case 409:
      return new ClusterError(
        `cannot ${action}: it changed since it was read (409 Conflict); nothing was overwritten, reload and try again`,
        'conflict',
        code,
      );
    case 422: {
      const causes =
        body?.details?.causes
          ?.map(c => (c.field ? `${c.field}: ${c.message}` : c.message))
          .filter(Boolean)
          .map(c => echoed(String(c))) ?? [];
      const detail = causes.length ? causes.join('; ') : serverMessage;
      return new ClusterError(`the API server rejected ${action} as invalid (422): ${detail}`, 'invalid', code);
    }
    case 429: {
      const retry = Number(headers?.['retry-after'] ?? body?.details?.retryAfterSeconds ?? 1);
      return new ClusterError(
        `the API server ${op.server} is throttling requests (429) during ${action}; retry in ${retry} s`,
        'throttled',
        code,
        retry,
      );
    }
    default:
      break;
  }
  if (code !== undefined && code >= 500) {
    return new ClusterError(
      `the API server ${op.server} failed to ${action} (${code}${serverMessage ? `: ${serverMessage}` : ''}); retry, or check the cluster's health`,
      'serverError',
      code,
    );
  }
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const sys = e?.code ?? e?.cause?.code;
  const text = `${e?.message ?? ''} ${e?.cause?.message ?? ''}`;
  if (
    sys === 'ECONNREFUSED' ||
    sys === 'EHOSTUNREACH' ||
    sys === 'ENOTFOUND' ||
    sys === 'ECONNRESET' ||
    /ECONNREFUSED|ENOTFOUND/.test(text)
  ) {
    return new ClusterError(
      `cannot reach the Kubernetes API server at ${op.server} (${sys ?? 'connection failed'}) to ${action}; is the cluster running and the kubeconfig's server right? (for the demo cluster: npm run demo)`,
      'unreachable',
    );
  }
  if (sys === 'ETIMEDOUT' || sys === 'UND_ERR_CONNECT_TIMEOUT' || /timed? ?out/i.test(text)) {
    return new ClusterError(
      `the API server ${op.server} did not answer in time to ${action}; check the network or VPN to the cluster`,
      'timeout',
    );
  }
  if (/certificate|self[- ]signed|SSL|TLS|CERT_/i.test(`${sys ?? ''} ${text}`)) {
    return new ClusterError(
      `TLS with ${op.server} failed to ${action} (${sys ?? 'certificate problem'}); check certificate-authority in the kubeconfig's cluster entry`,
      'tls',
    );
  }
  const plugin = /spawn (\S+) ENOENT/.exec(text);
  if (plugin) {
    const name = `"${clip(plugin[1])}"`;
    return new ClusterError(
      `the kubeconfig runs ${name} to get credentials, but ${name} is not on PATH; install it or fix users[].user.exec.command`,
      'authPlugin',
    );
  }
  // A JSON.parse failure quotes what it read: an exec plugin's output (a token) or a reply. Never show it.
  if (err instanceof SyntaxError) {
    return new ClusterError(
      `cannot ${action} on ${op.server}: a credential plugin or the server returned something that is not JSON (not shown, as it may hold a secret); if the kubeconfig runs an exec credential plugin, run it yourself to see`,
      'other',
      code,
    );
  }
  return new ClusterError(`cannot ${action} on ${op.server}: ${echoed(e?.message ?? String(err))}`, 'other', code);
}

/** Transient failures worth retrying (throttling, 5xx, dropped connections, timeouts). */
export function isTransient(e: ClusterError): boolean {
  return (
    e.kind === 'throttled' ||
    e.kind === 'serverError' ||
    e.kind === 'timeout' ||
    (e.kind === 'unreachable' && /ECONNRESET/.test(e.message))
  );
}
