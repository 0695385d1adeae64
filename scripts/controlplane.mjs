// Tier A control plane: etcd + kube-apiserver (+ kubectl) built from Go modules (test/controlplane/go), cached
// outside the repo, started on 127.0.0.1 with RBAC, a token file for the sandbox's users, an audit log of writes,
// and the OKG CRDs applied and Established. See docs/controlplane.md.
//
//   node scripts/controlplane.mjs build      build (or reuse) the binaries; prints their folder
//   node scripts/controlplane.mjs start      start a control plane, print kubeconfig paths, run until Ctrl-C
//   node scripts/controlplane.mjs stop       stop the control plane a `start` left running (by its pid file)
//   node scripts/controlplane.mjs test       tsc, then the control-plane tests (npm run test:cluster)
//
// Environment: OKG_CACHE (default ~/.cache/okg-ops; binaries go to $OKG_CACHE/controlplane/bin-<hash>),
// OKG_GO (the go command; default: go on PATH, else /usr/local/go/bin/go), OKG_NO_CONTROLPLANE=1 (tests: skip tier A).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  openSync,
  closeSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GO_MODULE = join(ROOT, 'test', 'controlplane', 'go');
export const MANIFESTS = join(ROOT, 'test', 'controlplane', 'manifests');
/** The binaries built from test/controlplane/go: tier A's three, then tier B's (see scripts/controlplane-okg.mjs). */
export const PACKAGES = {
  etcd: './cmd/etcd',
  'kube-apiserver': './cmd/kube-apiserver',
  kubectl: './cmd/kubectl',
  'kube-controller-manager': './cmd/kube-controller-manager',
  'kube-scheduler': './cmd/kube-scheduler',
};
export const BINARIES = Object.keys(PACKAGES);
export const USER_NAMES = {
  admin: 'okg-admin',
  viewer: 'okg-viewer',
  operator: 'okg-operator',
  controller: 'system:serviceaccount:kruise-game-system:kruise-game-controller-manager',
};
export const USERS = Object.keys(USER_NAMES);

/** Tier B's components, each with its own token (group system:masters) so the audit log names who wrote what. */
export const TIER_B_USER_NAMES = {
  kcm: 'system:kube-controller-manager',
  scheduler: 'system:kube-scheduler',
  kwok: 'kwok-controller',
  kruise: 'system:serviceaccount:kruise-system:kruise-manager',
};
export const TIER_B_USERS = Object.keys(TIER_B_USER_NAMES);

export function cacheDir() {
  return join(process.env.OKG_CACHE || join(homedir(), '.cache', 'okg-ops'), 'controlplane');
}

/** The kubernetes version the module requires (k8s.io/kubernetes vX.Y.Z in go.mod). */
export function kubernetesVersion() {
  const m = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v\d+\.\d+\.\d+)\s*$/m.exec(
    readFileSync(join(GO_MODULE, 'go.mod'), 'utf8'),
  );
  if (!m) throw new Error('test/controlplane/go/go.mod does not require k8s.io/kubernetes');
  return m[1];
}

/** The go command, or undefined when Go is not installed. */
export function findGo() {
  const candidates = process.env.OKG_GO ? [process.env.OKG_GO] : ['go', '/usr/local/go/bin/go'];
  for (const c of candidates) {
    const r = spawnSync(c, ['version'], { encoding: 'utf8' });
    if (r.status === 0) return { go: c, version: r.stdout.trim() };
  }
  return undefined;
}

function ldflags(version) {
  const [, major, minor] = /^v(\d+)\.(\d+)/.exec(version);
  const vars = {
    gitVersion: version,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
  };
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    for (const [k, v] of Object.entries(vars)) flags.push('-X', `${pkg}.${k}=${v}`);
  }
  return flags.join(' ');
}

