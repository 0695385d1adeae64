// Tier B with Argo's own workflow-controller (test/controlplane/argo/cmd/argo-controller, built by
// scripts/argo-validate.mjs) on the real control plane: Argo's full CRDs and its workflow-controller-configmap are
// installed, the export is submitted as `okg release --submit-argo` submits it (submitArgo), and the controller
// takes the Workflow (Running, the first step's pod on the KWOK node), holds a second Workflow of the same set back
// with the set's mutex, and lets a Workflow of another set run. KWOK runs no containers, so the steps' scripts do
// not execute here (they run locally: test/release/argoRun.test.ts). See docs/controlplane.md.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { after, before, describe, it } from 'mocha';
import { argoNames, DEFAULT_KUBECTL_IMAGE, exportArgo, type ArgoExport } from '../../src/release/argo.js';
import { submitArgo, workflowStatus } from '../../src/release/argoSubmit.js';
import { previewRelease } from '../../src/release/engine.js';
import type { ReleasePlan } from '../../src/release/types.js';
import { argoValidator } from '../release/argoRun.js';
import { client, GSS, NS, seedInput, startWorld } from '../release/helpers.js';
import { controlPlaneOptOut, startOkgWorld, type World } from './world.js';
import type { OkgControlPlane } from '../../scripts/controlplane-okg.mjs';

const OTHER = 'lobby';
const ARGO_NS = 'argo';
const mutexOf = (gss: string) => `${NS}/Mutex/${argoNames(gss).mutex}`;

interface MutexHolding {
  mutex?: string;
  holder?: string;
}
interface Workflow {
  metadata: { name: string };
  status?: {
    phase?: string;
    message?: string;
    synchronization?: { mutex?: { holding?: MutexHolding[]; waiting?: MutexHolding[] } };
  };
}
interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { nodeName?: string; serviceAccountName?: string; containers: { name: string; image: string }[] };
  status?: { phase?: string };
}

function tierBOptOut(): string | undefined {
  return (
    controlPlaneOptOut() ??
    (process.env.OKG_NO_TIER_B === '1' ? 'OKG_NO_TIER_B=1 is set: real OKG (tier B) was not started' : undefined)
  );
}

