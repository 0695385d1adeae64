// Tier B control plane: tier A (etcd + kube-apiserver) plus kube-controller-manager, kube-scheduler, KWOK (a fake
// node that makes pods Running and Ready), OpenKruise's kruise-manager and OpenKruise Game's manager — all built
// from Go modules, none changed. OKG itself drives the rooms here: no emulator. See docs/controlplane.md.
//
//   node scripts/controlplane-okg.mjs build    build (or reuse) every binary; prints their folders
//   node scripts/controlplane-okg.mjs start    start it, print kubeconfig paths, run until Ctrl-C
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { ROOT, USERS, TIER_B_USERS, buildControlPlane, buildGoModule, findGo, freePort, get, openssl, startControlPlane, waitUntil } from './controlplane.mjs';

export const KRUISE_MODULE = join(ROOT, 'test', 'controlplane', 'kruise');
export const KRUISE_PACKAGES = { 'kruise-manager': 'github.com/openkruise/kruise', 'kruise-game-manager': 'github.com/openkruise/kruise-game' };
export const KWOK_MODULE = join(ROOT, 'test', 'controlplane', 'kwok');
export const NODE_NAME = 'kwok-node-0';

/** Builds (or finds) KWOK from test/controlplane/kwok. Returns { binDir, built, ms }. */
export function buildKwok({ log } = {}) {
  const v = /^\s*require\s+sigs\.k8s\.io\/kwok\s+(v\S+)\s*$/m.exec(readFileSync(join(KWOK_MODULE, 'go.mod'), 'utf8'))?.[1];
  if (!v) throw new Error('test/controlplane/kwok/go.mod does not require sigs.k8s.io/kwok');
  return buildGoModule({ moduleDir: KWOK_MODULE, packages: { kwok: 'sigs.k8s.io/kwok/cmd/kwok' }, prefix: `kwok-${v}`, what: `KWOK ${v}`, log });
}

/** The versions test/controlplane/kruise/go.mod requires: { kruise, kruiseGame }. */
export function kruiseVersions() {
  const mod = readFileSync(join(KRUISE_MODULE, 'go.mod'), 'utf8');
  const v = name => new RegExp(`^\\s*github\\.com/openkruise/${name}\\s+(v\\S+)\\s*$`, 'm').exec(mod)?.[1];
  const out = { kruise: v('kruise'), kruiseGame: v('kruise-game') };
  if (!out.kruise || !out.kruiseGame) throw new Error('test/controlplane/kruise/go.mod does not require both openkruise/kruise and openkruise/kruise-game');
  return out;
}

