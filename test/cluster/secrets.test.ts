// No message carries a secret: a password in the server URL, what an exec credential plugin printed (stdout or
// stderr), tokens in a reply's body or headers. Each case goes the real way: a kubeconfig file on disk, a plugin
// script that client-node runs, a local API server, the CLI as a user runs it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { ApiException, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { OkgClient } from '../../src/cluster/client.js';
import { ClusterError, toClusterError } from '../../src/cluster/errors.js';
import { KubeconfigError, loadKubeConfig } from '../../src/cluster/kubeconfig.js';

const PASSWORD = 'PASSWORD';
const TOKEN = 'rawtok9908SECRET';

const dir = mkdtempSync(join(tmpdir(), 'okg-secrets-'));
let files = 0;

/** A kubeconfig file for `server`, with `user` as the YAML of users[0].user (indented by 4). */
function kubeconfig(server: string, user = '    token: t'): string {
  const path = join(dir, `kc-${++files}.yaml`);
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n${user}\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
  );
  return path;
}

/** An exec credential plugin: a shell script with this body, executable unless told otherwise. */
function plugin(body: string, executable = true): string {
  const path = join(dir, `plugin-${++files}.sh`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

const execUser = (command: string) =>
  `    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ${command}`;

async function failure(p: Promise<unknown>): Promise<ClusterError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClusterError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

function okg(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['bin/okg.js', ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const UNREACHABLE = 'https://127.0.0.1:1';

describe('no secret in any message', function () {
  this.timeout(60_000);

  describe('a password in the server URL', () => {
    let server: Server;
    let url: string;
    const seen: string[] = [];
    before(async () => {
      // Answers by path: /api/v1/namespaces/s401/pods → 401, …/s500/… → 500 with a Status message.
      server = createServer((req: IncomingMessage, res) => {
        seen.push(req.headers.authorization ?? '');
        const code = Number(/\/namespaces\/s(\d+)\//.exec(req.url ?? '')?.[1] ?? 200);
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify(
            code === 200
              ? { items: [] }
              : { kind: 'Status', code, message: `upstream https://admin:${PASSWORD}@10.0.0.1 failed` },
          ),
        );
      });
      await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
      url = `http://admin:${PASSWORD}@127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    });

    it('okg rooms prints the server without it (stdout and stderr)', () => {
      const r = okg('rooms', '--kubeconfig', kubeconfig(`https://admin:${PASSWORD}@127.0.0.1:1`));
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /cannot reach the Kubernetes API server at https:\/\/\*\*\*@127\.0\.0\.1:1 \(ECONNREFUSED\)/);
      assert.ok(!r.out.includes(PASSWORD), r.out);
    });

    it('the client shows the server redacted but still sends the userinfo as basic auth', async () => {
      const client = new OkgClient(loadKubeConfig({ kubeconfig: kubeconfig(url, '    {}') }), { attempts: 1 });
      try {
        assert.equal(client.server, url.replace(`admin:${PASSWORD}@`, '***@'));
        assert.deepEqual(await client.listPods('ok'), []);
        assert.equal(seen.at(-1), `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`);
        for (const ns of ['s401', 's500']) {
          const e = await failure(client.listPods(ns));
          assert.equal(e.kind, ns === 's401' ? 'unauthorized' : 'serverError');
          assert.ok(e.message.includes(client.server), e.message);
          assert.ok(!e.message.includes(PASSWORD), e.message);
        }
      } finally {
        client.close();
      }
    });

    it('a watch failure (client-node puts the full URL in its message) is shown without it', async () => {
      const kc = loadKubeConfig({ kubeconfig: kubeconfig(`https://admin:${PASSWORD}@127.0.0.1:1`) });
      const client = new OkgClient(kc);
      const err = await new Promise<unknown>((resolve, reject) => {
        new Watch(kc).watch('/api/v1/pods', {}, () => undefined, resolve).catch(reject);
      });
      assert.ok(
        String((err as Error).message).includes(PASSWORD),
        'the raw failure has it (what is being guarded against)',
      );
      for (const e of [
        toClusterError(err, { verb: 'watch', resource: 'pods', server: client.server }),
        new ClusterError(String(err), 'other'),
      ]) {
        assert.ok(!e.message.includes(PASSWORD), e.message);
      }
    });

    it('every kind of failure drops userinfo and token parameters from the server it names', () => {
      const server = `https://admin:${PASSWORD}@127.0.0.1:6443/?access_token=${TOKEN}`;
      const op = { verb: 'list', resource: 'pods', namespace: 'default', server };
      const errno = (code: string, message = code) => Object.assign(new Error(message), { code });
      const failures: unknown[] = [
        ...[401, 403, 404, 409, 422, 429, 500].map(
          code => new ApiException(code, 'm', { message: `seen at ${server}` }, {}),
        ),
        errno('ECONNREFUSED'),
        errno('ETIMEDOUT'),
        errno('CERT_HAS_EXPIRED', 'certificate has expired'),
        new Error(`request to ${server}/api failed`),
        new SyntaxError(`Unexpected token 'r', "${TOKEN}" is not valid JSON`),
      ];
      const kinds = new Set<string>();
      for (const f of failures) {
        const e = toClusterError(f, op);
        kinds.add(e.kind);
        assert.ok(!e.message.includes(PASSWORD) && !e.message.includes(TOKEN), e.message);
      }
      assert.equal(kinds.size, 11, [...kinds].join(', '));
    });

    it('a kubeconfig error is redacted too', () => {
      assert.equal(new KubeconfigError(`cannot use https://admin:${PASSWORD}@h`).message, 'cannot use https://***@h');
    });
  });

  describe('an exec credential plugin', () => {
    const list = (kc: KubeConfig) => failure(new OkgClient(kc, { attempts: 1 }).listGameServers('default'));

    it('that prints a raw token: says so, names the plugin, never echoes the token (client and CLI)', async () => {
      const command = plugin(`echo ${TOKEN}`);
      const path = kubeconfig(UNREACHABLE, execUser(command));
      const e = await list(loadKubeConfig({ kubeconfig: path }));
      assert.equal(e.kind, 'authPlugin', e.message);
      assert.equal(
        e.message,
        `cannot list gameservers.game.kruise.io in namespace "default" on ${UNREACHABLE}: the exec credential plugin "${command}" printed something that is not an ExecCredential JSON object; run it yourself to see`,
      );
      const r = okg('rooms', '--kubeconfig', path);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /printed something that is not an ExecCredential JSON object/);
      assert.ok(!r.out.includes(TOKEN.slice(0, 6)), r.out);
    });

    it('that prints JSON without a status (not an ExecCredential): says so, no echo', async () => {
      const e = await list(
        loadKubeConfig({ kubeconfig: kubeconfig(UNREACHABLE, execUser(plugin(`echo '{"token":"${TOKEN}"}'`))) }),
      );
      assert.equal(e.kind, 'authPlugin', e.message);
      assert.match(e.message, /printed something that is not an ExecCredential JSON object/);
      assert.ok(!e.message.includes(TOKEN));
    });

    it('that fails with the token on stderr: says it failed, does not show stderr', async () => {
      const e = await list(
        loadKubeConfig({
          kubeconfig: kubeconfig(UNREACHABLE, execUser(plugin(`echo "token ${TOKEN} expired" >&2; exit 1`))),
        }),
      );
      assert.equal(e.kind, 'authPlugin', e.message);
      assert.match(
        e.message,
        /the exec credential plugin ".*" failed \(it exited with an error; its output is not shown, as it may hold a secret\); run it yourself to see$/,
      );
      assert.ok(!e.message.includes(TOKEN));
    });

    it('that is not executable: says so', async () => {
      const command = plugin(`echo ${TOKEN}`, false);
      const e = await list(loadKubeConfig({ kubeconfig: kubeconfig(UNREACHABLE, execUser(command)) }));
      assert.equal(e.kind, 'authPlugin', e.message);
      assert.ok(
        e.message.endsWith(
          `the kubeconfig runs "${command}" to get credentials, but it is not executable (EACCES); chmod +x it or fix users[].user.exec.command`,
        ),
        e.message,
      );
    });

    it('through a KubeConfig not loaded by loadKubeConfig: the transport still says what was wrong', async () => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig(UNREACHABLE, execUser(plugin(`echo "${TOKEN}" >&2; exit 3`))));
      const e = await list(kc);
      assert.equal(e.kind, 'authPlugin', e.message);
      assert.ok(!e.message.includes(TOKEN), e.message);
    });

    it("in a watch and in client-node's generated clients: the same sentence, no stderr", async () => {
      const command = plugin(`echo "${TOKEN}" >&2; exit 1`);
      const kc = loadKubeConfig({ kubeconfig: kubeconfig(UNREACHABLE, execUser(command)) });
      const server = new OkgClient(kc).server;
      const watched = await new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/pods',
          {},
          () => undefined,
          () => undefined,
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const generated = await kc
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: 'default' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      for (const raw of [watched, generated]) {
        const e = toClusterError(raw, { verb: 'watch', resource: 'pods', namespace: 'default', server });
        assert.equal(e.kind, 'authPlugin', e.message);
        assert.ok(e.message.includes(`the exec credential plugin "${command}" failed`), e.message);
        assert.ok(!e.message.includes(TOKEN), e.message);
      }
    });
  });

  describe('other credential and configuration failures', () => {
    it('a client key file that does not exist is named, with what to do', async () => {
      const e = await failure(
        new OkgClient(
          loadKubeConfig({ kubeconfig: kubeconfig(UNREACHABLE, `    client-key: ${join(dir, 'no-such-key.pem')}`) }),
          { attempts: 1 },
        ).listPods('default'),
      );
      assert.equal(e.kind, 'credentials', e.message);
      assert.ok(
        e.message.endsWith(
          `cannot read ${join(dir, 'no-such-key.pem')}, which the kubeconfig names (ENOENT); fix the path in the kubeconfig or create the file`,
        ),
        e.message,
      );
    });

    it('plain http without insecure-skip-tls-verify is said as such, not as a TLS failure', async () => {
      const path = join(dir, `kc-${++files}.yaml`);
      writeFileSync(
        path,
        'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n',
      );
      const e = await failure(new OkgClient(loadKubeConfig({ kubeconfig: path }), { attempts: 1 }).listPods('default'));
      assert.equal(e.kind, 'other', e.message);
      assert.equal(
        e.message,
        'cannot list pods in namespace "default" on http://127.0.0.1:1: the server is plain http, which client-node allows only with insecure-skip-tls-verify: true in the kubeconfig\'s cluster entry; use https or set it',
      );
    });
  });

  describe('replies', () => {
    const op = {
      verb: 'patch',
      resource: 'gameservers.game.kruise.io',
      namespace: 'default',
      name: 'room-0',
      server: 'https://h',
    };

    it('a Status message with a bearer token or a JWT is shown without it, and cut to about 120 characters', () => {
      const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl';
      for (const code of [403, 500]) {
        const e = toClusterError(
          new ApiException(
            code,
            'm',
            { message: `proxy rejected Authorization: Bearer ${TOKEN} (${jwt}) ${'x'.repeat(300)}` },
            {},
          ),
          op,
        );
        assert.ok(!e.message.includes(TOKEN) && !e.message.includes(jwt), e.message);
        assert.ok(e.message.includes('x…') && !e.message.includes('x'.repeat(120)), e.message);
      }
    });

    it("client-node's ApiException text (body and headers) loses its tokens and cookies when wrapped", () => {
      const raw = new ApiException(
        400,
        'Bad Request',
        { message: 'no', token: TOKEN },
        { authorization: `Bearer ${TOKEN}`, 'set-cookie': `session=${TOKEN}` },
      );
      assert.ok(String(raw).includes(TOKEN), 'the raw exception text has it (what is being guarded against)');
      for (const e of [toClusterError(raw, op), new ClusterError(String(raw), 'other')])
        assert.ok(!e.message.includes(TOKEN), e.message);
    });

    it('422 causes and an echoed name are cut to about 120 characters', () => {
      const long = 'v'.repeat(5000);
      const e = toClusterError(
        new ApiException(
          422,
          'm',
          { details: { causes: [{ field: 'spec.opsState', message: `Invalid value: "${long}"` }] } },
          {},
        ),
        { ...op, name: long },
      );
      assert.equal(e.kind, 'invalid');
      assert.ok(e.message.length < 400, `${e.message.length} characters`);
      assert.match(
        e.message,
        /^the API server rejected patch gameservers\.game\.kruise\.io "v+… \(5000 characters\)" in namespace "default" as invalid \(422\): spec\.opsState: Invalid value: "v+… \(\d+ characters\)$/,
      );
    });

    it('an unknown context is echoed cut', () => {
      assert.throws(
        () => loadKubeConfig({ kubeconfig: kubeconfig(UNREACHABLE), context: 'c'.repeat(1000) }),
        (e: Error) =>
          e instanceof KubeconfigError &&
          e.message.length < 250 &&
          /^context "c+… \(1000 characters\)" is not in the kubeconfig; known contexts: x$/.test(e.message),
      );
    });
  });
});
