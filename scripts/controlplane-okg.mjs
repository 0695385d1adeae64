// Tier B control plane: tier A (etcd + kube-apiserver) plus kube-controller-manager, kube-scheduler, KWOK (a fake
// node that makes pods Running and Ready), OpenKruise's kruise-manager and OpenKruise Game's manager — all built
// from Go modules, none changed. OKG itself drives the rooms here: no emulator. See docs/controlplane.md.
//
//   node scripts/controlplane-okg.mjs build    build (or reuse) every binary; prints their folders
//   node scripts/controlplane-okg.mjs start    start it, print kubeconfig paths, run until Ctrl-C
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import {
  ROOT,
  USERS,
  TIER_B_USERS,
  buildControlPlane,
  buildGoModule,
  findGo,
  freePort,
  get,
  openssl,
  startControlPlane,
  waitUntil,
} from './controlplane.mjs';

export const KRUISE_MODULE = join(ROOT, 'test', 'controlplane', 'kruise');
export const KRUISE_PACKAGES = {
  'kruise-manager': 'github.com/openkruise/kruise',
  'kruise-game-manager': 'github.com/openkruise/kruise-game',
};
export const KWOK_MODULE = join(ROOT, 'test', 'controlplane', 'kwok');
export const NODE_NAME = 'kwok-node-0';

/**
 * Builds (or finds) KWOK from test/controlplane/kwok, and copies KWOK's own fast pod stages (kustomize/stage/pod/fast)
 * from the module cache next to it. Returns { binDir, built, ms }.
 */
