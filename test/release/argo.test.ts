// The Argo export checked by Argo's own code: every variant (each reclaim mode, with and without approval, one and
// several containers, another image) passes `argo lint --offline --strict` built from argo-workflows' Go module,
// a broken one does not; and the shape the issue asks for: a WorkflowTemplate with parameters used by the Workflow,
// a mutex per set (held by Argo's own synchronization manager), bounded retries that retry exit 1 on every step, a deadline, an approval step, an exit handler,
// least-privilege RBAC in the set's namespace, the kubectl image as an option. Executed: argoRun.test.ts.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import yaml from 'js-yaml';
import {
  argoExportYaml,
  argoFileName,
  argoObjects,
  DEFAULT_KUBECTL_IMAGE,
  exportArgo,
  type ArgoExport,
  type ArgoOptions,
} from '../../src/release/argo.js';
import { ARGO_SCRIPTS } from '../../src/release/argoScripts.js';
import { previewRelease } from '../../src/release/engine.js';
import type { ReleasePlan, ReclaimMode } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { argoLint, argoMutex, argoValidator } from './argoRun.js';
import { client, GSS, NS, seedInput, startWorld } from './helpers.js';

interface Tpl {
  name: string;
  script?: { source: string; image: string; env: { name: string; value: string }[] };
  retryStrategy?: { limit: string; retryPolicy: string; expression?: string };
  dag?: { tasks: { name: string; template: string; when?: string; dependencies?: string[] }[] };
  suspend?: object;
}

const templates = (e: ArgoExport) => e.workflowTemplate.spec.templates as unknown as Tpl[];
const param = (e: ArgoExport, name: string) => e.workflow.spec.arguments.parameters.find(p => p.name === name)?.value;

/** The plan with another settle window (the release's --settle). */
function withSettle(plan: ReleasePlan, settleMs: number): ReleasePlan {
  return { ...plan, input: { ...plan.input, settleMs } };
}

/** The seed plan with a second container (a sidecar), as a set with several containers gives. */
function twoContainers(plan: ReleasePlan): ReleasePlan {
  return {
    ...plan,
    input: {
      ...plan.input,
      images: [...plan.input.images, { container: 'sidecar', image: 'registry.example/agent:2.0' }],
    },
    oldImages: [...plan.oldImages, { container: 'sidecar', image: 'registry.example/agent:1.0' }],
  };
}