/** The TCP ports process `pid` listens on (Linux: its socket inodes matched against /proc/net/tcp{,6}). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map(fd => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined; // closed meanwhile
        }
      })
      .filter((i): i is string => !!i),
  );
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the inode
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

describe("Argo's workflow-controller on real OKG (tier B): the export runs under Argo's own controller", function () {
  this.timeout(5 * 60_000);
  const optOut = tierBOptOut();
  if (optOut) {
    it(`is not run: ${optOut}`, () => {
      assert.ok(optOut);
    });
    return;
  }
  let world: (World & { cp: OkgControlPlane }) | undefined;
  let controller: ChildProcess | undefined;
  let controllerExit: Promise<number | string> | undefined;
  let logDir: string;
  let kc: KubeConfig;
  let plan: ReleasePlan;
  const first: { name?: string } = {};
  const second: { name?: string } = {};

  const log = () => {
    try {
      return readFileSync(join(logDir, 'argo-controller.log'), 'utf8').trimEnd().split('\n').slice(-40).join('\n');
    } catch {
      return '';
    }
  };
  const getJson = <T>(args: string[]): T => JSON.parse(world!.cp.kubectl([...args, '-o', 'json'])) as T;
  const workflow = (name: string) => getJson<Workflow>(['get', 'workflows.argoproj.io', name, '-n', NS]);
  const podsOf = (name: string) =>
    getJson<{ items: Pod[] }>(['get', 'pods', '-n', NS, '-l', `workflows.argoproj.io/workflow=${name}`]).items;
  /** Polls `check` until it holds, at most `attempts` times 250 ms apart; fails with `what`, the state seen and the controller's log. */
  const until = async (what: string, check: () => boolean | Promise<boolean>, seen: () => unknown, attempts = 480) => {
    for (let i = 0; i < attempts; i++) {
      if (controller?.exitCode !== null || controller?.signalCode)
        assert.fail(`argo-controller exited before ${what}:\n${log()}`);
      if (await check()) return;
      await new Promise(r => setTimeout(r, 250));
    }
    assert.fail(`never saw ${what}; last seen: ${JSON.stringify(seen())}\nargo-controller's log:\n${log()}`);
  };
  const exportOf = (gss: string): ArgoExport => exportArgo({ ...plan, input: { ...plan.input, gameServerSet: gss } });

  before(async function () {
    this.timeout(60 * 60_000); // the first builds (kubernetes, kruise, kruise-game, Argo); later runs reuse them
    const argo = await argoValidator();
    const sb = await startWorld();
    try {
      const r = await previewRelease(seedInput({ reclaim: 'scale-down' }), { client: client(sb) });
      assert.ok(r.plan, r.message);
      plan = r.plan;
    } finally {
      await sb.stop();
    }
    world = await startOkgWorld();
    kc = world.kubeConfig('admin');
    world.cp.kubectl(['apply', '--server-side', '--field-manager', 'okg-argo-test', '-f', argo.crds.full]);
    // kubectl wait fails while a new CRD has no conditions yet: ask each of Argo's until it is Established
    const established = (crd: string) => {
      try {
        return (
          world!.cp
            .kubectl(['get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'])
            .trim() === 'True'
        );
      } catch {
        return false;
      }
    };
    for (const crd of readdirSync(argo.crds.full).map(f => f.replace(/^argoproj\.io_(\w+)\.yaml$/, '$1.argoproj.io'))) {
      for (let i = 0; !established(crd); i++) {
        assert.ok(i < 300, `Argo's CRD ${crd} is not Established`);
        await new Promise(res => setTimeout(res, 100));
      }
    }
    world.cp.kubectl(['create', 'namespace', ARGO_NS]);
    world.cp.kubectl(['create', '-n', ARGO_NS, '-f', argo.controllerConfigMap]);
    logDir = mkdtempSync(join(tmpdir(), 'okg-argo-controller-'));
    const fd = openSync(join(logDir, 'argo-controller.log'), 'a');
    controller = spawn(argo.controller, ['-kubeconfig', world.kubeconfigPath('admin'), '-namespace', ARGO_NS], {
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const child = controller;
    controllerExit = new Promise(res => child.once('exit', (code, signal) => res(code ?? signal ?? -1)));
  });
  after(async () => {
    if (controller && controller.exitCode === null && !controller.signalCode) {
      controller.kill('SIGTERM');
      await controllerExit;
    }
    await world?.stop();
    if (logDir && !process.env.OKG_KEEP_CONTROLPLANE) rmSync(logDir, { recursive: true, force: true });
  });

  it("the WorkflowTemplate and Workflow are admitted, and the controller runs the Workflow: Running, holding the set's mutex, its first step's pod on the KWOK node", async () => {
    const r = await submitArgo(kc, exportOf(GSS));
    const names = argoNames(GSS);
    assert.deepEqual(r.actions, [
      `created ServiceAccount ${names.serviceAccount}`,
      `created Role ${names.role}`,
      `created RoleBinding ${names.role}`,
      `created WorkflowTemplate ${names.template}`,
      `created Workflow ${r.workflow}`,
    ]);
    first.name = r.workflow;
    let pods: Pod[] = [];
    await until(
      `Workflow ${r.workflow} Running with its lock step's pod Running`,
      async () => {
        const s = await workflowStatus(kc, NS, r.workflow);
        pods = podsOf(r.workflow);
        return s.phase === 'Running' && s.running.length > 0 && pods.length === 1;
      },
      () => ({ status: workflow(r.workflow).status, pods: pods.map(p => [p.metadata.name, p.status?.phase]) }),
    );
    // Argo runs a step with a retryStrategy as attempts lock(0), lock(1)…: the wizard's Run step lists the step
    assert.deepEqual((await workflowStatus(kc, NS, r.workflow)).running, ['lock']);
    const [pod] = pods;
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.spec.nodeName, 'kwok-node-0');
    assert.equal(pod.spec.serviceAccountName, names.serviceAccount);
    // Argo's pod: its wait sidecar (argoexec of the controller's own version) and the step in the export's image
    assert.deepEqual(
      pod.spec.containers.map(c => [c.name, c.image]),
      [
        ['wait', 'quay.io/argoproj/argoexec:v3.7.6'],
        ['main', DEFAULT_KUBECTL_IMAGE],
      ],
    );
    assert.equal(pod.metadata.labels?.['workflows.argoproj.io/workflow'], r.workflow);
    const holding = workflow(r.workflow).status?.synchronization?.mutex?.holding ?? [];
    assert.deepEqual(
      holding.map(h => h.mutex),
      [mutexOf(GSS)],
    );
  });

  it('a second Workflow of the same set is held back by the mutex: Pending, waiting for the lock, no pod', async () => {
    assert.ok(first.name, 'the first Workflow was not submitted');
    const r = await submitArgo(kc, exportOf(GSS));
    assert.ok(r.actions.includes(`created Workflow ${r.workflow}`), r.actions.join('; '));
    second.name = r.workflow;
    await until(
      `Workflow ${r.workflow} waiting for ${mutexOf(GSS)}`,
      () => (workflow(r.workflow).status?.synchronization?.mutex?.waiting ?? []).some(w => w.mutex === mutexOf(GSS)),
      () => workflow(r.workflow).status,
    );
    const s = workflow(r.workflow).status!;
    assert.equal(s.phase, 'Pending');
    assert.match(s.message ?? '', new RegExp(`^Waiting for ${mutexOf(GSS)} lock\\. Lock status: 0/1$`));
    assert.deepEqual(podsOf(r.workflow), []);
    // the first still holds it, and still runs
    assert.equal(workflow(first.name).status?.phase, 'Running');
    assert.deepEqual(
      (workflow(first.name).status?.synchronization?.mutex?.holding ?? []).map(h => h.mutex),
      [mutexOf(GSS)],
    );
  });

  it('a Workflow of another set is not held back: it runs beside the first, under its own mutex', async () => {
    assert.ok(second.name, 'the second Workflow was not submitted');
    const r = await submitArgo(kc, exportOf(OTHER));
    assert.ok(r.actions.includes(`created WorkflowTemplate ${argoNames(OTHER).template}`), r.actions.join('; '));
    let pods: Pod[] = [];
    await until(
      `Workflow ${r.workflow} (set ${OTHER}) Running with its lock step's pod Running`,
      async () => {
        const s = await workflowStatus(kc, NS, r.workflow);
        pods = podsOf(r.workflow);
        return s.phase === 'Running' && s.running.length > 0 && pods.length === 1;
      },
      () => ({ status: workflow(r.workflow).status, pods: pods.map(p => [p.metadata.name, p.status?.phase]) }),
    );
    assert.deepEqual((await workflowStatus(kc, NS, r.workflow)).running, ['lock']);
    assert.deepEqual(
      (workflow(r.workflow).status?.synchronization?.mutex?.holding ?? []).map(h => h.mutex),
      [mutexOf(OTHER)],
    );
    // the second of the first set still waits
    const held = workflow(second.name).status!;
    assert.equal(held.phase, 'Pending');
    assert.deepEqual(podsOf(second.name), []);
  });

  it('the controller listens on no port, and stops on SIGTERM', async () => {
    assert.ok(controller?.pid, 'argo-controller did not start');
    assert.deepEqual(listeningPorts(controller.pid), []);
    controller.kill('SIGTERM');
    assert.equal(await controllerExit, 0, log());
  });
});
