// The release wizard's webview in Chromium at 1,000 rooms, and its accessibility: the preview's tables keep only
// the rows in view in the DOM (with a filter), a run's progress messages update the page in place and save its
// state a bounded number of times (never with the events), and axe-core finds no serious or critical violation
// on any step in the dark and light themes. Page set-up: page.ts.
import assert from 'node:assert/strict';
import type { ReleasePlan } from '../../src/release/types.js';
import { toFeed, type RoomRow, type Sample } from '../../src/webview/feed.js';
import type { HostMessage, Target } from '../../src/webview/protocol.js';
import { NEW, OLD, SCOPE, TARGET, wizardPage } from './page.js';

const N = 1000;
const name = (i: number) => `fleet-000-${i}`;
const BIG: Target = { ...TARGET, name: 'fleet-000', replicas: N, readyReplicas: N, rooms: N };

/** The seed plan grown to N old rooms (every 50th Allocated) and N rooms to create. */
function bigPlan(seed: ReleasePlan): ReleasePlan {
  const img = (image: string) => [{ container: 'minecraft', image }];
  const rooms: ReleasePlan['rooms'] = [];
  for (let i = 0; i < N; i++) {
    rooms.push(
      i % 50 === 0
        ? {
            name: name(i),
            version: 'old',
            state: 'Ready',
            opsState: 'Allocated',
            images: img(OLD),
            action: 'protected',
            reason: 'Allocated',
          }
        : { name: name(i), version: 'old', state: 'Ready', opsState: 'None', images: img(OLD), action: 'retire' },
    );
  }
  for (let i = N; i < 2 * N; i++)
    rooms.push({
      name: name(i),
      version: 'to-create',
      state: '',
      opsState: 'None',
      images: img(NEW),
      action: 'create',
    });
  const predicted = rooms.map(r => ({
    name: r.name,
    state: 'Ready',
    opsState: r.action === 'retire' ? 'WaitToBeDeleted' : r.opsState,
    images: r.images,
  }));
  return {
    ...seed,
    input: { ...seed.input, gameServerSet: 'fleet-000', add: N },
    fromReplicas: N,
    toReplicas: 2 * N,
    newRooms: N,
    ready: N,
    rooms,
    predicted,
  };
}

