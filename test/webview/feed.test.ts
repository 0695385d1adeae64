// What the host sends of a running release (src/webview/feed.ts), in plain Node: long room lists leave the text
// and travel as data, so no message is too long to send; a step's progress line replaces the one before it; the
// counts by version and state; the run model the page keeps (src/webview/runModel.ts).
import assert from 'node:assert/strict';
import type { ReleaseEvent } from '../../src/release/types.js';
import {
  FEED_TEXT,
  FeedLog,
  keepSample,
  sampleOf,
  summarise,
  toFeed,
  waitingReason,
  type FeedEvent,
  type RoomRow,
  type Sample,
} from '../../src/webview/feed.js';
import { initialProgress } from '../../src/webview/progress.js';
import { readHostMessage } from '../../src/webview/protocol.js';
import { MAX_TEXT } from '../../src/webview/schema.js';
import { RunModel } from '../../src/webview/runModel.js';

const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `fleet-000-${from + i}`);
const valid = (m: unknown) => {
  const r = readHostMessage(m);
  return r.ok ? undefined : r.problem;
};

describe("release wizard: the host's feed of a running release", () => {
  it("the mark step's progress line at 1,000 rooms (every pending room, > 8192 characters) is sent: summarised in text, the rooms as data", () => {
    const rooms = names(1000);
    // The engine's own wording (engine.ts settleMarks).
    const e = {
      type: 'step-progress',
      step: 'mark',
      message: `waiting for OKG to show the marks on the pods: ${rooms.join(', ')}`,
    } satisfies ReleaseEvent;
    assert.ok(e.message.length > MAX_TEXT, 'the line is longer than the contract allows');
    assert.match(
      String(valid({ type: 'progress', events: [e] })),
      /message\.events\[0\]\.message: longer than 8192 characters/,
      'as the engine says it, it cannot be sent',
    );
    const f = toFeed(e);
    assert.ok(f.type === 'step-progress');
    assert.equal(
      f.message,
      `waiting for OKG to show the marks on the pods: 1,000 rooms; first 20: ${rooms.slice(0, 20).join(', ')}, …`,
    );
    assert.deepEqual(f.rooms, rooms);
    assert.equal(valid({ type: 'progress', events: [f] }), undefined);
  });

  it('summarises lists with remarks, every long list of a line, and nothing short; cuts what is still too long', () => {
    const held = names(30)
      .map(n => `${n} (WaitToBeDeleted)`)
      .join(', ');
    const s = summarise(
      `kept ${held}: OKG would remove fleet-000-99 (Allocated) first; also ${names(25, 100).join(', ')}.`,
    );
    assert.equal(
      s.text,
      `kept 30 rooms; first 20: ${names(20)
        .map(n => `${n} (WaitToBeDeleted)`)
        .join(
          ', ',
        )}, …: OKG would remove fleet-000-99 (Allocated) first; also 25 rooms; first 20: ${names(20, 100).join(', ')}, ….`,
    );
    assert.deepEqual(s.rooms, [...names(30), ...names(25, 100)]);
    const short = `3 of 3 rooms written: ${names(20).join(', ')}`;
    assert.deepEqual(summarise(short), { text: short }, 'twenty names are said in full');
    const long = summarise('x'.repeat(FEED_TEXT * 3));
    assert.equal(long.text.length, FEED_TEXT);
    assert.ok(long.text.endsWith('…'));
    // Every event with text is translated; the plan's warnings too.
    const w = toFeed({
      type: 'warning',
      message: `not reclaimed because they changed after marking: ${names(500).join(', ')}`,
    });
    assert.ok(w.type === 'warning' && w.rooms?.length === 500 && w.message.length < 600);
    const failed = toFeed({
      type: 'failed',
      id: 'rel-1',
      step: 'mark',
      outcome: 'failed',
      message: `failed at step mark: 600 rooms could not be marked (${names(600)
        .map(n => `${n}: conflict`)
        .join('; ')})`,
    });
    assert.equal(
      valid({ type: 'progress', events: [failed] }),
      undefined,
      'a list in another shape is cut to fit, never dropped',
    );
  });

  it('keeps one progress line per step (the last), everything else in order; take() empties the log', () => {
    const log = new FeedLog();
    const p = (step: 'wait-ready' | 'mark', n: number): FeedEvent => ({
      type: 'step-progress',
      step,
      message: `${n}`,
      done: n,
      of: 1000,
    });
    log.push({ type: 'step-started', step: 'wait-ready', index: 5, total: 8, title: 'wait' });
    for (let n = 1; n <= 1000; n++) log.push(p('wait-ready', n));
    log.push({ type: 'step-done', step: 'wait-ready', result: 'done', message: 'ready' });
    for (let n = 1; n <= 3; n++) {
      log.push({
        type: 'room-changed',
        step: 'mark',
        room: `r-${n}`,
        from: 'None',
        to: 'WaitToBeDeleted',
        result: 'changed',
      });
      log.push(p('mark', n));
    }
    const kept = log
      .events()
      .map(e => (e.type === 'step-progress' ? `${e.step} ${e.message}` : e.type === 'room-changed' ? e.room : e.type));
    assert.deepEqual(kept, ['step-started', 'wait-ready 1000', 'step-done', 'r-1', 'r-2', 'r-3', 'mark 3']);
    assert.equal(log.length, 7);
    assert.equal(log.take().length, 7);
    assert.equal(log.length, 0);
  });

  it('counts rooms by version and state; keeps at most the samples it is given room for, first and last included', () => {
    const rows: RoomRow[] = [
      { name: 'a', version: 'old', state: 'Ready', opsState: 'None' },
      { name: 'b', version: 'old', state: 'Ready', opsState: 'Allocated' },
      { name: 'c', version: 'old', state: 'Ready', opsState: 'WaitToBeDeleted' },
      { name: 'd', version: 'old', state: 'Ready', opsState: 'Kill', gone: true },
      { name: 'e', version: 'new', state: 'Ready', opsState: 'None' },
      { name: 'f', version: 'new', state: 'Creating', opsState: 'None' },
      { name: 'g', version: 'new', state: 'Ready', opsState: 'None', gone: true },
    ];
    assert.deepEqual(sampleOf(rows, 5), { t: 5, old: 2, newReady: 1, newNotReady: 1, marked: 1, reclaimed: 1 });
    let samples: Sample[] = [];
    for (let t = 0; t < 5000; t++) samples = keepSample(samples, { ...sampleOf(rows, t), old: t });
    assert.ok(samples.length <= 600, String(samples.length));
    assert.equal(samples[0].t, 0);
    assert.equal(samples[samples.length - 1].t, 4999);
    assert.ok(
      samples.every((s, i) => i === 0 || s.t > samples[i - 1].t),
      'in time order',
    );
  });

  it("a waiting room's reason, restarts and last event make its Reason cell; a ready room has none", () => {
    const base = {
      type: 'room-waiting' as const,
      step: 'wait-ready' as const,
      room: 'fleet-000-1',
      ready: false,
      permanent: true,
    };
    assert.equal(
      waitingReason({
        ...base,
        reason: 'ImagePullBackOff',
        message: 'Back-off pulling image "game:2"',
        restarts: 0,
        lastEvent: 'Failed to pull image "game:2": not found',
      }),
      'ImagePullBackOff: Back-off pulling image "game:2" · last event: Failed to pull image "game:2": not found',
    );
    assert.equal(
      waitingReason({ ...base, reason: 'CrashLoopBackOff', message: 'CrashLoopBackOff', restarts: 4 }),
      'CrashLoopBackOff · 4 restarts',
    );
    assert.equal(waitingReason({ ...base, ready: true, reason: '', message: '', restarts: 0 }), undefined);
  });

  it("the page's run model: applies a message once, says what changed, keeps rooms in name order (numbers as numbers)", () => {
    const m = new RunModel(initialProgress());
    const c1 = m.apply({
      events: [{ type: 'step-started', step: 'mark', index: 6, total: 8, title: 'mark' }],
      rooms: [10, 9, 100].map(i => ({ name: `r-${i}`, version: 'old' as const, state: 'Ready', opsState: 'None' })),
    });
    assert.deepEqual(c1, { steps: [5], warningsFrom: 0, rooms: 3, added: true, sample: false, ready: false });
    assert.deepEqual(
      m.rooms().map(r => r.name),
      ['r-9', 'r-10', 'r-100'],
    );
    const c2 = m.apply({
      events: [
        { type: 'room-changed', step: 'mark', room: 'r-10', from: 'None', to: 'WaitToBeDeleted', result: 'changed' },
        { type: 'warning', message: 'w' },
      ],
      rooms: [{ name: 'r-10', version: 'old', state: 'Ready', opsState: 'WaitToBeDeleted' }],
      sample: { t: 1, old: 2, newReady: 0, newNotReady: 0, marked: 1, reclaimed: 0 },
    });
    assert.deepEqual(c2, { steps: [], warningsFrom: 0, rooms: 1, added: false, sample: true, ready: true });
    assert.equal(m.rooms()[1].opsState, 'WaitToBeDeleted');
    assert.deepEqual(m.progress.warnings, ['w']);
    const restored = RunModel.restore(JSON.parse(JSON.stringify(m.saved())));
    assert.deepEqual(restored.rooms(), m.rooms());
    assert.deepEqual(restored.progress, m.progress);
    assert.deepEqual(RunModel.restore({ progress: 'x' }).rooms(), [], 'a corrupt save starts empty');
  });
});
