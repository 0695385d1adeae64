// `okg release` while the new rooms fail: the plan shows the fail-fast grace and what ready means, each new
// room's reason is printed when it changes, the release stops early with the grouped reason and the roll-back
// command, exit 1; a bad --fail-fast-after is refused with exit 2 and no write.
import * as assert from 'node:assert/strict';
import { releaseCommand } from '../../src/cli/releaseCommand.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import {
  imagePullBackOff,
  podsHeld,
  startHeldWorld,
  until,
  writePodEvent,
  writePodStatus,
} from '../release/failing.js';
import { NEW } from '../release/helpers.js';
import { seedRelease } from './run.js';

const NEW_ROOMS = ['minecraft-3', 'minecraft-4', 'minecraft-5'];

describe('okg release: reasons and stop-early', function () {
  this.timeout(90_000);
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startHeldWorld();
  });
  afterEach(async () => {
    await sb?.stop();
  });

  const base = (): string[] => [...seedRelease(sb.kubeconfigPath('admin'))];

  it("prints each room's reason once per change and stops early with the reasons and the roll-back command (exit 1)", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = releaseCommand(
      [...base(), '--timeout', '45s', '--fail-fast-after', '1s'],
      l => out.push(l),
      l => err.push(l),
    );
    const uids = await podsHeld(sb, NEW_ROOMS);
    for (const n of NEW_ROOMS)
      await writePodEvent(sb, n, uids.get(n)!, 'Warning', 'Failed', `Failed to pull image "${NEW}": not found`);
    // the watch has brought the Events before the pods change (else a room would print twice: without, then with it)
    await until(
      () => NEW_ROOMS.every(n => out.some(l => l.startsWith(`      ${n}: ContainerCreating (last event Failed:`))),
      'the Events in the waiting lines',
    );
    for (const n of NEW_ROOMS) await writePodStatus(sb, n, imagePullBackOff());
    assert.equal(await code, 1, [...out, ...err].join('\n'));
    assert.match(
      out.find(l => l.startsWith('release default/minecraft:')) ?? '',
      /; timeout 45 s, fail fast after 1 s;/,
    );
    assert.ok(
      out.some(l =>
        /^ {2}5\. wait until at least 3 new-version rooms are ready for players \(state Ready, opsState None\)$/.test(
          l,
        ),
      ),
      out.join('\n'),
    );
    for (const n of NEW_ROOMS) {
      const lines = out.filter(l => l.startsWith(`      ${n}: ImagePullBackOff`));
      assert.equal(lines.length, 1, `${n}: ${lines.join(' | ')}`);
      assert.match(
        lines[0],
        new RegExp(
          `^ {6}${n}: ImagePullBackOff: Back-off pulling image ".*" \\(last event Failed: Failed to pull image ".*": not found\\) — does not heal by itself$`,
        ),
      );
    }
    assert.equal(err.length, 1, err.join('\n'));
    assert.match(
      err[0],
      /^okg: release rel-\S+ stopped early at step wait-ready: .*3 rooms ImagePullBackOff: Failed to pull image ".*": not found \(minecraft-3, minecraft-4, minecraft-5\); nothing was marked; to roll back: okg rollback -n default --gss minecraft$/,
    );
  });

  it('-o json carries outcome stopped-early, suggest rollback and the grouped reasons', async () => {
    const out: string[] = [];
    const code = releaseCommand(
      [...base(), '--fail-fast-after', '500ms', '-o', 'json'],
      l => out.push(l),
      () => undefined,
    );
    await podsHeld(sb, NEW_ROOMS);
    for (const n of NEW_ROOMS) await writePodStatus(sb, n, imagePullBackOff());
    assert.equal(await code, 1);
    const j = JSON.parse(out.join('\n')) as {
      outcome: string;
      suggest: string;
      reasons: { reason: string; rooms: string[] }[];
      events: { type: string }[];
    };
    assert.equal(j.outcome, 'stopped-early');
    assert.equal(j.suggest, 'rollback');
    assert.deepEqual(
      j.reasons.map(g => [g.reason, g.rooms]),
      [['ImagePullBackOff', NEW_ROOMS]],
    );
    assert.ok(j.events.some(e => e.type === 'room-waiting'));
  });

  it('a bad --fail-fast-after is refused before any write (exit 2)', async () => {
    for (const bad of ['soon', '-1s', '25h']) {
      const err: string[] = [];
      const code = await releaseCommand(
        [...base(), `--fail-fast-after=${bad}`],
        () => undefined,
        l => err.push(l),
      );
      assert.equal(code, 2, `${bad}: ${err.join('\n')}`);
      assert.equal(err.length, 1);
      assert.match(
        err[0],
        /^okg: (--fail-fast-after: ".*" is not a duration|the fail-fast grace period must be from 0 \(off\) to 24h)/,
      );
    }
    assert.deepEqual(
      sb.server.writeLog().filter(w => w.user !== 'controller'),
      [],
    );
  });
});
