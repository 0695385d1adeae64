// The release as Argo Workflows objects: a least-privilege ServiceAccount, Role and RoleBinding in the set's
// namespace, a WorkflowTemplate per GameServerSet (parameters for everything a release varies: images, rooms to
// add, ready count, reclaim mode, settle, approval; a mutex per set; bounded retries on every step; a deadline; an
// exit handler) and the Workflow of this release that uses it. The steps (argoScripts.ts) take the engine's own
// lease on the set, so an Argo release and an `okg release` exclude each other in both orders.
import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import { ARGO_SCRIPTS, type ArgoStep } from './argoScripts.js';
import type { ReleasePlan } from './types.js';
import { DEFAULT_FAIL_FAST_AFTER_MS } from './validate.js';

/**
 * The image the steps run in: it must contain bash, kubectl and jq. alpine/k8s is a maintained, widely used kubectl
 * image whose Dockerfile installs bash and jq; pinned to a Kubernetes 1.34 kubectl. Override with --argo-image.
 */
export const DEFAULT_KUBECTL_IMAGE = 'docker.io/alpine/k8s:1.34.1';

export interface ArgoOptions {
  /** Image with bash, kubectl and jq (default DEFAULT_KUBECTL_IMAGE). */
  image?: string;
  /** Suspend before marking old rooms until someone resumes the workflow (argo resume, or the Argo UI). */
  approval?: boolean;
  /** The workflow's activeDeadlineSeconds (default: every wait's timeout, the settle window, an hour for approval). */
  deadlineSeconds?: number;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string; namespace: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

export interface ArgoExport {
  serviceAccount: Manifest;
  role: Manifest;
  roleBinding: Manifest;
  workflowTemplate: Manifest & {
    spec: {
      templates: Record<string, unknown>[];
      arguments: { parameters: { name: string; value: string }[] };
    } & Record<string, unknown>;
  };
  workflow: Manifest & {
    spec: { arguments: { parameters: { name: string; value: string }[] } } & Record<string, unknown>;
  };
}

/** Poll interval inside the waiting steps, in seconds. */
const POLL_SECONDS = '5';
/** The exit code of a refusal (bad parameter, lease held or lost): never retried. */
export const REFUSED_EXIT = 3;

/** A name of at most 63 characters (Argo's limit for WorkflowTemplates): long set names are cut and hashed. */
function objectName(prefix: string, gss: string): string {
  const full = `${prefix}${gss}`;
  if (full.length <= 63) return full;
  const h = createHash('sha256').update(gss).digest('hex').slice(0, 6);
  return `${prefix}${gss.slice(0, 63 - prefix.length - 7).replace(/[-.]+$/, '')}-${h}`;
}

export function argoNames(gss: string): { serviceAccount: string; role: string; template: string; mutex: string } {
  const n = objectName('okg-release-', gss);
  return { serviceAccount: n, role: n, template: n, mutex: n };
}

function retry(limit: number): Record<string, unknown> {
  // Always: a script that exits 1 is retried too (the seed's OnError never retries one); never a refusal.
  return {
    limit: String(limit),
    retryPolicy: 'Always',
    expression: `asInt(lastRetry.exitCode) != ${REFUSED_EXIT}`,
    backoff: { duration: '5s', factor: '2', cap: '1m' },
  };
}

const P = (name: string) => `{{workflow.parameters.${name}}}`;

/** The environment of each step: parameters (never pasted into the source), and who this workflow is. */
function env(step: ArgoStep): { name: string; value: string }[] {
  const common = [
    ['NS', P('namespace')],
    ['GSS_NAME', P('game-server-set')],
    ['IMAGES', P('images')],
    ['TIMEOUT', P('timeout')],
    ['POLL_SECONDS', POLL_SECONDS],
    ['WF_UID', '{{workflow.uid}}'],
    ['WF_NAME', '{{workflow.name}}'],
    ['WF_NS', '{{workflow.namespace}}'],
  ];
  const extra: Record<string, string[][]> = {
    lock: [
      ['ADD', P('add')],
      ['READY', P('ready')],
      ['RECLAIM', P('reclaim')],
      ['SETTLE', P('settle')],
      ['FAIL_FAST', P('fail-fast')],
      ['RETIRE', P('retire-ops-states')],
      ['FIX', P('fix-update-strategy')],
      ['LEASE_SECONDS', P('lease-seconds')],
    ],
    'patch-image': [['FIX', P('fix-update-strategy')]],
    'wait-ready': [['FAIL_FAST', P('fail-fast')]],
    mark: [['RETIRE', P('retire-ops-states')]],
    settle: [['SETTLE', P('settle')]],
    'record-outcome': [['WF_STATUS', '{{workflow.status}}']],
  };
  return [...common, ...(extra[step] ?? [])].map(([name, value]) => ({ name, value }));
}

const RETRIES: Record<ArgoStep, number> = {
  lock: 3,
  'patch-image': 5,
  'wait-generation': 2,
  scale: 5,
  'wait-ready': 2,
  mark: 5,
  settle: 2,
  'reclaim-scale-down': 3,
  'reclaim-kill': 5,
  'record-outcome': 5,
};

/** The DAG, strictly sequential; `when` skips the optional steps (a skipped dependency lets the next one run). */
const TASKS: { name: string; template: ArgoStep | 'approve'; when?: string }[] = [
  { name: 'lock', template: 'lock' },
  { name: 'patch-image', template: 'patch-image' },
  { name: 'wait-generation', template: 'wait-generation' },
  { name: 'scale', template: 'scale' },
  { name: 'wait-ready', template: 'wait-ready' },
  { name: 'approve', template: 'approve', when: `'${P('approval')}' == 'true'` },
  { name: 'mark', template: 'mark' },
  { name: 'settle', template: 'settle', when: `'${P('reclaim')}' != 'none' && '${P('settle')}' != '0'` },
  { name: 'reclaim-scale-down', template: 'reclaim-scale-down', when: `'${P('reclaim')}' == 'scale-down'` },
  { name: 'reclaim-kill', template: 'reclaim-kill', when: `'${P('reclaim')}' == 'kill'` },
];

/** The release's parameter values, from the plan. */
function parameters(plan: ReleasePlan, opts: ArgoOptions, leaseSeconds: number): { name: string; value: string }[] {
  const inp = plan.input;
  return [
    { name: 'namespace', value: inp.namespace },
    { name: 'game-server-set', value: inp.gameServerSet },
    { name: 'images', value: JSON.stringify(inp.images.map(c => ({ container: c.container, image: c.image }))) },
    { name: 'add', value: String(plan.newRooms) },
    { name: 'ready', value: String(plan.ready) },
    { name: 'reclaim', value: inp.reclaim },
    { name: 'settle', value: String(Math.round(inp.settleMs) / 1000) },
    { name: 'approval', value: opts.approval ? 'true' : 'false' },
    { name: 'timeout', value: String(Math.max(1, Math.ceil(inp.timeoutMs / 1000))) },
    { name: 'fail-fast', value: String(Math.round(inp.failFastAfterMs ?? DEFAULT_FAIL_FAST_AFTER_MS) / 1000) },
    { name: 'retire-ops-states', value: JSON.stringify(inp.retireOpsStates) },
    { name: 'fix-update-strategy', value: plan.fixesUpdateStrategy ? 'true' : 'false' },
    { name: 'lease-seconds', value: String(leaseSeconds) },
  ];
}

const DESCRIPTIONS: Record<string, string> = {
  namespace: 'namespace of the GameServerSet (the Workflow, its ServiceAccount and Role live there too)',
  'game-server-set': 'the GameServerSet to release',
  images: 'JSON list of {"container": NAME, "image": IMAGE}: the new image per container',
  add: 'new rooms to create (scale up by this many)',
  ready: 'new-version rooms that must be Ready before old ones are marked (0..add)',
  reclaim: 'none (marked rooms stay), scale-down (lower replicas by the confirmed marks) or kill (set Kill)',
  settle:
    'the settle window, seconds: after marking, a matchmaker with a view this old has written its Allocated before the reclaim re-reads the rooms',
  approval: 'true: suspend before marking until the workflow is resumed',
  timeout: 'seconds each wait may take',
  'fail-fast':
    'seconds: stop the wait for Ready early when too few new rooms can still become ready (a bad image, a crash loop) for this long; 0: off',
  'retire-ops-states': 'JSON list of the opsStates an old room may have to be retired',
  'fix-update-strategy': 'true: drop rollingUpdate (which defeats OnDelete) with the image patch',
  'lease-seconds': 'how long the lease on the set lasts without the exit handler (keep it above activeDeadlineSeconds)',
};

/** The objects of the export, for a planned release. */
export function exportArgo(plan: ReleasePlan, opts: ArgoOptions = {}): ArgoExport {
  const image = opts.image ?? DEFAULT_KUBECTL_IMAGE;
  const ns = plan.input.namespace;
  const gss = plan.input.gameServerSet;
  const names = argoNames(gss);
  const timeout = Math.max(1, Math.ceil(plan.input.timeoutMs / 1000));
  const deadline =
    opts.deadlineSeconds ?? 3 * timeout + Math.ceil(plan.input.settleMs / 1000) + (opts.approval ? 3600 : 0) + 600;
  const lease = deadline + 600;
  const labels = {
    'app.kubernetes.io/managed-by': 'okg-ops',
    'okg-ops/release-of': gss.slice(0, 63).replace(/[-.]+$/, ''),
  };
  const params = parameters(plan, opts, lease);

  const script = (step: ArgoStep, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: step,
    retryStrategy: retry(RETRIES[step]),
    ...extra,
    script: { image, command: ['bash'], source: ARGO_SCRIPTS[step], env: env(step) },
  });
  const templates: Record<string, unknown>[] = [
    {
      name: 'release',
      dag: {
        tasks: TASKS.map((t, i) => ({
          name: t.name,
          template: t.template,
          ...(i ? { dependencies: [TASKS[i - 1].name] } : {}),
          ...(t.when ? { when: t.when } : {}),
        })),
      },
    },
    script('lock'),
    script('patch-image'),
    script('wait-generation'),
    script('scale'),
    script('wait-ready'),
    { name: 'approve', suspend: {} },
    script('mark', { outputs: { parameters: [{ name: 'marked', valueFrom: { path: '/tmp/marked', default: '' } }] } }),
    script('settle'),
    script('reclaim-scale-down'),
    script('reclaim-kill'),
    script('record-outcome'),
  ];

