// Fail rules (pure): `--fail-image SUBSTRING=MODE` parsing, the kubelet's texts, the containers' timelines
// (states, restart counts, events, back-off growth), PodNormal as kruise-game derives it, and the failing pod's status.
import * as assert from 'node:assert/strict';
import {
  checkFailImages,
  failRuleFor,
  goDuration,
  kubeletBackoffSeconds,
  normalizedImageRef,
  parseFailImage,
  pullErrorText,
  readinessProbeOutput,
} from '../../../src/sandbox/okg/failures.js';
import {
  failingTimeline,
  healthyTimeline,
  stepAt,
  type ContainerView,
  type Step,
  type TimelineOptions,
} from '../../../src/sandbox/okg/containerTimeline.js';
import { failingPodStatus } from '../../../src/sandbox/okg/failingPodStatus.js';
import { buildGameServerStatus, podNormalCondition } from '../../../src/sandbox/okg/gameServerObjects.js';
import { buildPodStatus } from '../../../src/sandbox/okg/podStatus.js';
import { deriveGameServerState } from '../../../src/sandbox/okg/state.js';
import type { Json, Pod } from '../../../src/sandbox/okg/types.js';

const IMAGE = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2-broken';
const opts: TimelineOptions = {
  startMs: 50,
  readyMs: 100,
  backoffBaseMs: 1000,
  podDesc: 'minecraft-3_default(u-1)',
  probeOutput: 'HTTP probe failed with statuscode: 503',
};

/** The first `n` steps of a timeline. */
function first(gen: Generator<Step>, n: number): Step[] {
  const out: Step[] = [];
  for (const s of gen) {
    out.push(s);
    if (out.length === n) break;
  }
  return out;
}
const stateOf = (v: ContainerView): string => ('running' in v.state ? 'running' : `waiting/${v.state.waiting.reason}`);