export function buildKwok({ log } = {}) {
  const v = /^\s*require\s+sigs\.k8s\.io\/kwok\s+(v\S+)\s*$/m.exec(
    readFileSync(join(KWOK_MODULE, 'go.mod'), 'utf8'),
  )?.[1];
  if (!v) throw new Error('test/controlplane/kwok/go.mod does not require sigs.k8s.io/kwok');
  const r = buildGoModule({
    moduleDir: KWOK_MODULE,
    packages: { kwok: 'sigs.k8s.io/kwok/cmd/kwok' },
    prefix: `kwok-${v}`,
    what: `KWOK ${v}`,
    log,
  });
  if (!existsSync(join(r.binDir, 'stages', 'pod-ready.yaml'))) {
    const tmp = join(r.binDir, `stages.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const fast = join(moduleDir('sigs.k8s.io/kwok', KWOK_MODULE), 'kustomize', 'stage', 'pod', 'fast');
    for (const f of ['pod-ready.yaml', 'pod-complete.yaml', 'pod-delete.yaml'])
      copyFileSync(join(fast, f), join(tmp, f));
    try {
      renameSync(tmp, join(r.binDir, 'stages'));
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    } // another run copied them first
  }
  return r;
}

// ------------------------------------------------------------------------------------------------------------
// KWOK stages for worlds where a release fails: the pods of a chosen image get the statuses the kubelet writes,
// as the emulator's fail rules make them (src/sandbox/okg/failures.ts, containerTimeline.ts).

/** The fail rules tier B's KWOK plays (and the emulator gets in the room-by-room comparison). */
export const TIER_B_FAIL_IMAGES = [
  { substring: '-broken', mode: 'ImagePullBackOff' },
  { substring: '-crash', mode: 'CrashLoopBackOff' },
];
/** ms standing for the kubelet's first back-off of 10 s, in KWOK's stages and the emulator compared with them: real time. */
export const TIER_B_BACKOFF_BASE_MS = 10_000;

const jqString = s => JSON.stringify(s);
const anyImage = sub => `[.spec.containers[].image | contains(${jqString(sub)})] | any`;
const gq = s => JSON.stringify(s); // a Go template string literal (ASCII: same as JSON)

/** Go template lines: $now, $unready (the Ready/ContainersReady message) and the conditions of a pod whose `sub` containers are not ready. */
function unreadyConditions(sub) {
  return `{{ $now := Now }}
{{ $names := list }}{{ range .spec.containers }}{{ if contains ${gq(sub)} .image }}{{ $names = append $names .name }}{{ end }}{{ end }}
{{ $unready := printf "containers with unready status: [%s]" (join " " $names) }}
conditions:
{{ range .spec.readinessGates }}
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: {{ .conditionType | Quote }}
{{ end }}
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  message: {{ $unready | Quote }}
  reason: ContainersNotReady
  status: "False"
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  message: {{ $unready | Quote }}
  reason: ContainersNotReady
  status: "False"
  type: ContainersReady
`;
}

/** A healthy sibling container (inside a range over containers or statuses). */
const readyContainer = `- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  restartCount: 0
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
`;

/** $ref (the reference containerd resolves, docker's normalisation) and $err (its NotFound) of `.image`. */
const pullError = `{{ $img := .image }}{{ $ref := $img }}
{{ if not (regexMatch "^[^/]*[.:][^/]*/|^localhost/" $img) }}{{ if contains "/" $img }}{{ $ref = printf "docker.io/%s" $img }}{{ else }}{{ $ref = printf "docker.io/library/%s" $img }}{{ end }}{{ end }}
{{ if not (regexMatch ":[^/]*$|@" $ref) }}{{ $ref = printf "%s:latest" $ref }}{{ end }}
{{ $err := printf "rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found" $ref $ref $ref }}
`;

function pullStatus(sub, reason) {
  const message =
    reason === 'ErrImagePull' ? '$err' : '(printf "Back-off pulling image %q: ErrImagePull: %s" .image $err)';
  return `${unreadyConditions(sub)}containerStatuses:
{{ range .spec.containers }}
{{ if contains ${gq(sub)} .image }}
${pullError}- image: {{ .image | Quote }}
  imageID: ""
  name: {{ .name | Quote }}
  ready: false
  restartCount: 0
  started: false
  state:
    waiting:
      message: {{ ${message} | Quote }}
      reason: ${reason}
{{ else }}
${readyContainer}{{ end }}
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Pending
{{ with .status.startTime }}startTime: {{ . | Quote }}{{ else }}startTime: {{ $now | Quote }}{{ end }}
`;
}

function stage(name, selector, next, delay) {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' }, ...selector] },
      ...(delay ? { delay } : {}),
      next,
    },
  };
}

const k = (base, kubeletSeconds) => Math.max(1, Math.round((kubeletSeconds * base) / 10));

/** ImagePullBackOff: ErrImagePull (1 kubelet-second after start) → ImagePullBackOff (1 s later) → ErrImagePull again after the back-off (fixed here: KWOK keeps no attempt count). */
function imagePullStages(sub, i, base) {
  const failing = { key: anyImage(sub), operator: 'In', values: ['true'] };
  const waitingIs = reason => ({
    key: `[.status.containerStatuses[]? | select(.image | contains(${jqString(sub)})) | .state.waiting.reason] | any(. == ${jqString(reason)})`,
    operator: 'In',
    values: ['true'],
  });
  return [
    stage(
      `okg-image-pull-failed-${i}`,
      [failing, { key: '.status.podIP', operator: 'DoesNotExist' }],
      {
        statusTemplate: pullStatus(sub, 'ErrImagePull'),
        event: { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' },
      },
      { durationMilliseconds: k(base, 1) },
    ),
    stage(
      `okg-image-pull-backoff-${i}`,
      [failing, waitingIs('ErrImagePull')],
      {
        statusTemplate: pullStatus(sub, 'ImagePullBackOff'),
        event: { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' },
      },
      { durationMilliseconds: k(base, 1) },
    ),
    stage(
      `okg-image-pull-retry-${i}`,
      [failing, waitingIs('ImagePullBackOff')],
      {
        statusTemplate: pullStatus(sub, 'ErrImagePull'),
        event: { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' },
      },
      { durationMilliseconds: k(base, 10) },
    ),
  ];
}

/** CrashLoopBackOff: running; exits 1 (Error) after 1 kubelet-second; the first exit restarts at once, later ones wait 10 s, 20 s … (300 s at most), as the kubelet. */
function crashStages(sub, i, base) {
  const failing = { key: anyImage(sub), operator: 'In', values: ['true'] };
  const stateIs = jq => ({
    key: `[.status.containerStatuses[]? | select((.image | contains(${jqString(sub)})) and (${jq}))] | length > 0`,
    operator: 'In',
    values: ['true'],
  });
  const running = `${unreadyConditions(sub)}containerStatuses:
{{ range .spec.containers }}
{{ if contains ${gq(sub)} .image }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  restartCount: 0
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ else }}
${readyContainer}{{ end }}
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Running
startTime: {{ $now | Quote }}
`;
  const lastTerminated = startedAt => `  lastState:
    terminated:
      exitCode: 1
      finishedAt: {{ $now | Quote }}
      reason: Error
      startedAt: {{ ${startedAt} | Quote }}
`;
  const exited = `${unreadyConditions(sub)}containerStatuses:
{{ range .status.containerStatuses }}
{{ if contains ${gq(sub)} .image }}
{{ $n := int .restartCount }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
{{ if eq $n 0 }}
  restartCount: 1
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ else }}
  restartCount: {{ $n }}
  started: false
  state:
    waiting:
      message: {{ printf "back-off %s restarting failed container=%s pod=%s_%s(%s)" (index (list "10s" "20s" "40s" "1m20s" "2m40s" "5m0s") (min (sub $n 1) 5)) .name $.metadata.name $.metadata.namespace $.metadata.uid | Quote }}
      reason: CrashLoopBackOff
{{ end }}
${lastTerminated('.state.running.startedAt')}{{ else }}
${readyContainer}{{ end }}
{{ end }}
phase: Running
`;
  const restarted = `${unreadyConditions(sub)}containerStatuses:
{{ range .status.containerStatuses }}
{{ if contains ${gq(sub)} .image }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  restartCount: {{ add1 (int .restartCount) }}
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
  lastState:
    terminated:
      exitCode: {{ int .lastState.terminated.exitCode }}
      finishedAt: {{ .lastState.terminated.finishedAt | Quote }}
      reason: {{ .lastState.terminated.reason | Quote }}
      startedAt: {{ .lastState.terminated.startedAt | Quote }}
{{ else }}
${readyContainer}{{ end }}
{{ end }}
phase: Running
`;
  // the back-off of the waiting container: 10 s × 2^(restartCount-1), at most 300 s, in base-scaled ms
  const backoff = `"\\([(10 * pow(2; ([.status.containerStatuses[]? | select(.state.waiting.reason == "CrashLoopBackOff") | .restartCount] | max) - 1)), 300] | min | . * ${base} / 10 | floor)ms"`;
  return [
    stage(`okg-crash-start-${i}`, [failing, { key: '.status.podIP', operator: 'DoesNotExist' }], {
      statusTemplate: running,
    }),
    stage(
      `okg-crash-exit-${i}`,
      [failing, stateIs('.state.running != null')],
      { statusTemplate: exited },
      { durationMilliseconds: k(base, 1) },
    ),
    stage(
      `okg-crash-restart-${i}`,
      [failing, stateIs('.state.waiting.reason == "CrashLoopBackOff"')],
      { statusTemplate: restarted },
      { durationMilliseconds: k(base, 10), durationFrom: { jq: { expression: backoff } } },
    ),
  ];
}

/**
 * KWOK's stage configuration: its own fast pod stages (pod-ready no longer taking the pods of a failing image) plus,
 * per fail rule, the stages above. Modes other than ImagePullBackOff and CrashLoopBackOff are not played by KWOK.
 */
export function kwokStages(kwokDir, failImages = TIER_B_FAIL_IMAGES, base = TIER_B_BACKOFF_BASE_MS) {
  const defaults = ['pod-ready.yaml', 'pod-complete.yaml', 'pod-delete.yaml'].map(f =>
    yaml.load(readFileSync(join(kwokDir, 'stages', f), 'utf8')),
  );
  const subs = failImages.map(r => r.substring);
  if (subs.length) {
    defaults[0].spec.selector.matchExpressions.push({
      key: `[.spec.containers[].image | (${subs.map(s => `contains(${jqString(s)})`).join(' or ')})] | any`,
      operator: 'NotIn',
      values: ['true'],
    });
  }
  const extra = failImages.flatMap((r, i) =>
    r.mode === 'ImagePullBackOff'
      ? imagePullStages(r.substring, i, base)
      : r.mode === 'CrashLoopBackOff'
        ? crashStages(r.substring, i, base)
        : (() => {
            throw new Error(`KWOK stages play ImagePullBackOff and CrashLoopBackOff only, not ${r.mode}`);
          })(),
  );
  return [...defaults, ...extra].map(d => yaml.dump(d, { lineWidth: -1 })).join('---\n');
}

/** The versions test/controlplane/kruise/go.mod requires: { kruise, kruiseGame }. */
export function kruiseVersions() {
  const mod = readFileSync(join(KRUISE_MODULE, 'go.mod'), 'utf8');
  const v = name => new RegExp(`^\\s*github\\.com/openkruise/${name}\\s+(v\\S+)\\s*$`, 'm').exec(mod)?.[1];
  const out = { kruise: v('kruise'), kruiseGame: v('kruise-game') };
  if (!out.kruise || !out.kruiseGame)
    throw new Error(
      'test/controlplane/kruise/go.mod does not require both openkruise/kruise and openkruise/kruise-game',
    );
  return out;
}

function moduleDir(path, cwd = KRUISE_MODULE) {
  const go = findGo();
  const r = spawnSync(go.go, ['list', '-m', '-f', '{{.Dir}}', path], {
    cwd,
    env: { ...process.env, GOFLAGS: '-mod=readonly', GOWORK: 'off' },
    encoding: 'utf8',
  });
  if (r.status !== 0 || !r.stdout.trim()) throw new Error(`go list -m ${path} failed in ${cwd}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Builds (or finds) kruise-manager and kruise-game-manager, and copies the manifests they ship (kruise's CRDs and
 * webhook configurations, kruise-game's CRDs) from the module cache next to them. Returns { binDir, built, ms }.
 */
export function buildKruise({ log } = {}) {
  const v = kruiseVersions();
  const r = buildGoModule({
    moduleDir: KRUISE_MODULE,
    packages: KRUISE_PACKAGES,
    prefix: `kruise-${v.kruise}`,
    what: `kruise-manager ${v.kruise} and kruise-game-manager ${v.kruiseGame}`,
    log,
  });
  if (!existsSync(join(r.binDir, 'manifests', 'kruise-webhooks.yaml'))) {
    const tmp = join(r.binDir, 'manifests.tmp');
    rmSync(tmp, { recursive: true, force: true });
    const kruise = moduleDir('github.com/openkruise/kruise');
    const game = moduleDir('github.com/openkruise/kruise-game');
    for (const [from, to] of [
      [join(kruise, 'config', 'crd', 'bases'), 'kruise-crds'],
      [join(game, 'config', 'crd', 'bases'), 'okg-crds'],
    ]) {
      mkdirSync(join(tmp, to), { recursive: true });
      for (const f of readdirSync(from).filter(
        f => f.endsWith('.yaml') && (to === 'kruise-crds' || f.startsWith('game.kruise.io_')),
      ))
        copyFileSync(join(from, f), join(tmp, to, f));
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
    for (const wh of doc.webhooks)
      if (wh.clientConfig?.service)
        Object.assign(wh.clientConfig.service, { namespace: 'kruise-system', name: 'kruise-webhook-service' });
  }
  return docs.map(d => yaml.dump(d)).join('---\n');
}

/** OKG's own webhooks (kruise-game v1.0.0 pkg/webhook/webhook.go), registered by URL with our CA. */
function okgWebhookConfigurations(port, caPem) {
  const clientConfig = path => ({
    url: `https://127.0.0.1:${port}${path}`,
    caBundle: Buffer.from(caPem).toString('base64'),
  });
  const common = { sideEffects: 'None', failurePolicy: 'Fail', admissionReviewVersions: ['v1', 'v1beta1'] };
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'kruise-game-validating-webhook' },
        webhooks: [
          {
            name: 'vgameserverset.kb.io',
            ...common,
            clientConfig: clientConfig('/validate-v1alpha1-gss'),
            rules: [
              {
                operations: ['CREATE', 'UPDATE'],
                apiGroups: ['game.kruise.io'],
                apiVersions: ['v1alpha1'],
                resources: ['gameserversets'],
              },
            ],
          },
        ],
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'kruise-game-mutating-webhook' },
        webhooks: [
          {
            name: 'mgameserverset.kb.io',
            ...common,
            clientConfig: clientConfig('/mutate-v1-pod'),
            rules: [
              { operations: ['CREATE', 'UPDATE', 'DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] },
            ],
            objectSelector: { matchExpressions: [{ key: 'game.kruise.io/owner-gss', operator: 'Exists' }] },
          },
        ],
      },
    ],
  };
}

function fakeNode() {
  const resources = { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
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
 * then kube-controller-manager, kube-scheduler, KWOK with one fake node (and the stages of `failImages`, see
 * kwokStages), kruise-manager and kruise-game-manager (Kubernetes network provider on: HostPort 8000-9000), and
 * waits until each is ready. Returns the control plane of scripts/controlplane.mjs plus { kruiseDir }.
 */
export async function startOkgControlPlane({
  binDir = buildControlPlane().binDir,
  kruiseDir,
  kwokDir,
  log = () => undefined,
  okg = true,
  failImages = TIER_B_FAIL_IMAGES,
} = {}) {
  if (okg) {
    kruiseDir ??= buildKruise().binDir;
    kwokDir ??= buildKwok().binDir;
  }
  const manifests = kruiseDir && join(kruiseDir, 'manifests');
  const crds = okg
    ? [join(manifests, 'okg-crds'), join(manifests, 'kruise-crds')]
    : [join(ROOT, 'data', 'crds', 'v1.0.0'), join(ROOT, 'test', 'controlplane', 'manifests', 'asts-crd.yaml')];
  const cp = await startControlPlane({ binDir, log, tierB: true, crds });
  try {
    const t0 = Date.now();
    const env = user => ({ ...process.env, KUBECONFIG: cp.kubeconfigPath(user) });
    const kcm = cp.startProcess(
      'kube-controller-manager',
      join(binDir, 'kube-controller-manager'),
      [
        '--kubeconfig',
        cp.kubeconfigPath('kcm'),
        '--leader-elect=false',
        '--secure-port=0',
        '--controllers',
        'garbagecollector,namespace,serviceaccount,serviceaccount-token,root-ca-cert-publisher',
        '--service-account-private-key-file',
        join(cp.dir, 'sa.key'),
        '--root-ca-file',
        join(cp.dir, 'ca.crt'),
        '--v',
        '1',
      ],
      env('kcm'),
    );
    if (!okg) {
      await waitUntil(
        'the service-account controller to make default/default',
        kcm,
        async () =>
          spawnSync(join(binDir, 'kubectl'), ['get', 'serviceaccount', 'default', '-n', 'default'], {
            env: env('admin'),
          }).status === 0,
        30_000,
      );
      log(`kube-controller-manager ready after ${Date.now() - t0} ms`);
      return { ...cp };
    }
    const scheduler = cp.startProcess(
      'kube-scheduler',
      join(binDir, 'kube-scheduler'),
      ['--kubeconfig', cp.kubeconfigPath('scheduler'), '--leader-elect=false', '--secure-port=0', '--v', '1'],
      env('scheduler'),
    );
    const kwokPort = await freePort();
    writeFileSync(join(cp.dir, 'kwok-stages.yaml'), kwokStages(kwokDir, failImages));
    const kwok = cp.startProcess(
      'kwok',
      join(kwokDir, 'kwok'),
      [
        '--kubeconfig',
        cp.kubeconfigPath('kwok'),
        '--config',
        join(cp.dir, 'kwok-stages.yaml'),
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector',
        'kwok.x-k8s.io/node=fake',
        '--cidr',
        '10.244.0.1/16',
        '--node-ip',
        '127.0.0.1',
        '--server-address',
        `127.0.0.1:${kwokPort}`,
      ],
      env('kwok'),
    );
    cp.kubectl(['apply', '-f', '-'], 'admin', JSON.stringify(fakeNode()));
    // Ready (KWOK's heartbeat), then schedulable: admission (TaintNodesByCondition) puts a not-ready taint on every new
    // node. The node-lifecycle controller would lift it, but it also marks KWOK's node NotReady about a minute later
    // (no kubelet lease renewals it accepts) and starts evicting pods; so it stays off and the taint is lifted here.
    await waitUntil(
      `KWOK to make node ${NODE_NAME} Ready`,
      kwok,
      async () =>
        cp
          .kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])
          .trim() === 'True',
      60_000,
    );
    cp.kubectl(['taint', 'node', NODE_NAME, 'node.kubernetes.io/not-ready:NoSchedule-']);
    await waitUntil(
      'the service-account controller to make default/default',
      kcm,
      async () =>
        spawnSync(join(binDir, 'kubectl'), ['get', 'serviceaccount', 'default', '-n', 'default'], { env: env('admin') })
          .status === 0,
      30_000,
    );
    if (scheduler.exited)
      throw new Error(`kube-scheduler exited (${scheduler.exited.code ?? scheduler.exited.signal})`);
    log(`kube-controller-manager, kube-scheduler and KWOK ready after ${Date.now() - t0} ms`);

    cp.kubectl(['create', 'namespace', 'kruise-system']);
    cp.kubectl(['create', 'namespace', 'kruise-game-system']);
    cp.kubectl(['create', '-f', join(manifests, 'kruise-webhooks.yaml')]);
    const kruiseProbe = await freePort();
    mkdirSync(join(cp.dir, 'kruise-protection'), { recursive: true });
    const kruise = cp.startProcess(
      'kruise-manager',
      join(kruiseDir, 'kruise-manager'),
      [
        '--enable-leader-election=false',
        '--metrics-addr=0',
        `--health-probe-addr=127.0.0.1:${kruiseProbe}`,
        '--enable-pprof=false',
        '--protection-log-path',
        join(cp.dir, 'kruise-protection'),
        '--v',
        '1',
      ],
      {
        ...env('kruise'),
        WEBHOOK_HOST: '127.0.0.1',
        WEBHOOK_PORT: String(await freePort()),
        WEBHOOK_CERT_DIR: join(cp.dir, 'kruise-webhook-certs'),
        POD_NAMESPACE: 'kruise-system',
      },
    );
    await waitUntil(
      'kruise-manager to be ready (webhooks served, configurations by URL)',
      kruise,
      async () => (await http(`http://127.0.0.1:${kruiseProbe}/readyz`)) === 200,
      120_000,
    );
    log(`kruise-manager ready after ${Date.now() - t0} ms`);

    // kruise-game-manager with --enable-cert-generation=false: its serving certificate from our CA, its webhooks by URL.
    const certDir = join(cp.dir, 'okg-webhook-certs');
    mkdirSync(certDir, { recursive: true });
    writeFileSync(join(certDir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(certDir, ['req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=kruise-game-webhook']);
    openssl(certDir, [
      'x509',
      '-req',
      '-in',
      'tls.csr',
      '-CA',
      join(cp.dir, 'ca.crt'),
      '-CAkey',
      join(cp.dir, 'ca.key'),
      '-CAcreateserial',
      '-out',
      'tls.crt',
      '-days',
      '2',
      '-extfile',
      'san.cnf',
    ]);
    const okgPort = await freePort();
    const okgProbe = await freePort();
    // kruise-game's own config.toml range: without one the Kubernetes provider is not registered (its options are invalid)
    writeFileSync(
      join(cp.dir, 'okg-provider.toml'),
      '[kubernetes]\nenable = true\n[kubernetes.hostPort]\nmax_port = 9000\nmin_port = 8000\n',
    );
    const game = cp.startProcess(
      'kruise-game-manager',
      join(kruiseDir, 'kruise-game-manager'),
      [
        '--kubeconfig',
        cp.kubeconfigPath('controller'),
        '--leader-elect=false',
        '--enable-cert-generation=false',
        `--webhook-port=${okgPort}`,
        `--webhook-server-certs-dir=${certDir}`,
        '--metrics-bind-address=0',
        `--health-probe-bind-address=127.0.0.1:${okgProbe}`,
        `--scale-server-bind-address=127.0.0.1:${await freePort()}`,
        `--provider-config=${join(cp.dir, 'okg-provider.toml')}`,
      ],
      env('controller'),
    );
    cp.kubectl(['apply', '-f', '-'], 'admin', JSON.stringify(okgWebhookConfigurations(okgPort, cp.caPem)));
    await waitUntil(
      'kruise-game-manager to be ready and serve its webhooks',
      game,
      async () =>
        (await http(`http://127.0.0.1:${okgProbe}/readyz`)) === 200 &&
        (await http(`https://127.0.0.1:${okgPort}/validate-v1alpha1-gss`, cp.caPem)) !== 0,
      120_000,
    );
    log(`kruise-game-manager ready after ${Date.now() - t0} ms`);
    return { ...cp, kruiseDir, kwokDir };
  } catch (e) {
    const logs = cp.logs();
    await cp.stop();
    if (e instanceof Error)
      e.message += `\n${Object.entries(logs)
        .filter(([n]) => !['etcd', 'kube-apiserver'].includes(n))
        .map(([n, l]) => `--- ${n}.log (last lines)\n${l.split('\n').slice(-8).join('\n')}`)
        .join('\n')}`;
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
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      await cp.stop();
      process.exit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } else {
    console.error('usage: node scripts/controlplane-okg.mjs build|start');
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch(e => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
