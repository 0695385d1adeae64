// Worlds where a release fails, end to end in the sandbox: fail rules make the rooms of an image fail as the
// kubelet shows it (container states, restart counts, pod conditions, core/v1 Events with their counts), and the
// GameServers follow as OKG derives them. Events are served like any resource (list, field selectors, watch).
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { createObject } from '../../../src/sandbox/scenarios.js';
import { pullErrorText } from '../../../src/sandbox/okg/failures.js';
import { eventually } from '../../helpers/kubectl.js';
import { http } from '../../helpers/sandboxHttp.js';
import type { Json } from '../../../src/sandbox/okg/types.js';
import type { KubeObject } from '../../../src/sandbox/types.js';

const NS = 'default';
const OK = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';
const BROKEN = `${OK}-broken`;
const CRASH = `${OK}-crash`;
const NEVER = `${OK}-never`;
const SLOW = `${OK}-slow`;

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state: Json;
  lastState?: { terminated?: Json };
  imageID: string;
}
interface PodObj extends KubeObject {
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
  };
}
interface EventObj extends KubeObject {
  involvedObject: {
    kind: string;
    name: string;
    uid: string;
    namespace: string;
    fieldPath?: string;
    apiVersion: string;
  };
  reason: string;
  message: string;
  type: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
}

function gssBody(name: string, replicas: number, images: string[]): object {
  return {
    apiVersion: 'game.kruise.io/v1alpha1',
    kind: 'GameServerSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      updateStrategy: { type: 'OnDelete' },
      gameServerTemplate: {
        spec: { containers: images.map((image, i) => ({ name: i === 0 ? 'minecraft' : `side-${i}`, image })) },
      },
    },
  };
}

