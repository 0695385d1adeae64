// The release wizard's host side with the `vscode` stub: the ready handshake, the CSP, validation of what the
// webview sends, previews and releases against a sandbox streamed to the panel, cancel, hide/show replay, the
// serializer, and the Argo export saved to a file. What the host accepts from the webview and when it asks
// before a resume: trust.test.ts. Shared set-up: harness.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED } from '../../src/sandbox/scenarios.js';
import type { ReleaseEvent } from '../../src/release/types.js';
import { PROTOCOL_VERSION, type Target } from '../../src/webview/protocol.js';
import { GSS, NEW, NS, OLD, SEED_FINAL, strip, table } from '../release/helpers.js';
import {
  events as sent,
  hostHarness,
  message,
  posted,
  releaseStarted,
  seedRelease,
  send,
  sentEvent,
  until,
} from './harness.js';

describe('release wizard: host side (vscode stub)', function () {
  const h = hostHarness();

  it('opens a panel with a nonce CSP (default-src none), resources limited to dist and media, and says nothing before ready', async () => {
    const w = await h.world();
    const scope = w.scope;
    h.register(async () => [scope]);
    const p = await h.openFromTree();
    assert.equal(p.viewType, 'okg.releaseWizard');
    const opts = p.webview.options as { enableScripts?: boolean; localResourceRoots?: { toString(): string }[] };
    assert.equal(opts.enableScripts, true);
    assert.deepEqual(
      opts.localResourceRoots?.map(u => u.toString()),
      ['file:/okg-ops/dist', 'file:/okg-ops/media'],
    );
    const html = p.webview.html;
    const csp =
      /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1].replace(/&#39;|&quot;/g, "'") ?? '';
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, csp);
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://webview.test/okg-ops/dist/webview.js">`), html);
    assert.ok(!/<script(?![^>]*nonce=)/.test(html), 'every script tag carries the nonce');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    // Requests before the handshake are ignored (and logged); nothing is posted.
    send(p, { type: 'refresh' });
    send(p, { type: 'run', ...seedRelease(scope.id) });
    await new Promise(r => setTimeout(r, 100));
    assert.deepEqual(posted(p), []);
    assert.ok(
      h.log.lines.some(l => /came before the webview was ready/.test(l)),
      h.log.lines.join('\n'),
    );
    // Reopening the command reveals the same panel.
    await h.stub.commands.executeCommand('okg.release');
    assert.equal(h.stub.webviews.panels.length, 1);
    assert.equal(p.revealed, 1);
    assert.deepEqual(posted(p), []);
    // The handshake: init with the sets the explorer shows, the tree's set selected.
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    const init = await until(() => message(p, 'init'), 'init');
    assert.equal(posted(p)[0].type, 'init');
    assert.deepEqual(init.select, { scope: scope.id, name: GSS });
    assert.deepEqual(
      init.targets.map((t: Target) => [
        t.name,
        t.namespace,
        t.replicas,
        t.rooms,
        t.images,
        t.onDeleteInForce,
        t.interrupted,
      ]),
      [[GSS, NS, 3, 3, [{ container: SEED.container, image: OLD }], true, undefined]],
    );
  });

  it('ignores malformed messages from the webview and logs them without their content', async () => {
    const w = await h.world();
    const scope = w.scope;
    const p = await h.readyPanel(w);
    const before = posted(p).length;
    const secret = 'SECRET<img src=x onerror=alert(1)>';
    const bad: unknown[] = [
      null,
      42,
      'ready',
      [],
      { type: secret },
      { type: 'preview' },
      {
        type: 'preview',
        seq: 1,
        scope: scope.id,
        input: { namespace: NS, gameServerSet: secret, images: [{ container: SEED.container, image: NEW }], add: 3 },
      },
      {
        type: 'preview',
        seq: 1,
        scope: scope.id,
        input: {
          namespace: NS,
          gameServerSet: GSS,
          images: [{ container: SEED.container, image: `${NEW} ${secret}` }],
          add: 3,
        },
      },
      { type: 'run', scope: scope.id, input: { namespace: NS, gameServerSet: GSS, images: 'nginx', add: 3 } },
      { type: 'run', scope: scope.id, input: { namespace: NS, gameServerSet: GSS, images: [], add: 1.5 } },
      { type: 'export-argo', seq: -1 },
      { type: 'rejected', reason: 7 },
      { type: 'ready', version: '1' },
    ];
    for (const m of bad) send(p, m);
    send(p, { type: 'rejected', reason: `message.targets[0].name: not a Kubernetes name ${secret}` });
    send(p, { type: 'rejected', reason: secret });
    await new Promise(r => setTimeout(r, 200));
    assert.equal(posted(p).length, before, 'nothing answered');
    const warnings = h.log.lines.filter(l => l.includes('malformed'));
    assert.equal(warnings.length, bad.length + 2, h.log.lines.join('\n'));
    assert.ok(
      h.log.lines.some(l => l.endsWith('malformed message from the host (at message.targets[0].name)')),
      h.log.lines.join('\n'),
    );
    for (const l of h.log.lines) {
      assert.ok(!l.includes('SECRET') && !l.includes('<img'), `log echoes content: ${l}`);
    }
    assert.deepEqual(w.sb.server.writeLog(), [], 'no write reached the cluster');
    // A scope the explorer does not show is refused with a sentence, not run.
    send(p, { type: 'run', ...seedRelease('sunknown') });
    const notice = await until(() => message(p, 'notice', before), 'notice');
    assert.equal(notice.level, 'error');
    assert.match(notice.message, /no longer shown/);
  });

  it('previews, saves the Argo export to a file, runs the seed release and streams its events', async () => {
    const w = await h.world();
    const scope = w.scope;
    const p = await h.readyPanel(w);
    send(p, { type: 'preview', seq: 1, ...seedRelease(scope.id) });
    const preview = await until(() => message(p, 'preview-result'), 'preview');
    assert.equal(preview.ok, true, preview.message);
    assert.ok(preview.ok);
    assert.deepEqual(
      preview.plan.rooms.map(r => `${r.name} ${r.action}${r.reason ? ` ${r.reason}` : ''}`),
      [
        'minecraft-0 protected Allocated',
        'minecraft-1 retire',
        'minecraft-2 retire',
        'minecraft-3 create',
        'minecraft-4 create',
        'minecraft-5 create',
      ],
    );
    assert.deepEqual(
      preview.plan.predicted.map(r => ({
        name: r.name,
        state: r.state,
        opsState: r.opsState,
        image: r.images[0].image,
      })),
      SEED_FINAL,
    );

    // the export is saved where the Save dialog says (argoExport.test.ts), never opened as an untitled buffer
    const file = join(mkdtempSync(join(tmpdir(), 'okg-host-argo-')), 'release.yaml');
    h.stub.ui.answers.push(h.stub.saveAs(file));
    send(p, { type: 'export-argo', seq: 1 });
    await until(() => h.stub.ui.savedFiles[0], 'the Argo file');
    assert.equal(h.stub.ui.savedFiles[0].uri.path, file);
    assert.match(readFileSync(file, 'utf8'), /\nkind: WorkflowTemplate\n[\s\S]*\nkind: Workflow\n/);
    assert.ok(readFileSync(file, 'utf8').includes(NEW));
    assert.deepEqual(h.stub.ui.shownDocuments, []);
    // An export for an older preview is refused.
    send(p, { type: 'export-argo', seq: 0 });
    assert.match(
      (
        await until(
          () =>
            message(p, 'notice', posted(p).length - 1)?.level === 'error'
              ? message(p, 'notice', posted(p).length - 1)
              : undefined,
          'refusal',
        )
      ).message,
      /no current preview/,
    );

    const from = posted(p).length;
    send(p, { type: 'run', ...seedRelease(scope.id) });
    const result = await until(() => message(p, 'run-result', from), 'the release to finish', 30_000);
    assert.equal(result.result.outcome, 'succeeded', result.result.message);
    assert.deepEqual(result.result.summary?.retired, ['minecraft-1', 'minecraft-2']);
    assert.deepEqual(strip(table(w.sb)), SEED_FINAL);
    const after = posted(p).slice(from);
    assert.equal(after[0].type, 'run-started');
    const events = sent(p, from);
    assert.deepEqual(
      events.filter(e => e.type === 'step-started').map(e => e.type === 'step-started' && e.step),
      ['lock', 'patch-image', 'wait-generation', 'scale', 'wait-ready', 'mark', 'reclaim', 'unlock'],
    );
    assert.deepEqual(
      events
        .filter(e => e.type === 'room-changed')
        .map(e => e.type === 'room-changed' && `${e.room} ${e.from}→${e.to} ${e.result}`),
      ['minecraft-1 None→WaitToBeDeleted changed', 'minecraft-2 None→WaitToBeDeleted changed'],
    );
    assert.ok(events.some(e => e.type === 'step-progress' && e.step === 'wait-ready' && e.done === 3 && e.of === 3));
    assert.equal(events[events.length - 1].type, 'done');
    // Every room of the set reaches the panel, the ones the release never touches included (minecraft-0).
    const rows = new Map<string, string>();
    for (const m of after)
      if (m.type === 'progress')
        for (const r of m.rooms ?? []) rows.set(r.name, `${r.version} ${r.state} ${r.opsState}`);
    assert.deepEqual(Object.fromEntries([...rows].sort()), {
      'minecraft-0': 'old Ready Allocated',
      'minecraft-1': 'old Ready WaitToBeDeleted',
      'minecraft-2': 'old Ready WaitToBeDeleted',
      'minecraft-3': 'new Ready None',
      'minecraft-4': 'new Ready None',
      'minecraft-5': 'new Ready None',
    });
    const firstSample = after.find(m => m.type === 'progress' && m.sample);
    assert.ok(firstSample?.type === 'progress');
    assert.deepEqual(
      firstSample.sample,
      { t: 0, old: 3, newReady: 0, newNotReady: 0, marked: 0, reclaimed: 0 },
      'the counts as the run started',
    );
    assert.equal(after[after.length - 1].type, 'run-result', 'the result comes after every event');
    assert.ok(
      h.log.lines.some(l => /\[info\] release wizard: minecraft: succeeded/.test(l)),
      h.log.lines.join('\n'),
    );
  });

  it('cancel aborts the running release; a reloaded webview gets the run replayed; reopening offers the resume', async () => {
    // Rooms take long to turn Ready, so the release waits at wait-ready until cancelled.
    const { p, scope } = await h.runUntilWaitReady();

    // Hidden: the webview is torn down, nothing is posted; shown again and ready: init replays the run.
    p.setVisible(false);
    const hiddenAt = posted(p).length;
    await new Promise(r => setTimeout(r, 100));
    p.setVisible(true);
    assert.equal(posted(p).length, hiddenAt);
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    const replay = await until(() => message(p, 'init', hiddenAt), 'init after show');
    assert.ok(replay.run && !replay.run.result);
    assert.ok((replay.run.events as ReleaseEvent[]).some(e => e.type === 'step-started' && e.step === 'wait-ready'));
    // A second run while one is running is refused.
    send(p, { type: 'run', ...seedRelease(scope.id) });
    assert.match((await until(() => message(p, 'notice', hiddenAt), 'refusal')).message, /already running/);

    send(p, { type: 'cancel' });
    const result = await until(() => message(p, 'run-result'), 'cancelled result');
    assert.equal(result.result.outcome, 'cancelled', result.result.message);
    assert.equal(result.result.step, 'wait-ready');
    const failed = sentEvent(p, e => e.type === 'failed');
    assert.ok(failed && failed.type === 'failed' && failed.outcome === 'cancelled');

    // The webview asks for the sets again: the interrupted release is offered for resume with its inputs.
    const at = posted(p).length;
    const offer = await h.offered(p);
    assert.equal(offer.state, 'cancelled');
    assert.equal(offer.step, 'wait-ready');
    assert.equal(offer.mine, true, 'made by this user on this machine');
    assert.match(offer.holder, /@/);
    assert.deepEqual(offer.input.images, [{ container: SEED.container, image: NEW }]);
    assert.equal(offer.input.add, 3);
    // The resume names the record; the host previews the record's own inputs.
    send(p, { type: 'preview', seq: 5, scope: scope.id, resume: { gameServerSet: GSS, id: offer.id } });
    const plan = await until(() => message(p, 'preview-result', at), 'resume preview');
    assert.ok(plan.ok, plan.message);
    assert.equal(plan.plan.resumes, result.result.id);
    // Made here with the wizard's defaults: it resumes without a question.
    const runAt = posted(p).length;
    send(p, { type: 'run', scope: scope.id, resume: { gameServerSet: GSS, id: offer.id } });
    const started = await until(() => releaseStarted(p, runAt), 'the resumed run');
    assert.deepEqual(started.input, offer.input);
    assert.deepEqual(
      h.stub.ui.prompts.filter(x => x.kind === 'warning'),
      [],
    );
    await until(
      () => sentEvent(p, e => e.type === 'step-started' && e.step === 'wait-ready', runAt),
      'wait-ready again',
    );
    send(p, { type: 'cancel' });
    assert.equal((await until(() => message(p, 'run-result', runAt), 'cancelled again')).result.outcome, 'cancelled');
  });

  it('closing the panel leaves the release running in the background and says so; the serializer restores a panel', async () => {
    const { p } = await h.runUntilWaitReady();
    h.stub.ui.answers.push(h.stub.button('Cancel Release'));
    send(p, { type: 'close' });
    assert.equal(p.disposed, true);
    const prompt = await until(() => h.stub.ui.prompts.find(x => x.kind === 'info'), 'the background notice');
    assert.match(prompt.text ?? '', /release of minecraft continues in the background/);
    assert.deepEqual(prompt.buttons, ['Show', 'Cancel Release']);

    // The serializer (after a window reload) attaches a host to the restored panel: same CSP, same handshake.
    const serializer = h.stub.webviews.serializers.get('okg.releaseWizard');
    assert.ok(serializer);
    const restored = new h.stub.FakePanel('okg.releaseWizard', 'Release New Version');
    await serializer.deserializeWebviewPanel(restored, { v: 1, step: 'rooms' });
    assert.match(restored.webview.html, /default-src 'none'/);
    assert.equal((restored.webview.options as { enableScripts?: boolean }).enableScripts, true);
    assert.deepEqual(restored.webview.posted, []);
    send(restored, { type: 'ready', version: PROTOCOL_VERSION });
    const init = await until(() => message(restored, 'init'), 'init of the restored panel');
    // The background run was cancelled from the notice; the restored panel shows its result.
    assert.ok(init.run);
    const done = init.run.result ?? (await until(() => message(restored, 'run-result'), 'result')).result;
    assert.equal(done.outcome, 'cancelled');
    restored.dispose();
  });
});
