// A plain-HTTP front for a sandbox that forwards every request to it (trusting its certificate) and writes
// down each one: how many requests a client really made, as the API server saw them. A kubeconfig for the
// front carries whatever token the test chooses, so a bad token reaches the real sandbox and gets its 401.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { SandboxServer } from '../../src/sandbox/server.js';

export interface SeenRequest {
  method: string;
  path: string;
  watch: boolean;
  status?: number;
}

export interface CountingProxy {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Called as each request arrives, before it is forwarded. */
  onRequest?: (r: SeenRequest) => void;
  /** Answers a request itself with this HTTP status (a Kubernetes Status body) instead of forwarding it. */
  refuse?: (r: SeenRequest) => number | undefined;
  /** Holds a request back until the promise settles, then forwards it (a list that is slow to come). */
  hold?: (r: SeenRequest) => Promise<void> | undefined;
  /** Replaces the Authorization header of forwarded requests (undefined: pass the client's through). */
  authorization?: string | ((r: SeenRequest) => string | undefined);
  /** Requests forwarded and not yet answered. */
  inFlight(): number;
  /** A kubeconfig for this front, authenticating with `token`. */
  kubeconfig(token: string, namespace?: string): string;
  close(): Promise<void>;
}

export async function startCountingProxy(sandbox: SandboxServer): Promise<CountingProxy> {
  const target = new URL(sandbox.url);
  let open = 0;
  const proxy: CountingProxy = {
    url: '',
    requests: [],
    inFlight: () => open,
    kubeconfig(token, namespace = 'default') {
      const file = join(mkdtempSync(join(tmpdir(), 'okg-proxy-')), 'kubeconfig.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: counted',
          `clusters: [{name: counted, cluster: {server: "${proxy.url}", insecure-skip-tls-verify: true}}]`,
          `users: [{name: counted, user: {token: "${token}"}}]`,
          `contexts: [{name: counted, context: {cluster: counted, user: counted, namespace: ${namespace}}}]`,
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      return file;
    },
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      watch: url.searchParams.get('watch') === 'true',
    };
    proxy.requests.push(seen);
    proxy.onRequest?.(seen);
    const refused = proxy.refuse?.(seen);
    if (refused !== undefined) {
      seen.status = refused;
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: `refused by the test front (${refused})`,
        code: refused,
      });
      res.writeHead(refused, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const held = proxy.hold?.(seen);
    if (held) void held.then(() => forward(req, res, seen));
    else forward(req, res, seen);
  });
  const forward = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest): void => {
    open++;
    let answered = false;
    const answer = () => {
      if (!answered) {
        answered = true;
        open--;
      }
    };
    const headers = { ...req.headers, host: target.host };
    const auth = typeof proxy.authorization === 'function' ? proxy.authorization(seen) : proxy.authorization;
    if (auth !== undefined) headers.authorization = auth;
    const up = httpsRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers, ca: sandbox.caPem },
      upRes => {
        seen.status = upRes.statusCode;
        answer();
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      answer();
      res.destroy();
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  };
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