describe("Argo export: checked by Argo's own lint, and its shape", function () {
  this.timeout(120_000);
  let sb: Sandbox;
  let lint: string;
  let mutexBin: string;
  const plans = new Map<ReclaimMode, ReleasePlan>();
  before(async () => {
    ({ bin: lint, mutex: mutexBin } = await argoValidator());
    sb = await startWorld();
    for (const reclaim of ['none', 'scale-down', 'kill'] as const) {
      const r = await previewRelease(seedInput({ reclaim }), { client: client(sb) });
      assert.ok(r.plan, r.message);
      plans.set(reclaim, r.plan);
    }
  });
  after(async () => {
    await sb?.stop();
  });

  const variants: [string, ReclaimMode, ArgoOptions, boolean, number?][] = [];
  for (const reclaim of ['none', 'scale-down', 'kill'] as const) {
    variants.push([`reclaim ${reclaim}`, reclaim, {}, false]);
    variants.push([`reclaim ${reclaim}, approval, settle 1.5 s`, reclaim, { approval: true }, false, 1500]);
  }
  variants.push(['two containers, reclaim scale-down, settle 0', 'scale-down', {}, true, 0]);
  variants.push([
    'two containers, approval, another image',
    'kill',
    { approval: true, image: 'registry.example/tools/kubectl-jq:1.34' },
    true,
  ]);
  for (const [title, reclaim, opts, two, settleMs] of variants) {
    it(`${title}: argo lint --offline --strict passes; the YAML round-trips; every script parses`, () => {
      const base = two ? twoContainers(plans.get(reclaim)!) : plans.get(reclaim)!;
      const plan = settleMs === undefined ? base : withSettle(base, settleMs);
      const text = argoExportYaml(plan, opts);
      const r = argoLint(lint, text);
      assert.ok(r.ok, r.output);
      assert.match(r.output, /no linting errors found/i);
      const docs = yaml.loadAll(text);
      assert.deepEqual(docs, JSON.parse(JSON.stringify(argoObjects(exportArgo(plan, opts)))));
      for (const t of templates(exportArgo(plan, opts)).filter(x => x.script)) {
        const b = spawnSync('bash', ['-n'], { input: t.script!.source, encoding: 'utf8' });
        assert.equal(b.status, 0, `${t.name}: ${b.stderr}`);
      }
      assert.equal(param(exportArgo(plan, opts), 'images'), JSON.stringify(plan.input.images));
    });
  }

  it("the lint is live: typos, a wrong reference and an unknown field are each rejected with Argo's reason", () => {
    const base = exportArgo(plans.get('scale-down')!);
    const broken = (f: (e: ArgoExport) => void) => {
      const e = JSON.parse(JSON.stringify(base)) as ArgoExport;
      f(e);
      return argoObjects(e)
        .map(o => yaml.dump(o))
        .join('---\n');
    };
    const cases: [string, (e: ArgoExport) => void, RegExp][] = [
      [
        'an undefined parameter',
        e => {
          templates(e)[1].script!.env.push({ name: 'X', value: '{{workflow.parameters.nope}}' });
        },
        /nope/,
      ],
      [
        'a task naming no template',
        e => {
          templates(e)[0].dag!.tasks[2].template = 'missing';
        },
        /missing/,
      ],
      [
        'an unknown field',
        e => {
          (templates(e)[1] as unknown as Record<string, unknown>).retryStrategyy = {};
        },
        /retryStrategyy/,
      ],
      [
        'a Workflow whose template is not there',
        e => {
          (e.workflow.spec as unknown as { workflowTemplateRef: { name: string } }).workflowTemplateRef.name = 'other';
        },
        /other/,
      ],
    ];
    for (const [what, f, re] of cases) {
      const r = argoLint(lint, broken(f));
      assert.equal(r.ok, false, `${what} passed the lint`);
      assert.match(r.output, re, what);
    }
  });

  it("a WorkflowTemplate with the release's parameters, and a Workflow that uses it: one template serves every release of a set", () => {
    const a = exportArgo(plans.get('none')!);
    const b = exportArgo(withSettle(plans.get('kill')!, 60_000), { approval: true });
    assert.equal(a.workflowTemplate.kind, 'WorkflowTemplate');
    assert.equal(a.workflowTemplate.metadata.name, `okg-release-${GSS}`);
    assert.deepEqual(a.workflow.spec.workflowTemplateRef, { name: `okg-release-${GSS}` });
    assert.equal((a.workflow.spec as Record<string, unknown>).templates, undefined);
    assert.deepEqual(
      a.workflowTemplate.spec.arguments.parameters.map(p => p.name),
      [
        'namespace',
        'game-server-set',
        'images',
        'add',
        'ready',
        'reclaim',
        'settle',
        'approval',
        'timeout',
        'fail-fast',
        'retire-ops-states',
        'fix-update-strategy',
        'lease-seconds',
      ],
    );
    // the same template (steps, RBAC) for two different releases; only the Workflow's arguments differ
    assert.deepEqual(templates(a), templates(b));
    assert.deepEqual(a.role, b.role);
    // the settle window is the release's own (--settle, default 2 s), in seconds
    assert.deepEqual(
      [param(a, 'reclaim'), param(a, 'approval'), param(a, 'settle'), param(a, 'add'), param(a, 'ready')],
      ['none', 'false', '2', '3', '3'],
    );
    assert.deepEqual([param(b, 'reclaim'), param(b, 'approval'), param(b, 'settle')], ['kill', 'true', '60']);
    assert.equal(param(exportArgo(withSettle(plans.get('kill')!, 1500)), 'settle'), '1.5');
    assert.equal(param(exportArgo(withSettle(plans.get('kill')!, 0)), 'settle'), '0');
    // no value is pasted into a script: every step reads its parameters from the environment
    for (const t of templates(a).filter(x => x.script)) {
      assert.doesNotMatch(t.script!.source, /\{\{|minecraft|1\.12\.2/, t.name);
      assert.ok(
        t.script!.env.some(e => e.name === 'GSS_NAME' && e.value === '{{workflow.parameters.game-server-set}}'),
        t.name,
      );
    }
  });

  it('a mutex per set, a deadline, an exit handler, an approval step before marking, and retries on every step that retry exit 1 but not a refusal', () => {
    const e = exportArgo(plans.get('scale-down')!, { approval: true });
    const spec = e.workflowTemplate.spec as Record<string, unknown>;
    assert.deepEqual(spec.synchronization, { mutexes: [{ name: `okg-release-${GSS}` }] });
    assert.equal(spec.onExit, 'record-outcome');
    assert.ok(Number(spec.activeDeadlineSeconds) >= 3 * 20 + 3600, 'the deadline covers the waits and the approval');
    assert.equal(e.workflow.spec.activeDeadlineSeconds, spec.activeDeadlineSeconds);
    assert.ok(
      Number(param(e, 'lease-seconds')) > Number(spec.activeDeadlineSeconds),
      'the lease outlives the deadline (the exit handler frees it before)',
    );
    const tasks = templates(e).find(t => t.name === 'release')!.dag!.tasks;
    assert.deepEqual(
      tasks.map(t => t.name),
      [
        'lock',
        'patch-image',
        'wait-generation',
        'scale',
        'wait-ready',
        'approve',
        'mark',
        'settle',
        'reclaim-scale-down',
        'reclaim-kill',
      ],
    );
    tasks.forEach((t, i) =>
      assert.deepEqual(t.dependencies, i ? [tasks[i - 1].name] : undefined, 'strictly sequential'),
    );
    assert.equal(tasks.find(t => t.name === 'approve')!.when, "'{{workflow.parameters.approval}}' == 'true'");
    assert.deepEqual(templates(e).find(t => t.name === 'approve')!.suspend, {});
    for (const t of templates(e).filter(x => x.script)) {
      assert.equal(
        t.retryStrategy?.retryPolicy,
        'Always',
        `${t.name}: the seed's OnError never retries a script that exits 1`,
      );
      assert.ok(Number(t.retryStrategy?.limit) >= 2 && Number(t.retryStrategy?.limit) <= 5, `${t.name}: bounded`);
      assert.equal(t.retryStrategy?.expression, 'asInt(lastRetry.exitCode) != 3', `${t.name}: a refusal is final`);
    }
  });

  it("the mutex, by Argo's own synchronization manager: a second release of the set waits until the first is done; another set's release does not", () => {
    const bin = mutexBin;
    const minecraft = plans.get('scale-down')!;
    const lobby: ReleasePlan = { ...minecraft, input: { ...minecraft.input, gameServerSet: 'lobby' } };
    const text = (p: ReleasePlan, o: ArgoOptions = {}) => argoExportYaml(p, o);
    const r = argoMutex(bin, [text(minecraft), text(minecraft, { approval: true }), text(lobby)]);
    assert.deepEqual(
      r.map(x => [x.round, x.workflow, x.locks.join(','), x.acquired]),
      [
        [1, 'default/release-minecraft-1', 'Mutex/okg-release-minecraft', true],
        [1, 'default/release-minecraft-2', 'Mutex/okg-release-minecraft', false],
        [1, 'default/release-lobby-3', 'Mutex/okg-release-lobby', true],
        [2, 'default/release-minecraft-2', 'Mutex/okg-release-minecraft', true],
      ],
    );
    assert.match(r[1].message, /^Waiting for default\/Mutex\/okg-release-minecraft lock/);
    // the check is live: without the template's synchronization nothing is held back
    const open = exportArgo(minecraft);
    delete (open.workflowTemplate.spec as Record<string, unknown>).synchronization;
    const openText = argoObjects(open)
      .map(o => yaml.dump(o))
      .join('---\n');
    assert.deepEqual(
      argoMutex(bin, [openText, openText]).map(x => x.acquired),
      [true, true],
    );
  });

  it("least privilege: its own ServiceAccount, a Role in the set's namespace with only what the steps use, bound to it", () => {
    const e = exportArgo(plans.get('kill')!);
    assert.equal(e.workflowTemplate.spec.serviceAccountName, `okg-release-${GSS}`);
    for (const o of argoObjects(e)) assert.equal(o.metadata.namespace, NS, `${o.kind} lives in the set's namespace`);
    assert.deepEqual(e.role.rules, [
      { apiGroups: ['game.kruise.io'], resources: ['gameserversets'], resourceNames: [GSS], verbs: ['get', 'patch'] },
      { apiGroups: ['game.kruise.io'], resources: ['gameservers'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
    ]);
    assert.deepEqual(e.roleBinding.subjects, [{ kind: 'ServiceAccount', name: `okg-release-${GSS}`, namespace: NS }]);
    assert.deepEqual(e.roleBinding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: `okg-release-${GSS}`,
    });
    // every kubectl verb in the scripts is one the Role grants
    const all = Object.values(ARGO_SCRIPTS).join('\n');
    const used = new Set(
      [...all.matchAll(/kubectl (get|patch) (gameserversets|gameservers|pods)\b/g)].map(m => `${m[1]} ${m[2]}`),
    );
    const lists = [...all.matchAll(/kubectl get (gameservers|pods)(?:\.game\.kruise\.io)? -n "\$NS" -l/g)].map(
      m => `list ${m[1]}`,
    );
    assert.ok(lists.length >= 2);
    for (const u of [...used, ...lists]) {
      const [verb, res] = u.split(' ');
      assert.ok(
        e.role.rules.some(
          r =>
            (r as { resources: string[]; verbs: string[] }).resources.includes(res) &&
            (r as { verbs: string[] }).verbs.includes(verb === 'get' && res === 'pods' ? 'list' : verb),
        ),
        `the Role grants ${u}`,
      );
    }
    assert.doesNotMatch(all, /kubectl (delete|create|apply|replace|scale|edit)\b/);
  });

  it('the kubectl image: a maintained default with bash, kubectl and jq, or the one asked for; no personal third-party image', () => {
    assert.equal(DEFAULT_KUBECTL_IMAGE, 'docker.io/alpine/k8s:1.34.1');
    const images = (e: ArgoExport) => [
      ...new Set(
        templates(e)
          .filter(t => t.script)
          .map(t => t.script!.image),
      ),
    ];
    assert.deepEqual(images(exportArgo(plans.get('none')!)), [DEFAULT_KUBECTL_IMAGE]);
    assert.deepEqual(images(exportArgo(plans.get('none')!, { image: 'registry.example/kubectl:1.34' })), [
      'registry.example/kubectl:1.34',
    ]);
    assert.doesNotMatch(
      argoExportYaml(plans.get('none')!),
      /chrisliu95|kruise-game-system|kruise-game-controller-manager/,
    );
  });

  it('the file name: release-<set>-<date>.yaml', () => {
    assert.equal(argoFileName('minecraft', new Date(2026, 11, 1, 15, 4)), 'release-minecraft-20261201.yaml');
    assert.equal(argoFileName('a', new Date(2027, 0, 9)), 'release-a-20270109.yaml');
  });
});