describe('release wizard: the webview at 1,000 rooms, and axe on every step', function () {
  const wp = wizardPage();
  const { send, waitPosted, text, step, init, fromForm } = wp;

  async function toBigPreview(): Promise<number> {
    const previews = (await wp.posted()).filter(m => m.type === 'preview').length;
    await init({ targets: [BIG], select: { scope: SCOPE, name: 'fleet-000' } });
    await wp.page.click('#next');
    await wp.page.fill('#image-0', NEW);
    await wp.page.click('#next');
    await wp.page.click('#next');
    const req = fromForm(await waitPosted('preview', previews));
    await send({
      type: 'preview-result',
      seq: req.seq,
      ok: true,
      message: 'planned',
      plan: bigPlan(wp.real.plan),
    } satisfies HostMessage);
    await wp.page.locator('#rooms-table').waitFor();
    return req.seq;
  }

  it('the preview of 1,000 rooms keeps only the rows in view in the DOM, says how many there are, and filters', async () => {
    await toBigPreview();
    const inDom = () => wp.page.locator('#rooms-table tbody tr:not(.vt-spacer)').count();
    assert.ok((await inDom()) <= 80, `${await inDom()} rows in the DOM for ${2 * N} rooms`);
    assert.equal(await wp.page.getAttribute('#rooms-table', 'aria-rowcount'), String(2 * N + 1));
    assert.equal(await text('#rooms-table-count'), '2,000 rooms');
    assert.match(
      await text('#plan-summary'),
      /Replicas 1000 → 2000 \(1000 new rooms\).*retire 980 idle old rooms; 20 rooms protected/,
    );
    // Scrolled to the end, the last rooms are drawn (and their row index says where they are).
    await wp.page.locator('#rooms-table-box .vt-scroll').evaluate(el => {
      el.scrollTop = el.scrollHeight;
    });
    await wp.page.waitForFunction(() =>
      document
        .querySelector('#rooms-table tbody tr:not(.vt-spacer):last-of-type')
        ?.textContent?.startsWith('fleet-000-1999'),
    );
    assert.equal(
      await wp.page.locator('#rooms-table tbody tr:not(.vt-spacer)').last().getAttribute('aria-rowindex'),
      String(2 * N + 1),
    );
    // The filter narrows to what matches and says so.
    await wp.page.fill('#rooms-table-filter', 'allocated');
    assert.equal(await text('#rooms-table-count'), '20 of 2,000 rooms match');
    assert.equal(await inDom(), 20);
    assert.deepEqual((await wp.page.locator('#rooms-table tbody th').allInnerTexts()).slice(0, 3), [
      'fleet-000-0',
      'fleet-000-50',
      'fleet-000-100',
    ]);
    // Room names never wrap ("fleet-000-/0"), and the image is its tag with the full reference on hover.
    const wraps = await wp.page
      .locator('#rooms-table tbody th')
      .evaluateAll(ths => ths.filter(th => th.getBoundingClientRect().height > 30).length);
    assert.equal(wraps, 0);
    assert.equal(await wp.page.locator('#rooms-table tbody code.tag').first().innerText(), OLD.split(':').pop());
  });

  it('a 1,000-room run: messages update the page in place; state is saved a bounded number of times and never with the events', async () => {
    await toBigPreview();
    await wp.page.click('#run');
    const run = await waitPosted('run');
    assert.ok('input' in run);
    await send({ type: 'run-started', scope: SCOPE, input: run.input } satisfies HostMessage);
    const before = await wp.page.evaluate(() => (window as unknown as { __saves: { count: number } }).__saves.count);
    // What the host's feed sends for a release of 1,000 rooms: 50 messages of 20 rooms each, then the long
    // progress line of the mark step (every pending room) as the host translates it.
    const rows: RoomRow[] = Array.from({ length: N }, (_, i) => ({
      name: name(i),
      version: 'old',
      state: 'Ready',
      opsState: i % 50 ? 'None' : 'Allocated',
    }));
    const messages: HostMessage[] = [];
    let events = 0;
    for (let b = 0; b < 50; b++) {
      const changed = rows
        .slice(b * 20, b * 20 + 20)
        .map(r => (r.opsState === 'None' ? { ...r, opsState: 'WaitToBeDeleted' } : r));
      const evs = changed
        .filter(r => r.opsState === 'WaitToBeDeleted')
        .map(r => ({
          type: 'room-changed' as const,
          step: 'mark' as const,
          room: r.name,
          from: 'None',
          to: 'WaitToBeDeleted',
          result: 'changed' as const,
        }));
      events += evs.length;
      const sample: Sample = {
        t: (b + 1) * 100,
        old: N - (b + 1) * 20,
        newReady: N,
        newNotReady: 0,
        marked: (b + 1) * 20,
        reclaimed: 0,
      };
      messages.push({
        type: 'progress',
        events: evs,
        rooms: b === 0 ? rows.map(r => changed.find(c => c.name === r.name) ?? r) : changed,
        sample,
      });
    }
    const settle = toFeed({
      type: 'step-progress',
      step: 'mark',
      message: `waiting for OKG to show the marks on the pods: ${rows.map(r => r.name).join(', ')}`,
    });
    messages.push({ type: 'progress', events: [settle] });
    // All at once, as a burst (the host never sends faster than this).
    await wp.page.evaluate(
      ms =>
        new Promise<void>(resolve => {
          for (const m of ms) window.postMessage(m, '*');
          const w = window as unknown as { __syncs: Map<string, () => void> };
          w.__syncs.set('burst', resolve);
          window.postMessage({ __sync: 'burst' }, '*');
        }),
      messages,
    );
    const saves = await wp.page.evaluate(
      () => (window as unknown as { __saves: { count: number; bytes: number } }).__saves,
    );
    // Before the fix every event saved the whole state, its events included (980 saves here, each larger than the
    // last); a save per message would still be 51.
    assert.ok(
      saves.count - before < messages.length / 4,
      `${saves.count - before} saves for ${messages.length} messages (${events} events)`,
    );
    await wp.page.waitForTimeout(1200); // the trailing save (at most one a second)
    const saved = await wp.page.evaluate(
      () =>
        JSON.parse(sessionStorage.getItem('okg-state') ?? '{}') as {
          run?: Record<string, unknown> & { saved?: { rooms: unknown[] } };
        },
    );
    assert.equal(saved.run?.events, undefined, 'the events are not saved');
    assert.equal(saved.run?.saved?.rooms.length, N, 'the rooms as last shown are');
    assert.ok((await wp.page.locator('#run-rooms tbody tr:not(.vt-spacer)').count()) <= 80);
    assert.equal(await text('#run-rooms-count'), '1,000 rooms');
    assert.deepEqual(await wp.page.locator('#run-chart .legend .value').allInnerTexts(), [
      '0',
      '1,000',
      '0',
      '0',
      '1,000',
    ]);
    assert.match(await text('#ready-count'), /room writes: 980 changed/);
    // The long progress line came as a summary and its rooms as data, listed on request.
    const mark = await text('#run-steps li[data-step=mark]');
    assert.match(
      mark,
      /waiting for OKG to show the marks on the pods: 1,000 rooms; first 20: fleet-000-0, fleet-000-1,/,
    );
    assert.match(
      await wp.page.locator('#run-steps li[data-step=mark] details summary').innerText(),
      /^1,000 rooms: fleet-000-0,/,
    );
    await wp.page.fill('#run-rooms-filter', 'fleet-000-99');
    assert.deepEqual(await wp.page.locator('#run-rooms tbody th').allInnerTexts(), [
      'fleet-000-99',
      'fleet-000-990',
      'fleet-000-991',
      'fleet-000-992',
      'fleet-000-993',
      'fleet-000-994',
      'fleet-000-995',
      'fleet-000-996',
      'fleet-000-997',
      'fleet-000-998',
      'fleet-000-999',
    ]);
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`axe finds no serious or critical violation on any step (${theme} theme; 3 and 1,000 rooms)`, async () => {
      await wp.theme(theme);
      const found: string[] = [];
      const check = async (where: string) => {
        for (const v of await wp.axe()) found.push(`${where}: ${v}`);
      };
      await init();
      await check('1 GameServerSet');
      await wp.page.click('#next');
      await check('2 images');
      await wp.page.fill('#image-0', 'Bad Image');
      await check('2 images, invalid');
      await wp.page.fill('#image-0', NEW);
      await wp.page.click('#next');
      await check('3 rooms');
      await wp.page.click('#next');
      const req = fromForm(await waitPosted('preview'));
      await check('4 preview, planning');
      await send(wp.previewResult(req.seq));
      await check('4 preview');
      await wp.page.click('#run');
      await send({ type: 'run-started', scope: SCOPE, input: req.input } satisfies HostMessage);
      await send({
        type: 'progress',
        events: wp.real.events.slice(0, 12),
        rooms: wp.real.snapshot.rooms,
        sample: wp.real.snapshot.samples[1],
      });
      assert.equal(await step(), 'run');
      await check('5 run');
      await send({ type: 'progress', events: wp.real.events.slice(12), sample: wp.real.snapshot.samples.at(-1) });
      await send({
        type: 'run-result',
        result: {
          outcome: 'succeeded',
          message: wp.real.result.message,
          id: wp.real.result.id,
          summary: wp.real.result.summary,
        },
      });
      await check('6 result');
      await wp.page.click('#run-details summary');
      await check('6 result, details open');
      await wp.page.click('#new');
      await toBigPreview();
      await check('4 preview, 1,000 rooms');
      await wp.page.fill('#rooms-table-filter', 'allocated');
      await check('4 preview, 1,000 rooms, filtered');
      assert.deepEqual(found, []);
    });
  }
});
