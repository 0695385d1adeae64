// The release wizard's webview in Chromium, steps 1 to 6 and cancel: what each step shows and checks as the
// operator types, what the page asks the host for, and the run's progress from a real event stream. The page
// set-up (the host's HTML and CSP, a fake acquireVsCodeApi, a real plan and event stream) is page.ts.
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../../src/webview/protocol.js';
import { NEW, OLD, SCOPE, wizardPage } from './page.js';

describe('release wizard: the webview in Chromium, step by step', function () {
  const wp = wizardPage();
  const { posted, send, waitPosted, text, step, focused, init, fromForm, toPreview, previewResult } = wp;

  it('says ready first and nothing else until the host answers', async () => {
    await waitPosted('ready');
    const all = await posted();
    assert.deepEqual(all, [{ type: 'ready', version: PROTOCOL_VERSION }]);
    assert.equal(await wp.page.locator('h1').innerText(), 'Release New Version');
    // The page's stylesheet loaded from the resource origin (the CSP allows it, theme variables in use).
    assert.ok(
      await wp.page.evaluate(() => Array.from(document.styleSheets).some(s => s.href?.endsWith('/media/wizard.css'))),
    );
  });

  it('step 1: the GameServerSet from the tree is selected, with its images, replicas and a warning when OnDelete is not in force', async () => {
    await init();
    assert.equal(await wp.page.locator('#gss option:checked').innerText(), 'minecraft (3 rooms)');
    assert.match(await text('#gss-details'), /Replicas\s+3 \(3 ready\)/);
    assert.ok((await text('#gss-details')).includes(`minecraft=${OLD}`));
    assert.equal(await wp.page.locator('#gss optgroup').getAttribute('label'), 'sandbox / default');
    await wp.page.selectOption('#gss', '1');
    assert.match(await text('#gss-details'), /OnDelete is not in force/);
    await wp.page.click('#next');
    assert.equal(await step(), 'images');
    // One field per container, each with its current image.
    assert.equal(await wp.page.locator('label[for=image-0]').innerText(), 'New image for container lobby');
    assert.equal(await wp.page.locator('label[for=image-1]').innerText(), 'New image for container sidecar');
    assert.equal(await text('#image-1-hint'), 'Current: busybox:1.36');
    assert.equal(await wp.page.inputValue('#image-1'), 'busybox:1.36');
  });

  it('step 2: images are validated as you type; unchanged images and bad references keep the wizard on the step', async () => {
    await init();
    await wp.page.click('#next');
    assert.equal(await text('#image-0-hint'), `Current: ${OLD}`);
    assert.equal(await wp.page.inputValue('#image-0'), OLD);
    await wp.page.fill('#image-0', 'registry.example.com/Team/game:1.2');
    assert.match(await text('#image-0-msg'), /not a valid image reference/);
    assert.equal(await wp.page.getAttribute('#image-0', 'aria-invalid'), 'true');
    assert.ok((await wp.page.getAttribute('#image-0', 'aria-describedby'))?.includes('image-0-msg'));
    await wp.page.click('#next');
    assert.equal(await step(), 'images');
    assert.equal(await focused(), 'image-0');
    await wp.page.fill('#image-0', 'game: 1.2');
    assert.match(await text('#image-0-msg'), /contains white space/);
    await wp.page.fill('#image-0', '');
    assert.match(await text('#image-0-msg'), /Enter an image reference/);
    await wp.page.fill('#image-0', OLD);
    assert.equal(await text('#image-0-msg'), '');
    await wp.page.click('#next');
    assert.match(await text('#images-msg'), /Change the image of at least one container/);
    assert.equal(await step(), 'images');
    await wp.page.fill('#image-0', NEW);
    assert.equal(await wp.page.getAttribute('#image-0', 'aria-invalid'), null);
    await wp.page.click('#next');
    assert.equal(await step(), 'rooms');
  });

  it('step 3: new rooms, ready count, timeout, stop-early, reclaim mode and settle window; bad values are refused inline; the preview request carries the input', async () => {
    await init();
    await wp.page.click('#next');
    await wp.page.fill('#image-0', NEW);
    await wp.page.click('#next');
    assert.equal(await wp.page.inputValue('#add'), '3', 'defaults to the current replicas');
    await wp.page.fill('#ready', '5');
    assert.match(await text('#ready-msg'), /ready count \(5\) is more than the 3 new rooms/);
    await wp.page.fill('#add', '0');
    assert.match(await text('#add-msg'), /whole number from 1 to 1000/);
    await wp.page.fill('#add', '6');
    assert.equal(await text('#ready-msg'), '', 'ready re-checked when new rooms change');
    await wp.page.fill('#timeout', 'soon');
    assert.match(await text('#timeout-msg'), /is not a duration/);
    await wp.page.fill('#timeout', '48h');
    assert.match(await text('#timeout-msg'), /from 1s to 24h/);
    await wp.page.click('#next');
    assert.equal(await step(), 'rooms');
    assert.equal(await focused(), 'timeout');
    assert.equal((await posted()).filter(m => m.type === 'preview').length, 0);
    await wp.page.fill('#timeout', '90s');
    assert.equal(await wp.page.inputValue('#settle'), '2s', "the engine's default settle window");
    assert.equal(await wp.page.inputValue('#fail-fast'), '60s', "the engine's default stop-early grace period");
    await wp.page.fill('#settle', '11m');
    assert.equal(await text('#settle-msg'), 'The settle window must be from 0 (no wait) to 10 min.');
    await wp.page.fill('#fail-fast', 'soon');
    assert.match(await text('#fail-fast-msg'), /"soon" is not a duration/);
    await wp.page.click('#next');
    assert.equal(await step(), 'rooms');
    assert.equal(await focused(), 'fail-fast');
    await wp.page.fill('#fail-fast', '0');
    await wp.page.fill('#settle', '5s');
    await wp.page.check('#reclaim-scale-down');
    assert.equal(await wp.page.locator('#fix').count(), 0, 'the OnDelete fix is only offered when needed');
    await wp.page.click('#next');
    const req = await waitPosted('preview');
    assert.deepEqual(req, {
      type: 'preview',
      seq: req.seq,
      scope: SCOPE,
      input: {
        namespace: 'default',
        gameServerSet: 'minecraft',
        images: [{ container: 'minecraft', image: NEW }],
        add: 6,
        ready: 5,
        timeoutMs: 90_000,
        settleMs: 5000,
        failFastAfterMs: 0,
        reclaim: 'scale-down',
      },
    });
    assert.equal(await step(), 'preview');
    assert.match(await text('#step'), /Planning the release/);
    // A refused preview shows the engine's sentence.
    await send({
      type: 'preview-result',
      seq: req.seq,
      ok: false,
      message: 'GameServerSet minecraft is locked by release rel-1 of ops@host (pid 7) (at step mark)',
    });
    assert.match(await text('#plan-error'), /is locked by release rel-1/);
  });

  it('step 4: the preview of the seed plan shows every room, the protected one and why, the predicted table and the Argo export', async () => {
    await init();
    const req = await toPreview();
    // An answer to an older request is ignored.
    await send({ ...previewResult(req.seq), seq: req.seq + 7 });
    assert.match(await text('#step'), /Planning/);
    await send(previewResult(req.seq));
    await wp.page.locator('#rooms-table').waitFor();
    const cells = (sel: string) =>
      wp.page
        .locator(`${sel} tbody tr`)
        .evaluateAll(trs => trs.map(tr => Array.from(tr.children).map(c => (c as HTMLElement).innerText)));
    const tag = OLD.split(':').pop();
    const newTag = NEW.split(':').pop();
    assert.deepEqual(await cells('#rooms-table'), [
      ['minecraft-0', 'old', 'Ready', 'Allocated', tag, 'protected', 'Allocated'],
      ['minecraft-1', 'old', 'Ready', 'None', tag, 'retire', 'idle (None) and not on the new image'],
      ['minecraft-2', 'old', 'Ready', 'None', tag, 'retire', 'idle (None) and not on the new image'],
      ['minecraft-3', 'new (to create)', '—', 'None', newTag, 'create', ''],
      ['minecraft-4', 'new (to create)', '—', 'None', newTag, 'create', ''],
      ['minecraft-5', 'new (to create)', '—', 'None', newTag, 'create', ''],
    ]);
    // Images show as their tag, the full reference on hover; actions are badges.
    assert.equal(
      await wp.page.locator('#rooms-table tbody tr').first().locator('code.tag').getAttribute('title'),
      `minecraft=${OLD}`,
    );
    assert.deepEqual(await wp.page.locator('#rooms-table .badge').evaluateAll(bs => bs.map(b => b.className)), [
      'badge b-protected',
      'badge b-retire',
      'badge b-retire',
      'badge b-create',
      'badge b-create',
      'badge b-create',
    ]);
    assert.equal(await wp.page.locator('#rooms-table-filter').isVisible(), false, 'no filter for six rooms');
    const predicted = (await cells('#predicted-table')).map(r => r.join(' '));
    assert.deepEqual(predicted, [
      `minecraft-0 Ready Allocated ${tag}`,
      `minecraft-1 Ready WaitToBeDeleted ${tag}`,
      `minecraft-2 Ready WaitToBeDeleted ${tag}`,
      `minecraft-3 Ready None ${newTag}`,
      `minecraft-4 Ready None ${newTag}`,
      `minecraft-5 Ready None ${newTag}`,
    ]);
    assert.match(
      await text('#plan-summary'),
      /Replicas 3 → 6 \(3 new rooms\); wait for 3 new-version rooms Ready; retire 2 idle old rooms; 1 room protected; reclaim: none/,
    );
    assert.equal(await wp.page.locator('#plan-steps li').count(), 8);
    assert.equal(await wp.page.locator('th[scope=col]').first().innerText(), 'Room');
    await wp.page.click('#export');
    assert.deepEqual(await waitPosted('export-argo'), { type: 'export-argo', seq: req.seq });
    await send({
      type: 'notice',
      level: 'info',
      message: 'The Argo Workflow is open in an editor (kubectl create -f it).',
    });
    assert.match(await text('#status'), /Argo Workflow is open/);
    await wp.page.click('#run');
    const run = await waitPosted('run');
    assert.deepEqual(run, { type: 'run', scope: SCOPE, input: req.input });
  });

  it('steps 5 and 6: progress from a real event stream (steps, rooms turning Ready, marks, warnings), then the summary', async () => {
    await init();
    const req = await toPreview();
    await send(previewResult(req.seq));
    await wp.page.click('#run');
    await waitPosted('run');
    await send({ type: 'run-started', scope: SCOPE, input: req.input });
    assert.equal(await step(), 'run');
    assert.equal(await focused(), 'step-title');
    const events = wp.real.events;
    const readyAt = events.findIndex(e => e.type === 'step-done' && e.step === 'wait-ready');
    for (const e of events.slice(0, readyAt)) await send({ type: 'progress', events: [e] });
    const states = () =>
      wp.page
        .locator('#run-steps li')
        .evaluateAll(lis =>
          lis.map(li => `${li.getAttribute('data-step')} ${li.querySelector('.badge')?.textContent}`),
        );
    assert.deepEqual(await states(), [
      'lock done',
      'patch-image done',
      'wait-generation done',
      'scale done',
      'wait-ready running',
      'mark pending',
      'reclaim pending',
      'unlock pending',
    ]);
    assert.equal(await text('#ready-count'), 'New-version rooms Ready: 3 of 3');
    assert.match(
      await text('#status'),
      /wait until at least 3 new-version rooms are ready for players \(state Ready, opsState None\)/,
    );
    // Only what a message changes is re-rendered: the other steps' elements stay the same nodes.
    await wp.page.evaluate(() => {
      document.querySelectorAll('#run-steps li').forEach((li, i) => {
        (li as HTMLElement).dataset.mark = String(i);
      });
    });
    await send({ type: 'progress', events: [events[readyAt]] });
    assert.deepEqual(
      await wp.page
        .locator('#run-steps li')
        .evaluateAll(lis => lis.map(li => (li as HTMLElement).dataset.mark ?? 'new')),
      ['0', '1', '2', '3', 'new', '5', '6', '7'],
    );
    for (const e of events.slice(readyAt + 1)) await send({ type: 'progress', events: [e] });
    await send({
      type: 'progress',
      events: [
        { type: 'warning', message: 'OKG also removed minecraft-9 (they were ranked ahead of the marked rooms)' },
      ],
    });
    assert.deepEqual(await states(), [
      'lock done',
      'patch-image done',
      'wait-generation done',
      'scale done',
      'wait-ready done',
      'mark done',
      'reclaim skipped',
      'unlock done',
    ]);
    assert.match(await text('#ready-count'), /room writes: 2 changed, 0 unchanged, 0 skipped, 0 failed/);
    assert.match(await text('#run-warnings'), /OKG also removed minecraft-9/);
    // The rooms and the counts over time, as the host's feed sent them for this release.
    const { rooms, samples } = wp.real.snapshot;
    await send({ type: 'progress', events: [], rooms, sample: samples[samples.length - 1] });
    const roomRows = await wp.page
      .locator('#run-rooms tbody tr')
      .evaluateAll(trs => trs.map(tr => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(roomRows, [
      'minecraft-0 old Ready Allocated —',
      'minecraft-1 old Ready WaitToBeDeleted —',
      'minecraft-2 old Ready WaitToBeDeleted —',
      'minecraft-3 new Ready None —',
      'minecraft-4 new Ready None —',
      'minecraft-5 new Ready None —',
    ]);
    assert.deepEqual(await wp.page.locator('#run-chart .legend li').allInnerTexts(), [
      'Old: 1',
      'Old, marked: 2',
      'Old, reclaimed: 0',
      'New, not Ready: 0',
      'New, Ready: 3',
    ]);
    assert.equal(await wp.page.locator('#run-chart path.series').count(), 5);
    await send({
      type: 'run-result',
      result: {
        outcome: 'succeeded',
        message: wp.real.result.message,
        id: wp.real.result.id,
        summary: wp.real.result.summary,
      },
    });
    assert.equal(await step(), 'result');
    assert.equal(await text('#outcome'), `The release succeeded (${wp.real.result.id}).`);
    const summary = await text('#summary');
    assert.match(summary, /Rooms retired\s+minecraft-1, minecraft-2/);
    assert.match(summary, /Final replicas\s+6/);
    await wp.page.click('#new');
    assert.equal(await step(), 'target');
    assert.equal((await posted()).at(-1)?.type, 'refresh');
  });

  it('a release that lost rooms with players: the result says so, in red, and names them', async () => {
    await init();
    const req = await toPreview();
    await send(previewResult(req.seq));
    await wp.page.click('#run');
    await waitPosted('run');
    await send({ type: 'run-started', scope: SCOPE, input: req.input });
    const summary = { ...wp.real.result.summary!, reclaimed: 1, lost: ['minecraft-2 (Allocated)'] };
    await send({
      type: 'run-result',
      result: {
        outcome: 'lost',
        message: 'release x finished with losses: OKG removed rooms with players: minecraft-2 (Allocated)',
        id: wp.real.result.id,
        summary,
      },
    });
    assert.equal(await step(), 'result');
    assert.equal(
      await text('#outcome'),
      `The release finished, but OKG removed rooms with players (${wp.real.result.id}).`,
    );
    assert.match((await wp.page.locator('#outcome').getAttribute('class')) ?? '', /\berror\b/);
    assert.equal(await text('#lost'), 'minecraft-2 (Allocated)');
  });

  it('cancel: before a run it closes the wizard; during a run it asks the host to cancel, then shows the cancelled result', async () => {
    await init();
    await wp.page.click('#cancel');
    assert.deepEqual((await posted()).at(-1), { type: 'close' });
    const req = await (async () => {
      await wp.page.click('#next');
      await wp.page.fill('#image-0', NEW);
      await wp.page.click('#next');
      await wp.page.click('#next');
      return fromForm(await waitPosted('preview'));
    })();
    await send(previewResult(req.seq));
    await wp.page.click('#run');
    await send({ type: 'run-started', scope: SCOPE, input: req.input });
    await send({ type: 'progress', events: wp.real.events.slice(0, 6) });
    await wp.page.click('#cancel');
    assert.deepEqual((await posted()).at(-1), { type: 'cancel' });
    assert.equal(await wp.page.locator('#cancel').isDisabled(), true);
    assert.equal(await text('#cancel'), 'Cancelling…');
    await send({
      type: 'progress',
      events: [
        {
          type: 'failed',
          id: 'rel-x',
          step: 'wait-ready',
          outcome: 'cancelled',
          message: 'cancelled at step wait-ready; the cluster is consistent and a rerun resumes from here',
        },
      ],
    });
    await send({
      type: 'run-result',
      result: {
        outcome: 'cancelled',
        step: 'wait-ready',
        id: 'rel-x',
        message: 'cancelled at step wait-ready; the cluster is consistent and a rerun resumes from here',
      },
    });
    assert.equal(await text('#outcome'), 'The release was cancelled (rel-x).');
    assert.match(await text('#step'), /Choose this GameServerSet again to resume/);
  });
});
