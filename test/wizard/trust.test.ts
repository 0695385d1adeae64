// What the wizard's host accepts from the webview (only what its form offers) and when it asks before a resume
// (a release someone else made, or inputs beyond the wizard's defaults): the record's inputs are replayed as
// they are, and only on yes. With the `vscode` stub against sandboxes; set-up in harness.ts.
import assert from 'node:assert/strict';
import { GSS } from '../release/helpers.js';
import {
  hostHarness,
  mergePatch,
  message,
  ourWrites,
  posted,
  releaseStarted,
  seedInput,
  seedRelease,
  send,
  sentEvent,
  slowNewRooms,
  someoneElsesCancelledRelease,
  until,
} from './harness.js';

describe('release wizard: what the host takes from the webview, and the question before a resume', function () {
  const h = hostHarness();

  it('the webview cannot widen what is retired: retire states (or replicas) from the webview are refused; a room in a custom opsState stays protected', async () => {
    const w = await h.world();
    const { sb, cache, scope } = w;
    await mergePatch(sb, 'minecraft-1', { spec: { opsState: 'Playing' } });
    await until(
      () => cache.rooms(GSS).find(r => r.name === 'minecraft-1' && r.opsState === 'Playing'),
      'the cache to see Playing',
    );
    const p = await h.readyPanel(w);
    const writes = ourWrites(sb);
    // Before the fix these were accepted: the preview retired minecraft-1 (Playing), which the CLI protects.
    send(p, { type: 'preview', seq: 1, ...seedRelease(scope.id, { retireOpsStates: ['None', 'Playing'] }) });
    send(p, { type: 'run', ...seedRelease(scope.id, { retireOpsStates: ['None', 'Playing'] }) });
    send(p, { type: 'run', ...seedRelease(scope.id, { replicas: 9 }) });
    send(p, { type: 'preview', seq: 2, ...seedRelease(scope.id) });
    const answer = await until(() => message(p, 'preview-result'), "the form's preview");
    assert.equal(answer.seq, 2, 'the widened preview got no answer');
    assert.ok(answer.ok, answer.message);
    assert.deepEqual(
      answer.plan.rooms
        .filter(r => r.name === 'minecraft-1' || r.name === 'minecraft-2')
        .map(r => `${r.name} ${r.action}${r.reason ? ` ${r.reason}` : ''}`),
      ['minecraft-1 protected custom opsState Playing', 'minecraft-2 retire'],
    );
    assert.equal(message(p, 'run-started'), undefined, 'nothing ran');
    assert.equal(ourWrites(sb), writes, 'nothing was written');
    const refused = h.log.lines.filter(l => l.includes('malformed message from the webview'));
    assert.deepEqual(
      refused.map(l => /\((message[^)]*)\)$/.exec(l)?.[1]),
      [
        'message.input.retireOpsStates: not allowed',
        'message.input.retireOpsStates: not allowed',
        'message.input.replicas: not allowed',
      ],
    );
  });

  it('asks before resuming a release someone else made with inputs the wizard never produces; on yes it replays the recorded inputs as they are', async () => {
    const w = await h.world(slowNewRooms);
    const recorded = { ...seedInput, retireOpsStates: ['None', 'Playing'] };
    const id = await someoneElsesCancelledRelease(w, recorded);
    const p = await h.readyPanel(w);
    const offer = await h.offered(p);
    assert.equal(offer.id, id);
    assert.equal(offer.mine, false);
    assert.match(offer.holder, /^alice@elsewhere\.example \(pid \d+\)$/);
    assert.deepEqual(offer.input.retireOpsStates, ['None', 'Playing']);
    const ref = { gameServerSet: GSS, id };

    // An id that is not the recorded one is refused (the webview cannot name inputs of its own).
    let at = posted(p).length;
    send(p, { type: 'run', scope: w.scope.id, resume: { gameServerSet: GSS, id: 'rel-20200101T000000Z-0000' } });
    assert.match(
      (await until(() => message(p, 'notice', at), 'refusal')).message,
      /is no longer the unfinished release recorded on minecraft/,
    );

    // Declined: nothing is written.
    const writes = ourWrites(w.sb);
    h.stub.ui.answers.push(h.stub.cancel);
    at = posted(p).length;
    send(p, { type: 'run', scope: w.scope.id, resume: ref });
    assert.match(
      (await until(() => message(p, 'notice', at), 'not resumed')).message,
      /was not resumed; nothing was changed/,
    );
    const asked = h.stub.ui.prompts.filter(x => x.kind === 'warning');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].text, `Resume release ${id} of minecraft with its recorded inputs?`);
    const opts = asked[0].options as { modal?: boolean; detail?: string };
    assert.equal(opts.modal, true);
    assert.match(opts.detail ?? '', /It was made by alice@elsewhere\.example/);
    assert.match(opts.detail ?? '', /It retires rooms in opsState None, Playing/);
    assert.match(opts.detail ?? '', /- Retire idle old rooms whose opsState is None or Playing\./);
    assert.equal(message(p, 'run-started', at), undefined);
    assert.equal(ourWrites(w.sb), writes, 'nothing was written');

    // Confirmed: the run replays the record's inputs, not anything the webview sent.
    h.stub.ui.answers.push(h.stub.button('Resume Release'));
    at = posted(p).length;
    send(p, { type: 'run', scope: w.scope.id, resume: ref });
    const started = await until(() => releaseStarted(p, at), 'the resumed run');
    assert.deepEqual(started.input, { ...recorded, fixUpdateStrategy: false, failFastAfterMs: 60_000, settleMs: 2000 });
    await until(() => sentEvent(p, e => e.type === 'step-started' && e.step === 'wait-ready', at), 'wait-ready');
    send(p, { type: 'cancel' });
    const done = await until(() => message(p, 'run-result', at), 'cancelled');
    assert.equal(done.result.outcome, 'cancelled');
    assert.equal(done.result.id, id, 'the same release, resumed');
  });

  it("a form run equal to someone else's recorded release resumes it, so it asks too", async () => {
    const w = await h.world(slowNewRooms);
    const id = await someoneElsesCancelledRelease(w, seedInput);
    const p = await h.readyPanel(w);
    assert.equal((await h.offered(p)).id, id);
    const writes = ourWrites(w.sb);
    h.stub.ui.answers.push(h.stub.cancel);
    const at = posted(p).length;
    send(p, { type: 'run', ...seedRelease(w.scope.id) });
    assert.match(
      (await until(() => message(p, 'notice', at), 'not resumed')).message,
      new RegExp(`Release ${id} was not resumed`),
    );
    const asked = h.stub.ui.prompts.filter(x => x.kind === 'warning');
    assert.equal(asked.length, 1);
    assert.match((asked[0].options as { detail?: string }).detail ?? '', /It was made by alice@elsewhere\.example/);
    assert.equal(ourWrites(w.sb), writes, 'nothing was written');
  });
});
