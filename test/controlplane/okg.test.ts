// Tier B: real OKG. kube-apiserver + etcd + kube-controller-manager + kube-scheduler + KWOK + kruise-manager +
// kruise-game-manager, all built from Go modules (scripts/controlplane-okg.mjs). First a smoke of the real chain
// (GameServerSet → Advanced StatefulSet → Pods on the KWOK node → GameServers, garbage collection), then the very
// scenario suite the sandbox and tier A run with our emulator — so every room-by-room expectation the emulator
// meets is also met by OpenKruise Game itself.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { seedGameServerSet } from '../../src/sandbox/scenarios.js';
import { eventually } from '../helpers/kubectl.js';
import { http } from './http.js';
import { describeScenarios, loadSeed } from './scenarios.js';
import { controlPlaneOptOut, kubectlBinary, startControllerManagerWorld, startOkgWorld, type World } from './world.js';
import { KNOWN_DIFFERENCES, differences, failureScript, networkScript, script } from './compare.js';
import { startOkgEmulator } from '../../src/sandbox/okg/emulator.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The fail rules and kubelet timing tier B's KWOK stages play (scripts/controlplane-okg.mjs; loaded from the repo, not out/). */
const tierBFailures = async () => {
  const s = (await import(
    pathToFileURL(join(import.meta.dirname, '..', '..', '..', 'scripts', 'controlplane-okg.mjs')).href
  )) as typeof import('../../scripts/controlplane-okg.mjs');
  return { failImages: s.TIER_B_FAIL_IMAGES, backoffBaseMs: s.TIER_B_BACKOFF_BASE_MS };
};

