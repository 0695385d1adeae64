// The release wizard's webview in Chromium: the resume offer (who made it, what it will do, what to check), the
// keyboard-only path, malformed host messages (ignored, reported by path, never rendered as HTML) and the state a
// reload keeps. Page set-up: page.ts.
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, type HostMessage, type WebviewMessage } from '../../src/webview/protocol.js';
import { NEW, OLD, OTHER, SCOPE, TARGET, wizardPage } from './page.js';

describe('release wizard: the webview in Chromium, resume, keyboard, hostile input, reload', function () {
  const wp = wizardPage();
  const { posted, send, waitPosted, text, step, focused, init, fromForm, previewResult } = wp;

  it('offers an interrupted release for resume: who made it and what it will do; the resume names the record, never its inputs', async () => {
    const id = 'rel-20260101T000000Z-ab12';
    const input = {
      namespace: 'default',
      gameServerSet: 'minecraft',
      images: [{ container: 'minecraft', image: NEW }],
      add: 3,
      timeoutMs: 600_000,
      retireOpsStates: ['None'],
      reclaim: 'none' as const,
      fixUpdateStrategy: false,
    };
    const offer = {
      id,
      step: 'mark' as const,
      state: 'cancelled' as const,
      holder: 'ops@host (pid 7)',
      mine: true,
      startedAt: '2026-01-01T00:00:00.000Z',
      message: 'cancelled at step mark',
      input,
    };
    await init({ targets: [{ ...TARGET, interrupted: offer }] });
    assert.match(
      await text('#resume-offer'),
      /Release rel-20260101T000000Z-ab12 of ops@host \(pid 7\) was cancelled at step mark: cancelled at step mark/,
    );
    assert.match(
      await text('#resume-made'),
      /Made by ops@host \(pid 7\) \(you, on this machine\), started 2026-01-01T00:00:00.000Z/,
    );
    const does = await wp.page.locator('#resume-does li').allInnerTexts();
    assert.deepEqual(does, [
      `Set the image minecraft=${NEW}.`,
      'Add 3 new rooms.',
      'Wait until every new room is Ready.',
      'Retire idle old rooms whose opsState is None.',
      'Leave the retired rooms for the scaler (no reclaim).',
      'Wait at most 10m at each step.',
    ]);
    assert.equal(
      await wp.page.locator('#resume-concerns').count(),
      0,
      'nothing to check: made here, with the defaults',
    );
    await wp.page.click('#resume');
    const req = await waitPosted('preview');
    assert.deepEqual(req, { type: 'preview', seq: req.seq, scope: SCOPE, resume: { gameServerSet: 'minecraft', id } });
    await send({ ...previewResult(req.seq), plan: { ...wp.real.plan, resumes: id } });
    assert.match(await text('#resumes'), /This resumes release rel-20260101T000000Z-ab12/);
    assert.equal(await text('#run'), 'Resume Release');
    await wp.page.click('#run');
    assert.deepEqual(await waitPosted('run'), {
      type: 'run',
      scope: SCOPE,
      resume: { gameServerSet: 'minecraft', id },
    });

    // Someone else's record, with inputs the form never produces: the offer says what to check first.
    await wp.page.click('#back');
    assert.equal(await step(), 'target');
    await send({
      type: 'targets',
      targets: [
        {
          ...TARGET,
          interrupted: {
            ...offer,
            mine: false,
            holder: 'alice@elsewhere (pid 9)',
            input: {
              ...input,
              retireOpsStates: ['None', 'Playing'],
              reclaim: 'kill' as const,
              fixUpdateStrategy: true,
            },
          },
        },
      ],
    } satisfies HostMessage);
    const concerns = await wp.page.locator('#resume-concerns li').allInnerTexts();
    assert.deepEqual(concerns, [
      'It was made by alice@elsewhere (pid 9), not by you on this machine.',
      'It retires rooms in opsState None, Playing: the wizard only ever retires None.',
      'It sets the retired rooms to Kill: OKG deletes them at once.',
      'It changes the update strategy of the GameServerSet (drops rollingUpdate).',
    ]);
    assert.match(await text('#resume-concerns'), /VS Code asks you to confirm/);
    assert.ok(
      (await wp.page.locator('#resume-does li').allInnerTexts()).includes(
        'Retire idle old rooms whose opsState is None or Playing.',
      ),
    );
  });

  it('is fully usable with the keyboard alone: Tab, typing and Enter from the first step to the run request', async () => {
    await init();
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'gss');
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'next');
    await wp.page.keyboard.press('Enter');
    assert.equal(await step(), 'images');
    assert.equal(await focused(), 'step-title', 'focus moves to the new step');
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'image-0');
    await wp.page.keyboard.press('ControlOrMeta+A');
    await wp.page.keyboard.type(NEW);
    await wp.page.keyboard.press('Enter');
    assert.equal(await step(), 'rooms');
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'add');
    await wp.page.keyboard.press('Tab');
    await wp.page.keyboard.type('2');
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'timeout');
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'fail-fast');
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'reclaim-none');
    await wp.page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'reclaim-scale-down');
    assert.equal(await wp.page.isChecked('#reclaim-scale-down'), true);
    await wp.page.keyboard.press('Enter');
    const req = fromForm(await waitPosted('preview'));
    assert.equal(req.input.ready, 2);
    assert.equal(req.input.reclaim, 'scale-down');
    await send(previewResult(req.seq));
    await wp.page.locator('#run').waitFor();
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'run', 'the primary action comes first');
    await wp.page.keyboard.press('Tab');
    assert.equal(await focused(), 'export');
    await wp.page.keyboard.press('Enter');
    await waitPosted('export-argo');
    await wp.page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'run');
    await wp.page.keyboard.press('Enter');
    assert.deepEqual(fromForm(await waitPosted('run')).input, req.input);
    // Every control has an accessible name.
    const unnamed = await wp.page.evaluate(
      () =>
        Array.from(document.querySelectorAll('input, select, button')).filter(el => {
          const id = el.id;
          return !(
            el.textContent?.trim() ||
            el.getAttribute('aria-label') ||
            (id && document.querySelector(`label[for="${id}"]`))
          );
        }).length,
    );
    assert.equal(unnamed, 0);
  });

  it('rejects malformed host messages (ignored and reported by path) and never renders text as HTML', async () => {
    await waitPosted('ready');
    const evil = '<img src=x onerror="window.__pwned=1">';
    const bad: unknown[] = [
      { type: 'init', version: PROTOCOL_VERSION, targets: [{ ...TARGET, name: evil }] },
      {
        type: 'init',
        version: PROTOCOL_VERSION,
        targets: [{ ...TARGET, images: [{ container: 'minecraft', image: `${OLD}" onerror="x` }] }],
      },
      { type: 'html', html: evil },
      'init',
      null,
      {
        type: 'progress',
        events: [
          { type: 'room-changed', step: 'mark', room: evil, from: 'None', to: 'WaitToBeDeleted', result: 'changed' },
        ],
      },
      {
        type: 'preview-result',
        seq: 0,
        ok: true,
        message: 'x',
        plan: { ...wp.real.plan, rooms: [{ ...wp.real.plan.rooms[0], name: evil }] },
      },
      { type: 'preview-result', seq: 0, ok: true, message: 'x' },
      { type: 'run-result', result: { outcome: 'pwned', message: evil } },
      { type: 'notice', level: 'info', message: 42 },
    ];
    for (const m of bad) await send(m);
    await wp.page.waitForTimeout(100);
    const rejected = (await posted()).filter(
      (m): m is Extract<WebviewMessage, { type: 'rejected' }> => m.type === 'rejected',
    );
    assert.equal(rejected.length, bad.length);
    assert.match(rejected[0].reason, /^message\.targets\[0\]\.name: not a Kubernetes name$/);
    assert.match(rejected[5].reason, /^message\.events\[0\]\.room: not a Kubernetes name$/);
    assert.match(rejected[6].reason, /^message\.plan\.rooms\[0\]\.name/);
    for (const r of rejected) assert.ok(!r.reason.includes('<img') && !r.reason.includes('onerror'), r.reason);
    assert.equal(await wp.page.locator('#gss').count(), 0, 'nothing was rendered from the rejected init');
    // Valid messages whose free text looks like markup are shown as text.
    await init();
    await send({ type: 'notice', level: 'error', message: `bad: ${evil}` });
    assert.equal(await text('#alert'), `bad: ${evil}`);
    await send({ type: 'targets', targets: [TARGET], error: evil });
    await wp.page.click('#next');
    await wp.page.click('#cancel').catch(() => undefined);
    assert.equal(await wp.page.locator('img').count(), 0);
    assert.equal(await wp.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    // An inline script is refused by the CSP (only the nonce'd bundle runs).
    await wp.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__pwned = 2';
      document.body.append(s);
    });
    await wp.page.waitForTimeout(100);
    assert.equal(await wp.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    const violations = await wp.page.evaluate(() =>
      (window as unknown as { __violations: string[] }).__violations.splice(0),
    );
    assert.ok(
      violations.some(v => v.startsWith('script-src')),
      violations.join(', '),
    );
  });

  it('restores its state when the webview is reloaded (hidden and shown again): the step, the typed values, a running release', async () => {
    await init();
    await wp.page.click('#next');
    await wp.page.fill('#image-0', `${NEW}-rc1`);
    await wp.page.click('#next');
    await wp.page.fill('#add', '4');
    await wp.page.fill('#timeout', '5m');
    await wp.page.reload();
    await waitPosted('ready');
    await send({ type: 'init', version: PROTOCOL_VERSION, targets: [TARGET, OTHER] } satisfies HostMessage);
    await wp.page.locator('#add').waitFor();
    assert.equal(await step(), 'rooms');
    assert.equal(await wp.page.inputValue('#add'), '4');
    assert.equal(await wp.page.inputValue('#timeout'), '5m');
    await wp.page.click('#back');
    assert.equal(await wp.page.inputValue('#image-0'), `${NEW}-rc1`);

    // A release running in the host: after a reload, init replays its events.
    const input = {
      namespace: 'default',
      gameServerSet: 'minecraft',
      images: [{ container: 'minecraft', image: NEW }],
      add: 3,
    };
    const half = wp.real.events.slice(
      0,
      wp.real.events.findIndex(e => e.type === 'step-started' && e.step === 'mark'),
    );
    await wp.page.reload();
    await waitPosted('ready');
    const rooms = wp.real.snapshot.rooms;
    const samples = wp.real.snapshot.samples.slice(0, 2);
    await send({
      type: 'init',
      version: PROTOCOL_VERSION,
      targets: [TARGET],
      run: { scope: SCOPE, input, events: half, rooms, samples },
    } satisfies HostMessage);
    await wp.page.locator('#run-steps').waitFor();
    assert.equal(await step(), 'run');
    assert.equal(await text('#ready-count'), 'New-version rooms Ready: 3 of 3');
    assert.equal(await wp.page.locator('#run-rooms tbody tr').count(), rooms.length, 'the replayed rooms');
    // And a host that lost the run (VS Code restarted) sends none: the page says so and starts over.
    await wp.page.reload();
    await waitPosted('ready');
    await send({ type: 'init', version: PROTOCOL_VERSION, targets: [TARGET] } satisfies HostMessage);
    await wp.page.locator('#gss').waitFor();
    assert.match(await text('#alert'), /not running in this window any more/);
  });
});