/**
 * Builds the main `packages` ({ binary name: package path }) of the Go module in `moduleDir` into
 * `$cache/<prefix>-<hash>/` unless a build for exactly these inputs (the module's go.mod, go.sum and Go files,
 * the ldflags, the Go version) is cached; older builds with the same prefix are removed once a new one is complete.
 * Returns { binDir, built, ms }. Throws with a clear reason if Go is absent or the build fails.
 */
export function buildGoModule({
  moduleDir,
  packages,
  prefix,
  flags = '-s -w',
  what,
  log = m => process.stderr.write(`${m}\n`),
}) {
  const go = findGo();
  if (!go)
    throw new Error(
      `Go is not installed (OKG_GO, else \`go\` on PATH, else /usr/local/go/bin/go): the control-plane tests build ${what} from Go modules and need Go ≥ 1.25. Install Go, or set OKG_NO_CONTROLPLANE=1 to skip the control-plane tests.`,
    );
  const h = createHash('sha256');
  h.update(go.version).update(flags).update(JSON.stringify(packages));
  // A command of the module that is not built here (e.g. cmd/golden) does not invalidate the cached binaries.
  const built = new Set(
    Object.values(packages)
      .filter(p => p.startsWith('./cmd/'))
      .map(p => p.slice(2)),
  );
  const skip = dir =>
    dir.startsWith(`cmd${sep}`) && dir.split(sep).length === 2 && !built.has(dir.split(sep).join('/'));
  const goFiles = dir =>
    readdirSync(join(moduleDir, dir), { withFileTypes: true }).flatMap(e =>
      e.isDirectory()
        ? skip(join(dir, e.name))
          ? []
          : goFiles(join(dir, e.name))
        : e.name.endsWith('.go')
          ? [join(dir, e.name)]
          : [],
    );
  for (const f of ['go.mod', 'go.sum', ...goFiles('.').sort()]) h.update(f).update(readFileSync(join(moduleDir, f)));
  const binDir = join(cacheDir(), `${prefix}-${h.digest('hex').slice(0, 12)}`);
  const names = Object.keys(packages);
  if (names.every(b => existsSync(join(binDir, b)))) return { binDir, built: false, ms: 0 };
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = mkdtempSync(join(cacheDir(), 'build-'));
  const t0 = Date.now();
  log(`building ${what} into ${binDir}; the first build takes several minutes…`);
  const env = { ...process.env, GOFLAGS: '-p=2 -mod=readonly', GOWORK: 'off' };
  const entries = Object.entries(packages);
  for (const [i, [name, pkg]] of entries.entries()) {
    const t = Date.now();
    log(`  go build ${pkg} (${i + 1}/${entries.length})…`);
    const r = spawnSync(
      'nice',
      ['-n', '10', go.go, 'build', '-trimpath', '-ldflags', flags, '-o', join(tmp, name), pkg],
      { cwd: moduleDir, env, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(
        `go build of ${pkg} (${what}) failed (exit ${r.status ?? r.signal}); see the compiler output above`,
      );
    }
    log(`  ${name} built in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  try {
    renameSync(tmp, binDir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true }); // another run finished the same build first
    if (!names.every(b => existsSync(join(binDir, b)))) throw e;
  }
  for (const d of readdirSync(cacheDir()))
    if (d.startsWith(`${prefix}-`) && join(cacheDir(), d) !== binDir)
      rmSync(join(cacheDir(), d), { recursive: true, force: true });
  const ms = Date.now() - t0;
  log(`built in ${(ms / 1000).toFixed(0)} s`);
  return { binDir, built: true, ms };
}

/** Builds (or finds) etcd, kube-apiserver, kubectl and tier B's kube-controller-manager and kube-scheduler. */
export function buildControlPlane({ log } = {}) {
  const version = kubernetesVersion();
  return buildGoModule({
    moduleDir: GO_MODULE,
    packages: PACKAGES,
    prefix: `bin-${version}`,
    flags: ldflags(version),
    what: `${BINARIES.join(', ')} (kubernetes ${version})`,
    log,
  });
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

export function openssl(dir, args) {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl is needed to make the control plane's certificates: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

function makeCerts(dir) {
  writeFileSync(
    join(dir, 'san.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=okg-controlplane-ca',
  ]);
  openssl(dir, ['req', ...ec, '-keyout', 'apiserver.key', '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver']);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'apiserver.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'apiserver.crt',
    '-days',
    '2',
    '-extfile',
    'san.cnf',
  ]);
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key']);
  openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function kubeconfigJson(url, caPem, user, token, namespace = 'default') {
  const cluster = 'okg-controlplane';
  const ctx = user === 'admin' ? cluster : `${cluster}-${user}`;
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: cluster,
          cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
        },
      ],
      users: [{ name: `${cluster}-${user}`, user: { token } }],
      contexts: [{ name: ctx, context: { cluster, user: `${cluster}-${user}`, namespace } }],
      'current-context': ctx,
      preferences: {},
    },
    null,
    2,
  );
}

export function get(url, { ca, token } = {}) {
  return new Promise(res => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(
      url,
      { ca, headers: token ? { Authorization: `Bearer ${token}` } : {}, timeout: 2000 },
      r => {
        let body = '';
        r.on('data', d => {
          body += d;
        });
        r.on('end', () => res({ status: r.statusCode, body }));
      },
    );
    req.on('error', e => res({ status: 0, body: String(e) }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function startProcess(name, bin, args, dir, env = process.env) {
  const logPath = join(dir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const p = spawn(bin, args, { cwd: dir, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const proc = { name, child: p, logPath, exited: undefined };
  // Never leave a server behind when this process ends without stopping it (exceptions, process.exit).
  const onExit = () => {
    if (!proc.exited) p.kill('SIGKILL');
  };
  process.once('exit', onExit);
  p.on('exit', (code, signal) => {
    proc.exited = { code, signal };
    process.removeListener('exit', onExit);
  });
  return proc;
}

function tail(path, lines = 30) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function waitUntil(what, proc, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exited)
      throw new Error(
        `${proc.name} exited (${proc.exited.code ?? proc.exited.signal}) before ${what}:\n${tail(proc.logPath)}`,
      );
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${tail(proc.logPath)}`);
}

async function stopProcess(proc, timeoutMs = 10_000) {
  if (!proc || proc.exited) return;
  const done = new Promise(r => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const t = setTimeout(() => {
    if (!proc.exited) proc.child.kill('SIGKILL');
  }, timeoutMs);
  await done;
  clearTimeout(t);
}

/**
 * Starts etcd and kube-apiserver from `binDir` in a fresh temp folder, installs RBAC and the OKG CRDs and
 * waits until they are Established. Returns the control plane (see scripts/controlplane.d.mts).
 */
export async function startControlPlane({
  binDir = buildControlPlane().binDir,
  log = () => undefined,
  tierB = false,
  crds = [join(ROOT, 'data', 'crds'), join(MANIFESTS, 'asts-crd.yaml')],
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'okg-controlplane-'));
  const procs = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await stopProcess(p);
    procs.length = 0;
    if (!process.env.OKG_KEEP_CONTROLPLANE) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const t0 = Date.now();
    makeCerts(dir);
    const caPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const users = tierB ? [...USERS, ...TIER_B_USERS] : USERS;
    const names = { ...USER_NAMES, ...TIER_B_USER_NAMES };
    const tokens = Object.fromEntries(
      users.map(u => [
        u,
        `okg-cp-${u}-${createHash('sha256').update(`${dir}${u}${Math.random()}`).digest('hex').slice(0, 32)}`,
      ]),
    );
    const masters = u => u === 'admin' || TIER_B_USERS.includes(u);
    writeFileSync(
      join(dir, 'tokens.csv'),
      users.map(u => `${tokens[u]},${names[u]},${u}-uid${masters(u) ? ',"system:masters"' : ''}`).join('\n') + '\n',
      { mode: 0o600 },
    );
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess(
      'etcd',
      join(binDir, 'etcd'),
      [
        '--name',
        'okg',
        '--data-dir',
        join(dir, 'etcd'),
        '--unsafe-no-fsync',
        '--log-level',
        'warn',
        '--listen-client-urls',
        etcdUrl,
        '--advertise-client-urls',
        etcdUrl,
        '--listen-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-cluster',
        `okg=http://127.0.0.1:${peerPort}`,
        '--quota-backend-bytes',
        String(2 * 1024 ** 3),
      ],
      dir,
    );
    procs.push(etcd);
    await waitUntil(
      'etcd to be healthy',
      etcd,
      async () => /"health":"true"/.test((await get(`${etcdUrl}/health`)).body),
      30_000,
    );
    log(`etcd healthy after ${Date.now() - t0} ms`);

    const url = `https://127.0.0.1:${apiPort}`;
    const api = startProcess(
      'kube-apiserver',
      join(binDir, 'kube-apiserver'),
      [
        '--etcd-servers',
        etcdUrl,
        '--bind-address',
        '127.0.0.1',
        '--advertise-address',
        '127.0.0.1',
        '--secure-port',
        String(apiPort),
        '--tls-cert-file',
        'apiserver.crt',
        '--tls-private-key-file',
        'apiserver.key',
        '--cert-dir',
        join(dir, 'certs'),
        '--token-auth-file',
        'tokens.csv',
        '--authorization-mode',
        'RBAC',
        '--service-account-issuer',
        'https://kubernetes.default.svc.cluster.local',
        '--service-account-key-file',
        'sa.pub',
        '--service-account-signing-key-file',
        'sa.key',
        '--service-cluster-ip-range',
        '10.96.0.0/16',
        // Tier A has no kube-controller-manager, so no controller makes `default` service accounts; tier B has one.
        ...(tierB ? [] : ['--disable-admission-plugins', 'ServiceAccount']),
        '--audit-policy-file',
        join(MANIFESTS, 'audit-policy.yaml'),
        '--audit-log-path',
        join(dir, 'audit.log'),
        '--audit-log-mode',
        'blocking',
        '--profiling=false',
        '--v',
        '1',
      ],
      dir,
    );
    procs.push(api);
    await waitUntil(
      'kube-apiserver to be ready',
      api,
      async () => (await get(`${url}/readyz`, { ca: caPem, token: tokens.admin })).status === 200,
      90_000,
    );
    log(`kube-apiserver ready after ${Date.now() - t0} ms`);

    const kubeconfigs = {};
    for (const u of users) {
      kubeconfigs[u] = join(dir, `kubeconfig-${u}.yaml`);
      writeFileSync(kubeconfigs[u], kubeconfigJson(url, caPem, u, tokens[u]), { mode: 0o600 });
    }
    const kubectl = (args, user = 'admin', input = undefined) => {
      const r = spawnSync(join(binDir, 'kubectl'), args, {
        env: { ...process.env, KUBECONFIG: kubeconfigs[user] },
        encoding: 'utf8',
        input,
      });
      if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    kubectl([
      'apply',
      '--server-side',
      '--field-manager',
      'okg-controlplane',
      '-f',
      join(MANIFESTS, 'rbac.yaml'),
      ...crds.flatMap(f => ['-f', f]),
    ]);
    kubectl([
      'wait',
      '--for',
      'condition=Established',
      '--timeout',
      '60s',
      'crd/gameservers.game.kruise.io',
      'crd/gameserversets.game.kruise.io',
      'crd/statefulsets.apps.kruise.io',
    ]);
    // Discovery and the authorizer's RBAC cache catch up asynchronously: wait until a reader sees the resources.
    await waitUntil(
      'the OKG resources to be served to every user',
      api,
      async () => {
        for (const u of ['viewer', 'operator', 'controller']) {
          for (const p of ['/apis/game.kruise.io/v1alpha1/gameservers', '/apis/apps.kruise.io/v1beta1/statefulsets']) {
            if ((await get(`${url}${p}?limit=1`, { ca: caPem, token: tokens[u] })).status !== 200) return false;
          }
        }
        return true;
      },
      30_000,
    );
    log(`CRDs Established and RBAC in force after ${Date.now() - t0} ms`);
    const auditPath = join(dir, 'audit.log');
    return {
      url,
      caPem,
      dir,
      binDir,
      tokens,
      kubectlPath: join(binDir, 'kubectl'),
      startProcess: (name, bin, args, env) => {
        const p = startProcess(name, bin, args, dir, env);
        procs.push(p);
        return p;
      },
      kubeconfigPath: user => kubeconfigs[user],
      kubectl,
      auditLogPath: auditPath,
      /** Writes recorded by the audit log so far (ResponseComplete events of mutating verbs). */
      writes() {
        let text = '';
        try {
          text = readFileSync(auditPath, 'utf8');
        } catch {
          return [];
        }
        return text
          .split('\n')
          .filter(Boolean)
          .map(l => JSON.parse(l))
          .filter(e => e.stage === 'ResponseComplete')
          .map(e => ({
            user: e.user?.username,
            verb: e.verb,
            resource: e.objectRef?.resource,
            subresource: e.objectRef?.subresource,
            namespace: e.objectRef?.namespace,
            name: e.objectRef?.name,
            code: e.responseStatus?.code,
            body: e.requestObject,
            time: e.stageTimestamp,
            dryRun: /[?&]dryRun=/.test(e.requestURI ?? ''),
          }));
      },
      logs: () => Object.fromEntries(procs.map(p => [p.name, tail(p.logPath, 50)])),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------------------
// CLI

const PIDFILE = () => join(cacheDir(), 'running.json');

async function main(cmd) {
  if (cmd === 'build') {
    const r = buildControlPlane();
    console.log(r.binDir);
  } else if (cmd === 'start') {
    const { binDir } = buildControlPlane();
    const cp = await startControlPlane({ binDir, log: m => console.error(m) });
    writeFileSync(PIDFILE(), JSON.stringify({ pid: process.pid, dir: cp.dir, url: cp.url }));
    console.log(`kube-apiserver ${kubernetesVersion()} at ${cp.url}`);
    for (const u of USERS) console.log(`  ${u.padEnd(10)} KUBECONFIG=${cp.kubeconfigPath(u)}`);
    console.log(`  kubectl    ${cp.kubectlPath}`);
    console.log('Ctrl-C (or `node scripts/controlplane.mjs stop`) stops it.');
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      await cp.stop();
      rmSync(PIDFILE(), { force: true });
      process.exit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } else if (cmd === 'stop') {
    if (!existsSync(PIDFILE())) {
      console.log('no control plane is running');
      return;
    }
    const { pid } = JSON.parse(readFileSync(PIDFILE(), 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      console.log(`stopping the control plane (pid ${pid})`);
    } catch {
      console.log('the control plane had already stopped');
      rmSync(PIDFILE(), { force: true });
    }
  } else if (cmd === 'test') {
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    execFileSync(npx, ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
    // Tier A's suites first, then tier B's (okg.test.js: real OKG).
    const tierB = f => (f === 'okg.test.js' ? 1 : 0);
    const files = readdirSync(join(ROOT, 'out', 'test', 'controlplane'))
      .filter(f => f.endsWith('.test.js'))
      .sort((a, b) => tierB(a) - tierB(b) || a.localeCompare(b))
      .map(f => join('out', 'test', 'controlplane', f));
    const r = spawnSync(npx, ['mocha', '--no-config', '--exit', '--timeout', '120000', ...files], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    process.exit(r.status ?? 1);
  } else {
    console.error('usage: node scripts/controlplane.mjs build|start|stop|test');
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch(e => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