interface Meta {
  name: string;
  uid: string;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  deletionTimestamp?: string;
}
interface Obj {
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** Why tier B does not run, or undefined. OKG_NO_TIER_B=1 leaves out only tier B (e.g. to iterate on tier A). */
function tierBOptOut(): string | undefined {
  return (
    controlPlaneOptOut() ??
    (process.env.OKG_NO_TIER_B === '1' ? 'OKG_NO_TIER_B=1 is set: real OKG (tier B) was not started' : undefined)
  );
}

const NS = 'okg-smoke';
const ownerOf = (o: Obj) => o.metadata.ownerReferences?.filter(r => r.controller).map(r => `${r.kind}/${r.name}`);

describe('real OKG (tier B): kube-apiserver, kube-controller-manager, kube-scheduler, KWOK, kruise-manager, kruise-game', function () {
  this.timeout(120_000);
  const optOut = tierBOptOut();
  if (optOut) {
    it(`is not run: ${optOut}`, () => {
      assert.ok(optOut);
    });
    return;
  }
  let world: World | undefined;
  let kubectl = 'kubectl';
  before(async function () {
    this.timeout(60 * 60_000); // the first builds (kubernetes, kruise, kruise-game); later runs reuse them
    world = await startOkgWorld();
    kubectl = await kubectlBinary();
  });
  after(async () => {
    await world?.stop();
  });

  describe('smoke: the real chain', () => {
    const list = async (path: string): Promise<Obj[]> =>
      ((await http(world!)('GET', path)).body as { items: Obj[] }).items;
    const gsPath = `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameservers`;
    const podPath = `/api/v1/namespaces/${NS}/pods`;
    const ready = (p: Obj) =>
      (p.status?.conditions as { type: string; status: string }[] | undefined)?.some(
        c => c.type === 'Ready' && c.status === 'True',
      );

    it('a GameServerSet of 3 makes an Advanced StatefulSet, 3 Ready pods on the KWOK node and 3 Ready GameServers', async () => {
      const admin = http(world!);
      assert.equal(
        (await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }))
          .status,
        201,
      );
      const gss = { ...seedGameServerSet(), metadata: { name: 'smoke', namespace: NS } };
      const created = await admin('POST', `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameserversets`, gss);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await eventually(
        async () => (await list(gsPath)).filter(g => g.status?.currentState === 'Ready').length === 3,
        60_000,
        '3 Ready GameServers',
      );
      const asts = (await admin('GET', `/apis/apps.kruise.io/v1beta1/namespaces/${NS}/statefulsets/smoke`)).body as Obj;
      assert.deepEqual(ownerOf(asts), ['GameServerSet/smoke']);
      assert.equal(asts.spec?.podManagementPolicy, 'Parallel');
      const pods = (await list(podPath)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      assert.deepEqual(
        pods.map(p => [
          p.metadata.name,
          p.status?.phase,
          ready(p),
          (p.spec as { nodeName?: string }).nodeName,
          ownerOf(p)?.[0],
        ]),
        [0, 1, 2].map(i => [`smoke-${i}`, 'Running', true, 'kwok-node-0', 'StatefulSet/smoke']),
      );
      const gs = (await list(gsPath)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      assert.deepEqual(
        gs.map(g => [g.metadata.name, g.spec?.opsState, ownerOf(g)?.[0]]),
        [0, 1, 2].map(i => [`smoke-${i}`, 'None', `Pod/smoke-${i}`]),
      );
      assert.deepEqual(
        gs.map(g => g.metadata.ownerReferences?.[0].controller),
        [true, true, true],
      );
    });

    it('deleting a pod lets the garbage collector remove its GameServer; OKG makes a fresh one (opsState None) for the new pod', async () => {
      const admin = http(world!);
      const marked = await admin('PATCH', `${gsPath}/smoke-1`, { spec: { opsState: 'Maintaining' } });
      assert.equal(marked.status, 200);
      const before = ((await admin('GET', `${gsPath}/smoke-1`)).body as Obj).metadata.uid;
      const podBefore = ((await admin('GET', `${podPath}/smoke-1`)).body as Obj).metadata.uid;
      await world!.clearWrites!();
      assert.equal((await admin('DELETE', `${podPath}/smoke-1`)).status, 200);
      await eventually(
        async () => {
          const r = await admin('GET', `${gsPath}/smoke-1`);
          return (
            r.status === 200 &&
            (r.body as Obj).metadata.uid !== before &&
            (r.body as Obj).status?.currentState === 'Ready'
          );
        },
        60_000,
        'a new GameServer smoke-1, Ready',
      );
      const pod = (await admin('GET', `${podPath}/smoke-1`)).body as Obj;
      assert.notEqual(pod.metadata.uid, podBefore);
      const gs = (await admin('GET', `${gsPath}/smoke-1`)).body as Obj;
      assert.equal(gs.spec?.opsState, 'None', 'reclaimPolicy Cascade: the ops mark went with the old pod (API.md §1)');
      assert.deepEqual(
        gs.metadata.ownerReferences?.map(r => r.name),
        ['smoke-1'],
      );
      const gsDeletes = (await world!.writes!()).filter(w => w.verb === 'delete' && w.resource === 'gameservers');
      // (the garbage collector may first lose a precondition race, 409, and retry)
      assert.deepEqual(
        gsDeletes.filter(w => w.code < 300).map(w => `${w.user} ${w.name} ${w.code}`),
        ['system:kube-controller-manager smoke-1 200'],
        'the garbage collector, not OKG, removed the old GameServer',
      );
      assert.ok(
        gsDeletes.every(w => w.user === 'system:kube-controller-manager'),
        JSON.stringify(gsDeletes.map(w => `${w.user} ${w.code}`)),
      );
    });

    it('deleting the namespace removes everything in it (namespace controller)', async () => {
      const admin = http(world!);
      assert.equal((await admin('DELETE', `/api/v1/namespaces/${NS}`)).status, 200);
      await eventually(
        async () => (await admin('GET', `/api/v1/namespaces/${NS}`)).status === 404,
        90_000,
        `namespace ${NS} to be gone`,
      );
    });
  });

  describe('the scenarios the emulator runs, with real OKG', () => {
    before(async function () {
      this.timeout(120_000);
      await loadSeed(world!);
    });
    describeScenarios(
      () => world!,
      () => kubectl,
    );
  });

  describe('room by room: the emulator against real OKG', () => {
    // One run of every script in each world (a second control plane is the expensive part); each `it` compares one.
    let compared:
      | Promise<{ real: Record<string, Record<string, unknown>>; emulated: Record<string, Record<string, unknown>> }>
      | undefined;
    const scripts = { seed: script, failure: failureScript, network: networkScript };
    const runAll = async (w: World) => ({
      seed: await scripts.seed(w),
      failure: await scripts.failure(w),
      network: await scripts.network(w),
    });
    const compare = () =>
      (compared ??= (async () => {
        const admin = http(world!);
        await admin('DELETE', '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets/minecraft');
        await eventually(
          async () =>
            ((await admin('GET', '/api/v1/namespaces/default/pods')).body as { items: unknown[] }).items.length === 0 &&
            (
              (await admin('GET', '/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers')).body as {
                items: unknown[];
              }
            ).items.length === 0,
          60_000,
          'the scenario rooms to be gone',
        );
        const real = await runAll(world!);
        const tierA = await startControllerManagerWorld();
        // the kubelet's real back-off timing, as KWOK's stages in tier B play it (scripts/controlplane-okg.mjs)
        const emulator = await startOkgEmulator(tierA.kubeConfig('controller'), {
          readyAfterMs: 100,
          terminatingMs: 30,
          ...(await tierBFailures()),
          networkReadyAfterMs: 300,
        });
        let emulated;
        try {
          emulated = await runAll(tierA);
        } finally {
          await emulator.stop();
          await tierA.stop();
        }
        return { real, emulated };
      })());
    const check = async (name: keyof typeof scripts) => {
      const { real, emulated } = await compare();
      const diffs = Object.keys(real[name]).flatMap(step =>
        differences(emulated[name][step], real[name][step]).map(d => `${step}: ${d}`),
      );
      const known = diffs.filter(d => KNOWN_DIFFERENCES.some(k => k.pattern.test(d)));
      if (known.length)
        console.log(`      known differences: ${known.length}\n${known.map(d => `        ${d}`).join('\n')}`);
      assert.deepEqual(
        diffs.filter(d => !known.includes(d)),
        [],
        'the emulator and real OKG differ; fix the emulator or add the cause to KNOWN_DIFFERENCES',
      );
    };

    it('the same script gives the same objects in both', async function () {
      this.timeout(1_200_000);
      await check('seed');
    });
    it("a release that fails (ImagePullBackOff, CrashLoopBackOff): KWOK's stages and real OKG against the emulator's fail rules", async function () {
      this.timeout(1_200_000);
      await check('failure');
    });
    it('the Kubernetes-HostPort and Kubernetes-NodePort plugins: networkStatus and pods as real OKG makes them', async function () {
      this.timeout(1_200_000);
      await check('network');
    });
  });
});