function moduleDir(path) {
  const go = findGo();
  const r = spawnSync(go.go, ['list', '-m', '-f', '{{.Dir}}', path], { cwd: KRUISE_MODULE, env: { ...process.env, GOFLAGS: '-mod=readonly', GOWORK: 'off' }, encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.trim()) throw new Error(`go list -m ${path} failed in test/controlplane/kruise: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Builds (or finds) kruise-manager and kruise-game-manager, and copies the manifests they ship (kruise's CRDs and
 * webhook configurations, kruise-game's CRDs) from the module cache next to them. Returns { binDir, built, ms }.
 */
export function buildKruise({ log } = {}) {
  const v = kruiseVersions();
  const r = buildGoModule({ moduleDir: KRUISE_MODULE, packages: KRUISE_PACKAGES, prefix: `kruise-${v.kruise}`, what: `kruise-manager ${v.kruise} and kruise-game-manager ${v.kruiseGame}`, log });
  if (!existsSync(join(r.binDir, 'manifests', 'kruise-webhooks.yaml'))) {
    const tmp = join(r.binDir, 'manifests.tmp');
    rmSync(tmp, { recursive: true, force: true });
    const kruise = moduleDir('github.com/openkruise/kruise');
    const game = moduleDir('github.com/openkruise/kruise-game');
    for (const [from, to] of [[join(kruise, 'config', 'crd', 'bases'), 'kruise-crds'], [join(game, 'config', 'crd', 'bases'), 'okg-crds']]) {
      mkdirSync(join(tmp, to), { recursive: true });
      for (const f of readdirSync(from).filter(f => f.endsWith('.yaml') && (to === 'kruise-crds' || f.startsWith('game.kruise.io_')))) copyFileSync(join(from, f), join(tmp, to, f));
    }
    writeFileSync(join(tmp, 'kruise-webhooks.yaml'), kruiseWebhookConfigurations(join(kruise, 'config', 'webhook')));
    rmSync(join(r.binDir, 'manifests'), { recursive: true, force: true });
    renameSync(tmp, join(r.binDir, 'manifests'));
  }
  return r;
}

/**
 * kruise's webhook configurations as its kustomization renders them (config/default: namePrefix `kruise-`;
 * config/webhook: patch_manifests.yaml merged into the webhooks by name). The service references stay: kruise-manager
 * itself turns them into `https://$WEBHOOK_HOST:$WEBHOOK_PORT/<path>` URLs with its own CA when it starts.
 */
function kruiseWebhookConfigurations(webhookDir) {
  const docs = yaml.loadAll(readFileSync(join(webhookDir, 'manifests.yaml'), 'utf8')).filter(Boolean);
  const patches = yaml.loadAll(readFileSync(join(webhookDir, 'patch_manifests.yaml'), 'utf8')).filter(Boolean);
  for (const doc of docs) {
    const patch = patches.find(p => p.kind === doc.kind && p.metadata.name === doc.metadata.name);
    for (const wp of patch?.webhooks ?? []) {
      const wh = doc.webhooks.find(w => w.name === wp.name);
      if (wh) Object.assign(wh, wp);
    }
    doc.metadata.name = `kruise-${doc.metadata.name}`;
    for (const wh of doc.webhooks) if (wh.clientConfig?.service) Object.assign(wh.clientConfig.service, { namespace: 'kruise-system', name: 'kruise-webhook-service' });
  }
  return docs.map(d => yaml.dump(d)).join('---\n');
}

/** OKG's own webhooks (kruise-game v1.0.0 pkg/webhook/webhook.go), registered by URL with our CA. */
function okgWebhookConfigurations(port, caPem) {
  const clientConfig = path => ({ url: `https://127.0.0.1:${port}${path}`, caBundle: Buffer.from(caPem).toString('base64') });
  const common = { sideEffects: 'None', failurePolicy: 'Fail', admissionReviewVersions: ['v1', 'v1beta1'] };
  return {
    apiVersion: 'v1', kind: 'List', items: [
      {
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'kruise-game-validating-webhook' },
        webhooks: [{ name: 'vgameserverset.kb.io', ...common, clientConfig: clientConfig('/validate-v1alpha1-gss'),
          rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['game.kruise.io'], apiVersions: ['v1alpha1'], resources: ['gameserversets'] }] }],
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'kruise-game-mutating-webhook' },
        webhooks: [{ name: 'mgameserverset.kb.io', ...common, clientConfig: clientConfig('/mutate-v1-pod'),
          rules: [{ operations: ['CREATE', 'UPDATE', 'DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
          objectSelector: { matchExpressions: [{ key: 'game.kruise.io/owner-gss', operator: 'Exists' }] } }],
      },
    ],
  };
}

function fakeNode() {
  const resources = { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: NODE_NAME,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    },
    status: { allocatable: resources, capacity: resources },
  };
}

const http = (url, ca) => get(url, { ca }).then(r => r.status);

/**
 * `okg: false` starts only the control plane and kube-controller-manager (garbage collector and all), with the OKG
 * v1.0.0 CRDs from data/crds/v1.0.0 and the minimal Advanced StatefulSet CRD: the world our emulator runs in when
 * it is compared room by room with real OKG.
 *
 * Starts tier B: the tier-A control plane (with the ServiceAccount admission plugin back on and kruise's real CRDs),
 * then kube-controller-manager, kube-scheduler, KWOK with one fake node, kruise-manager and kruise-game-manager, and
 * waits until each is ready. Returns the control plane of scripts/controlplane.mjs plus { kruiseDir }.
 */
export async function startOkgControlPlane({ binDir = buildControlPlane().binDir, kruiseDir, kwokDir, log = () => undefined, okg = true } = {}) {
  if (okg) {
    kruiseDir ??= buildKruise().binDir;
    kwokDir ??= buildKwok().binDir;
  }
  const manifests = kruiseDir && join(kruiseDir, 'manifests');
  const crds = okg ? [join(manifests, 'okg-crds'), join(manifests, 'kruise-crds')] : [join(ROOT, 'data', 'crds', 'v1.0.0'), join(ROOT, 'test', 'controlplane', 'manifests', 'asts-crd.yaml')];
  const cp = await startControlPlane({ binDir, log, tierB: true, crds });
  try {
    const t0 = Date.now();
    const env = user => ({ ...process.env, KUBECONFIG: cp.kubeconfigPath(user) });
    const kcm = cp.startProcess('kube-controller-manager', join(binDir, 'kube-controller-manager'), [
      '--kubeconfig', cp.kubeconfigPath('kcm'), '--leader-elect=false', '--secure-port=0',
      '--controllers', 'garbagecollector,namespace,serviceaccount,serviceaccount-token,root-ca-cert-publisher',
      '--service-account-private-key-file', join(cp.dir, 'sa.key'), '--root-ca-file', join(cp.dir, 'ca.crt'), '--v', '1',
    ], env('kcm'));
    if (!okg) {
      await waitUntil('the service-account controller to make default/default', kcm, async () => spawnSync(join(binDir, 'kubectl'), ['get', 'serviceaccount', 'default', '-n', 'default'], { env: env('admin') }).status === 0, 30_000);
      log(`kube-controller-manager ready after ${Date.now() - t0} ms`);
      return { ...cp };
    }
    const scheduler = cp.startProcess('kube-scheduler', join(binDir, 'kube-scheduler'), [
      '--kubeconfig', cp.kubeconfigPath('scheduler'), '--leader-elect=false', '--secure-port=0', '--v', '1',
    ], env('scheduler'));
    const kwokPort = await freePort();
    const kwok = cp.startProcess('kwok', join(kwokDir, 'kwok'), [
      '--kubeconfig', cp.kubeconfigPath('kwok'), '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector', 'kwok.x-k8s.io/node=fake',
      '--cidr', '10.244.0.1/16', '--node-ip', '127.0.0.1', '--server-address', `127.0.0.1:${kwokPort}`,
    ], env('kwok'));
    cp.kubectl(['apply', '-f', '-'], 'admin', JSON.stringify(fakeNode()));
    // Ready (KWOK's heartbeat), then schedulable: admission (TaintNodesByCondition) puts a not-ready taint on every new
    // node. The node-lifecycle controller would lift it, but it also marks KWOK's node NotReady about a minute later
    // (no kubelet lease renewals it accepts) and starts evicting pods; so it stays off and the taint is lifted here.
    await waitUntil(`KWOK to make node ${NODE_NAME} Ready`, kwok, async () => cp.kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).trim() === 'True', 60_000);
    cp.kubectl(['taint', 'node', NODE_NAME, 'node.kubernetes.io/not-ready:NoSchedule-']);
    await waitUntil('the service-account controller to make default/default', kcm, async () => spawnSync(join(binDir, 'kubectl'), ['get', 'serviceaccount', 'default', '-n', 'default'], { env: env('admin') }).status === 0, 30_000);
    if (scheduler.exited) throw new Error(`kube-scheduler exited (${scheduler.exited.code ?? scheduler.exited.signal})`);
    log(`kube-controller-manager, kube-scheduler and KWOK ready after ${Date.now() - t0} ms`);

    cp.kubectl(['create', 'namespace', 'kruise-system']);
    cp.kubectl(['create', 'namespace', 'kruise-game-system']);
    cp.kubectl(['create', '-f', join(manifests, 'kruise-webhooks.yaml')]);
    const kruiseProbe = await freePort();
    mkdirSync(join(cp.dir, 'kruise-protection'), { recursive: true });
    const kruise = cp.startProcess('kruise-manager', join(kruiseDir, 'kruise-manager'), [
      '--enable-leader-election=false', '--metrics-addr=0', `--health-probe-addr=127.0.0.1:${kruiseProbe}`, '--enable-pprof=false',
      '--protection-log-path', join(cp.dir, 'kruise-protection'), '--v', '1',
    ], { ...env('kruise'), WEBHOOK_HOST: '127.0.0.1', WEBHOOK_PORT: String(await freePort()), WEBHOOK_CERT_DIR: join(cp.dir, 'kruise-webhook-certs'), POD_NAMESPACE: 'kruise-system' });
    await waitUntil('kruise-manager to be ready (webhooks served, configurations by URL)', kruise, async () => (await http(`http://127.0.0.1:${kruiseProbe}/readyz`)) === 200, 120_000);
    log(`kruise-manager ready after ${Date.now() - t0} ms`);

    // kruise-game-manager with --enable-cert-generation=false: its serving certificate from our CA, its webhooks by URL.
    const certDir = join(cp.dir, 'okg-webhook-certs');
    mkdirSync(certDir, { recursive: true });
    writeFileSync(join(certDir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(certDir, ['req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=kruise-game-webhook']);
    openssl(certDir, ['x509', '-req', '-in', 'tls.csr', '-CA', join(cp.dir, 'ca.crt'), '-CAkey', join(cp.dir, 'ca.key'), '-CAcreateserial', '-out', 'tls.crt', '-days', '2', '-extfile', 'san.cnf']);
    const okgPort = await freePort();
    const okgProbe = await freePort();
    writeFileSync(join(cp.dir, 'okg-provider.toml'), '[kubernetes]\nenable = true\n');
    const game = cp.startProcess('kruise-game-manager', join(kruiseDir, 'kruise-game-manager'), [
      '--kubeconfig', cp.kubeconfigPath('controller'), '--leader-elect=false', '--enable-cert-generation=false',
      `--webhook-port=${okgPort}`, `--webhook-server-certs-dir=${certDir}`, '--metrics-bind-address=0',
      `--health-probe-bind-address=127.0.0.1:${okgProbe}`, `--scale-server-bind-address=127.0.0.1:${await freePort()}`,
      `--provider-config=${join(cp.dir, 'okg-provider.toml')}`,
    ], env('controller'));
    cp.kubectl(['apply', '-f', '-'], 'admin', JSON.stringify(okgWebhookConfigurations(okgPort, cp.caPem)));
    await waitUntil('kruise-game-manager to be ready and serve its webhooks', game, async () =>
      (await http(`http://127.0.0.1:${okgProbe}/readyz`)) === 200 && (await http(`https://127.0.0.1:${okgPort}/validate-v1alpha1-gss`, cp.caPem)) !== 0, 120_000);
    log(`kruise-game-manager ready after ${Date.now() - t0} ms`);
    return { ...cp, kruiseDir, kwokDir };
  } catch (e) {
    const logs = cp.logs();
    await cp.stop();
    if (e instanceof Error) e.message += `\n${Object.entries(logs).filter(([n]) => !['etcd', 'kube-apiserver'].includes(n)).map(([n, l]) => `--- ${n}.log (last lines)\n${l.split('\n').slice(-8).join('\n')}`).join('\n')}`;
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------------------
// CLI

async function main(cmd) {
  if (cmd === 'build') {
    console.log(buildControlPlane().binDir);
    console.log(buildKwok().binDir);
    console.log(buildKruise().binDir);
  } else if (cmd === 'start') {
    const cp = await startOkgControlPlane({ log: m => console.error(m) });
    console.log(`kube-apiserver + OpenKruise + OpenKruise Game at ${cp.url}`);
    for (const u of [...USERS, ...TIER_B_USERS]) console.log(`  ${u.padEnd(10)} KUBECONFIG=${cp.kubeconfigPath(u)}`);
    console.log(`  kubectl    ${cp.kubectlPath}\n  logs       ${cp.dir}\nCtrl-C stops it.`);
    let stopping = false;
    const shutdown = async () => { if (stopping) return; stopping = true; await cp.stop(); process.exit(0); };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } else {
    console.error('usage: node scripts/controlplane-okg.mjs build|start');
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch(e => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
