// Scenarios with the OKG emulator, shared by both worlds: the seed, kubectl as an operator uses it, conditional
// bulk changes racing an allocator, bad inputs with zero writes, a forbidden user, and the release engine's seed.
import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { OkgClient } from '../../src/cluster/client.js';
import { applyToRooms } from '../../src/release/bulk.js';
import { listRooms } from '../../src/release/selectionRooms.js';
import { runRelease } from '../../src/release/engine.js';
import { runRollback } from '../../src/release/rollback.js';
import { SEED, seedGameServerSet } from '../../src/sandbox/scenarios.js';
import { eventually, table } from '../helpers/kubectl.js';
import { SEED_FINAL } from '../release/helpers.js';
import { SEED_FIRST } from '../release/rollbackHelpers.js';
import { http, GS_PATH, POD_PATH } from './http.js';
import type { User, World } from './world.js';
import { spawn } from 'node:child_process';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectlIn(kubectlPath: string, world: World, user: User, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(kubectlPath, args, {
      env: { ...process.env, KUBECONFIG: world.kubeconfigPath(user), HOME: process.env.HOME ?? '/tmp' },
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', d => {
      stdout += d;
    });
    p.stderr.on('data', d => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', code => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end();
  });
}

interface Row {
  name: string;
  state: string;
  opsState: string;
  image: string;
  podLabel?: string;
}
type RawGs = {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { opsState?: string };
  status?: { currentState?: string };
};
type RawPod = {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { containers: { image: string }[] };
};