describe('okg emulator: worlds where a release fails (fail rules)', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  const list = <T>(plural: string): T[] => sb.server.store.list(sb.server.resource(plural), NS) as unknown as T[];
  const pod = (name: string): PodObj | undefined => list<PodObj>('pods').find(p => p.metadata.name === name);
  const gs = (name: string): KubeObject | undefined =>
    list<KubeObject>('gameservers').find(g => g.metadata.name === name);
  const gsState = (name: string): string | undefined =>
    (gs(name)?.status as { currentState?: string } | undefined)?.currentState;
  const container = (name: string, i = 0): ContainerStatus | undefined => pod(name)?.status?.containerStatuses?.[i];
  const waiting = (name: string): string | undefined =>
    (container(name)?.state.waiting as { reason?: string } | undefined)?.reason;
  const eventsOf = (podName: string): EventObj[] =>
    list<EventObj>('events').filter(e => e.involvedObject.name === podName);
  const cond = (name: string, type: string) => pod(name)?.status?.conditions?.find(c => c.type === type);

  before(async () => {
    sb = await startSandbox({
      scenario: 'empty',
      readyAfterMs: 60,
      terminatingMs: 20,
      backoffBaseMs: 40,
      failImages: [
        { substring: '-broken', mode: 'ImagePullBackOff' },
        { substring: '-crash', mode: 'CrashLoopBackOff' },
        { substring: '-never', mode: 'NeverReady' },
        { substring: '-slow', mode: 'SlowReady', seconds: 0.5 },
      ],
    });
  });
  after(async () => {
    await sb?.stop();
  });

  it('ImagePullBackOff: ErrImagePull then ImagePullBackOff with the kubelet texts; the pod stays Pending, its GameServer Creating', async () => {
    await createObject(sb.kubeConfig(), gssBody('pull', 1, [BROKEN]));
    await eventually(
      () => waiting('pull-0') === 'ImagePullBackOff' && gsState('pull-0') === 'Creating',
      20_000,
      'pull-0 in ImagePullBackOff',
    );
    const p = pod('pull-0')!;
    assert.equal(p.status?.phase, 'Pending');
    assert.deepEqual(container('pull-0')!.state, {
      waiting: {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${BROKEN}": ErrImagePull: ${pullErrorText(BROKEN)}`,
      },
    });
    assert.equal(container('pull-0')!.imageID, '');
    assert.deepEqual(
      [cond('pull-0', 'Ready')?.status, cond('pull-0', 'Ready')?.reason, cond('pull-0', 'Ready')?.message],
      ['False', 'ContainersNotReady', 'containers with unready status: [minecraft]'],
    );
    assert.deepEqual(
      [cond('pull-0', 'ContainersReady')?.status, cond('pull-0', 'ContainersReady')?.reason],
      ['False', 'ContainersNotReady'],
    );
    // the kubelet wrote ErrImagePull first (status patches in the write log)
    const reasons = sb.server
      .writeLog()
      .filter(w => w.resource === 'pods' && w.subresource === 'status' && w.name === 'pull-0')
      .map(
        w =>
          (
            (w.body as { status?: { containerStatuses?: ContainerStatus[] } }).status?.containerStatuses?.[0]?.state
              .waiting as { reason?: string } | undefined
          )?.reason,
      );
    assert.deepEqual([...new Set(reasons)].slice(0, 3), ['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff']);
    // the GameServer as OKG derives it; its podStatus mirrors the pod
    await eventually(
      () => JSON.stringify((gs('pull-0')?.status as Json).podStatus) === JSON.stringify(pod('pull-0')?.status),
      10_000,
      'GS podStatus to mirror the pod',
    );
    const normal = ((gs('pull-0')?.status as Json).conditions as Json[]).find(c => c.type === 'PodNormal')!;
    assert.equal(normal.status, 'False');
    assert.equal(normal.reason, 'ContainersNotReady; ImagePullBackOff');
    const gss = list<KubeObject>('gameserversets').find(g => g.metadata.name === 'pull')!;
    assert.equal((gss.status as Json).readyReplicas, 0);
  });

  it('ImagePullBackOff: Events about the pod (Pulling, Failed, BackOff) — one per message, count and lastTimestamp updated on repeats', async () => {
    await eventually(
      () => (eventsOf('pull-0').find(e => e.reason === 'Pulling')?.count ?? 0) >= 3,
      20_000,
      'the pull to be retried twice',
    );
    const evs = eventsOf('pull-0');
    const p = pod('pull-0')!;
    const byMessage = new Map(evs.map(e => [`${e.reason}|${e.message}`, e]));
    assert.equal(byMessage.size, evs.length, 'a repeat updates its Event, it does not add one');
    assert.deepEqual([...new Set(evs.map(e => `${e.type} ${e.reason}: ${e.message}`))].sort(), [
      `Normal BackOff: Back-off pulling image "${BROKEN}"`,
      `Normal Pulling: Pulling image "${BROKEN}"`,
      'Warning Failed: Error: ErrImagePull',
      'Warning Failed: Error: ImagePullBackOff',
      `Warning Failed: Failed to pull image "${BROKEN}": ${pullErrorText(BROKEN)}`,
    ]);
    for (const e of evs) {
      assert.deepEqual(
        [
          e.involvedObject.kind,
          e.involvedObject.apiVersion,
          e.involvedObject.namespace,
          e.involvedObject.uid,
          e.involvedObject.fieldPath,
        ],
        ['Pod', 'v1', NS, p.metadata.uid, 'spec.containers{minecraft}'],
      );
      assert.deepEqual(
        [e.source, e.reportingComponent, e.reportingInstance],
        [{ component: 'kubelet', host: 'sandbox-node' }, 'kubelet', 'sandbox-node'],
      );
      assert.match(e.metadata.name ?? '', /^pull-0\.[0-9a-f]{16}$/);
      assert.ok(e.lastTimestamp >= e.firstTimestamp);
    }
    const pulling = evs.find(e => e.reason === 'Pulling')!;
    const patches = sb.server
      .writeLog()
      .filter(w => w.resource === 'events' && w.verb === 'patch' && w.name === pulling.metadata.name);
    assert.ok(patches.length >= 1, 'a repeat is a patch of the same Event');
    assert.deepEqual(Object.keys(patches[0].body as object).sort(), ['count', 'lastTimestamp', 'message']);
    const counts = patches.map(w => (w.body as { count: number }).count);
    assert.ok(
      counts.every((c, i) => i === 0 || c > counts[i - 1]),
      `counts grow: ${counts.join(',')}`,
    );
  });

  it('CrashLoopBackOff: running, exit 1 (Error), restarted with a growing restart count; the pod Running, its GameServer NotReady', async () => {
    await createObject(sb.kubeConfig(), gssBody('crash', 1, [CRASH]));
    await eventually(() => (container('crash-0')?.restartCount ?? 0) >= 3, 20_000, 'three restarts');
    await eventually(
      () => waiting('crash-0') === 'CrashLoopBackOff' && gsState('crash-0') === 'NotReady',
      20_000,
      'crash-0 in CrashLoopBackOff',
    );
    const cs = container('crash-0')!;
    assert.equal(pod('crash-0')?.status?.phase, 'Running');
    assert.match(
      (cs.state.waiting as { message: string }).message,
      new RegExp(
        `^back-off (10|20|40|1m20|2m40|5m0)s restarting failed container=minecraft pod=crash-0_default\\(${pod('crash-0')!.metadata.uid}\\)$`,
      ),
    );
    const t = cs.lastState?.terminated as { exitCode: number; reason: string; startedAt: string; finishedAt: string };
    assert.deepEqual([t.exitCode, t.reason], [1, 'Error']);
    assert.ok(t.startedAt <= t.finishedAt);
    assert.equal(cs.ready, false);
    // the restart count only grows in the statuses the kubelet wrote (a busy machine may skip a step)
    const counts = sb.server
      .writeLog()
      .filter(w => w.resource === 'pods' && w.subresource === 'status' && w.name === 'crash-0')
      .map(
        w => (w.body as { status: { containerStatuses: ContainerStatus[] } }).status.containerStatuses[0].restartCount,
      );
    assert.ok(
      counts.every((c, i) => i === 0 || c >= counts[i - 1]),
      JSON.stringify(counts),
    );
    assert.deepEqual(counts.slice(0, 3), [0, 0, 1], 'the first exit restarts at once (restartCount 1)');
    // the kubelet records a step's Events after writing its status
    await eventually(
      () => (eventsOf('crash-0').find(e => e.reason === 'Started')?.count ?? 0) >= 3,
      20_000,
      'three Started events',
    );
    const evs = eventsOf('crash-0');
    assert.equal(
      evs.find(e => e.reason === 'BackOff')?.message,
      `Back-off restarting failed container minecraft in pod crash-0_default(${pod('crash-0')!.metadata.uid})`,
    );
    assert.equal(evs.find(e => e.reason === 'BackOff')?.type, 'Warning');
    const normal = ((gs('crash-0')?.status as Json).conditions as Json[]).find(c => c.type === 'PodNormal')!;
    assert.match(String(normal.reason), /CrashLoopBackOff|ContainerTerminated:Error/);
  });

  it('NeverReady: running, never Ready, readiness probe failures repeated (Unhealthy); GameServer NotReady', async () => {
    await createObject(sb.kubeConfig(), gssBody('never', 1, [NEVER]));
    await eventually(
      () => (eventsOf('never-0').find(e => e.reason === 'Unhealthy')?.count ?? 0) >= 2,
      20_000,
      'two failed probes',
    );
    assert.equal(gsState('never-0'), 'NotReady');
    assert.equal(pod('never-0')?.status?.phase, 'Running');
    assert.deepEqual(container('never-0')!.state.running !== undefined, true);
    assert.equal(container('never-0')!.ready, false);
    const u = eventsOf('never-0').find(e => e.reason === 'Unhealthy')!;
    assert.deepEqual(
      [u.type, u.message],
      ['Warning', 'Readiness probe failed: HTTP probe failed with statuscode: 503'],
    );
  });

  it('SlowReady: NotReady first, Ready after its seconds (pod and GameServer)', async () => {
    await createObject(sb.kubeConfig(), gssBody('slow', 1, [SLOW]));
    await eventually(() => gsState('slow-0') === 'Ready', 20_000, 'slow-0 to be Ready');
    const states = sb.server
      .writeLog()
      .filter(w => w.resource === 'gameservers' && w.subresource === 'status' && w.name === 'slow-0')
      .map(w => (w.body as { status: { currentState?: string } }).status.currentState);
    assert.deepEqual(
      [...new Set(states)],
      ['Creating', 'NotReady', 'Ready'].filter(s => states.includes(s)),
    );
    assert.ok(states.includes('NotReady'), `it was NotReady before Ready: ${states.join(',')}`);
    assert.ok(eventsOf('slow-0').some(e => e.reason === 'Unhealthy'));
  });

  it("OKG 1.0 keeps a stale status.updatedReadyReplicas when the new version's rooms all fail (omitempty in a merge patch)", async () => {
    await createObject(sb.kubeConfig(), gssBody('stale', 2, [OK]));
    const status = () =>
      list<KubeObject>('gameserversets').find(g => g.metadata.name === 'stale')?.status as Json | undefined;
    await eventually(() => status()?.updatedReadyReplicas === 2, 20_000, 'two updated, ready rooms');
    const admin = http(sb.server);
    await admin('PATCH', '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets/stale', {
      spec: { gameServerTemplate: { spec: { containers: [{ name: 'minecraft', image: BROKEN }] } } },
    });
    await eventually(
      () =>
        status()?.observedGeneration ===
        list<KubeObject>('gameserversets').find(g => g.metadata.name === 'stale')?.metadata.generation,
      20_000,
      'the new image seen',
    );
    await admin('PATCH', '/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets/stale', {
      spec: { replicas: 4 },
    });
    await eventually(
      () =>
        waiting('stale-2') === 'ImagePullBackOff' &&
        waiting('stale-3') === 'ImagePullBackOff' &&
        status()?.updatedReplicas === 2 &&
        status()?.currentReplicas === 4,
      20_000,
      'the new rooms failing',
    );
    assert.equal(status()?.readyReplicas, 2);
    assert.equal(status()?.updatedReadyReplicas, 2, 'as real OKG v1.0 shows it: the count of the old revision, not 0');
  });

  it('a pod with one failing container: only that container is unready; healthy rooms get no Events', async () => {
    await createObject(sb.kubeConfig(), gssBody('mixed', 1, [BROKEN, 'registry.example.com/tools/log-agent:3.2.1']));
    await createObject(sb.kubeConfig(), gssBody('fine', 1, [OK]));
    await eventually(
      () =>
        waiting('mixed-0') === 'ImagePullBackOff' &&
        container('mixed-0', 1)?.ready === true &&
        gsState('fine-0') === 'Ready',
      20_000,
      'mixed-0 and fine-0',
    );
    assert.equal(cond('mixed-0', 'ContainersReady')?.message, 'containers with unready status: [minecraft]');
    assert.equal(pod('mixed-0')?.status?.phase, 'Pending');
    assert.deepEqual(
      new Set(eventsOf('mixed-0').map(e => e.involvedObject.fieldPath)),
      new Set(['spec.containers{minecraft}']),
    );
    assert.deepEqual(eventsOf('fine-0'), []);
  });

  it('settled() does not wait for the endless back-offs of failing rooms', async () => {
    await sb.emulator.settled(); // would time out if the failing rooms' timers kept the emulator busy
    const before = container('crash-0')!.restartCount;
    await eventually(() => container('crash-0')!.restartCount > before, 20_000, 'crash-0 to go on restarting');
  });

  it('fail rules set at run time apply to the pods created from then on; a bad rule is refused and changes nothing', async () => {
    assert.throws(() => sb.emulator.setFailImages([{ substring: OK, mode: 'Bogus' as never }]), /unknown mode "Bogus"/);
    await createObject(sb.kubeConfig(), gssBody('later', 1, [OK]));
    await eventually(() => gsState('later-0') === 'Ready', 20_000, 'later-0 Ready (no rule for it)');
    sb.emulator.setFailImages([{ substring: '1.12.2', mode: 'NeverReady' }]);
    await createObject(sb.kubeConfig(), gssBody('later2', 1, [OK]));
    await eventually(
      () => eventsOf('later2-0').some(e => e.reason === 'Unhealthy'),
      20_000,
      'later2-0 to fail its probe',
    );
    assert.equal(gsState('later2-0'), 'NotReady');
    assert.equal(gsState('later-0'), 'Ready', 'a running pod does not start failing');
    sb.emulator.setFailImages([
      { substring: '-broken', mode: 'ImagePullBackOff' },
      { substring: '-crash', mode: 'CrashLoopBackOff' },
    ]);
  });

  it('Events are served: list with involvedObject field selectors, and watch', async () => {
    const admin = http(sb.server);
    const r = await admin(
      'GET',
      `/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent('involvedObject.name=crash-0,reason=BackOff')}`,
    );
    assert.equal(r.status, 200);
    const items = r.body as { kind: string; items: EventObj[] };
    assert.equal(items.kind, 'EventList');
    assert.deepEqual(
      items.items.map(e => `${e.involvedObject.name} ${e.reason}`),
      ['crash-0 BackOff'],
    );
    const bad = await admin('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=spec.nope%3Dx`);
    assert.equal(bad.status, 400);
    const w = await admin(
      'GET',
      `/api/v1/namespaces/${NS}/events?watch=1&fieldSelector=${encodeURIComponent('involvedObject.name=pull-0')}&timeoutSeconds=1`,
    );
    assert.equal(w.status, 200);
    const lines = String(w.text ?? '')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(l => JSON.parse(l) as { type: string; object: EventObj });
    assert.ok(
      lines.length > 0 && lines.every(l => l.object.involvedObject.name === 'pull-0'),
      String(w.text).slice(0, 300),
    );
  });
});
