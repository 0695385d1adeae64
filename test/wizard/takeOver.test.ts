// Taking over someone else's release from the wizard: the host asks in a modal that names the context, namespace,
// set and holder, and only on yes runs with `takeOver` (the webview can never send it). With the `vscode` stub
// against sandboxes; set-up in harness.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { runRelease } from '../../src/release/engine.js';
import type { Holder } from '../../src/release/record.js';
import { GSS, mortal, NS, record, SEED_FINAL, strip, table } from '../release/helpers.js';
import {
  hostHarness,
  message,
  ourWrites,
  posted,
  releaseStarted,
  seedInput,
  seedRelease,
  send,
  until,
  type World,
} from './harness.js';

/** A release of the seed whose run dies (its connection lost) once it starts marking: its record keeps the lease. */
async function crashed(w: World, holder: Partial<Holder>): Promise<string> {
  const m = mortal(w.client);
  const r = await runRelease(seedInput, {
    client: m.client,
    holder,
    onEvent: e => {
      if (e.type === 'step-started' && e.step === 'mark') m.kill();
    },
  });
  assert.equal(r.outcome, 'failed', r.message);
  return r.id!;
}

function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', '']);
    p.on('error', reject);
    p.on('exit', () => resolve(p.pid!));
  });
}

describe('release wizard: taking over a release someone else left', function () {
  this.timeout(60_000);
  const h = hostHarness();

  it('a run that died on another machine: previewed as a take-over, asked in a modal naming context, namespace, set and holder; no writes on No, resumed to the seed table on Yes', async () => {
    const w = await h.world();
    const id = await crashed(w, { user: 'alice', host: 'ops-box', pid: 4242 });
    const p = await h.readyPanel(w);
    const offer = await h.offered(p);
    assert.equal(offer.state, 'running', 'alice still holds the lease');
    const ref = { gameServerSet: GSS, id };

    // The webview cannot ask for a take-over itself: takeOver is not a key its form has.
    let at = posted(p).length;
    const writes = ourWrites(w.sb);
    send(p, { type: 'run', ...seedRelease(w.scope.id, { takeOver: 'alice@ops-box' }) });
    send(p, { type: 'preview', seq: 1, scope: w.scope.id, resume: ref });
    const preview = await until(() => message(p, 'preview-result', at), 'the preview');
    assert.ok(preview.ok, preview.message);
    assert.equal(preview.plan.takesOver?.holder, 'alice@ops-box (pid 4242)');
    assert.equal(preview.plan.takesOver?.release, id);
    assert.equal(message(p, 'run-started', at), undefined, 'the webview-sent takeOver ran nothing');
    assert.ok(h.log.lines.some(l => l.includes('(message.input.takeOver: not allowed)')));

    // No: nothing is written, alice keeps the lease.
    h.stub.ui.answers.push(h.stub.cancel);
    at = posted(p).length;
    send(p, { type: 'run', scope: w.scope.id, resume: ref });
    assert.equal(
      (await until(() => message(p, 'notice', at), 'declined')).message,
      `Release ${id} was not taken over from alice@ops-box (pid 4242); nothing was changed.`,
    );
    const asked = h.stub.ui.prompts.filter(x => x.kind === 'warning');
    assert.equal(asked.length, 1, 'one question');
    assert.equal(asked[0].text, `Take over release ${id} of ${GSS} from alice@ops-box (pid 4242)?`);
    const opts = asked[0].options as { modal?: boolean; detail?: string };
    assert.equal(opts.modal, true);
    assert.match(
      opts.detail ?? '',
      /^Context: sandbox\nNamespace: default\nGameServerSet: minecraft\nHeld by: alice@ops-box \(pid 4242\) \(taken over as asked/,
    );
    assert.equal(message(p, 'run-started', at), undefined);
    assert.equal(ourWrites(w.sb), writes, 'nothing was written');
    assert.equal(record(w.sb).current?.holder.user, 'alice');

    // Yes: the same release resumes under the wizard's holder and ends with the seed's final table.
    h.stub.ui.answers.push(h.stub.button('Take Over Release'));
    at = posted(p).length;
    send(p, { type: 'run', scope: w.scope.id, resume: ref });
    const started = await until(() => releaseStarted(p, at), 'the run');
    assert.equal(started.input.takeOver, 'alice@ops-box (pid 4242)');
    const done = await until(() => message(p, 'run-result', at), 'the result');
    assert.equal(done.result.outcome, 'succeeded', done.result.message);
    assert.equal(done.result.id, id, 'the same release, taken over');
    assert.deepEqual(strip(table(w.sb)), SEED_FINAL);
  });

  it('a run of your own whose process is gone is not taken over silently: the wizard asks first', async () => {
    assert.equal(NS, 'default');
    const w = await h.world();
    const id = await crashed(w, { user: userInfo().username, host: hostname(), pid: await deadPid() });
    const p = await h.readyPanel(w);
    const offer = await h.offered(p);
    assert.equal(offer.state, 'expired');
    assert.equal(offer.mine, true);
    const writes = ourWrites(w.sb);
    h.stub.ui.answers.push(h.stub.cancel);
    const at = posted(p).length;
    // Before the fix this ran at once: the engine takes a dead process's lease over by itself.
    send(p, { type: 'run', scope: w.scope.id, resume: { gameServerSet: GSS, id } });
    assert.match(
      (await until(() => message(p, 'notice', at), 'declined')).message,
      new RegExp(`^Release ${id} was not taken over from .+; nothing was changed\\.$`),
    );
    const asked = h.stub.ui.prompts.filter(x => x.kind === 'warning');
    assert.equal(asked.length, 1);
    assert.match(
      (asked[0].options as { detail?: string }).detail ?? '',
      /Held by: .+ \(its process \d+ on this host is gone\)/,
    );
    assert.equal(message(p, 'run-started', at), undefined);
    assert.equal(ourWrites(w.sb), writes, 'nothing was written');
  });
});
