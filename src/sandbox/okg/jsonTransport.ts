// Plain JSON requests for the emulator's writes: authenticated by client-node's KubeConfig (applyToHTTPSOptions: its
// tokens, auth plugins and TLS options), sent over one pooled keep-alive agent, answered as parsed JSON with no typed
// decoding (or not parsed at all: the controllers never read what a write answers, they read their informers); a
// non-2xx answer is client-node's ApiException (code, body text), as the generated clients throw.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions, type RequestOptions } from 'node:https';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

/** TLS options compare by content: client-node reads certificates into new Buffers for every request. */
function sameOption(a: unknown, b: unknown): boolean {
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b;
}

/**
 * One keep-alive HTTPS agent for the current TLS options (a new one when they change, e.g. a rotated cert), and one
 * keep-alive plain-HTTP agent (client-node makes a fresh agent per request, so a connection per request).
 */
export class AgentPool {
  private pooled?: { key: unknown[]; agent: HttpsAgent };
  private plain?: HttpAgent;

  /** The pooled agent standing for `given`; agents of other classes (proxies) are returned as they are. */
  agentFor<A>(given: A): A | HttpsAgent | HttpAgent {
    if (given instanceof HttpAgent && given.constructor === HttpAgent)
      return (this.plain ??= new HttpAgent({ keepAlive: true, maxSockets: 64 }));
    if (!(given instanceof HttpsAgent) || given.constructor !== HttpsAgent) return given;
    const o = (given as HttpsAgent & { options: AgentOptions }).options;
    const key = [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername];
    if (!this.pooled || key.some((v, i) => !sameOption(v, this.pooled!.key[i]))) {
      this.pooled?.agent.destroy();
      this.pooled = { key, agent: new HttpsAgent({ ...o, keepAlive: true, maxSockets: 64 }) };
    }
    return this.pooled.agent;
  }

  destroy(): void {
    this.pooled?.agent.destroy();
    this.pooled = undefined;
    this.plain?.destroy();
    this.plain = undefined;
  }
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path, e.g. /api/v1/namespaces/default/pods/p/status */
  path: string;
  /** false: a 2xx answer's body is read and dropped (resolves undefined) */
  parse?: boolean;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  contentType?: string;
}

export class JsonTransport {
  private readonly base: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly pool: AgentPool,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.base = cluster.server.replace(/\/+$/, '');
  }

  async request<T>(r: JsonRequest): Promise<T> {
    const opts: RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const url = new URL(`${this.base}${r.path}`);
    for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const text = r.body === undefined ? undefined : JSON.stringify(r.body);
    const headers: Record<string, string | number> = {
      ...(opts.headers as Record<string, string>),
      Accept: 'application/json',
    };
    if (text !== undefined) {
      headers['Content-Type'] = r.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(text);
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const agent = this.pool.agentFor(opts.agent) as HttpsAgent | HttpAgent | undefined;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, { method: r.method, headers, agent, auth: opts.auth }, res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const body = code >= 200 && code <= 299 && r.parse === false ? '' : Buffer.concat(chunks).toString('utf8');
          if (code < 200 || code > 299) {
            reject(new ApiException(code, `${r.method} ${r.path}: HTTP ${code}`, body, flatHeaders(res.headers)));
            return;
          }
          if (r.parse === false || !body) {
            resolve(undefined as T);
            return;
          }
          try {
            resolve(JSON.parse(body) as T);
          } catch (e) {
            reject(new Error(`${r.method} ${r.path}: the answer is not JSON (${(e as Error).message})`));
          }
        });
      });
      req.on('error', reject);
      req.end(text);
    });
  }
}

function flatHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