  const rbacMeta = (name: string) => ({ name, namespace: ns, labels });
  return {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: rbacMeta(names.serviceAccount) },
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: rbacMeta(names.role),
      rules: [
        // the set itself: read it, patch image/replicas/updateStrategy and the release record annotation
        { apiGroups: ['game.kruise.io'], resources: ['gameserversets'], resourceNames: [gss], verbs: ['get', 'patch'] },
        // rooms: list them (by owner label), read one after a refused write, patch opsState
        { apiGroups: ['game.kruise.io'], resources: ['gameservers'], verbs: ['get', 'list', 'patch'] },
        // pods: which rooms run the new image, and the opsState label OKG scales down by
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
        // Argo's executor reports each step's outputs (Workflow RBAC minimum)
        { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
      ],
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: rbacMeta(names.role),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.role },
      subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace: ns }],
    },
    workflowTemplate: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: names.template, namespace: ns, labels },
      spec: {
        serviceAccountName: names.serviceAccount,
        entrypoint: 'release',
        onExit: 'record-outcome',
        activeDeadlineSeconds: deadline,
        // one release of a set at a time among Argo workflows; the lease excludes `okg release` too
        synchronization: { mutexes: [{ name: names.mutex }] },
        podGC: { strategy: 'OnWorkflowSuccess' },
        arguments: {
          parameters: params.map(p => ({
            ...p,
            description: DESCRIPTIONS[p.name],
            ...(p.name === 'reclaim'
              ? { enum: ['none', 'scale-down', 'kill'] }
              : p.name === 'approval' || p.name === 'fix-update-strategy'
                ? { enum: ['true', 'false'] }
                : {}),
          })),
        },
        templates,
      },
    },
    workflow: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: `release-${gss}-`.slice(0, 50), namespace: ns, labels },
      spec: {
        workflowTemplateRef: { name: names.template },
        activeDeadlineSeconds: deadline,
        arguments: { parameters: params },
      },
    },
  };
}

