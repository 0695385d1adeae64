// The exported Argo release executed: its scripts, run in the DAG's order with bash, kubectl and jq against the
// sandbox (retries, `when`, the approval and the exit handler as Argo runs them: argoRun.ts), give the seed's final
// table for each reclaim mode; the lease it takes is the engine's, so an `okg release` is refused while an exported
// release holds it and the other way round; a bad parameter or a lost lease stops it before any write.
import * as assert from 'node:assert/strict';
import { exportArgo, type ArgoExport } from '../../src/release/argo.js';
import { previewRelease, runRelease } from '../../src/release/engine.js';
import { runRollback } from '../../src/release/rollback.js';
import { parseRecord, RECORD_ANNOTATION } from '../../src/release/record.js';
import type { ReleaseEvent, ReclaimMode } from '../../src/release/types.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { runArgoLocally, type RunResult } from './argoRun.js';
import { admin } from './failing.js';
import { rbInput, SEED_FIRST } from './rollbackHelpers.js';
import { client, GSS, gssObject, NEW, NS, OLD, seedInput, SEED_FINAL, startWorld, strip, table } from './helpers.js';

const ARGO_HOLDER = /argo-workflow@default\/release-minecraft-x7k2p \(pid 0\)/;

async function exported(
  sb: Sandbox,
  reclaim: ReclaimMode,
  opts: Parameters<typeof exportArgo>[1] = {},
): Promise<ArgoExport> {
  const r = await previewRelease(seedInput({ reclaim }), { client: client(sb) });
  assert.ok(r.plan, r.message);
  return exportArgo(r.plan, opts);
}

const record = (sb: Sandbox) => parseRecord(gssObject(sb).metadata.annotations?.[RECORD_ANNOTATION]);
const outline = (r: RunResult) => r.steps.map(s => `${s.step} ${s.status}`);
const detail = (r: RunResult) =>
  [...r.steps, ...(r.exit ? [r.exit] : [])]
    .map(s => `${s.step} (${s.status}, exit ${s.exit}):\n${s.stdout}${s.stderr}`)
    .join('\n');
/** Writes whose body names this workflow (its uid is in every record it writes). */
const argoWrites = (sb: Sandbox, from = 0) =>
  sb.server
    .writeLog()
    .filter(e => e.seq > from && JSON.stringify(e.body ?? '').includes('6b1f0c1e-0000-4000-8000-00000000a1a1'));

