// The transport reuses connections: many calls, one TLS handshake (client-node's generated clients made a
// new agent, and so a new TLS connection, per call).
import { strict as assert } from 'node:assert';
import * as https from 'node:https';
import { createServer } from 'node:https';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'mocha';
import { KubeConfig } from '@kubernetes/client-node';
import { servingCertificate } from '../../src/sandbox/tls.js';
import { HttpError, Transport } from '../../src/cluster/transport.js';

/** A TLS server answering `{ path }` (404 for /missing) that counts its connections, and a kubeconfig for it. */
async function countingServer() {
  const cert = servingCertificate();
  const seen = { connections: 0, auth: [] as string[] };
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    seen.auth.push(req.headers.authorization ?? '');
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on('secureConnection', () => {
    seen.connections++;
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        caData: Buffer.from(cert.certPem).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const close = async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  };
  return { seen, kc, close };
}

describe('cluster transport', () => {
  it('sends 20 sequential requests over one kept-alive TLS connection, with the kubeconfig token', async () => {
    const { seen, kc, close } = await countingServer();
    const t = new Transport(kc);
    try {
      for (let i = 0; i < 20; i++) assert.deepEqual(await t.request('GET', `/p/${i}`), { path: `/p/${i}` });
      await assert.rejects(
        t.request('GET', '/missing'),
        (e: unknown) => e instanceof HttpError && e.statusCode === 404,
      );
      assert.equal(seen.connections, 1);
      assert.ok(seen.auth.every(a => a === 'Bearer secret-token'));
    } finally {
      t.close();
      await close();
    }
  });
});

describe('cluster transport in a host that replaces https.request', () => {
  // VS Code's extension host (proxy support) wraps every https.request in a fresh agent of its own, which takes the
  // socket when the response ends: a new TLS connection per request. The pooled transport must not go through it.
  it('still sends 20 sequential requests over one TLS connection', async () => {
    const { seen, kc, close } = await countingServer();
    const original = https.request;
    let replaced = 0;
    // The CommonJS module object (what a host patches); syncBuiltinESMExports carries the change to ESM imports.
    const mod = createRequire(import.meta.url)('node:https') as { request: typeof https.request };
    mod.request = ((url: URL, opts: https.RequestOptions, cb: () => void) => {
      replaced++;
      const a = opts.agent as https.Agent & { options: https.AgentOptions };
      return original(url, { ...opts, agent: new https.Agent({ ...a.options, keepAlive: false }) }, cb);
    }) as typeof https.request;
    syncBuiltinESMExports();
    const t = new Transport(kc);
    try {
      for (let i = 0; i < 20; i++) assert.deepEqual(await t.request('GET', `/p/${i}`), { path: `/p/${i}` });
      assert.equal(
        seen.connections,
        1,
        `${seen.connections} TLS connections (the replaced https.request was called ${replaced} times)`,
      );
    } finally {
      mod.request = original;
      syncBuiltinESMExports();
      t.close();
      await close();
    }
  });
});