describe('fail rules: --fail-image SUBSTRING=MODE', () => {
  it('reads each mode; SlowReady takes seconds (decimals allowed)', () => {
    assert.deepEqual(parseFailImage('-broken=ImagePullBackOff'), { substring: '-broken', mode: 'ImagePullBackOff' });
    assert.deepEqual(parseFailImage('crash=CrashLoopBackOff'), { substring: 'crash', mode: 'CrashLoopBackOff' });
    assert.deepEqual(parseFailImage(':1.13=NeverReady'), { substring: ':1.13', mode: 'NeverReady' });
    assert.deepEqual(parseFailImage('-slow=SlowReady:30'), { substring: '-slow', mode: 'SlowReady', seconds: 30 });
    assert.deepEqual(parseFailImage('-slow=SlowReady:0.25'), { substring: '-slow', mode: 'SlowReady', seconds: 0.25 });
  });

  for (const [spec, reason] of [
    [
      '-broken',
      /takes SUBSTRING=MODE \(MODE: ImagePullBackOff, CrashLoopBackOff, NeverReady or SlowReady:SECONDS\), got "-broken"/,
    ],
    ['-broken=Broken', /unknown mode "Broken" in "-broken=Broken"; use ImagePullBackOff/],
    ['-broken=imagepullbackoff', /unknown mode "imagepullbackoff"/],
    ['=NeverReady', /the image substring before "=" is empty/],
    ['a b=NeverReady', /contains white space/],
    ['-slow=SlowReady', /SlowReady needs the seconds until Ready, e.g. "-slow=SlowReady:30"/],
    ['-slow=SlowReady:soon', /SlowReady seconds must be a number from 0 to 3600, got "soon"/],
    ['-slow=SlowReady:-1', /SlowReady seconds must be a number from 0 to 3600, got "-1"/],
    ['-slow=SlowReady:3601', /from 0 to 3600, got "3601"/],
    ['-crash=CrashLoopBackOff:5', /CrashLoopBackOff takes no ":5" \(only SlowReady:SECONDS does\)/],
  ] as const) {
    it(`refuses "${spec}" with one line`, () => {
      assert.throws(
        () => parseFailImage(spec),
        (e: Error) => reason.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  it('the option form is checked the same way; a substring given twice is refused', () => {
    assert.throws(() => checkFailImages([{ substring: 'x', mode: 'Nope' as never }]), /unknown mode "Nope" for "x"/);
    assert.throws(
      () => checkFailImages([{ substring: 'x', mode: 'SlowReady' }]),
      /SlowReady seconds must be a number from 0 to 3600, got undefined/,
    );
    assert.throws(
      () => checkFailImages([{ substring: 'x', mode: 'NeverReady', seconds: 3 }]),
      /NeverReady takes no seconds/,
    );
    assert.throws(() => checkFailImages([{ substring: '', mode: 'NeverReady' }]), /substring before "=" is empty/);
    assert.throws(
      () =>
        checkFailImages([
          { substring: 'x', mode: 'NeverReady' },
          { substring: 'x', mode: 'CrashLoopBackOff' },
        ]),
      /"x" is given twice/,
    );
    assert.deepEqual(checkFailImages([{ substring: 'x', mode: 'SlowReady', seconds: 2 }]), [
      { substring: 'x', mode: 'SlowReady', seconds: 2 },
    ]);
  });

  it('the first rule whose substring the image contains applies', () => {
    const rules = checkFailImages([
      { substring: '-broken', mode: 'ImagePullBackOff' },
      { substring: 'minecraft', mode: 'NeverReady' },
    ]);
    assert.equal(failRuleFor(IMAGE, rules)?.mode, 'ImagePullBackOff');
    assert.equal(failRuleFor('minecraft-demo:1.12.2', rules)?.mode, 'NeverReady');
    assert.equal(failRuleFor('nginx:1.27', rules), undefined);
  });
});

describe('fail rules: the kubelet texts', () => {
  it('normalises image references as containerd resolves them', () => {
    assert.equal(normalizedImageRef('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normalizedImageRef('nginx:broken'), 'docker.io/library/nginx:broken');
    assert.equal(normalizedImageRef('acme/game:1'), 'docker.io/acme/game:1');
    assert.equal(normalizedImageRef('localhost:5000/game'), 'localhost:5000/game:latest');
    assert.equal(normalizedImageRef(IMAGE), IMAGE);
    assert.equal(normalizedImageRef('repo/x@sha256:abc'), 'docker.io/repo/x@sha256:abc');
  });

  it("a missing image is containerd's NotFound through the kubelet", () => {
    assert.equal(
      pullErrorText('nginx:broken'),
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:broken": failed to resolve reference "docker.io/library/nginx:broken": docker.io/library/nginx:broken: not found',
    );
  });

  it('back-off is 10 s doubling to 300 s, printed as Go durations', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(kubeletBackoffSeconds), [10, 20, 40, 80, 160, 300, 300, 300]);
    assert.deepEqual([10, 80, 160, 300, 3725].map(goDuration), ['10s', '1m20s', '2m40s', '5m0s', '1h2m5s']);
  });

  it('readiness probe output follows the probe kind', () => {
    assert.equal(
      readinessProbeOutput(
        { readinessProbe: { tcpSocket: { port: 'game' } }, ports: [{ name: 'game', containerPort: 7777 }] },
        '10.0.0.5',
      ),
      'dial tcp 10.0.0.5:7777: connect: connection refused',
    );
    assert.equal(
      readinessProbeOutput({ readinessProbe: { httpGet: { port: 8080 } } }, '10.0.0.5'),
      'HTTP probe failed with statuscode: 503',
    );
    assert.equal(readinessProbeOutput({}, '10.0.0.5'), 'HTTP probe failed with statuscode: 503');
  });
});

describe('fail rules: container timelines', () => {
  const c = { name: 'minecraft', image: IMAGE, imagePullPolicy: 'Always' };

  it('ImagePullBackOff: Pulling, ErrImagePull with the runtime error, ImagePullBackOff with the wrapped one; back-off doubles', () => {
    const steps = first(failingTimeline(c, { substring: '-broken', mode: 'ImagePullBackOff' }, opts), 12);
    assert.deepEqual(
      steps.slice(0, 4).map(s => [s.at, stateOf(s.view), s.events.map(e => `${e.type} ${e.reason}`)]),
      [
        [0, 'waiting/ContainerCreating', []],
        [50, 'waiting/ContainerCreating', ['Normal Pulling']],
        [150, 'waiting/ErrImagePull', ['Warning Failed', 'Warning Failed']],
        [250, 'waiting/ImagePullBackOff', ['Normal BackOff', 'Warning Failed']],
      ],
    );
    const err = steps[2].view.state as { waiting: { message: string } };
    assert.equal(err.waiting.message, pullErrorText(IMAGE));
    assert.deepEqual(
      steps[2].events.map(e => e.message),
      [`Failed to pull image "${IMAGE}": ${pullErrorText(IMAGE)}`, 'Error: ErrImagePull'],
    );
    const backoff = steps[3].view.state as { waiting: { message: string } };
    assert.equal(backoff.waiting.message, `Back-off pulling image "${IMAGE}": ErrImagePull: ${pullErrorText(IMAGE)}`);
    assert.deepEqual(
      steps[3].events.map(e => e.message),
      [`Back-off pulling image "${IMAGE}"`, 'Error: ImagePullBackOff'],
    );
    // the next pulls: 10 s (1000 ms) after the first failure, then 20 s after the second
    const pulls = steps.filter(s => s.events.some(e => e.reason === 'Pulling')).map(s => s.at);
    assert.deepEqual(pulls.slice(0, 3), [50, 1150, 3250]);
    assert.ok(steps.every(s => s.view.restartCount === 0 && !s.view.pulled));
    assert.deepEqual(steps.map(s => s.early === true).slice(0, 6), [true, true, true, true, false, false]);
  });

  it('CrashLoopBackOff: runs, exits 1 (Error), restarts at once, then waits 10 s, 20 s … with a growing restart count', () => {
    const steps = first(failingTimeline(c, { substring: '-crash', mode: 'CrashLoopBackOff' }, opts), 14);
    const summary = steps.map(s => [s.at, stateOf(s.view), s.view.restartCount]);
    assert.deepEqual(summary.slice(0, 5), [
      [0, 'waiting/ContainerCreating', 0],
      [50, 'running', 0],
      [150, 'running', 1],
      [250, 'waiting/CrashLoopBackOff', 1],
      [1250, 'running', 2],
    ]);
    const waits = steps.filter(
      s =>
        'waiting' in s.view.state &&
        (s.view.state as { waiting: { reason: string } }).waiting.reason === 'CrashLoopBackOff',
    );
    assert.match(
      (waits[0].view.state as { waiting: { message: string } }).waiting.message,
      /^back-off 10s restarting failed container=minecraft pod=minecraft-3_default\(u-1\)$/,
    );
    const later = waits.find(s => s.view.restartCount === 2)!;
    assert.match((later.view.state as { waiting: { message: string } }).waiting.message, /^back-off 20s /);
    assert.deepEqual(waits[0].view.lastTerminated, {
      exitCode: 1,
      reason: 'Error',
      startedAt: 150,
      finishedAt: 250,
      restart: 1,
    });
    assert.deepEqual(waits[0].events, [
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container minecraft in pod minecraft-3_default(u-1)',
      },
    ]);
    assert.deepEqual(
      steps[1].events.map(e => e.reason),
      ['Pulling', 'Pulled', 'Created', 'Started'],
    );
    assert.ok(steps.every(s => !s.view.ready));
  });

  it('NeverReady repeats Unhealthy every probe period; SlowReady turns Ready after its seconds', () => {
    const never = first(
      failingTimeline({ ...c, imagePullPolicy: 'IfNotPresent' }, { substring: 'x', mode: 'NeverReady' }, opts),
      5,
    );
    assert.deepEqual(
      never.map(s => [s.at, stateOf(s.view), s.view.ready]),
      [
        [0, 'waiting/ContainerCreating', false],
        [50, 'running', false],
        [150, 'running', false],
        [1150, 'running', false],
        [2150, 'running', false],
      ],
    );
    assert.deepEqual(
      never[1].events.map(e => e.message),
      [
        `Container image "${IMAGE}" already present on machine`,
        'Created container: minecraft',
        'Started container minecraft',
      ],
    );
    assert.deepEqual(never[2].events, [
      {
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      },
    ]);
    const slow = [...failingTimeline(c, { substring: 'x', mode: 'SlowReady', seconds: 2.5 }, opts)];
    assert.deepEqual(
      slow.map(s => [s.at, s.view.ready]),
      [
        [0, false],
        [50, false],
        [150, false],
        [1150, false],
        [2150, false],
        [2550, true],
      ],
    );
  });

  it('stepAt: the step in force, the events of the steps not yet seen, the next step; each early step is shown once', () => {
    const gen = () => failingTimeline(c, { substring: '-broken', mode: 'ImagePullBackOff' }, opts);
    // at 200 ms three early steps are due: creating, Pulling, ErrImagePull — handed out one at a time
    const shown: string[] = [];
    let seen = 0;
    let r = stepAt(gen, 200, seen);
    for (; r.more; r = stepAt(gen, 200, seen)) {
      shown.push(`${stateOf(r.step.view)} ${r.events.map(e => e.reason).join('+')}`);
      seen = r.index + 1;
    }
    shown.push(`${stateOf(r.step.view)} ${r.events.map(e => e.reason).join('+')}`);
    assert.deepEqual(shown, [
      'waiting/ContainerCreating ',
      'waiting/ContainerCreating Pulling',
      'waiting/ErrImagePull Failed+Failed',
    ]);
    assert.equal(r.next?.at, 250);
    const b = stepAt(gen, 260, r.index + 1);
    assert.deepEqual(
      b.events.map(e => e.reason),
      ['BackOff', 'Failed'],
    );
    // steps that are not early are passed over at once (their events still come back)
    const late = stepAt(gen, 5000, 4);
    assert.equal(late.more, undefined);
    assert.equal(stateOf(late.step.view), 'waiting/ImagePullBackOff');
    assert.deepEqual(late.events.filter(e => e.reason === 'Pulling').length, 2, 'the pulls at 1150 and 3250 ms');
    assert.deepEqual(stepAt(() => healthyTimeline(opts), 1000, Infinity).step.view.ready, true);
  });
});

describe('fail rules: pod status and the GameServer OKG derives from it', () => {
  const pod = (containers: { name: string; image: string }[]): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'minecraft-3', namespace: 'default', uid: 'u-1', labels: {} },
    spec: {
      containers,
      readinessGates: [{ conditionType: 'KruisePodReady' }, { conditionType: 'InPlaceUpdateReady' }],
    },
  });
  const at = (gen: Generator<Step>, elapsed: number) => stepAt(() => gen, elapsed, Infinity).step.view;
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  it('ImagePullBackOff: phase Pending, Ready/ContainersReady False ContainersNotReady with the unready containers → GS Creating, PodNormal False', () => {
    const p = pod([
      { name: 'minecraft', image: IMAGE },
      { name: 'sidecar', image: 'log-agent:3' },
    ]);
    const views = [
      {
        name: 'minecraft',
        image: IMAGE,
        view: at(
          failingTimeline(
            { name: 'minecraft', image: IMAGE },
            { substring: '-broken', mode: 'ImagePullBackOff' },
            opts,
          ),
          300,
        ),
      },
      { name: 'sidecar', image: 'log-agent:3', view: at(healthyTimeline(opts), 300) },
    ];
    p.status = failingPodStatus(p, views, t0, t0 + 300, '192.168.0.10', true);
    assert.equal(p.status.phase, 'Pending');
    const conds = Object.fromEntries((p.status.conditions ?? []).map(c => [c.type, [c.status, c.reason, c.message]]));
    assert.deepEqual(conds.Ready, ['False', 'ContainersNotReady', 'containers with unready status: [minecraft]']);
    assert.deepEqual(conds.ContainersReady, [
      'False',
      'ContainersNotReady',
      'containers with unready status: [minecraft]',
    ]);
    assert.deepEqual(conds.KruisePodReady, ['True', undefined, undefined]);
    const cs = p.status.containerStatuses as Json[];
    assert.deepEqual(cs[0].state, {
      waiting: {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${IMAGE}": ErrImagePull: ${pullErrorText(IMAGE)}`,
      },
    });
    assert.equal(cs[0].imageID, '');
    assert.equal(cs[0].containerID, undefined);
    assert.equal(cs[1].ready, true);
    assert.ok(p.status.podIP);
    assert.equal(deriveGameServerState(p), 'Creating');
    assert.deepEqual(podNormalCondition(p), {
      type: 'PodNormal',
      status: 'False',
      reason: 'ContainersNotReady; ImagePullBackOff',
      message: `containers with unready status: [minecraft]; Back-off pulling image "${IMAGE}": ErrImagePull: ${pullErrorText(IMAGE)}`,
    });
    const gs = buildGameServerStatus(p, undefined, '2026-01-01T00:00:01Z');
    assert.equal(gs.currentState, 'Creating');
    assert.deepEqual(gs.podStatus, p.status, 'GS status.podStatus mirrors the pod status');
  });

  it('CrashLoopBackOff: phase Running, lastState terminated (exitCode 1, Error), restartCount → GS NotReady, PodNormal names the termination', () => {
    const p = pod([{ name: 'minecraft', image: 'x-crash' }]);
    const view = at(
      failingTimeline({ name: 'minecraft', image: 'x-crash' }, { substring: '-crash', mode: 'CrashLoopBackOff' }, opts),
      300,
    );
    p.status = failingPodStatus(p, [{ name: 'minecraft', image: 'x-crash', view }], t0, t0 + 300, '192.168.0.10', true);
    assert.equal(p.status.phase, 'Running');
    const cs = (p.status.containerStatuses as Json[])[0];
    assert.equal(cs.restartCount, 1);
    assert.deepEqual((cs.lastState as Json).terminated, {
      exitCode: 1,
      reason: 'Error',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:00Z',
      containerID: cs.containerID,
    });
    assert.equal(deriveGameServerState(p), 'NotReady');
    const normal = podNormalCondition(p);
    assert.equal(normal.reason, 'ContainersNotReady; CrashLoopBackOff; ContainerTerminated:Error');
    assert.equal(
      normal.message,
      'containers with unready status: [minecraft]; back-off 10s restarting failed container=minecraft pod=minecraft-3_default(u-1);  ExitCode: 1',
    );
  });

  it('NeverReady: Running, not Ready → GS NotReady; a Ready pod keeps PodNormal True', () => {
    const p = pod([{ name: 'minecraft', image: 'x' }]);
    p.status = failingPodStatus(
      p,
      [
        {
          name: 'minecraft',
          image: 'x',
          view: at(
            failingTimeline({ name: 'minecraft', image: 'x' }, { substring: 'x', mode: 'NeverReady' }, opts),
            5000,
          ),
        },
      ],
      t0,
      t0 + 5000,
      '192.168.0.10',
      true,
    );
    assert.equal(deriveGameServerState(p), 'NotReady');
    assert.deepEqual(podNormalCondition(p), {
      type: 'PodNormal',
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [minecraft]',
    });
    const ok = pod([{ name: 'minecraft', image: 'x' }]);
    ok.status = buildPodStatus(ok, 'Ready', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z');
    assert.deepEqual(podNormalCondition(ok), { type: 'PodNormal', status: 'True' });
  });

  it("the kubelet's not-ready conditions carry the unready containers (also on the way to Ready)", () => {
    const p = pod([
      { name: 'minecraft', image: 'x' },
      { name: 'sidecar', image: 'y' },
    ]);
    const st = buildPodStatus(p, 'Running', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z');
    assert.equal(
      st.conditions?.find(c => c.type === 'ContainersReady')?.message,
      'containers with unready status: [minecraft sidecar]',
    );
  });

  it('GS conditions keep their lastTransitionTime only while status, reason and message stay the same', () => {
    const p = pod([{ name: 'minecraft', image: 'x' }]);
    p.status = buildPodStatus(p, 'Running', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z');
    const a = buildGameServerStatus(p, undefined, '2026-01-01T00:00:01Z');
    const b = buildGameServerStatus(p, a, '2026-01-01T00:00:05Z');
    assert.equal((b.conditions as Json[])[0].lastTransitionTime, '2026-01-01T00:00:01Z');
    p.status = buildPodStatus(p, 'Ready', '2026-01-01T00:00:00Z', '2026-01-01T00:00:06Z');
    const c2 = buildGameServerStatus(p, b, '2026-01-01T00:00:06Z');
    assert.deepEqual((c2.conditions as Json[])[0], {
      type: 'PodNormal',
      status: 'True',
      lastTransitionTime: '2026-01-01T00:00:06Z',
    });
  });
});