describe('Argo export executed against the sandbox (bash + kubectl + jq, as Argo runs the DAG)', function () {
  this.timeout(180_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  it("reclaim none, with approval: the seed's final table; nothing is marked before the approval; the exit handler records the outcome and frees the lease", async () => {
    sb = await startWorld();
    const world = sb;
    const exp = await exported(world, 'none', { approval: true });
    let approvedAt: string[] | undefined;
    const r = await runArgoLocally(exp, {
      kubeconfig: world.kubeconfigPath('admin'),
      approve: async () => {
        approvedAt = table(world).map(x => `${x.name} ${x.opsState}`);
        // while suspended, the lease is the Argo release's: the engine's plan refuses
        const p = await previewRelease(seedInput(), { client: client(world) });
        assert.equal(p.outcome, 'refused');
        assert.match(p.message, ARGO_HOLDER);
      },
    });
    assert.equal(r.status, 'Succeeded', detail(r));
    assert.deepEqual(outline(r), [
      'lock Succeeded',
      'patch-image Succeeded',
      'wait-generation Succeeded',
      'scale Succeeded',
      'wait-ready Succeeded',
      'approve Succeeded',
      'mark Succeeded',
      'settle Skipped',
      'reclaim-scale-down Skipped',
      'reclaim-kill Skipped',
    ]);
    assert.deepEqual(approvedAt, [
      'minecraft-0 Allocated',
      'minecraft-1 None',
      'minecraft-2 None',
      'minecraft-3 None',
      'minecraft-4 None',
      'minecraft-5 None',
    ]);
    assert.deepEqual(strip(table(world)), SEED_FINAL);
    const doc = record(world);
    assert.equal(doc.current, undefined, 'the lease is free');
    assert.equal(doc.history[0].outcome, 'succeeded');
    assert.equal(doc.history[0].id, 'argo-release-minecraft-x7k2p');
    assert.match(doc.history[0].holder, ARGO_HOLDER);
    assert.deepEqual(doc.history[0].images, [{ container: 'minecraft', image: NEW }]);
    // every write the steps made to the set carried a test of what they read
    for (const w of world.server.writeLog().filter(e => e.user === 'admin' && e.verb === 'patch')) {
      assert.equal(w.contentType, 'application/json-patch+json', `${w.resource}/${w.name}`);
      assert.equal(
        (w.body as { op: string }[])[0].op,
        'test',
        `${w.resource}/${w.name}: ${JSON.stringify(w.body).slice(0, 200)}`,
      );
    }
    // and a later okg release is free to run again
    const again = await previewRelease(seedInput({ images: [{ container: 'minecraft', image: `${NEW}-2` }] }), {
      client: client(world),
    });
    assert.equal(again.outcome, 'succeeded', again.message);
  });

  it("okg rollback undoes a succeeded exported release as it undoes the engine's: the seed's first table", async () => {
    const world = (sb = await startWorld());
    const r = await runArgoLocally(await exported(world, 'none'), { kubeconfig: world.kubeconfigPath('admin') });
    assert.equal(r.status, 'Succeeded', detail(r));
    assert.deepEqual(record(world).history[0].changes?.marked, ['minecraft-1', 'minecraft-2']);
    const back = await runRollback(rbInput(), { client: client(world) });
    assert.equal(back.outcome, 'succeeded', back.message);
    await world.waitFor(() => table(world).length === 3, 20_000, 'the new rooms to go');
    assert.deepEqual(strip(table(world)), SEED_FIRST);
  });

  it("reclaim scale-down: replicas lowered by exactly the confirmed marks, the seed's table without the marked rooms", async () => {
    sb = await startWorld();
    const world = sb;
    const r = await runArgoLocally(await exported(world, 'scale-down'), { kubeconfig: world.kubeconfigPath('admin') });
    assert.equal(r.status, 'Succeeded', detail(r));
    assert.match(r.steps.find(s => s.step === 'mark')!.stdout, /marked WaitToBeDeleted: minecraft-1, minecraft-2/);
    assert.match(
      r.steps.find(s => s.step === 'reclaim-scale-down')!.stdout,
      /lowered replicas of minecraft from 6 to 4/,
    );
    await world.waitFor(() => table(world).length === 4, 20_000, 'the reclaim');
    assert.deepEqual(strip(table(world)), [SEED_FINAL[0], ...SEED_FINAL.slice(3)]);
    assert.equal(gssObject(world).spec.replicas, 4);
    assert.deepEqual(record(world).history[0].outcome, 'succeeded');
  });

  it('reclaim kill: the marked rooms get Kill and OKG removes them; the Allocated room is untouched', async () => {
    sb = await startWorld();
    const world = sb;
    const r = await runArgoLocally(await exported(world, 'kill'), { kubeconfig: world.kubeconfigPath('admin') });
    assert.equal(r.status, 'Succeeded', detail(r));
    assert.match(
      r.steps.find(s => s.step === 'settle')!.stdout,
      /waiting 2 s before the reclaim/,
      'the settle window (default 2 s) before the reclaim',
    );
    assert.match(r.steps.find(s => s.step === 'reclaim-kill')!.stdout, /minecraft-1: Kill\nminecraft-2: Kill/);
    await world.waitFor(() => table(world).length === 4, 20_000, 'OKG to remove the killed rooms');
    assert.deepEqual(strip(table(world)), [SEED_FINAL[0], ...SEED_FINAL.slice(3)]);
    assert.equal(table(world)[0].image, OLD);
  });

  it('an okg release is refused while an exported release holds the lease (and writes nothing); the Argo release then finishes', async () => {
    sb = await startWorld();
    const world = sb;
    let engine: Awaited<ReturnType<typeof runRelease>> | undefined;
    let before = 0;
    let during: unknown[] = [];
    const r = await runArgoLocally(await exported(world, 'none'), {
      kubeconfig: world.kubeconfigPath('admin'),
      before: async step => {
        if (step !== 'scale') return true;
        before = world.server.writeLog().length;
        engine = await runRelease(seedInput(), { client: client(world) });
        during = world.server
          .writeLog()
          .slice(before)
          .filter(e => e.user === 'admin');
        return true;
      },
    });
    assert.ok(engine);
    assert.equal(engine.outcome, 'refused', engine.message);
    assert.match(
      engine.message,
      /GameServerSet minecraft is locked by release argo-release-minecraft-x7k2p of argo-workflow@default\/release-minecraft-x7k2p \(pid 0\) \(at step wait-generation\)/,
    );
    assert.deepEqual(during, [], 'the refused release wrote nothing');
    assert.equal(r.status, 'Succeeded', detail(r));
    assert.deepEqual(strip(table(world)), SEED_FINAL);
  });

  it('an exported release is refused while an okg release holds the lease: its lock exits 3 without retrying, it writes nothing, its exit handler records nothing', async () => {
    // the seed's rooms are Ready at once, the new ones take two minutes: the engine's release waits at wait-ready
    sb = await startWorld({
      room: (_ns: string, name: string) => (/-[3-9]$/.test(name) ? { readyAfterMs: 120_000 } : undefined),
    });
    const world = sb;
    const exp = await exported(world, 'none');
    const ac = new AbortController();
    let waiting!: () => void;
    const atWaitReady = new Promise<void>(res => {
      waiting = res;
    });
    const engine = runRelease(seedInput(), {
      client: client(world),
      signal: ac.signal,
      holder: { user: 'alice', host: 'laptop.example' },
      onEvent: (e: ReleaseEvent) => {
        if (e.type === 'step-started' && e.step === 'wait-ready') waiting();
      },
    });
    try {
      await atWaitReady;
      const held = record(world).current!;
      const from = world.server.writeLog().length ? world.server.writeLog()[world.server.writeLog().length - 1].seq : 0;
      const r = await runArgoLocally(exp, { kubeconfig: world.kubeconfigPath('admin') });
      assert.equal(r.status, 'Failed');
      assert.deepEqual(
        r.steps.map(s => `${s.step} ${s.status} exit ${s.exit} ×${s.attempts}`),
        ['lock Failed exit 3 ×1'],
      );
      assert.match(
        r.steps[0].stderr,
        new RegExp(
          `refused: GameServerSet minecraft is locked by release ${held.id} of alice@laptop\\.example \\(pid ${process.pid}\\) \\(at step wait-ready\\)`,
        ),
      );
      assert.match(r.exit!.stdout, /does not hold the lease/);
      assert.deepEqual(argoWrites(world, from), []);
      assert.equal(record(world).current?.id, held.id, 'the engine still holds its lease');
      assert.equal(record(world).current?.holder.user, 'alice');
    } finally {
      ac.abort(new Error('stopped by the test'));
      await engine;
    }
  });

  it("ready for players, the engine's definition: on a set with spec.network, rooms whose network is not Ready do not count; nothing is marked", async () => {
    // The emulator plays OKG's HostPort plugin: hold every new room's network NotReady for this test.
    sb = await startWorld({ networkReadyAfterMs: 3_600_000 });
    const world = sb;
    await admin(world).request(
      'PATCH',
      `/apis/game.kruise.io/v1alpha1/namespaces/${NS}/gameserversets/${GSS}`,
      {
        spec: {
          network: {
            networkType: 'Kubernetes-HostPort',
            networkConf: [{ name: 'ContainerPorts', value: 'minecraft:25565/TCP' }],
          },
        },
      },
      'application/merge-patch+json',
    );
    const exp = await exported(world, 'none');
    exp.workflow.spec.arguments.parameters.find(p => p.name === 'timeout')!.value = '2';
    const r = await runArgoLocally(exp, { kubeconfig: world.kubeconfigPath('admin') });
    assert.equal(r.status, 'Failed');
    const wait = r.steps.find(s => s.step === 'wait-ready')!;
    assert.equal(wait.status, 'Failed', detail(r));
    assert.equal(wait.attempts, 3, 'retried twice, as its retryStrategy says');
    assert.match(
      wait.stdout,
      /new-version rooms ready for players \(state Ready, opsState None, network Ready\): 0 \(need at least 3\)/,
    );
    assert.match(
      wait.stderr,
      /timed out after 2 s waiting for 3 new-version rooms of minecraft to be ready for players/,
    );
    assert.ok(
      table(world)
        .filter(x => x.image === NEW)
        .every(x => x.state === 'Ready'),
      'the new rooms are Ready, only their network is not',
    );
    assert.deepEqual(
      table(world).map(x => x.opsState),
      ['Allocated', 'None', 'None', 'None', 'None', 'None'],
      'nothing marked',
    );
    assert.equal(record(world).history[0].outcome, 'failed');
    assert.equal(record(world).history[0].step, 'wait-ready');
    assert.equal(record(world).current, undefined, 'the exit handler freed the lease');
  });

  it('a new image that cannot be pulled: the wait stops early with the reasons, as the engine does, and is not retried; nothing is marked', async () => {
    const world = (sb = await startWorld({
      failImages: [{ substring: NEW, mode: 'ImagePullBackOff' }],
      backoffBaseMs: 50,
    }));
    const exp = await exported(world, 'kill');
    const param = (name: string) => exp.workflow.spec.arguments.parameters.find(p => p.name === name)!;
    assert.equal(param('fail-fast').value, '60', "the engine's default grace period, 60 s");
    param('fail-fast').value = '1';
    const r = await runArgoLocally(exp, { kubeconfig: world.kubeconfigPath('admin') });
    assert.equal(r.status, 'Failed', detail(r));
    const wait = r.steps.find(s => s.step === 'wait-ready')!;
    assert.deepEqual([wait.status, wait.exit, wait.attempts], ['Failed', 3, 1], detail(r));
    // The kubelet alternates ErrImagePull and ImagePullBackOff between pulls, so a look may group the rooms under
    // both ("2 rooms ErrImagePull (…); 1 room ImagePullBackOff (…)"): either is the same reason.
    const pulling = (why: string | undefined) =>
      (why ?? '')
        .split('; ')
        .map(g => /^\d+ rooms? (ErrImagePull|ImagePullBackOff) \(([^)]*)\)$/.exec(g)?.[2].split(', ') ?? [`? ${g}`])
        .flat()
        .sort();
    const rooms = ['minecraft-3', 'minecraft-4', 'minecraft-5'];
    assert.ok(
      wait.stdout.split('\n').some(l => l.startsWith('waiting: ') && pulling(l.slice(9)).join() === rooms.join()),
      wait.stdout,
    );
    const stopped =
      /^stopped early: the new rooms do not become ready and will not by themselves \(for 1 s\): (.*); nothing was marked$/m.exec(
        wait.stderr,
      );
    assert.deepEqual(pulling(stopped?.[1]), rooms, wait.stderr);
    assert.deepEqual(
      table(world).map(x => x.opsState),
      ['Allocated', 'None', 'None', 'None', 'None', 'None'],
      'nothing marked',
    );
    assert.equal(record(world).history[0].outcome, 'failed');
    assert.equal(record(world).history[0].step, 'wait-ready');
    assert.equal(record(world).current, undefined, 'the exit handler freed the lease');
    // okg rollback undoes the exported release from the record its exit handler wrote, as it undoes the engine's
    const back = await runRollback(rbInput(), { client: client(world) });
    assert.equal(back.outcome, 'succeeded', back.message);
    await world.waitFor(() => table(world).length === 3, 20_000, 'the failed new rooms to go');
    assert.deepEqual(strip(table(world)), SEED_FIRST);
    assert.equal(gssObject(world).spec.replicas, 3);
    // the engine, in the same kind of world and with the same grace, stops on the same reason for the same rooms
    await world.stop();
    const fresh = (sb = await startWorld({
      failImages: [{ substring: NEW, mode: 'ImagePullBackOff' }],
      backoffBaseMs: 50,
    }));
    const engine = await runRelease(seedInput({ reclaim: 'kill', failFastAfterMs: 1000 }), { client: client(fresh) });
    assert.equal(engine.outcome, 'stopped-early', engine.message);
    // (the kubelet alternates ErrImagePull and ImagePullBackOff between pulls: either is the same reason)
    assert.deepEqual(
      engine.reasons?.map(g => [g.reason.replace('ErrImagePull', 'ImagePullBackOff'), g.rooms]),
      [['ImagePullBackOff', ['minecraft-3', 'minecraft-4', 'minecraft-5']]],
    );
  });

  it('a bad parameter is refused by the lock step with its reason, before any write', async () => {
    sb = await startWorld();
    const world = sb;
    const exp = await exported(world, 'none');
    const bad: [string, string, RegExp][] = [
      ['reclaim', 'drop', /reclaim must be none, scale-down or kill, got "drop"/],
      ['images', '[{"container":"nope","image":"x:1"}]', /container\(s\) nope not in GameServerSet minecraft/],
      ['images', 'minecraft=x:1', /images must be a JSON list/],
      ['ready', '4', /ready must be a whole number from 0 to add \(3\), got "4"/],
      ['add', '0', /add must be a whole number of rooms from 1/],
      ['game-server-set', 'Bad_Name', /game-server-set "Bad_Name" is not a Kubernetes name/],
    ];
    for (const [name, value, re] of bad) {
      const e = JSON.parse(JSON.stringify(exp)) as ArgoExport;
      e.workflow.spec.arguments.parameters.find(p => p.name === name)!.value = value;
      world.server.clearWriteLog();
      const r = await runArgoLocally(e, { kubeconfig: world.kubeconfigPath('admin') });
      assert.deepEqual(
        r.steps.map(s => `${s.step} ${s.status} exit ${s.exit} ×${s.attempts}`),
        ['lock Failed exit 3 ×1'],
        `${name}=${value}`,
      );
      assert.match(r.steps[0].stderr, re);
      assert.equal(r.steps[0].stderr.trim().split('\n').length, 1, 'one line');
      assert.deepEqual(
        world.server.writeLog().filter(w => w.user === 'admin'),
        [],
        `${name}=${value}: nothing written`,
      );
    }
    assert.equal(record(world).current, undefined);
  });

  it('a lease taken over meanwhile stops the next step before its write (the spec write also tests the record)', async () => {
    sb = await startWorld();
    const world = sb;
    const r = await runArgoLocally(await exported(world, 'none'), {
      kubeconfig: world.kubeconfigPath('admin'),
      before: async step => {
        if (step !== 'scale') return true;
        // as an okg release would after the lease expired: the record now names another holder
        const gss = gssObject(world);
        const doc = record(world);
        const next = JSON.stringify({
          ...doc,
          current: { ...doc.current!, id: 'rel-other', holder: { id: 'other', user: 'bob', host: 'h', pid: 1 } },
        });
        await client(world).patchGameServerSet(NS, GSS, [
          {
            op: 'test',
            path: '/metadata/annotations/okg-ops~1release',
            value: gss.metadata.annotations![RECORD_ANNOTATION],
          },
          { op: 'replace', path: '/metadata/annotations/okg-ops~1release', value: next },
        ]);
        return true;
      },
    });
    assert.equal(r.status, 'Failed');
    const scale = r.steps.find(s => s.step === 'scale')!;
    assert.equal(scale.exit, 3);
    assert.equal(scale.attempts, 1);
    assert.match(
      scale.stderr,
      /this workflow lost the lease of default\/minecraft \(held by release rel-other of bob@h \(pid 1\)\); stopping before scale/,
    );
    assert.equal(gssObject(world).spec.replicas, 3, 'not scaled');
    assert.match(r.exit!.stdout, /does not hold the lease/);
    assert.equal(record(world).current?.id, 'rel-other');
  });
});
