// How OKG Ops talks to the API server: client-node reads the kubeconfig and does the authentication
// (tokens, client certificates, exec plugins, OIDC refresh) through `applyToHTTPSOptions`; the request
// itself goes over one pooled keep-alive agent per TLS configuration. client-node 1.4's generated
// clients build a new agent — a new TLS handshake — per request and add their own overhead
// (measured against the sandbox: 7.2 ms per sequential patch through the generated client, 1.0 ms here).
// The server URL is used as written for requests (userinfo included) but shown only redacted. Requests over the
// pool go through ClientRequest itself: VS Code's extension host replaces https.request with one that wraps each
// request in a fresh proxy agent, which keeps the socket when the response ends (a new TLS handshake per write).
// A proxy is the kubeconfig's proxy-url (client-node's agent, sent as before) or an HTTPS_PROXY-style variable.
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { urlToHttpOptions } from 'node:url';
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import { credentialFailure } from './errors.js';
import { redact } from './redact.js';

const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** An HTTP failure, shaped so `toClusterError` reads its status, body and headers. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP ${statusCode}`);
  }
}

export interface Response {
  status: number;
  body: unknown;
}

/** Whether an environment variable names a proxy for `protocol` (then the host's own request, which may honour it, sends). */
function proxyFromEnv(protocol: string): boolean {
  const names = protocol === 'http:' ? ['HTTP_PROXY', 'http_proxy'] : ['HTTPS_PROXY', 'https_proxy'];
  return [...names, 'ALL_PROXY', 'all_proxy'].some(n => !!process.env[n]);
}

export class Transport {
  private readonly agents = new Map<string, HttpsAgent>();
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  /** The server URL as written in the kubeconfig, credentials and all: for requests only, never for text. */
  private readonly base: string;
  /** The server URL for messages and logs, with any userinfo or secret query parameter replaced by "***". */
  readonly server: string;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.base = cluster.server.replace(/\/+$/, '');
    this.server = redact(this.base);
  }

  private pooled(options: AgentOptions): HttpsAgent {
    const hash = createHash('sha256');
    for (const k of TLS_KEYS) hash.update(`${k}=${String(options[k] ?? '')};`);
    const key = hash.digest('hex');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new HttpsAgent({ ...options, keepAlive: true, maxSockets: 32 });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Sends one request; resolves with the parsed JSON body of a 2xx, rejects with HttpError otherwise. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    signal?: AbortSignal,
  ): Promise<unknown> {
    const opts: RequestOptions = { method, headers: { Accept: 'application/json' } };
    // What a credential plugin printed may be the token itself: the failure says what went wrong, never that.
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw credentialFailure(e, this.kc);
    }
    const given = opts.agent;
    let ours = false;
    if (given instanceof HttpsAgent && given.constructor === HttpsAgent) {
      opts.agent = this.pooled((given as HttpsAgent & { options: AgentOptions }).options);
      ours = true;
    }
    const url = new URL(`${this.base}${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>) };
    if (text !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(text));
    }
    // A release shares one AbortSignal across many concurrent requests; each holds a listener until it ends.
    if (signal && getMaxListeners(signal) < 256) setMaxListeners(256, signal);
    if (url.protocol === 'http:') {
      opts.agent = this.httpAgent;
      ours = true;
    }
    const send =
      ours && !proxyFromEnv(url.protocol)
        ? (u: URL, o: RequestOptions, cb: (res: IncomingMessage) => void) =>
            new ClientRequest({ ...urlToHttpOptions(u), ...o }, cb)
        : url.protocol === 'http:'
          ? httpRequest
          : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...opts, headers, signal }, res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = raw;
          try {
            parsed = raw ? JSON.parse(raw) : undefined;
          } catch {
            /* plain text (e.g. 429, 404 page) */
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed);
          else
            reject(
              new HttpError(
                status,
                parsed,
                Object.fromEntries(
                  Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
                ),
              ),
            );
        });
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.httpAgent.destroy();
  }
}
