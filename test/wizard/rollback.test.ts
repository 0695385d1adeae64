// Roll Back from the wizard's result: the host plans the rollback of the release it ran (the webview names nothing),
// sends the plan, and runs it on the page's yes with the same progress feed as a release. With the `vscode` stub
// against a sandbox; set-up in harness.ts.
import assert from 'node:assert/strict';
import { SEED_FIRST } from '../release/rollbackHelpers.js';
import { GSS, SEED_FINAL, strip, table } from '../release/helpers.js';
import { hostHarness, message, ourWrites, posted, seedRelease, send, until } from './harness.js';

describe('release wizard: Roll Back from the result', function () {
  this.timeout(60_000);
  const h = hostHarness();

  it("after the seed release: plans the rollback of that release, writes nothing until asked, then ends with the seed's first table", async () => {
    const w = await h.world();
    const p = await h.readyPanel(w);

    // Nothing ran in this window yet: nothing to roll back, nothing written.
    let at = posted(p).length;
    send(p, { type: 'rollback-preview', seq: 1 });
    const none = await until(() => message(p, 'rollback-preview-result', at), 'the refusal');
    assert.equal(none.ok, false);
    assert.match(none.message, /no finished release in this window to roll back/);

    send(p, { type: 'run', ...seedRelease(w.scope.id) });
    const released = await until(() => message(p, 'run-result'), 'the release');
    assert.equal(released.result.outcome, 'succeeded', released.result.message);
    assert.deepEqual(strip(table(w.sb)), SEED_FINAL);
    const writes = ourWrites(w.sb);

    // The webview cannot name what to roll back: unknown keys are refused.
    at = posted(p).length;
    send(p, { type: 'rollback-preview', seq: 2, release: 'rel-20200101T000000Z-0000' });
    send(p, { type: 'rollback-preview', seq: 3 });
    const planned = await until(() => message(p, 'rollback-preview-result', at), 'the rollback plan');
    assert.equal(planned.seq, 3, 'the message with a key of its own got no answer');
    assert.ok(planned.ok, planned.message);
    assert.equal(planned.plan.release.id, released.result.id);
    assert.deepEqual(
      planned.plan.rooms.map(r => `${r.name} ${r.action}${r.to ? ` → ${r.to}` : ''}`),
      [
        'minecraft-0 protected',
        'minecraft-1 restore → None',
        'minecraft-2 restore → None',
        'minecraft-3 retire',
        'minecraft-4 retire',
        'minecraft-5 retire',
      ],
    );
    assert.deepEqual(
      planned.plan.predicted.map(r => `${r.name} ${r.opsState}`),
      ['minecraft-0 Allocated', 'minecraft-1 None', 'minecraft-2 None'],
    );
    assert.equal(ourWrites(w.sb), writes, 'a rollback preview writes nothing');

    // A run for another preview than the one shown is refused.
    at = posted(p).length;
    send(p, { type: 'rollback', seq: 2 });
    assert.match(
      (await until(() => message(p, 'notice', at), 'refusal')).message,
      /no current rollback preview to run/,
    );
    assert.equal(ourWrites(w.sb), writes);

    at = posted(p).length;
    send(p, { type: 'rollback', seq: 3 });
    const started = await until(() => message(p, 'run-started', at), 'the rollback');
    assert.ok('rollback' in started);
    assert.deepEqual(started.rollback, {
      namespace: w.scope.namespace,
      gameServerSet: GSS,
      release: released.result.id,
      images: planned.plan.images,
    });
    const done = await until(() => message(p, 'run-result', at), 'the rollback result');
    assert.equal(done.result.outcome, 'succeeded', done.result.message);
    assert.deepEqual(done.result.rolledBack?.restored, ['minecraft-1', 'minecraft-2']);
    assert.deepEqual(done.result.rolledBack?.retired, ['minecraft-3', 'minecraft-4', 'minecraft-5']);
    assert.deepEqual(strip(table(w.sb)), SEED_FIRST);
    // Its progress came through the same feed: the rollback's own steps, in order.
    const steps = posted(p)
      .slice(at)
      .flatMap(m => (m.type === 'progress' ? m.events : []))
      .flatMap(e => (e.type === 'step-started' ? [e.step] : []));
    assert.deepEqual(steps.slice(0, 2), ['lock', 'restore-image']);
    assert.ok(steps.includes('restore-replicas') || steps.includes('reclaim-new'), steps.join(', '));
    assert.ok(!h.log.lines.some(l => l.includes('cannot show')), h.log.lines.join('\n'));
  });
});