/** Every object, in the order to create them (RBAC, then the template, then the Workflow). */
export function argoObjects(exp: ArgoExport): Manifest[] {
  return [exp.serviceAccount, exp.role, exp.roleBinding, exp.workflowTemplate, exp.workflow];
}

/** The export as one multi-document YAML file, ready for `kubectl create -f` (or `argo lint`). */
export function argoExportYaml(plan: ReleasePlan, opts: ArgoOptions = {}): string {
  const head = [
    `# Release of GameServerSet ${plan.input.namespace}/${plan.input.gameServerSet} as an Argo Workflow, exported by OKG Ops.`,
    `# kubectl create -f this file (the Workflow has a generateName; a second create makes a new release and keeps the template:`,
    `# use kubectl replace for the template, or okg release --submit-argo, which creates what is missing).`,
    `# The steps run in ${opts.image ?? DEFAULT_KUBECTL_IMAGE} (it must contain bash, kubectl and jq).`,
  ].join('\n');
  return `${head}\n${argoObjects(exportArgo(plan, opts))
    .map(o => yaml.dump(o, { lineWidth: -1, noRefs: true }))
    .join('---\n')}`;
}

/** A file name for the export: release-<set>-<yyyymmdd>.yaml (local date). */
export function argoFileName(gss: string, when = new Date()): string {
  const d = `${when.getFullYear()}${String(when.getMonth() + 1).padStart(2, '0')}${String(when.getDate()).padStart(2, '0')}`;
  return `release-${gss}-${d}.yaml`;
}