/** The seed set's rooms as the API shows them now (like kubectl get gs, plus the pod's image and opsState label). */
export async function rooms(world: World, gss: string = SEED.gameServerSet): Promise<Row[]> {
  const admin = http(world);
  const sel = `?labelSelector=${encodeURIComponent(`game.kruise.io/owner-gss=${gss}`)}`;
  const gsList = ((await admin('GET', `${GS_PATH}${sel}`)).body as { items: RawGs[] }).items;
  const pods = new Map(
    ((await admin('GET', `${POD_PATH}${sel}`)).body as { items: RawPod[] }).items.map(p => [p.metadata.name, p]),
  );
  return gsList
    .filter(g => !g.metadata.deletionTimestamp)
    .map(g => {
      const pod = pods.get(g.metadata.name);
      return {
        name: g.metadata.name,
        state: g.status?.currentState ?? '',
        opsState: g.spec?.opsState ?? '',
        image: pod?.spec.containers[0]?.image ?? '',
        podLabel: pod?.metadata.labels?.['game.kruise.io/gs-opsState'],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

function mergePatchGs(
  world: World,
  name: string,
  spec: Record<string, unknown>,
  user: User = 'admin',
): Promise<unknown> {
  return mergePatch(world, 'GameServer', name, { spec }, user);
}

/**
 * A test's own opsState write that must stick. Real OKG 1.0 merge-patches a GameServer's stale spec back shortly
 * after a change (docs/controlplane.md, tier B; API.md §8 pitfall 7), which can undo a write made right after
 * another; against real OKG this writes again until the value survives OKG's echo window. (The races under test
 * use plain writes.)
 */
async function settledOpsState(world: World, name: string, opsState: string): Promise<void> {
  const echoWindowMs = world.name === 'real OKG' ? 800 : 0;
  for (let attempt = 1; ; attempt++) {
    await mergePatchGs(world, name, { opsState });
    if (!echoWindowMs) return;
    await new Promise(r => setTimeout(r, echoWindowMs));
    const now = (await rooms(world, name.slice(0, name.lastIndexOf('-')))).find(r => r.name === name);
    if (now?.opsState === opsState || attempt >= 5) return;
  }
}

function mergePatch(
  world: World,
  kind: 'GameServer' | 'GameServerSet',
  name: string,
  body: Record<string, unknown>,
  user: User = 'admin',
): Promise<unknown> {
  const api = KubernetesObjectApi.makeApiClient(world.kubeConfig(user));
  return api.patch(
    {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind,
      metadata: { name, namespace: SEED.namespace },
      ...body,
    } as KubernetesObject,
    undefined,
    undefined,
    'allocator',
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** Loads the seed as ../shared/seed does: the GameServerSet, 3 Ready rooms, then minecraft-0 Allocated. */
export async function loadSeed(world: World): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(world.kubeConfig('admin'));
  await api.create(seedGameServerSet() as KubernetesObject);
  await eventually(
    async () => (await rooms(world)).filter(r => r.state === 'Ready').length === SEED.replicas,
    60_000,
    'the seed rooms to be Ready',
  );
  await settledOpsState(world, SEED.allocated, 'Allocated');
  await eventually(
    async () => (await rooms(world))[0]?.podLabel === 'Allocated',
    30_000,
    'minecraft-0 to be Allocated on its pod',
  );
}

/** The admin's writes, leaving out access reviews (a POST, but they change nothing). */
const adminWrites = async (world: World) =>
  (await world.writes!()).filter(w => w.user === 'admin' && w.resource !== 'selfsubjectaccessreviews');

/** Registers the scenario suite; the world has the emulator running and the seed loaded (caller's `before`). */
export function describeScenarios(world: () => World, kubectlPath: () => string): void {
  const k = (args: string[], user: User = 'admin') => kubectlIn(kubectlPath(), world(), user, args);

  it('the seed: 3 Ready rooms, minecraft-0 Allocated on the GameServer and on its pod', async () => {
    assert.deepEqual(
      (await rooms(world())).map(r => [r.name, r.state, r.opsState, r.podLabel]),
      [
        ['minecraft-0', 'Ready', 'Allocated', 'Allocated'],
        ['minecraft-1', 'Ready', 'None', 'None'],
        ['minecraft-2', 'Ready', 'None', 'None'],
      ],
    );
  });

  describe('kubectl as an operator uses it', () => {
    it('get gs prints the seed table: NAME STATE OPSSTATE DP UP AGE', async () => {
      const r = await k(['get', 'gs']);
      assert.equal(r.code, 0, r.stderr);
      const rows = table(r.stdout);
      assert.deepEqual(rows[0], ['NAME', 'STATE', 'OPSSTATE', 'DP', 'UP', 'AGE']);
      assert.deepEqual(
        rows.slice(1).map(c => c.slice(0, 5)),
        [
          ['minecraft-0', 'Ready', 'Allocated', '0', '0'],
          ['minecraft-1', 'Ready', 'None', '0', '0'],
          ['minecraft-2', 'Ready', 'None', '0', '0'],
        ],
      );
      for (const row of rows.slice(1)) assert.match(row[5], /^\d+s$/);
    });

    it('get gss prints the GameServerSet columns', async () => {
      const r = await k(['get', 'gss']);
      assert.equal(r.code, 0, r.stderr);
      const rows = table(r.stdout);
      assert.deepEqual(rows[0], [
        'NAME',
        'DESIRED',
        'CURRENT',
        'UPDATED',
        'READY',
        'MAINTAINING',
        'WAITTOBEDELETED',
        'PREDELETE',
        'AGE',
      ]);
      assert.deepEqual(rows[1].slice(0, 5), ['minecraft', '3', '3', '3', '3']);
    });

    it('get pods -l game.kruise.io/owner-gss=minecraft lists the room pods', async () => {
      const r = await k(['get', 'pods', '-l', 'game.kruise.io/owner-gss=minecraft']);
      assert.equal(r.code, 0, r.stderr);
      const rows = table(r.stdout);
      assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.deepEqual(
        rows.slice(1).map(c => c.slice(0, 3)),
        [
          ['minecraft-0', '1/1', 'Running'],
          ['minecraft-1', '1/1', 'Running'],
          ['minecraft-2', '1/1', 'Running'],
        ],
      );
    });

    it('patch gs --type=json with a failing test op is refused and changes nothing', async () => {
      const r = await k([
        'patch',
        'gs',
        'minecraft-0',
        '--type=json',
        '-p',
        '[{"op":"test","path":"/spec/opsState","value":"None"},{"op":"replace","path":"/spec/opsState","value":"WaitToBeDeleted"}]',
      ]);
      assert.notEqual(r.code, 0);
      assert.equal(
        r.stderr.trim(),
        'The request is invalid: the server rejected our request due to an error in our request',
      );
      assert.equal((await k(['get', 'gs', 'minecraft-0', '-o', 'jsonpath={.spec.opsState}'])).stdout, 'Allocated');
    });

    it('a forbidden user gets the RBAC reason and nothing is written', async () => {
      await world().clearWrites?.();
      const r = await k(['scale', 'gss', 'minecraft', '--replicas=6'], 'operator');
      assert.notEqual(r.code, 0);
      assert.equal(
        r.stderr.trim(),
        'Error from server (Forbidden): gameserversets.game.kruise.io "minecraft" is forbidden: User "okg-operator" cannot patch resource "gameserversets/scale" in API group "game.kruise.io" in the namespace "default"',
      );
      const ops = (await world().writes!()).filter(e => e.user === 'operator');
      assert.deepEqual(
        ops.map(e => `${e.verb} ${e.resource}/${e.subresource} ${e.code}`),
        ['patch gameserversets/scale 403'],
      );
      const v = await k(['patch', 'gs', 'minecraft-1', '--type=merge', '-p', '{"spec":{"opsState":"Kill"}}'], 'viewer');
      assert.equal(
        v.stderr.trim(),
        'Error from server (Forbidden): gameservers.game.kruise.io "minecraft-1" is forbidden: User "okg-viewer" cannot patch resource "gameservers" in API group "game.kruise.io" in the namespace "default"',
      );
      assert.equal((await rooms(world()))[1].opsState, 'None');
    });

    it('get gs -w streams a change made by someone else', async function () {
      this.timeout(30_000);
      const p = spawn(kubectlPath(), ['get', 'gs', '-w'], {
        env: { ...process.env, KUBECONFIG: world().kubeconfigPath('admin') },
      });
      let out = '';
      p.stdout.on('data', d => {
        out += d;
      });
      p.stderr.on('data', d => {
        out += d;
      });
      try {
        await eventually(() => out.includes('minecraft-2'), 15_000, 'the initial table');
        await settledOpsState(world(), 'minecraft-1', 'Maintaining');
        await eventually(() => /minecraft-1\s+Ready\s+Maintaining/.test(out), 15_000, 'the streamed change');
      } finally {
        p.kill('SIGTERM');
        await settledOpsState(world(), 'minecraft-1', 'None');
      }
    });
  });

  describe('conditional bulk changes', () => {
    it('a room allocated after selection is refused by the server (422 on the test op) and reported skipped; the others change', async () => {
      const c = new OkgClient(world().kubeConfig('admin'), { backoffMs: 20 });
      try {
        const selected = (await listRooms(c, SEED.namespace, SEED.gameServerSet)).filter(r => r.opsState === 'None');
        assert.deepEqual(
          selected.map(r => r.name),
          ['minecraft-1', 'minecraft-2'],
        );
        await settledOpsState(world(), 'minecraft-1', 'Allocated'); // the matchmaker wins the race
        await world().clearWrites?.();
        const results = await applyToRooms(c, selected, { opsState: 'Maintaining' });
        assert.deepEqual(
          results.map(r => `${r.name} ${r.outcome}`),
          ['minecraft-1 skipped', 'minecraft-2 changed'],
        );
        assert.match(results[0].reason ?? '', /Allocated/);
        assert.deepEqual(
          (await rooms(world())).map(r => r.opsState),
          ['Allocated', 'Allocated', 'Maintaining'],
        );
        const writes = await adminWrites(world());
        assert.deepEqual(writes.map(w => `${w.verb} ${w.name} ${w.code}`).sort(), [
          'patch minecraft-1 422',
          'patch minecraft-2 200',
        ]);
      } finally {
        c.close();
        await settledOpsState(world(), 'minecraft-1', 'None');
        await settledOpsState(world(), 'minecraft-2', 'None');
      }
    });
  });

  describe('bad inputs write nothing', () => {
    it('an invalid bulk change and invalid release inputs are refused before any write', async () => {
      const c = new OkgClient(world().kubeConfig('admin'), { backoffMs: 20 });
      try {
        await eventually(
          async () => (await rooms(world())).every(r => r.podLabel === r.opsState),
          20_000,
          'the pods to carry the opsStates',
        );
        await world().clearWrites?.();
        const selected = await listRooms(c, SEED.namespace, SEED.gameServerSet);
        await assert.rejects(applyToRooms(c, selected, { opsState: 'not a label value!' }));
        const bad = [
          {
            namespace: SEED.namespace,
            gameServerSet: SEED.gameServerSet,
            images: [{ container: 'nope', image: SEED.newImage }],
            add: 3,
            timeoutMs: 20_000,
          },
          {
            namespace: SEED.namespace,
            gameServerSet: SEED.gameServerSet,
            images: [{ container: SEED.container, image: SEED.newImage }],
            add: -1,
            timeoutMs: 20_000,
          },
          {
            namespace: SEED.namespace,
            gameServerSet: 'missing',
            images: [{ container: SEED.container, image: SEED.newImage }],
            add: 3,
            timeoutMs: 20_000,
          },
        ];
        for (const input of bad) {
          const r = await runRelease(input, { client: c });
          assert.equal(r.outcome, 'refused', `${JSON.stringify(input)} → ${r.outcome}: ${r.message}`);
        }
        assert.deepEqual(await adminWrites(world()), []);
      } finally {
        c.close();
      }
    });

    it("the operator's release is refused by the preflight review, writing nothing", async () => {
      const c = new OkgClient(world().kubeConfig('operator'), { backoffMs: 20 });
      try {
        await world().clearWrites?.();
        const r = await runRelease(
          {
            namespace: SEED.namespace,
            gameServerSet: SEED.gameServerSet,
            images: [{ container: SEED.container, image: SEED.newImage }],
            add: 3,
            timeoutMs: 20_000,
          },
          { client: c },
        );
        assert.equal(r.outcome, 'refused', r.message);
        assert.match(r.message, /okg-operator|patch|permission|forbidden/i);
        assert.deepEqual(
          (await world().writes!()).filter(w => w.user === 'operator' && w.resource !== 'selfsubjectaccessreviews'),
          [],
        );
      } finally {
        c.close();
      }
    });
  });

  describe('the release engine', () => {
    it('runs the seed release: new image on 3 new rooms, idle old rooms WaitToBeDeleted, minecraft-0 kept', async function () {
      this.timeout(90_000);
      const c = new OkgClient(world().kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
      try {
        const r = await runRelease(
          {
            namespace: SEED.namespace,
            gameServerSet: SEED.gameServerSet,
            images: [{ container: SEED.container, image: SEED.newImage }],
            add: 3,
            timeoutMs: 40_000,
          },
          { client: c },
        );
        assert.equal(r.outcome, 'succeeded', r.message);
        assert.deepEqual(
          (await rooms(world())).map(({ podLabel: _p, ...row }) => row),
          SEED_FINAL,
        );
      } finally {
        c.close();
      }
    });

    it("rolls the seed release back: the seed's first table, minecraft-0 untouched, 3 replicas", async function () {
      this.timeout(90_000);
      const c = new OkgClient(world().kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
      try {
        const r = await runRollback(
          { namespace: SEED.namespace, gameServerSet: SEED.gameServerSet, timeoutMs: 40_000 },
          { client: c },
        );
        assert.equal(r.outcome, 'succeeded', r.message);
        await eventually(async () => (await rooms(world())).length === 3, 40_000, 'the new rooms to go');
        assert.deepEqual(
          (await rooms(world())).map(({ podLabel: _p, ...row }) => row),
          SEED_FIRST,
        );
        const gss = (await KubernetesObjectApi.makeApiClient(world().kubeConfig('admin')).read({
          apiVersion: 'game.kruise.io/v1alpha1',
          kind: 'GameServerSet',
          metadata: { name: SEED.gameServerSet, namespace: SEED.namespace },
        })) as KubernetesObject & { spec: { replicas: number } };
        assert.equal(gss.spec.replicas, 3);
      } finally {
        c.close();
      }
    });
  });

  describe('reclaim while a matchmaker allocates (the rooms with players must survive)', () => {
    for (const reclaim of ['scale-down', 'kill'] as const) {
      it(`reclaim ${reclaim} while a matchmaker allocates: rooms allocated before the reclaim keep their players; a later loss is reported, never silent; idle old rooms go`, async function () {
        this.timeout(120_000);
        const gss = `race-${reclaim === 'kill' ? 'k' : 's'}`;
        const api = KubernetesObjectApi.makeApiClient(world().kubeConfig('admin'));
        // The seed's set with a 1 s grace period, so KWOK finishes pod deletions in about a second (default: up to 30 s).
        const set = seedGameServerSet() as { spec: { gameServerTemplate: { spec: Record<string, unknown> } } };
        set.spec.gameServerTemplate.spec.terminationGracePeriodSeconds = 1;
        await api.create({ ...set, metadata: { name: gss, namespace: SEED.namespace } } as unknown as KubernetesObject);
        try {
          await mergePatch(world(), 'GameServerSet', gss, { spec: { replicas: 8 } });
          await eventually(
            async () => (await rooms(world(), gss)).filter(r => r.state === 'Ready').length === 8,
            60_000,
            `8 Ready rooms of ${gss}`,
          );
          await settledOpsState(world(), `${gss}-0`, 'Allocated');
          const uids = async () =>
            new Map(
              (
                (
                  await http(world())(
                    'GET',
                    `${GS_PATH}?labelSelector=${encodeURIComponent(`game.kruise.io/owner-gss=${gss}`)}`,
                  )
                ).body as { items: { metadata: { name: string; uid: string } }[] }
              ).items.map(g => [g.metadata.name, g.metadata.uid]),
            );
          const before = await uids();
          // An informer-cache matchmaker (open-match-director): unconditional merge patches, as soon as marking starts.
          // The invariant is checked for every room whose Allocated write completed before the reclaim step began;
          // the engine re-reads the rooms there, so anything later is outside what any client can guard.
          const allocated: { name: string; beforeReclaim: boolean }[] = [];
          let reclaimStarted = false;
          const warnings: string[] = [];
          let allocator: Promise<void> | undefined;
          const allocate = async () => {
            for (const i of [2, 5, 7]) {
              try {
                await mergePatchGs(world(), `${gss}-${i}`, { opsState: 'Allocated' });
                allocated.push({ name: `${gss}-${i}`, beforeReclaim: !reclaimStarted });
              } catch {
                /* the room was already reclaimed: nothing to allocate */
              }
              await new Promise(r => setTimeout(r, 10));
            }
          };
          const c = new OkgClient(world().kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
          let r;
          try {
            r = await runRelease(
              {
                namespace: SEED.namespace,
                gameServerSet: gss,
                images: [{ container: SEED.container, image: SEED.newImage }],
                add: 3,
                reclaim,
                timeoutMs: 60_000,
              },
              {
                client: c,
                concurrency: 2,
                onEvent: e => {
                  if (e.type === 'warning') warnings.push(e.message);
                  if (e.type === 'step-started' && e.step === 'mark') allocator = allocate();
                  if (e.type === 'step-started' && e.step === 'reclaim') reclaimStarted = true;
                },
              },
            );
          } finally {
            c.close();
          }
          await allocator;
          // 'lost' only when OKG removed a room with players (allocated after the last check), each named below
          assert.ok(r.outcome === 'succeeded' || (r.outcome === 'lost' && r.summary?.lost.length), r.message);
          const protectedRooms = [`${gss}-0`, ...allocated.filter(a => a.beforeReclaim).map(a => a.name)];
          assert.ok(protectedRooms.length > 1, 'the matchmaker allocated rooms while the release marked them');
          await eventually(
            async () => (await rooms(world(), gss)).length === r.summary?.finalReplicas,
            30_000,
            'the reclaimed rooms to go',
          );
          const after = await rooms(world(), gss);
          const now = await uids();
          const detail = () =>
            JSON.stringify({
              warnings,
              allocated,
              summary: r.summary,
              rooms: after.map(x => `${x.name} ${x.state} ${x.opsState}/${x.podLabel} ${x.image.slice(-4)}`),
            });
          const text = warnings.join('\n');
          for (const n of protectedRooms) {
            assert.equal(now.get(n), before.get(n), `${n} was not deleted (same GameServer uid): ${detail()}`);
            // Real OKG 1.0 can merge-patch a stale opsState back over the matchmaker's Allocated (docs/controlplane.md,
            // tier B): then the release must not have reclaimed the room and must say it was marked again.
            const opsState = after.find(x => x.name === n)?.opsState;
            if (opsState !== 'Allocated')
              assert.match(
                text,
                new RegExp(`${n} \\(was Allocated after marking, now ${opsState}\\)`),
                `${n} is ${opsState}, and the release said so: ${detail()}`,
              );
          }
          // A room allocated after the engine's last check can still be removed by OKG (pitfall 4, §8.5): the engine
          // must say so, and name any other room OKG removed in its place.
          for (const a of allocated)
            if (!now.has(a.name))
              assert.match(
                text,
                new RegExp(`OKG removed [^\n]*${a.name} \\(Allocated\\)`),
                `${a.name} was lost and the release said so: ${JSON.stringify({ warnings, allocated, summary: r.summary })}`,
              );
          for (const a of allocated)
            if (!now.has(a.name))
              assert.match(
                r.message,
                new RegExp(`${a.name} \\(Allocated\\)`),
                `the outcome names the lost ${a.name}: ${r.message}`,
              );
          const fresh = after.filter(x => x.image === SEED.newImage);
          assert.ok(fresh.every(x => x.opsState === 'None' && x.state === 'Ready'));
          for (let i = 8; i < 11; i++)
            if (!fresh.some(x => x.name === `${gss}-${i}`))
              assert.match(
                text,
                new RegExp(`in their place|${gss}-${i}`),
                `new room ${gss}-${i} was removed and the release said so`,
              );
          if (allocated.every(a => a.beforeReclaim)) assert.equal(fresh.length, 3, 'every new room survived');
          const old = after.filter(x => x.image === SEED.image);
          // An idle old room may stay only if the release named it: marked again by someone else, or kept.
          const reportedBack = (n: string) =>
            new RegExp(`${n} \\(was Allocated after marking|kept [^\n]*${n} \\(`).test(text);
          assert.deepEqual(
            old.filter(x => x.opsState !== 'Allocated' && !reportedBack(x.name)).map(x => x.name),
            [],
            `every idle old room went: ${detail()}`,
          );
        } finally {
          await api.delete({
            apiVersion: 'game.kruise.io/v1alpha1',
            kind: 'GameServerSet',
            metadata: { name: gss, namespace: SEED.namespace },
          } as KubernetesObject);
        }
      });
    }
  });
}
